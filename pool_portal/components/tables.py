"""The one table helper: header cells from catalogue keys, a row per item of a state's
list, and a box that scrolls sideways on a phone. Every table of the app is drawn by
``table``; a coded value in a cell reads through ``coded``."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from pool_portal.components.i18n import T


def header_cell(header) -> rx.Component:
    """A column header: a catalogue key's text, or a ready component."""
    return header if isinstance(header, rx.Component) else rx.table.column_header_cell(T(header))


def table(
    headers: list,
    rows,
    *,
    row: Callable | None = None,
    cells: Callable | None = None,
    id: str | None = None,
    variant: str | None = "surface",
    size: str | None = None,
    width: str | None = "100%",
    filter_row: list | None = None,
    scroll: bool = True,
    below: tuple = (),
    **box,
) -> rx.Component:
    """A table of ``rows`` (a state's list).

    ``headers``: catalogue keys (or header components). Each item is drawn either by
    ``cells(item)``, a list of the cells' contents, or by ``row(item)`` (or
    ``row(item, index)``), a whole ``rx.table.row`` when the row needs its own id or
    cell props. ``filter_row``: a second header row of per-column filters.
    ``scroll``: wrap the table in a box that scrolls sideways (``below`` are more
    children of that box, ``box`` its props)."""
    head = [rx.table.row(*[header_cell(h) for h in headers])]
    if filter_row is not None:
        head.append(rx.table.row(*filter_row, class_name="filter-row"))
    if row is None:

        def row(r):
            return rx.table.row(*[rx.table.cell(c) for c in cells(r)])

    root = rx.table.root(
        rx.table.header(*head),
        rx.table.body(rx.foreach(rows, row)),
        id=id,
        width=width,
        variant=variant,
        size=size,
    )
    if not scroll:
        return root
    return rx.box(root, *below, overflow_x="auto", **box)


def coded(prefix: str, value) -> rx.Component:
    """A coded value's label from the catalogue (``prefix`` + code), as text."""
    return rx.text(T(prefix + value))
