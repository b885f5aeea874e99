"""UI text goes through the translation catalogue: T("key") is the current language's text."""

from __future__ import annotations

import reflex as rx

from pool_portal.states.shell import AppState


def T(key: str) -> rx.Var:
    return AppState.tr[key].to(str)


def page_title(key: str) -> rx.Var:
    """A page's title in the current language ("Presupuestos | Pool Portal"): Reflex
    takes a Var as a page title and renders it on the client, so it follows the
    language switch like the rest of the page."""
    return T(key) + " | Pool Portal"


def language_switch() -> rx.Component:
    return rx.el.select(
        rx.foreach(
            AppState.language_options,
            lambda opt: rx.el.option(opt[1], value=opt[0]),
        ),
        value=AppState.lang,
        on_change=AppState.set_language,
        aria_label=T("nav.language"),
        id="language-switch",
        style={"padding": "0.25rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
    )
