"""The two list screens, built from the kit's toolbar, table and pager.

- A portal list (jobs, quotes, invoices, reports, assets, defects): a status selector
  and a search box, per-column filters under the headers (they combine), headers that
  sort, paging, an empty state and a CSV export of the filtered list; all state in
  the URL. Its columns are ``services/portal/list_columns.COLUMNS[kind]``.
- An admin Data list (sites, jobs, visits, quotes, invoices, reports, remarks): a
  search box and filters in a plain GET form, a page of rows, previous / next."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import style
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link, title
from pool_portal.components.notices import data_notice
from pool_portal.components.pager import empty_line, list_pager
from pool_portal.components.selects import code_options, dropdown
from pool_portal.components.tables import table
from pool_portal.components.toolbar import (
    bar,
    clear_link,
    go_button,
    hidden_label,
    list_search,
    site_filter,
    submit_on_change,
)
from pool_portal.services.portal import list_columns

# -- portal lists ---------------------------------------------------------------------------------
FORM_ID = "list-form"
STATUS_PREFIX = {
    "jobs": "jobs.filter.",
    "quotes": "quotes.filter.",
    "invoices": "invoices.filter.",
    "defects": "defects.status.",
}


def _toolbar(S, kind: str, extra: list[rx.Component]) -> rx.Component:
    """The status selector, any extra filters, the search box, the CSV export and "clear"."""
    statuses = list_columns.STATUSES[kind]
    status = (
        [
            hidden_label("list.status", "list-status"),
            dropdown(
                *code_options(statuses, STATUS_PREFIX[kind]),
                name="status",
                id="list-status",
                value=S.status,
                on_change=submit_on_change(FORM_ID),
                style=style.SELECT_COMPACT,
            ),
        ]
        if len(statuses) > 1
        else []
    )
    return bar(
        *status,
        *extra,
        *list_search(S, kind),
        rx.foreach(S.hidden, lambda h: rx.el.input(type="hidden", name=h[0], value=h[1])),
        go_button("list-go"),
        clear_link(S.filtered, "/portal/" + kind),
        rx.spacer(),
        rx.link(
            rx.icon("download", size=14),
            " ",
            T("list.export"),
            href=S.csv_href,
            is_external=True,
            id="list-export",
            size="2",
        ),
        action="/portal/" + kind,
        form_id=FORM_ID,
    )


def _filter_cell(S, col: list_columns.Column) -> rx.Component:
    value = rx.cond(S.filters.contains(col.key), S.filters[col.key].to(str), "")
    label = T("list.filter_by") + " " + T(col.label)
    if not col.filterable:
        return rx.table.cell()
    if col.kind == "choice":
        field = dropdown(
            rx.el.option(T("list.any"), value=""),
            *code_options(col.choices, col.prefix),
            name=f"f_{col.key}",
            form=FORM_ID,
            value=value,
            on_change=submit_on_change(FORM_ID),
            aria_label=label,
            id=f"filter-{col.key}",
            style=style.COLUMN_FILTER_SELECT,
        )
    else:
        field = rx.el.input(
            name=f"f_{col.key}",
            form=FORM_ID,
            default_value=value,
            key=f"f-{col.key}-" + value,
            aria_label=label,
            id=f"filter-{col.key}",
            placeholder=T("list.date_hint") if col.kind == "date" else "",
            max_length=100,
            style=style.COLUMN_FILTER_INPUT,
        )
    return rx.table.cell(field, padding="0.25rem")


def _header_cell(S, col: list_columns.Column, label=None) -> rx.Component:
    text = label if label is not None else T(col.label)
    if not col.sortable:
        return rx.table.column_header_cell(text)
    arrow = rx.cond(S.sort == col.key, rx.cond(S.desc, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.link(text, arrow, href=S.sort_links[col.key].to(str), id=f"sort-{col.key}", underline="none"),
        aria_sort=rx.cond(S.sort == col.key, rx.cond(S.desc, "descending", "ascending"), "none"),
    )


def _cell(col: list_columns.Column, r) -> rx.Component:
    if col.kind == "choice":
        return rx.text(T(col.prefix + r[col.key]))
    if col.kind == "money":
        return rx.text(r["amount"], white_space="nowrap")
    if col.kind == "date":
        return rx.text(r[col.key], white_space="nowrap")
    return rx.text(r[col.key])


def list_table(
    S, kind: str, *, cells: dict | None = None, actions=None, action_label: str = "", labels: dict | None = None
) -> rx.Component:
    """The table of a list: sortable headers, a row of per-column filters, the rows
    (``cells`` overrides how a column is drawn), an optional actions column."""
    cells, labels = cells or {}, labels or {}
    columns = [c for c in list_columns.COLUMNS[kind] if c.shown]

    def shown(col, component):
        return rx.cond(S.columns.contains(col.key), component)

    header = [shown(c, _header_cell(S, c, labels.get(c.key))) for c in columns]
    filters = [shown(c, _filter_cell(S, c)) for c in columns]
    if actions is not None:
        header.append(rx.table.column_header_cell(T(action_label)))
        filters.append(rx.table.cell())

    def row(r):
        out = [shown(c, rx.table.cell(cells[c.key](r) if c.key in cells else _cell(c, r))) for c in columns]
        if actions is not None:
            out.append(rx.table.cell(actions(r)))
        return rx.table.row(*out)

    return table(header, S.rows, row=row, id=f"{kind}-table", size="1", filter_row=filters)


def _empty(S, kind: str) -> rx.Component:
    return rx.cond(
        S.loaded & (S.total == 0),
        rx.box(
            rx.cond(
                S.filtered,
                rx.text(T("list.no_match"), " ", rx.link(T("list.clear"), href="/portal/" + kind)),
                rx.text(T("list.empty")),
            ),
            id="list-empty",
            margin_top="0.5rem",
        ),
    )


def list_body(S, kind: str, *, extra_filters: list | None = None, **table_options) -> rx.Component:
    """A portal list: its bar, its table (see ``list_table``), the empty line, the pager."""
    return rx.box(
        _toolbar(S, kind, extra_filters or []),
        list_table(S, kind, **table_options),
        _empty(S, kind),
        list_pager(S),
    )


# -- admin Data lists -----------------------------------------------------------------------------
def data_toolbar(S, kind: str, *filters: rx.Component) -> rx.Component:
    """The list's search form (id ``<kind>-filters``): its filters, the search box, go, clear."""
    return bar(
        *filters,
        *list_search(S, kind),
        go_button("list-go"),
        clear_link(S.filtered, f"/admin/{kind}"),
        action=f"/admin/{kind}",
        form_id=f"{kind}-filters",
    )


def data_list_page(S, kind: str, title_key: str, columns: list[str], cells, *filters, intro=None) -> rx.Component:
    """An admin Data list page: back to the index, the title, ``intro`` (a hint, a "new"
    button, a form), the notice, the bar, the table (``cells(row)``), the pager."""
    return admin_shell(
        back_link("data.title", "/admin/data", size="2"),
        title(title_key, margin_y="0.5rem"),
        intro if intro is not None else rx.fragment(),
        data_notice(S),
        data_toolbar(S, kind, site_filter(S), *filters),
        table(columns, S.rows, cells=cells, id=f"{kind}-table", size="1"),
        rx.box(
            empty_line(S, rx.cond(S.filtered, T("list.no_match"), T("list.empty")), margin_top="0.5rem"),
            list_pager(S),
        ),
    )
