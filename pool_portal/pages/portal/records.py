"""Portal lists: quotes (approve or decline) and invoices, with filters, search,
paging and the PDF of each."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell
from pool_portal.components.native_form import native_form
from pool_portal.services import records
from pool_portal.states.records import InvoicesState, JobsState, QuotesState, RecordsState, RequestJobState


def _filters(state, path: str, options: list[str], prefix: str) -> rx.Component:
    """A plain GET form: the filters go into the URL."""
    return native_form(
        rx.flex(
            rx.el.label(T("list.status"), html_for="list-status", class_name="sr-only"),
            rx.el.select(
                *[rx.el.option(T(f"{prefix}{o}"), value=o) for o in options],
                name="status", id="list-status", value=state.status,
                on_change=rx.call_script("document.getElementById('list-status').form.requestSubmit()"),
                style={"padding": "0.3rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"},
            ),
            rx.el.label(T("list.search"), html_for="list-q", class_name="sr-only"),
            rx.input(name="q", id="list-q", default_value=state.text, placeholder=T("list.search"), type="search",
                     max_length=100, key=path + "-q-" + state.text),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="list-go"),
            spacing="2",
            wrap="wrap",
            align="center",
            margin_bottom="0.75rem",
        ),
        action=path,
        method="get",
    )


def _pager(state: type[RecordsState], path: str) -> rx.Component:
    def href(page):
        return path + "?status=" + state.status + "&q=" + state.text + "&page=" + page.to_string()

    return rx.flex(
        rx.cond(state.page > 1, rx.link("‹ ", T("list.previous"), href=href(state.page - 1), id="page-prev")),
        rx.text(T("list.page"), " ", state.page.to_string(), " / ", state.pages.to_string(), " · ",
                state.total.to_string(), " ", T("list.items"), size="2", id="page-info"),
        rx.cond(state.page < state.pages, rx.link(T("list.next"), " ›", href=href(state.page + 1), id="page-next")),
        spacing="4",
        align="center",
        margin_top="0.75rem",
    )


def _table(headers: list[str], rows, cells, table_id: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T(h)) for h in headers])),
            rx.table.body(rx.foreach(rows, lambda r: rx.table.row(*cells(r)))),
            id=table_id,
            width="100%",
            variant="surface",
        ),
        overflow_x="auto",
    )


def _status(state, r) -> rx.Component:
    return rx.text(state.tr[rx.cond(r["status"] == "OVERDUE", "status.OVERDUE", "docstatus." + r["status"])].to(str))


def _quote_actions(r) -> rx.Component:
    return rx.flex(
        rx.link(rx.icon("file-down", size=14), " PDF", href="/files/quote/" + r["id"], is_external=True,
                aria_label="PDF " + r["number"]),
        rx.cond(
            r["status"] == "AWAITING_ACCEPTANCE",
            rx.fragment(
                rx.button(T("quote.approve"), size="1", on_click=QuotesState.open_action(r["id"], "approve"),
                          aria_label=T("quote.approve") + " " + r["number"]),
                rx.button(T("quote.decline"), size="1", variant="soft", color_scheme="red",
                          on_click=QuotesState.open_action(r["id"], "decline"),
                          aria_label=T("quote.decline") + " " + r["number"]),
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _action_dialog() -> rx.Component:
    S = QuotesState
    error = rx.cond(S.act_error != "", rx.text(S.tr[S.act_error].to(str), color_scheme="red", role="alert",
                                               size="2", id="action-error"))
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.acting == "approve", T("quote.approve_title"), T("quote.decline_title"))),
            rx.form(
                rx.flex(
                    rx.cond(
                        S.acting == "approve",
                        rx.flex(
                            rx.el.label(T("quote.name"), html_for="approve-name"),
                            rx.input(name="name", id="approve-name", max_length=120, auto_complete="name"),
                            rx.el.label(T("quote.reference"), html_for="approve-reference"),
                            rx.input(name="reference", id="approve-reference", max_length=60),
                            direction="column", spacing="2",
                        ),
                        rx.flex(
                            rx.el.label(T("quote.comment"), html_for="decline-comment"),
                            rx.text_area(name="comment", id="decline-comment", max_length=2000),
                            direction="column", spacing="2",
                        ),
                    ),
                    error,
                    rx.flex(
                        rx.button(T("common.cancel"), type="button", variant="soft", on_click=S.close_action(False)),
                        rx.button(rx.cond(S.acting == "approve", T("quote.approve"), T("quote.decline")),
                                  type="submit", id="action-submit"),
                        spacing="3",
                        justify="end",
                    ),
                    direction="column",
                    spacing="3",
                ),
                on_submit=S.submit_action,
                reset_on_submit=False,
            ),
        ),
        open=S.acting != "",
        on_open_change=S.close_action,
    )


def _unavailable(state) -> rx.Component:
    return rx.cond(state.loaded & ~state.enabled, rx.callout(T("list.unavailable"), id="list-unavailable"))


def quotes_page() -> rx.Component:
    S = QuotesState
    return portal_shell(
        _action_dialog(),
        rx.heading(T("nav.quotes"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(S.notice != "", rx.callout(S.tr[S.notice].to(str), id="quote-notice", role="status",
                                           margin_bottom="0.75rem")),
        _unavailable(S),
        rx.cond(
            S.enabled,
            rx.box(
                _filters(S, "/portal/quotes", ["all", "awaiting", "approved", "declined"], "quotes.filter."),
                _table(
                    ["overlay.number", "overlay.site", "overlay.title", "pdf.issued", "pdf.expires", "overlay.status",
                     "overlay.amount", "contacts.actions"],
                    S.rows,
                    lambda r: [rx.table.cell(r["number"]), rx.table.cell(r["site"]), rx.table.cell(r["title"]),
                               rx.table.cell(r["issued"]), rx.table.cell(r["expires"]), rx.table.cell(_status(S, r)),
                               rx.table.cell(r["amount"]), rx.table.cell(_quote_actions(r))],
                    "quotes-table",
                ),
                rx.cond(S.loaded & (S.total == 0), rx.text(T("list.empty"), id="list-empty", margin_top="0.5rem")),
                _pager(S, "/portal/quotes"),
            ),
        ),
    )


def invoices_page() -> rx.Component:
    S = InvoicesState
    return portal_shell(
        rx.heading(T("nav.invoices"), size="6", as_="h1", margin_bottom="0.75rem"),
        _unavailable(S),
        rx.cond(
            S.enabled,
            rx.box(
                rx.cond(S.payment_instructions != "",
                        rx.callout(T("invoices.payment") + ": " + S.payment_instructions, id="payment-instructions",
                                   margin_bottom="0.75rem")),
                _filters(S, "/portal/invoices", ["all", "awaiting", "overdue", "paid"], "invoices.filter."),
                _table(
                    ["overlay.number", "overlay.site", "pdf.issued", "pdf.due", "overlay.status", "overlay.amount", "overlay.pdf"],
                    S.rows,
                    lambda r: [rx.table.cell(r["number"]), rx.table.cell(r["site"]), rx.table.cell(r["issued"]),
                               rx.table.cell(r["due"]), rx.table.cell(_status(S, r)), rx.table.cell(r["amount"]),
                               rx.table.cell(rx.link(rx.icon("file-down", size=14), " PDF", href="/files/invoice/" + r["id"],
                                                     is_external=True, aria_label="PDF " + r["number"]))],
                    "invoices-table",
                ),
                rx.cond(S.loaded & (S.total == 0), rx.text(T("list.empty"), id="list-empty", margin_top="0.5rem")),
                _pager(S, "/portal/invoices"),
            ),
        ),
    )


def _field_error(field: str) -> rx.Component:
    S = RequestJobState
    return rx.cond(S.errors.contains(field),
                   rx.text(S.tr[S.errors[field].to(str)].to(str), color_scheme="red", size="2", role="alert",
                           id=f"error-{field}"))


def request_job_page() -> rx.Component:
    S = RequestJobState
    select_style = {"padding": "0.4rem", "border_radius": "6px", "border": "1px solid var(--gray-7)", "width": "100%"}
    return portal_shell(
        rx.heading(T("job.request_title"), size="6", as_="h1", margin_bottom="0.75rem"),
        rx.cond(
            S.created != "",
            rx.callout(T("job.requested") + " " + S.created, id="job-created", role="status", color_scheme="green",
                       margin_bottom="0.75rem"),
        ),
        rx.form(
            rx.flex(
                rx.el.label(T("job.site"), html_for="job-site"),
                rx.el.select(rx.foreach(S.sites, lambda s: rx.el.option(s[1], value=s[0])), name="site",
                             id="job-site", style=select_style),
                _field_error("site"),
                rx.el.label(T("job.kind"), html_for="job-kind"),
                rx.el.select(*[rx.el.option(T(f"kind.{k}"), value=k) for k in records.REQUESTABLE_KINDS],
                             name="kind", id="job-kind", style=select_style),
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


def jobs_page() -> rx.Component:
    S = JobsState
    style = {"padding": "0.3rem", "border_radius": "6px", "border": "1px solid var(--gray-7)"}
    filters = native_form(
        rx.flex(
            rx.el.label(T("jobs.when"), html_for="jobs-when", class_name="sr-only"),
            rx.el.select(*[rx.el.option(T(f"jobs.filter.{o}"), value=o) for o in records.JOB_FILTERS],
                         name="status", id="jobs-when", value=S.status, style=style,
                         on_change=rx.call_script("document.getElementById('jobs-when').form.requestSubmit()")),
            rx.el.label(T("job.site"), html_for="jobs-site", class_name="sr-only"),
            rx.el.select(rx.el.option(T("jobs.all_sites"), value=""),
                         rx.foreach(S.sites, lambda s: rx.el.option(s[1], value=s[0])),
                         name="site", id="jobs-site", value=S.site, style=style,
                         on_change=rx.call_script("document.getElementById('jobs-site').form.requestSubmit()")),
            rx.el.label(T("routine.from"), html_for="jobs-from"),
            rx.input(type="date", name="from", id="jobs-from", default_value=S.date_from, key="from-" + S.date_from, size="1"),
            rx.el.label(T("routine.to"), html_for="jobs-to"),
            rx.input(type="date", name="to", id="jobs-to", default_value=S.date_to, key="to-" + S.date_to, size="1"),
            rx.input(name="q", id="list-q", default_value=S.text, placeholder=T("jobs.search"), type="search",
                     max_length=100, key="jobs-q-" + S.text),
            rx.button(rx.icon("search", size=16), T("search.go"), type="submit", id="list-go"),
            spacing="2",
            wrap="wrap",
            align="center",
            margin_bottom="0.75rem",
        ),
        action="/portal/jobs",
        method="get",
    )

    def pager_href(page):
        return ("/portal/jobs?status=" + S.status + "&site=" + S.site + "&from=" + S.date_from + "&to=" + S.date_to
                + "&q=" + S.text + "&page=" + page.to_string())

    return portal_shell(
        rx.heading(T("nav.jobs"), size="6", as_="h1", margin_bottom="0.75rem"),
        filters,
        _table(
            ["overlay.number", "overlay.date", "overlay.site", "detail.kind", "overlay.status", "overlay.title", "jobs.po"],
            S.rows,
            lambda r: [rx.table.cell(r["number"]), rx.table.cell(r["date"]),
                       rx.table.cell(rx.box(rx.text(r["site"]), rx.text(r["address"], size="1", color_scheme="gray"))),
                       rx.table.cell(S.tr["kind." + r["kind"]].to(str)), rx.table.cell(S.tr["stage." + r["stage"]].to(str)),
                       rx.table.cell(r["description"]), rx.table.cell(r["po"])],
            "jobs-table",
        ),
        rx.cond(S.loaded & (S.total == 0), rx.text(T("list.empty"), id="list-empty", margin_top="0.5rem")),
        rx.flex(
            rx.cond(S.page > 1, rx.link("‹ ", T("list.previous"), href=pager_href(S.page - 1), id="page-prev")),
            rx.text(T("list.page"), " ", S.page.to_string(), " / ", S.pages.to_string(), " · ", S.total.to_string(), " ",
                    T("list.items"), size="2", id="page-info"),
            rx.cond(S.page < S.pages, rx.link(T("list.next"), " ›", href=pager_href(S.page + 1), id="page-next")),
            spacing="4",
            align="center",
            margin_top="0.75rem",
        ),
    )
