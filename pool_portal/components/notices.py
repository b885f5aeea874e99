"""Notices: callouts that tell what happened (a saved change, an error for the whole
form, a missing record, a switched-off feature). Messages are catalogue keys."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def alert(message: rx.Var | str, *, id: str, color: str = "red") -> rx.Component:
    """A full-width callout: an alert when red, a status otherwise (sign-in cards)."""
    return rx.callout(message, color_scheme=color, role="alert" if color == "red" else "status", id=id, width="100%")


def notice(S, ident: str, *, color_scheme: str | None = "green", **props) -> rx.Component:
    """What the last action did (a catalogue key in ``S.notice``), as a status."""
    return rx.cond(
        S.notice != "",
        rx.callout(T(S.notice), id=ident, role="status", color_scheme=color_scheme, **props),
    )


def admin_notice(S) -> rx.Component:
    """The notice of the admin control panel's pages (clients, groups, staff)."""
    return notice(S, "admin-notice", margin_y="0.5rem")


def data_notice(S) -> rx.Component:
    """The notice of the admin Data pages."""
    return notice(S, "data-notice", margin_y="0.5rem")


def form_error(S) -> rx.Component:
    """The message for the form as a whole (``S.errors["form"]``), id ``error-form``."""
    return rx.cond(
        S.errors.contains("form"),
        rx.callout(T(S.errors["form"].to(str)), color_scheme="red", role="alert", id="error-form", margin_y="0.5rem"),
    )


def missing(key: str, ident: str, **props) -> rx.Component:
    """The record of the URL does not exist (or is not the viewer's)."""
    return rx.callout(T(key), id=ident, **props)


def data_missing(key: str = "data.not_found") -> rx.Component:
    return missing(key, "data-missing", margin_top="0.75rem")


def unavailable(S) -> rx.Component:
    """A portal list the tenant has switched off."""
    return rx.cond(S.loaded & ~S.enabled, rx.callout(T("list.unavailable"), id="list-unavailable"))
