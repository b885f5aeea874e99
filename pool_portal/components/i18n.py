"""UI text goes through the translation catalogue: T("key") is the current language's text."""

from __future__ import annotations

import reflex as rx

from pool_portal.states.shell import AppState


def T(key: str | rx.Var) -> rx.Var:
    """The text of ``key`` (a catalogue key, or a Var holding one, e.g. "stage." + code)."""
    return AppState.tr[key].to(str)


def page_title(key: str) -> rx.Var:
    """A page's title in the current language ("Presupuestos | Pool Portal"): Reflex
    takes a Var as a page title and renders it on the client, so it follows the
    language switch like the rest of the page."""
    return T(key) + " | Pool Portal"
