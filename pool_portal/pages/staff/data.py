"""Admin → Data: the index and the lists (sites, jobs, visits, quotes, invoices,
reports, remarks). Each list: a search box and filters in a plain GET form (the
query is the URL), a page of rows from the server, previous/next."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import data_forms as f
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.models import (
    InvoiceStatus,
    JobKind,
    JobStage,
    QuoteKind,
    QuoteStatus,
    RemarkStatus,
    ReportStatus,
    Severity,
    VisitStatus,
)
from pool_portal.states.staff.data_lists import (
    DataIndexState,
    InvoicesListState,
    JobsListState,
    QuotesListState,
    RemarksListState,
    ReportsListState,
    SitesListState,
    VisitsListState,
)


def _codes(enum_cls, *extra: str) -> tuple[str, ...]:
    return tuple(e.value for e in enum_cls) + extra


INDEX = (  # (list, title key, description key)
    ("sites", "data.sites.title", "data.sites.about"),
    ("jobs", "data.jobs.title", "data.jobs.about"),
    ("visits", "data.visits.title", "data.visits.about"),
    ("quotes", "data.quotes.title", "data.quotes.about"),
    ("invoices", "data.invoices.title", "data.invoices.about"),
    ("reports", "data.reports.title", "data.reports.about"),
    ("remarks", "data.remarks.title", "data.remarks.about"),
)


def index_page() -> rx.Component:
    S = DataIndexState
    cards = [
        rx.link(
            rx.card(
                rx.flex(
                    rx.heading(T(title), size="4", as_="h2"),
                    rx.badge(S.counts.get(kind, "…"), variant="soft", size="2"),
                    justify="between",
                    align="center",
                ),
                rx.text(T(about), size="2", color_scheme="gray", margin_top="0.25rem"),
            ),
            href=f"/admin/{kind}",
            id=f"data-{kind}",
            underline="none",
        )
        for kind, title, about in INDEX
    ]
    return admin_shell(
        rx.heading(T("data.title"), size="6", as_="h1", margin_bottom="0.25rem"),
        rx.text(T("data.about"), size="2", color_scheme="gray", margin_bottom="0.75rem"),
        rx.grid(*cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3"),
    )


def _list_page(S, kind: str, title_key: str, columns: list[str], row, *filters, intro=None) -> rx.Component:
    return admin_shell(
        f.back("data.title", "/admin/data"),
        rx.heading(T(title_key), size="6", as_="h1", margin_y="0.5rem"),
        intro if intro is not None else rx.fragment(),
        f.notice(S),
        f.toolbar(S, kind, f.site_filter(S), *filters),
        f.table(columns, S.rows, row, ident=f"{kind}-table"),
        f.pager(S),
    )


def _link(text, href) -> rx.Component:
    return rx.link(text, href=href)


def sites_page() -> rx.Component:
    S = SitesListState
    return _list_page(
        S,
        "sites",
        "data.sites.title",
        ["data.site.name", "data.site.client", "detail.address", "data.site.coordinates", "data.active"],
        lambda r: [
            _link(r["name"], "/admin/site?id=" + r["id"]),
            r["client"],
            r["address"],
            rx.cond(r["latitude"] != "", r["latitude"] + ", " + r["longitude"], "—"),
            rx.cond(r["is_active"] != "", T("data.yes"), T("data.no")),
        ],
        f.filter_select(S, "sites", "client", "data.filter.any_client", choices=S.clients),
        f.filter_select(
            S, "sites", "active", "data.filter.any_active", codes=("yes", "no"), code_prefix="data.active."
        ),
        intro=rx.link(
            rx.button(rx.icon("plus", size=16), T("data.site.new"), size="2", variant="soft"),
            href="/admin/site?id=new",
            id="site-new",
        ),
    )


def jobs_page() -> rx.Component:
    S = JobsListState
    return _list_page(
        S,
        "jobs",
        "data.jobs.title",
        [
            "overlay.number",
            "overlay.site",
            "detail.kind",
            "overlay.status",
            "jobs.when",
            "data.job.technician",
            "jobs.po",
        ],
        lambda r: [
            _link(r["number"], "/admin/job?id=" + r["id"]),
            r["site"],
            f.coded(S, "kind.", r["kind"]),
            f.coded(S, "stage.", r["stage"]),
            r["date"],
            r["technician"],
            r["po"],
        ],
        f.filter_select(S, "jobs", "kind", "data.filter.any_kind", codes=_codes(JobKind), code_prefix="kind."),
        f.filter_select(S, "jobs", "stage", "data.filter.any_stage", codes=_codes(JobStage), code_prefix="stage."),
        f.filter_select(S, "jobs", "technician", "data.filter.any_technician", choices=S.technicians),
        intro=rx.text(T("data.jobs.new_hint"), size="2", color_scheme="gray"),
    )


def quotes_page() -> rx.Component:
    S = QuotesListState
    return _list_page(
        S,
        "quotes",
        "data.quotes.title",
        ["overlay.number", "overlay.site", "overlay.title", "detail.kind", "overlay.status", "pdf.issued", "pdf.total"],
        lambda r: [
            _link(r["number"], "/admin/quote?id=" + r["id"]),
            r["site"],
            r["title"],
            f.coded(S, "quotekind.", r["kind"]),
            f.coded(S, "docstatus.", r["status"]),
            r["issued"],
            rx.text(r["amount"], white_space="nowrap"),
        ],
        f.filter_select(
            S, "quotes", "status", "data.filter.any_status", codes=_codes(QuoteStatus), code_prefix="docstatus."
        ),
        f.filter_select(S, "quotes", "kind", "data.filter.any_kind", codes=_codes(QuoteKind), code_prefix="quotekind."),
        intro=rx.text(T("data.quotes.new_hint"), size="2", color_scheme="gray"),
    )


def invoices_page() -> rx.Component:
    S = InvoicesListState
    return _list_page(
        S,
        "invoices",
        "data.invoices.title",
        ["overlay.number", "overlay.site", "overlay.status", "pdf.issued", "pdf.due", "pdf.total"],
        lambda r: [
            _link(r["number"], "/admin/invoice?id=" + r["id"]),
            r["site"],
            f.coded(S, "docstatus.", r["status"]),
            r["issued"],
            r["due"],
            rx.text(r["amount"], white_space="nowrap"),
        ],
        f.filter_select(
            S,
            "invoices",
            "status",
            "data.filter.any_status",
            codes=_codes(InvoiceStatus, "OVERDUE"),
            code_prefix="docstatus.",
        ),
        intro=rx.text(T("data.invoices.new_hint"), size="2", color_scheme="gray"),
    )


def reports_page() -> rx.Component:
    S = ReportsListState
    return _list_page(
        S,
        "reports",
        "data.reports.title",
        ["overlay.number", "overlay.site", "overlay.title", "overlay.date", "overlay.status"],
        lambda r: [
            _link(r["number"], "/admin/report?id=" + r["id"]),
            r["site"],
            r["title"],
            r["date"],
            f.coded(S, "docstatus.", r["status"]),
        ],
        f.filter_select(
            S, "reports", "status", "data.filter.any_status", codes=_codes(ReportStatus), code_prefix="docstatus."
        ),
        intro=rx.text(T("data.reports.new_hint"), size="2", color_scheme="gray"),
    )


def _publish_toggle(S, r) -> rx.Component:
    return rx.cond(
        r["published"] != "",
        rx.button(
            T("data.remark.unpublish"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=S.set_published(r["id"], False),
            aria_label=T("data.remark.unpublish") + " " + r["number"],
        ),
        rx.button(
            T("data.remark.publish"),
            size="1",
            variant="soft",
            on_click=S.set_published(r["id"], True),
            aria_label=T("data.remark.publish") + " " + r["number"],
        ),
    )


def _bulk(S) -> rx.Component:
    """Publish or unpublish every remark the filter shows (all pages), after a confirmation."""
    return rx.flex(
        rx.cond(
            S.confirm == "",
            rx.flex(
                rx.button(
                    T("data.bulk.publish_all"),
                    size="2",
                    on_click=S.ask_bulk("publish"),
                    id="bulk-publish",
                    disabled=S.total == 0,
                ),
                rx.button(
                    T("data.bulk.unpublish_all"),
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.ask_bulk("unpublish"),
                    id="bulk-unpublish",
                    disabled=S.total == 0,
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.callout(
                rx.flex(
                    rx.text(
                        rx.cond(
                            S.confirm == "publish", T("data.bulk.confirm_publish"), T("data.bulk.confirm_unpublish")
                        ),
                        " (",
                        S.total.to_string(),
                        " ",
                        T("list.items"),
                        ")",
                    ),
                    rx.button(
                        T("data.bulk.yes"), size="1", id="bulk-confirm", on_click=S.bulk_publish(S.confirm == "publish")
                    ),
                    rx.button(T("common.cancel"), size="1", variant="soft", on_click=S.ask_bulk("")),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                color_scheme="amber",
                role="alertdialog",
            ),
        ),
        rx.cond(
            (S.notice == "data.bulk.published") | (S.notice == "data.bulk.unpublished"),
            rx.text(S.bulk_count.to_string(), " ", S.tr[S.notice].to(str), id="bulk-result", role="status", size="2"),
        ),
        direction="column",
        spacing="2",
        margin_bottom="0.75rem",
    )


def remarks_page() -> rx.Component:
    S = RemarksListState
    return _list_page(
        S,
        "remarks",
        "data.remarks.title",
        [
            "overlay.number",
            "defects.raised_on",
            "overlay.site",
            "assets.asset_code",
            "defects.severity",
            "overlay.status",
            "overlay.title",
            "data.remark.published",
            "data.actions",
        ],
        lambda r: [
            _link(r["number"], "/admin/site?id=" + r["site_id"] + "&remark=" + r["id"] + "#remark-form"),
            r["raised"],
            r["site"],
            r["asset"],
            f.coded(S, "severity.", r["severity"]),
            f.coded(S, "remark.", r["status"]),
            r["title"],
            rx.cond(r["published"] != "", rx.badge(T("data.yes"), color_scheme="green"), rx.badge(T("data.no"))),
            _publish_toggle(S, r),
        ],
        f.filter_select(
            S, "remarks", "severity", "data.filter.any_severity", codes=_codes(Severity), code_prefix="severity."
        ),
        f.filter_select(
            S, "remarks", "status", "data.filter.any_status", codes=_codes(RemarkStatus), code_prefix="remark."
        ),
        f.filter_select(
            S, "remarks", "published", "data.filter.any_published", codes=("yes", "no"), code_prefix="data.published."
        ),
        intro=_bulk(S),
    )


def _visit_form(S) -> rx.Component:
    e = S.editing
    planning = rx.cond(
        S.can_plan,
        f.grid(
            f.field(S, e, "date", "data.visit.date", prefix="visit", kind="date"),
            f.field(S, e, "time", "data.visit.time", prefix="visit", kind="time"),
            f.select(
                S, e, "technician_id", "data.job.technician", prefix="visit", choices=S.technicians, blank="data.none"
            ),
        ),
    )
    return rx.cond(
        e.contains("id"),
        rx.card(
            rx.heading(T("data.visit.edit"), size="3", as_="h2"),
            rx.form(
                f.grid(
                    f.select(
                        S,
                        e,
                        "status",
                        "overlay.status",
                        prefix="visit",
                        codes=_codes(VisitStatus),
                        code_prefix="visit.status.",
                    )
                ),
                planning,
                f.field(S, e, "notes", "data.job.notes", prefix="visit", kind="textarea", max_length=4000),
                f.form_error(S),
                rx.flex(
                    f.save_button("data.save", "visit-save"),
                    rx.link(T("common.cancel"), href="/admin/visits", size="2"),
                    spacing="3",
                    align="center",
                ),
                on_submit=S.save_visit,
                reset_on_submit=False,
            ),
            id="visit-form",
            margin_bottom="0.75rem",
        ),
    )


def visits_page() -> rx.Component:
    S = VisitsListState
    return _list_page(
        S,
        "visits",
        "data.visits.title",
        [
            "jobs.when",
            "overlay.site",
            "data.visit.job",
            "overlay.status",
            "data.job.technician",
            "data.job.notes",
            "data.actions",
        ],
        lambda r: [
            r["when"],
            r["site"],
            rx.cond((r["job_id"] != "") & S.can_plan, _link(r["job"], "/admin/job?id=" + r["job_id"]), r["job"]),
            f.coded(S, "visit.status.", r["status"]),
            r["technician"],
            r["notes"],
            rx.link(T("data.edit"), href="/admin/visits?edit=" + r["id"], aria_label=T("data.edit") + " " + r["when"]),
        ],
        f.filter_select(
            S, "visits", "status", "data.filter.any_status", codes=_codes(VisitStatus), code_prefix="visit.status."
        ),
        rx.cond(
            S.can_plan, f.filter_select(S, "visits", "technician", "data.filter.any_technician", choices=S.technicians)
        ),
        intro=_visit_form(S),
    )
