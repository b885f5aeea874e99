"""Portal lists: jobs, quotes (approve or decline), invoices, reports, assets and
defects. One table shape for all: a status selector and a search box, per-column
filters under the headers (they combine), headers that sort, paging, an empty state
and a CSV export of the filtered list; all state in the URL."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell
from pool_portal.components.native_form import native_form
from pool_portal.presentation import palette
from pool_portal.services.portal import jobs, list_columns
from pool_portal.states.portal.records import (
    AssetsState,
    DefectsState,
    InvoicesState,
    JobsState,
    ListState,
    QuotesState,
    ReportsState,
    RequestJobState,
)


def dom_value(element_id: str) -> rx.Var:
    """A form field's value, read in the browser when the event fires."""
    return rx.Var(f"(document.getElementById('{element_id}')?.value ?? '')", _var_type=str)


SELECT_STYLE = {"padding": "0.3rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"}
FORM_ID = "list-form"
STATUS_PREFIX = {
    "jobs": "jobs.filter.",
    "quotes": "quotes.filter.",
    "invoices": "invoices.filter.",
    "defects": "defects.status.",
}


def _submit_on_change():
    return rx.call_script(f"document.getElementById('{FORM_ID}').requestSubmit()")


def _toolbar(S: type[ListState], kind: str, extra: list[rx.Component]) -> rx.Component:
    """The search form (a plain GET form: the query goes into the URL): the status
    selector, any extra filters, the search box, the CSV export and "clear"."""
    statuses = list_columns.STATUSES[kind]
    status = (
        [
            rx.el.label(T("list.status"), html_for="list-status", class_name="sr-only"),
            rx.el.select(
                *[rx.el.option(T(STATUS_PREFIX[kind] + o), value=o) for o in statuses],
                name="status",
                id="list-status",
                value=S.status,
                on_change=_submit_on_change(),
                style=SELECT_STYLE,
            ),
        ]
        if len(statuses) > 1
        else []
    )
    return native_form(
        rx.flex(
            *status,
            *extra,
            rx.el.label(T("list.search"), html_for="list-q", class_name="sr-only"),
            rx.input(
                name="q",
                id="list-q",
                default_value=S.text,
                placeholder=T("list.search"),
                type="search",
                max_length=100,
                key=kind + "-q-" + S.text,
            ),
            rx.foreach(S.hidden, lambda h: rx.el.input(type="hidden", name=h[0], value=h[1])),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="list-go"),
            rx.cond(S.filtered, rx.link(T("list.clear"), href="/portal/" + kind, id="list-clear", size="2")),
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
            spacing="2",
            wrap="wrap",
            align="center",
            margin_bottom="0.75rem",
        ),
        action="/portal/" + kind,
        method="get",
        id=FORM_ID,
    )


def _filter_cell(S: type[ListState], col: list_columns.Column) -> rx.Component:
    value = rx.cond(S.filters.contains(col.key), S.filters[col.key].to(str), "")
    label = T("list.filter_by") + " " + T(col.label)
    if not col.filterable:
        return rx.table.cell()
    if col.kind == "choice":
        field = rx.el.select(
            rx.el.option(T("list.any"), value=""),
            *[rx.el.option(T(col.prefix + c), value=c) for c in col.choices],
            name=f"f_{col.key}",
            form=FORM_ID,
            value=value,
            on_change=_submit_on_change(),
            aria_label=label,
            id=f"filter-{col.key}",
            style={**SELECT_STYLE, "max_width": "10rem", "font_size": "0.8rem"},
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
            style={**SELECT_STYLE, "width": "100%", "min_width": "5rem", "font_size": "0.8rem"},
        )
    return rx.table.cell(field, padding="0.25rem")


