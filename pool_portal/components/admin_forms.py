"""Pieces of the admin control panel's pages: titled sections, labelled fields with
their server-side message, checkboxes, selects, tables and the notice line."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.forms import field_error
from pool_portal.components.i18n import T

SELECT_STYLE = {"padding": "0.4rem", "border_radius": "6px", "border": "1px solid var(--gray-7)", "max_width": "100%"}


def section(title_key: str, *children, id: str = "") -> rx.Component:
    """A titled group of fields (a fieldset, so screen readers announce the title)."""
    return rx.el.fieldset(
        rx.el.legend(T(title_key), style={"font_weight": "600", "padding": "0 0.3rem"}),
        rx.flex(*children, direction="column", spacing="2"),
        id=id or None,
        # min-width 0: a fieldset is otherwise as wide as its widest content (tables scroll instead).
        style={
            "border": "1px solid var(--gray-6)",
            "border_radius": "8px",
            "padding": "0.6rem 0.9rem",
            "min_width": "0",
        },
    )


def labelled(
    state, label_key: str, field: str, control: rx.Component, control_id: str, min_width: str | None = None
) -> rx.Component:
    """A label tied to ``control``, the control, and the server's message for ``field``."""
    return rx.box(
        rx.el.label(T(label_key), html_for=control_id),
        control,
        field_error(state, field),
        min_width=min_width,
        max_width="100%",
    )


def text_field(state, label_key: str, name: str, control_id: str, *, min_width: str = "12rem", **props) -> rx.Component:
    return labelled(state, label_key, name, rx.input(name=name, id=control_id, **props), control_id, min_width)


def select(name: str, control_id: str, options: list, **props) -> rx.Component:
    return rx.el.select(*options, name=name, id=control_id, style=SELECT_STYLE, **props)


def checkbox(name, label, checked, id_) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked, id=id_),
        label,
        style={"display": "flex", "gap": "0.5rem", "align_items": "center"},
    )


def table(headers: list[str], rows, row, id: str) -> rx.Component:
    """A table of ``rows`` (``row(item)`` makes a table row) that scrolls sideways on a phone."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T(h)) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            id=id,
            width="100%",
            variant="surface",
        ),
        overflow_x="auto",
    )


def notice(state) -> rx.Component:
    """What the last action did (a catalogue key in ``state.notice``)."""
    return rx.cond(
        state.notice != "",
        rx.callout(
            state.tr[state.notice].to(str), id="admin-notice", role="status", color_scheme="green", margin_y="0.5rem"
        ),
    )
