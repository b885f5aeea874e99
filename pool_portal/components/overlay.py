"""Overlays: a dialog over the page, its close button and its row of buttons. A
dialog's open state is the page state's (often the URL's), so Back, X and Escape all
close it the same way."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def dialog(*children, open, on_open_change, **content) -> rx.Component:
    """A modal dialog of ``children``; ``content``: props of its content box."""
    return rx.dialog.root(rx.dialog.content(*children, **content), open=open, on_open_change=on_open_change)


def sheet(title, *children, on_close, close_id: str, open, on_open_change, **content) -> rx.Component:
    """A dialog with its ``title`` and an X (``on_close``, id ``close_id``) on one line."""
    return dialog(
        rx.flex(rx.dialog.title(title, margin="0"), rx.spacer(), close_button(on_close, close_id), align="center"),
        *children,
        open=open,
        on_open_change=on_open_change,
        **content,
    )


def close_button(on_click, ident: str) -> rx.Component:
    """The X in a dialog's corner."""
    return rx.dialog.close(
        rx.icon_button(rx.icon("x"), variant="ghost", aria_label=T("overlay.close"), id=ident, on_click=on_click),
    )


def buttons(*children) -> rx.Component:
    """A dialog's buttons, at its bottom right (cancel first)."""
    return rx.flex(*children, spacing="3", justify="end")


def cancel_button(on_click) -> rx.Component:
    return rx.button(T("common.cancel"), type="button", variant="soft", on_click=on_click)