def _header_cell(S: type[ListState], col: list_columns.Column, label=None) -> rx.Component:
    text = label if label is not None else T(col.label)
    if not col.sortable:
        return rx.table.column_header_cell(text)
    arrow = rx.cond(S.sort == col.key, rx.cond(S.desc, " ↓", " ↑"), "")
    return rx.table.column_header_cell(
        rx.link(text, arrow, href=S.sort_links[col.key].to(str), id=f"sort-{col.key}", underline="none"),
        aria_sort=rx.cond(S.sort == col.key, rx.cond(S.desc, "descending", "ascending"), "none"),
    )


def _cell(S: type[ListState], col: list_columns.Column, r) -> rx.Component:
    if col.kind == "choice":
        return rx.text(S.tr[col.prefix + r[col.key]].to(str))
    if col.kind == "money":
        return rx.text(r["amount"], white_space="nowrap")
    if col.kind == "date":
        return rx.text(r[col.key], white_space="nowrap")
    return rx.text(r[col.key])


def list_table(
    S: type[ListState],
    kind: str,
    *,
    cells: dict | None = None,
    actions=None,
    action_label: str = "",
    labels: dict | None = None,
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
        out = [shown(c, rx.table.cell(cells[c.key](r) if c.key in cells else _cell(S, c, r))) for c in columns]
        if actions is not None:
            out.append(rx.table.cell(actions(r)))
        return rx.table.row(*out)

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*header), rx.table.row(*filters, class_name="filter-row")),
            rx.table.body(rx.foreach(S.rows, row)),
            id=f"{kind}-table",
            width="100%",
            variant="surface",
            size="1",
        ),
        overflow_x="auto",
    )


def _pager(S: type[ListState]) -> rx.Component:
    return rx.flex(
        rx.cond(S.prev_href != "", rx.link("‹ ", T("list.previous"), href=S.prev_href, id="page-prev")),
        rx.text(
            T("list.page"),
            " ",
            S.page.to_string(),
            " / ",
            S.pages.to_string(),
            " · ",
            S.total.to_string(),
            " ",
            T("list.items"),
            size="2",
            id="page-info",
        ),
        rx.cond(S.next_href != "", rx.link(T("list.next"), " ›", href=S.next_href, id="page-next")),
        spacing="4",
        align="center",
        margin_top="0.75rem",
    )


def _empty(S: type[ListState], kind: str) -> rx.Component:
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


def list_body(S: type[ListState], kind: str, *, extra_filters: list | None = None, **table) -> rx.Component:
    return rx.box(
        _toolbar(S, kind, extra_filters or []),
        list_table(S, kind, **table),
        _empty(S, kind),
        _pager(S),
    )


def _unavailable(state) -> rx.Component:
    return rx.cond(state.loaded & ~state.enabled, rx.callout(T("list.unavailable"), id="list-unavailable"))


def _pdf_link(path: str, r) -> rx.Component:
    return rx.link(
        rx.icon("file-down", size=14), " PDF", href=path + r["id"], is_external=True, aria_label="PDF " + r["number"]
    )


