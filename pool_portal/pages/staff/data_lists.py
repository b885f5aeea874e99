"""Admin → Data: the lists of sites, jobs, quotes, invoices and reports. Each: a
search box and filters in a plain GET form (the query is the URL), a page of rows
from the server, previous / next; a row opens its record page."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.buttons import add_link
from pool_portal.components.i18n import T
from pool_portal.components.lists import data_list_page
from pool_portal.components.selects import enum_codes
from pool_portal.components.tables import coded
from pool_portal.components.toolbar import filter_select
from pool_portal.models import InvoiceStatus, JobKind, JobStage, QuoteKind, QuoteStatus, ReportStatus
from pool_portal.states.staff.data_lists import (
    InvoicesListState,
    JobsListState,
    QuotesListState,
    ReportsListState,
    SitesListState,
)


def _hint(key: str) -> rx.Component:
    return rx.text(T(key), size="2", color_scheme="gray")


def sites_page() -> rx.Component:
    S = SitesListState
    return data_list_page(
        S,
        "sites",
        "data.sites.title",
        ["data.site.name", "data.site.client", "detail.address", "data.site.coordinates", "data.active"],
        lambda r: [
            rx.link(r["name"], href="/admin/site?id=" + r["id"]),
            r["client"],
            r["address"],
            rx.cond(r["latitude"] != "", r["latitude"] + ", " + r["longitude"], "—"),
            rx.cond(r["is_active"] != "", T("data.yes"), T("data.no")),
        ],
        filter_select(S, "sites", "client", "data.filter.any_client", choices=S.clients),
        filter_select(S, "sites", "active", "data.filter.any_active", codes=("yes", "no"), code_prefix="data.active."),
        intro=add_link("data.site.new", "/admin/site?id=new", "site-new", size="2", icon_size=16),
    )


def jobs_page() -> rx.Component:
    S = JobsListState
    return data_list_page(
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
            rx.link(r["number"], href="/admin/job?id=" + r["id"]),
            r["site"],
            coded("kind.", r["kind"]),
            coded("stage.", r["stage"]),
            r["date"],
            r["technician"],
            r["po"],
        ],
        filter_select(S, "jobs", "kind", "data.filter.any_kind", codes=enum_codes(JobKind), code_prefix="kind."),
        filter_select(S, "jobs", "stage", "data.filter.any_stage", codes=enum_codes(JobStage), code_prefix="stage."),
        filter_select(S, "jobs", "technician", "data.filter.any_technician", choices=S.technicians),
        intro=_hint("data.jobs.new_hint"),
    )


def quotes_page() -> rx.Component:
    S = QuotesListState
    return data_list_page(
        S,
        "quotes",
        "data.quotes.title",
        ["overlay.number", "overlay.site", "overlay.title", "detail.kind", "overlay.status", "pdf.issued", "pdf.total"],
        lambda r: [
            rx.link(r["number"], href="/admin/quote?id=" + r["id"]),
            r["site"],
            r["title"],
            coded("quotekind.", r["kind"]),
            coded("docstatus.", r["status"]),
            r["issued"],
            rx.text(r["amount"], white_space="nowrap"),
        ],
        filter_select(
            S, "quotes", "status", "data.filter.any_status", codes=enum_codes(QuoteStatus), code_prefix="docstatus."
        ),
        filter_select(
            S, "quotes", "kind", "data.filter.any_kind", codes=enum_codes(QuoteKind), code_prefix="quotekind."
        ),
        intro=_hint("data.quotes.new_hint"),
    )


def invoices_page() -> rx.Component:
    S = InvoicesListState
    return data_list_page(
        S,
        "invoices",
        "data.invoices.title",
        ["overlay.number", "overlay.site", "overlay.status", "pdf.issued", "pdf.due", "pdf.total"],
        lambda r: [
            rx.link(r["number"], href="/admin/invoice?id=" + r["id"]),
            r["site"],
            coded("docstatus.", r["status"]),
            r["issued"],
            r["due"],
            rx.text(r["amount"], white_space="nowrap"),
        ],
        filter_select(
            S,
            "invoices",
            "status",
            "data.filter.any_status",
            codes=enum_codes(InvoiceStatus, "OVERDUE"),
            code_prefix="docstatus.",
        ),
        intro=_hint("data.invoices.new_hint"),
    )


def reports_page() -> rx.Component:
    S = ReportsListState
    return data_list_page(
        S,
        "reports",
        "data.reports.title",
        ["overlay.number", "overlay.site", "overlay.title", "overlay.date", "overlay.status"],
        lambda r: [
            rx.link(r["number"], href="/admin/report?id=" + r["id"]),
            r["site"],
            r["title"],
            r["date"],
            coded("docstatus.", r["status"]),
        ],
        filter_select(
            S, "reports", "status", "data.filter.any_status", codes=enum_codes(ReportStatus), code_prefix="docstatus."
        ),
        intro=_hint("data.reports.new_hint"),
    )