def _quote_actions(r) -> rx.Component:
    return rx.flex(
        rx.link(
            rx.icon("file-down", size=14),
            " PDF",
            href="/files/quote/" + r["id"],
            is_external=True,
            aria_label="PDF " + r["number"],
        ),
        rx.cond(
            r["status"] == "AWAITING_ACCEPTANCE",
            rx.fragment(
                rx.button(
                    T("quote.approve"),
                    size="1",
                    on_click=QuotesState.open_action(r["id"], "approve"),
                    aria_label=T("quote.approve") + " " + r["number"],
                ),
                rx.button(
                    T("quote.decline"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=QuotesState.open_action(r["id"], "decline"),
                    aria_label=T("quote.decline") + " " + r["number"],
                ),
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _action_dialog() -> rx.Component:
    S = QuotesState
    error = rx.cond(
        S.act_error != "",
        rx.text(S.tr[S.act_error].to(str), color_scheme="red", role="alert", size="2", id="action-error"),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.acting == "approve", T("quote.approve_title"), T("quote.decline_title"))),
            rx.flex(
                rx.cond(
                    S.acting == "approve",
                    rx.flex(
                        rx.el.label(T("quote.name"), html_for="approve-name"),
                        rx.input(id="approve-name", max_length=120, auto_complete="name"),
                        rx.el.label(T("quote.reference"), html_for="approve-reference"),
                        rx.input(id="approve-reference", max_length=60),
                        rx.text(T("quote.document"), size="2"),
                        rx.upload(
                            rx.flex(
                                rx.icon("paperclip", size=16),
                                rx.text(T("quote.document_hint"), size="2"),
                                spacing="2",
                                align="center",
                            ),
                            id="approve-document",
                            multiple=False,
                            max_files=1,
                            accept={
                                "application/pdf": [".pdf"],
                                "image/jpeg": [".jpg", ".jpeg"],
                                "image/png": [".png"],
                                "image/webp": [".webp"],
                            },
                            border="1px dashed var(--gray-8)",
                            padding="0.5rem",
                            border_radius="8px",
                        ),
                        rx.flex(
                            rx.foreach(rx.selected_files("approve-document"), lambda f: rx.badge(f, variant="outline")),
                            id="approve-document-selected",
                        ),
                        direction="column",
                        spacing="2",
                    ),
                    rx.flex(
                        rx.el.label(T("quote.comment"), html_for="decline-comment"),
                        rx.text_area(id="decline-comment", max_length=2000),
                        direction="column",
                        spacing="2",
                    ),
                ),
                error,
                rx.flex(
                    rx.button(T("common.cancel"), type="button", variant="soft", on_click=S.close_action(False)),
                    rx.button(
                        rx.cond(S.acting == "approve", T("quote.approve"), T("quote.decline")),
                        type="button",
                        id="action-submit",
                        on_click=S.submit_action(
                            rx.upload_files(upload_id="approve-document"),
                            dom_value("approve-name"),
                            dom_value("approve-reference"),
                            dom_value("decline-comment"),
                        ),
                    ),
                    spacing="3",
                    justify="end",
                ),
                direction="column",
                spacing="3",
            ),
        ),
        open=S.acting != "",
        on_open_change=S.close_action,
    )


def quotes_page() -> rx.Component:
    S = QuotesState
    return portal_shell(
        _action_dialog(),
        rx.heading(T("nav.quotes"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            S.notice != "",
            rx.callout(S.tr[S.notice].to(str), id="quote-notice", role="status", margin_bottom="0.75rem"),
        ),
        _unavailable(S),
        rx.cond(S.enabled, list_body(S, "quotes", actions=_quote_actions, action_label="contacts.actions")),
    )


def invoices_page() -> rx.Component:
    S = InvoicesState
    return portal_shell(
        rx.heading(T("nav.invoices"), size="6", as_="h1", margin_bottom="0.75rem"),
        _unavailable(S),
        rx.cond(
            S.enabled,
            rx.box(
                rx.cond(
                    S.payment_instructions != "",
                    rx.callout(
                        T("invoices.payment") + ": " + S.payment_instructions,
                        id="payment-instructions",
                        margin_bottom="0.75rem",
                    ),
                ),
                list_body(S, "invoices", actions=lambda r: _pdf_link("/files/invoice/", r), action_label="overlay.pdf"),
            ),
        ),
    )


def jobs_page() -> rx.Component:
    S = JobsState
    extra = [
        rx.el.label(T("job.site"), html_for="jobs-site", class_name="sr-only"),
        rx.el.select(
            rx.el.option(T("jobs.all_sites"), value=""),
            rx.foreach(S.sites, lambda s: rx.el.option(s[1], value=s[0])),
            name="site",
            id="jobs-site",
            value=S.site,
            style=SELECT_STYLE,
            on_change=_submit_on_change(),
        ),
        # The chosen property's assets (a new property drops an asset that is not on it).
        rx.cond(
            S.site != "",
            rx.fragment(
                rx.el.label(T("job.asset"), html_for="jobs-asset", class_name="sr-only"),
                rx.el.select(
                    rx.el.option(T("jobs.all_assets"), value=""),
                    rx.foreach(S.assets, lambda a: rx.el.option(a[1], value=a[0])),
                    name="asset",
                    id="jobs-asset",
                    value=S.asset,
                    style=SELECT_STYLE,
                    on_change=_submit_on_change(),
                ),
            ),
        ),
        rx.el.label(T("routine.from"), html_for="jobs-from"),
        rx.input(
            type="date", name="from", id="jobs-from", default_value=S.date_from, key="from-" + S.date_from, size="1"
        ),
        rx.el.label(T("routine.to"), html_for="jobs-to"),
        rx.input(type="date", name="to", id="jobs-to", default_value=S.date_to, key="to-" + S.date_to, size="1"),
    ]
    return portal_shell(
        rx.heading(T("nav.jobs"), size="6", as_="h1", margin_bottom="0.75rem"),
        list_body(
            S,
            "jobs",
            extra_filters=extra,
            cells={"site": lambda r: rx.box(rx.text(r["site"]), rx.text(r["address"], size="1", color_scheme="gray"))},
        ),
    )


def reports_page() -> rx.Component:
    S = ReportsState
    return portal_shell(
        rx.heading(T("nav.reports"), size="6", as_="h1", margin_bottom="0.75rem"),
        _unavailable(S),
        rx.cond(
            S.enabled,
            list_body(S, "reports", actions=lambda r: _pdf_link("/files/report/", r), action_label="overlay.pdf"),
        ),
    )


def severity_badge(S, value) -> rx.Component:
    return rx.badge(
        S.tr["severity." + value].to(str),
        color_scheme=rx.match(value, *palette.SEVERITY_SCHEME.items(), "gray"),
        variant="soft",
    )


def defects_page() -> rx.Component:
    S = DefectsState
    return portal_shell(
        rx.heading(T("nav.defects"), size="6", as_="h1", margin_bottom="0.75rem"),
        list_body(S, "defects", cells={"severity": lambda r: severity_badge(S, r["severity"])}),
    )


def _asset_detail() -> rx.Component:
    S = AssetsState
    d = S.detail
    label = rx.cond(S.asset_label != "", S.asset_label, T("assets.asset_code"))

    def field(text, key):
        return rx.cond(d[key].to(str) != "", rx.box(rx.text(text, size="1", color_scheme="gray"), rx.text(d[key])))

    return rx.box(
        rx.link("‹ ", T("assets.back"), href="/portal/assets", id="asset-back"),
        rx.heading(
            label, " ", d["asset_code"], " · ", d["asset_type"], size="5", as_="h2", margin_y="0.5rem", id="asset-title"
        ),
        rx.grid(
            field(T("overlay.site"), "site"),
            field(T("assets.model"), "model"),
            field(T("assets.serial_number"), "serial_number"),
            field(T("assets.customer_ref"), "customer_ref"),
            field(T("assets.location"), "location"),
            field(T("assets.last_test_number"), "last_test_number"),
            field(T("assets.last_test_date"), "last_test_date"),
            rx.box(
                rx.text(T("assets.next_service_due"), size="1", color_scheme="gray"),
                rx.text(
                    rx.cond(d["next_service_due"].to(str) != "", d["next_service_due"], T("assets.not_planned")),
                    weight="bold",
                    id="asset-next-due",
                ),
            ),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="3",
        ),
        rx.cond(d["description"].to(str) != "", rx.text(d["description"], margin_top="0.5rem")),
        rx.heading(T("assets.defects"), size="4", as_="h3", margin_top="1rem"),
        rx.cond(
            S.detail_defects.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(k))
                            for k in (
                                "overlay.number",
                                "defects.raised_on",
                                "defects.severity",
                                "overlay.status",
                                "overlay.title",
                            )
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.detail_defects,
                        lambda r: rx.table.row(
                            rx.table.cell(r["number"]),
                            rx.table.cell(r["raised"]),
                            rx.table.cell(severity_badge(S, r["severity"])),
                            rx.table.cell(S.tr["remark." + r["status"]].to(str)),
                            rx.table.cell(r["title"]),
                        ),
                    )
                ),
                id="asset-defects",
                size="1",
                width="100%",
            ),
            rx.text(T("assets.no_defects"), size="2"),
        ),
        rx.heading(T("assets.history"), size="4", as_="h3", margin_top="1rem"),
        rx.cond(
            S.detail_jobs.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(k))
                            for k in (
                                "overlay.number",
                                "overlay.date",
                                "detail.kind",
                                "overlay.status",
                                "overlay.title",
                            )
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.detail_jobs,
                        lambda r: rx.table.row(
                            rx.table.cell(r["number"]),
                            rx.table.cell(r["date"]),
                            rx.table.cell(S.tr["kind." + r["kind"]].to(str)),
                            rx.table.cell(S.tr["stage." + r["stage"]].to(str)),
                            rx.table.cell(r["description"]),
                        ),
                    )
                ),
                id="asset-history",
                size="1",
                width="100%",
            ),
            rx.text(T("assets.no_history"), size="2"),
        ),
        id="asset-detail",
    )


def assets_page() -> rx.Component:
    S = AssetsState
    label = rx.cond(S.asset_label != "", S.asset_label, T("assets.asset_code"))
    return portal_shell(
        rx.heading(T("nav.assets"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(S.detail_missing, rx.callout(T("assets.not_found"), id="asset-missing", margin_bottom="0.75rem")),
        rx.cond(
            S.detail.contains("id"),
            _asset_detail(),
            list_body(
                S,
                "assets",
                labels={"asset_code": label},
                cells={"asset_code": lambda r: rx.link(r["asset_code"], href="/portal/assets?id=" + r["id"])},
            ),
        ),
    )


def _field_error(field: str) -> rx.Component:
    S = RequestJobState
    return rx.cond(
        S.errors.contains(field),
        rx.text(S.tr[S.errors[field].to(str)].to(str), color_scheme="red", size="2", role="alert", id=f"error-{field}"),
    )


def request_job_page() -> rx.Component:
    S = RequestJobState
    select_style = {"padding": "0.4rem", "border_radius": "6px", "border": "1px solid var(--gray-7)", "width": "100%"}
    return portal_shell(
        rx.heading(T("job.request_title"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            S.created != "",
            rx.callout(
                T("job.requested") + " " + S.created,
                id="job-created",
                role="status",
                color_scheme="green",
                margin_bottom="0.75rem",
            ),
        ),
        rx.form(
            rx.flex(
                rx.el.label(T("job.site"), html_for="job-site"),
                rx.el.select(
                    rx.foreach(S.sites, lambda s: rx.el.option(s[1], value=s[0])),
                    name="site",
                    id="job-site",
                    style=select_style,
                ),
                _field_error("site"),
                rx.el.label(T("job.kind"), html_for="job-kind"),
                rx.el.select(
                    *[rx.el.option(T(f"kind.{k}"), value=k) for k in jobs.REQUESTABLE_KINDS],
                    name="kind",
                    id="job-kind",
                    style=select_style,
                ),
                _field_error("kind"),
                rx.el.label(T("job.description"), html_for="job-description"),
                rx.text_area(name="description", id="job-description", max_length=4000, rows="5"),
                rx.text(T("job.description_hint"), size="1", color_scheme="gray"),
                _field_error("description"),
                rx.button(T("job.submit"), type="submit", id="job-submit", size="3"),
                direction="column",
                spacing="2",
                max_width="560px",
            ),
            on_submit=S.submit_request,
            reset_on_submit=False,
        ),
    )
