"""Admin → Data: a job (with its visits), a quote or an invoice (header, line editor
with live totals, status changes) and a report (approve)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import data_forms as f
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell
from pool_portal.models import JobKind, JobStage, QuoteKind, VisitStatus
from pool_portal.states.staff.data_billing import InvoiceState, QuoteState
from pool_portal.states.staff.data_records import JobState, ReportState


def _codes(enum_cls) -> tuple[str, ...]:
    return tuple(e.value for e in enum_cls)


def _site_link(S, doc) -> rx.Component:
    return rx.text(
        T("overlay.site"),
        ": ",
        rx.link(doc["site"].to(str), href="/admin/site?id=" + doc["site_id"].to(str), id="record-site"),
        size="2",
    )


def _heading(S, doc, title_key: str, new_key: str, status_prefix: str, status_key: str = "status") -> rx.Component:
    return rx.flex(
        rx.heading(
            rx.cond(doc["id"].to(str) == "", T(new_key), T(title_key) + " " + doc["number"].to(str)),
            size="6",
            as_="h1",
            id="record-title",
        ),
        rx.cond(
            doc["id"].to(str) != "",
            rx.badge(
                S.tr[status_prefix + doc[status_key].to(str)].to(str), size="2", variant="soft", id="record-status"
            ),
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        margin_y="0.5rem",
    )


# -- jobs -------------------------------------------------------------------------------------------------
def _visit_form(S) -> rx.Component:
    vi = S.visit
    return rx.cond(
        vi.contains("id"),
        rx.card(
            rx.heading(rx.cond(vi["id"].to(str) == "", T("data.visit.new"), T("data.visit.edit")), size="3", as_="h3"),
            rx.form(
                f.grid(
                    f.select(
                        S,
                        vi,
                        "status",
                        "overlay.status",
                        prefix="visit",
                        codes=_codes(VisitStatus),
                        code_prefix="visit.status.",
                        required=True,
                    ),
                    f.select(
                        S,
                        vi,
                        "technician_id",
                        "data.job.technician",
                        prefix="visit",
                        choices=S.technicians,
                        blank="data.none",
                    ),
                    f.field(S, vi, "date", "data.visit.date", prefix="visit", kind="date"),
                    f.field(S, vi, "time", "data.visit.time", prefix="visit", kind="time"),
                ),
                f.field(S, vi, "notes", "data.job.notes", prefix="visit", kind="textarea", max_length=4000),
                rx.flex(
                    f.save_button("data.save", "visit-save"),
                    rx.link(T("common.cancel"), href="/admin/job?id=" + S.job["id"].to(str), size="2"),
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


def job_page() -> rx.Component:
    S = JobState
    j = S.job
    form = rx.form(
        f.grid(
            f.field(S, j, "number", "overlay.number", prefix="job", max_length=30, hint="data.number_hint"),
            f.select(
                S, j, "kind", "detail.kind", prefix="job", codes=_codes(JobKind), code_prefix="kind.", required=True
            ),
            f.select(
                S,
                j,
                "stage",
                "overlay.status",
                prefix="job",
                codes=_codes(JobStage),
                code_prefix="stage.",
                required=True,
            ),
            f.select(
                S, j, "technician_id", "data.job.technician", prefix="job", choices=S.technicians, blank="data.none"
            ),
            f.field(S, j, "scheduled_date", "data.job.scheduled", prefix="job", kind="date"),
            f.field(S, j, "customer_po", "jobs.po", prefix="job", max_length=60),
            f.field(S, j, "due_date", "data.job.due", prefix="job", kind="date", hint="data.job.due_hint"),
            f.field(
                S,
                j,
                "tolerance_days",
                "data.job.tolerance",
                prefix="job",
                kind="number",
                max_length=3,
                hint="data.job.tolerance_hint",
                min="0",
                max="365",
            ),
            f.field(S, j, "completed_on", "data.job.completed", prefix="job", kind="date"),
            f.select(S, j, "asset_id", "data.job.asset", prefix="job", choices=S.asset_choices, blank="data.none"),
        ),
        f.field(S, j, "description", "data.description", prefix="job", kind="textarea", max_length=4000, required=True),
        f.field(S, j, "notes", "data.job.notes", prefix="job", kind="textarea", max_length=4000),
        f.form_error(S),
        f.save_button("data.save", "job-save"),
        on_submit=S.save_job,
        reset_on_submit=False,
        id="job-form",
    )
    visits = f.section(
        "data.visits.title",
        _visit_form(S),
        f.table(
            ["jobs.when", "overlay.status", "data.job.technician", "data.job.notes", "data.actions"],
            S.visits,
            lambda r: [
                r["date"] + " " + r["time"],
                f.coded(S, "visit.status.", r["status"]),
                r["technician"],
                r["notes"],
                rx.link(T("data.edit"), href="/admin/job?id=" + j["id"].to(str) + "&visit=" + r["id"] + "#visit-form"),
            ],
            ident="visits-table",
        ),
        ident="visits",
        actions=[
            rx.link(
                rx.button(rx.icon("plus", size=14), T("data.visit.add"), size="1", variant="soft"),
                href="/admin/job?id=" + j["id"].to(str) + "&visit=new#visit-form",
                id="visit-add",
            )
        ],
    )
    return admin_shell(
        f.back("data.jobs.title", "/admin/jobs"),
        rx.cond(
            S.missing,
            f.missing(S),
            rx.box(
                _heading(S, j, "data.job.title", "data.job.new", "stage.", "stage"),
                _site_link(S, j),
                f.notice(S),
                f.section("data.job.details", form, ident="job-details"),
                rx.cond(j["id"].to(str) != "", visits),
            ),
        ),
    )


# -- quotes and invoices ----------------------------------------------------------------------------------
def _line_row(S, line, i) -> rx.Component:
    def cell(field: str, label_key: str, width: str, mode: str = "text") -> rx.Component:
        ident = "line-" + i.to_string() + "-" + field
        error = "line." + i.to_string() + "." + field
        return rx.table.cell(
            rx.el.input(
                id=ident,
                name=ident,
                default_value=line[field],
                key=line["key"] + field,
                max_length=500,
                aria_label=T(label_key) + " " + (i + 1).to_string(),
                input_mode=mode,
                on_blur=lambda value: S.set_line(i, field, value),
                style={**f.STYLE, "min_width": width, "width": "100%" if field == "description" else width},
            ),
            f.error_text(S, error, ident="error-line-" + i.to_string() + "-" + field),
        )

    return rx.table.row(
        cell("description", "pdf.line.description", "12rem"),
        cell("quantity", "pdf.line.quantity", "5rem", "decimal"),
        cell("unit_price", "pdf.line.unit", "7rem", "decimal"),
        rx.table.cell(rx.text(S.line_totals[i], white_space="nowrap", id="line-" + i.to_string() + "-total")),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="soft",
                color_scheme="red",
                type="button",
                on_click=S.remove_line(i),
                aria_label=T("data.line.remove") + " " + (i + 1).to_string(),
            )
        ),
    )


def _totals(S, rate) -> rx.Component:
    def line(label, value, ident: str) -> rx.Component:
        return rx.flex(rx.text(label, size="2"), rx.spacer(), rx.text(value, weight="bold", id=ident), width="16rem")

    return rx.flex(
        line(T("pdf.subtotal"), S.figures["subtotal"], "total-subtotal"),
        line(rx.fragment(T("pdf.tax"), " (", rate, " %)"), S.figures["tax"], "total-tax"),
        line(T("pdf.total"), S.figures["total"], "total-total"),
        direction="column",
        align="end",
        spacing="1",
        margin_top="0.5rem",
    )


def _line_editor(S) -> rx.Component:
    return rx.box(
        rx.heading(T("data.lines"), size="3", as_="h2", margin_top="0.75rem"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(k))
                            for k in (
                                "pdf.line.description",
                                "pdf.line.quantity",
                                "pdf.line.unit",
                                "pdf.total",
                                "data.actions",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.lines, lambda line, i: _line_row(S, line, i))),
                id="lines-table",
                width="100%",
                size="1",
            ),
            overflow_x="auto",
        ),
        f.error_text(S, "lines"),
        rx.button(
            rx.icon("plus", size=14),
            T("data.line.add"),
            type="button",
            size="1",
            variant="soft",
            on_click=S.add_line,
            id="line-add",
            margin_top="0.5rem",
        ),
        rx.flex(
            rx.el.label(T("data.tax_rate"), html_for="doc-tax-rate", style={"font_weight": "500"}),
            rx.el.input(
                id="doc-tax-rate",
                name="tax_rate",
                default_value=S.tax_rate,
                key="tax-" + S.version.to_string(),
                input_mode="decimal",
                max_length=6,
                on_blur=S.set_tax_rate,
                style={**f.STYLE, "width": "6rem"},
            ),
            f.error_text(S, "tax_rate"),
            spacing="2",
            align="center",
            margin_top="0.5rem",
        ),
        _totals(S, S.tax_rate),
    )


def _read_only_lines(S, facts: list) -> rx.Component:
    """A document that is no longer a draft: its dates and lines as they were sent."""
    d = S.doc
    return rx.box(
        rx.flex(*facts, spacing="4", wrap="wrap", margin_bottom="0.5rem", id="record-facts"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(k))
                            for k in ("pdf.line.description", "pdf.line.quantity", "pdf.line.unit", "pdf.total")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.lines,
                        lambda line, i: rx.table.row(
                            rx.table.cell(line["description"]),
                            rx.table.cell(line["quantity"]),
                            rx.table.cell(line["unit_price"]),
                            rx.table.cell(S.line_totals[i], white_space="nowrap"),
                        ),
                    )
                ),
                id="lines-table",
                width="100%",
                variant="surface",
                size="1",
            ),
            overflow_x="auto",
        ),
        rx.flex(
            rx.text(T("pdf.subtotal"), ": ", d["subtotal_text"].to(str), size="2"),
            rx.text(T("pdf.tax"), " (", d["tax_rate"].to(str), " %): ", d["tax_text"].to(str), size="2"),
            rx.text(T("pdf.total"), ": ", d["total_text"].to(str), weight="bold", id="total-total"),
            direction="column",
            align="end",
            spacing="1",
            margin_top="0.5rem",
        ),
    )


def _fact(S, label_key: str, key: str) -> rx.Component:
    return rx.cond(
        S.doc.contains(key) & (S.doc[key].to(str) != ""), rx.text(T(label_key), ": ", S.doc[key].to(str), size="2")
    )


def _pdf(S, kind: str) -> rx.Component:
    return rx.cond(
        S.doc["id"].to(str) != "",
        rx.link(
            rx.flex(rx.icon("file-down", size=14), T("data.pdf_preview"), spacing="1", align="center"),
            href=f"/files/{kind}/" + S.doc["id"].to(str),
            is_external=True,
            id="record-pdf",
            size="2",
        ),
    )


def _action(S, action: str, label_key: str, handler, **props) -> rx.Component:
    return rx.cond(
        S.actions.contains(action), rx.button(T(label_key), on_click=handler, id=f"action-{action}", **props)
    )


def _doc_page(
    S, kind: str, title_key: str, new_key: str, header: list, actions: list, list_key: str, facts: list, extra=None
) -> rx.Component:
    d = S.doc
    editable_form = rx.form(
        f.grid(*header),
        _line_editor(S),
        f.form_error(S),
        f.save_button("data.save", f"{kind}-save"),
        on_submit=getattr(S, f"save_{kind}"),
        reset_on_submit=False,
        id=f"{kind}-form",
    )
    return admin_shell(
        f.back(list_key, f"/admin/{kind}s"),
        rx.cond(
            S.missing,
            f.missing(S),
            rx.box(
                _heading(S, d, title_key, new_key, "docstatus."),
                _site_link(S, d),
                f.notice(S),
                rx.cond(~S.editable, f.form_error(S)),
                rx.flex(*actions, _pdf(S, kind), spacing="3", align="center", wrap="wrap", margin_y="0.5rem"),
                extra if extra is not None else rx.fragment(),
                f.section(
                    "data.details",
                    rx.cond(S.editable, editable_form, _read_only_lines(S, facts)),
                    ident=f"{kind}-details",
                ),
            ),
        ),
    )


def quote_page() -> rx.Component:
    S = QuoteState
    d = S.doc
    header = [
        f.field(S, d, "number", "overlay.number", prefix="quote", max_length=30, hint="data.number_hint"),
        f.select(
            S,
            d,
            "kind",
            "detail.kind",
            prefix="quote",
            codes=_codes(QuoteKind),
            code_prefix="quotekind.",
            required=True,
        ),
        f.field(S, d, "title", "data.quote.title_field", prefix="quote", required=True),
        rx.box(),
        f.field(S, d, "issued_on", "pdf.issued", prefix="quote", kind="date", hint="data.quote.issued_hint"),
        f.field(S, d, "expires_on", "pdf.expires", prefix="quote", kind="date", hint="data.quote.expires_hint"),
    ]
    actions = [
        _action(S, "send", "data.quote.send", S.send_quote, color_scheme="green"),
        _action(S, "expire", "data.quote.expire", S.expire_quote, variant="soft", color_scheme="gray"),
    ]
    answered = d.contains("approver") & ((d["approver"].to(str) != "") | (d["comment"].to(str) != ""))
    answer = rx.cond(
        answered,
        rx.callout(
            rx.cond(
                d["approver"].to(str) != "",
                rx.text(T("data.quote.approved_by"), " ", d["approver"].to(str), " ", d["reference"].to(str)),
                rx.text(T("data.quote.declined_because"), " ", d["comment"].to(str)),
            ),
            id="quote-answer",
            margin_y="0.5rem",
        ),
    )
    kind = rx.cond(
        d.contains("kind"), rx.text(T("detail.kind"), ": ", S.tr["quotekind." + d["kind"].to(str)].to(str), size="2")
    )
    facts = [
        kind,
        _fact(S, "data.quote.title_field", "title"),
        _fact(S, "pdf.issued", "issued_on"),
        _fact(S, "pdf.expires", "expires_on"),
    ]
    return _doc_page(
        S, "quote", "data.quote.title", "data.quote.new", header, actions, "data.quotes.title", facts, answer
    )


def invoice_page() -> rx.Component:
    S = InvoiceState
    d = S.doc
    header = [
        f.field(S, d, "number", "overlay.number", prefix="invoice", max_length=30, hint="data.number_hint"),
        f.field(S, d, "customer_po", "jobs.po", prefix="invoice", max_length=60),
        f.field(S, d, "issued_on", "pdf.issued", prefix="invoice", kind="date", hint="data.invoice.issued_hint"),
        f.field(S, d, "due_on", "pdf.due", prefix="invoice", kind="date", hint="data.invoice.due_hint"),
        f.select(S, d, "job_id", "data.invoice.job", prefix="invoice", choices=S.job_choices, blank="data.none"),
    ]
    pay = rx.cond(
        S.actions.contains("pay"),
        rx.form(
            rx.flex(
                rx.el.label(T("data.invoice.paid_on"), html_for="invoice-paid-on"),
                rx.el.input(type="date", id="invoice-paid-on", name="paid_on", style={**f.STYLE, "width": "auto"}),
                rx.button(T("data.invoice.pay"), type="submit", id="action-pay", color_scheme="green"),
                f.error_text(S, "paid_on"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=S.pay_invoice,
            reset_on_submit=False,
        ),
    )
    actions = [
        _action(S, "issue", "data.invoice.issue", S.issue_invoice, color_scheme="green"),
        pay,
        _action(S, "void", "data.invoice.void", S.void_invoice, variant="soft", color_scheme="red"),
    ]
    facts = [
        _fact(S, "pdf.issued", "issued_on"),
        _fact(S, "pdf.due", "due_on"),
        _fact(S, "data.invoice.paid_on", "paid_on"),
        _fact(S, "jobs.po", "customer_po"),
    ]
    return _doc_page(
        S, "invoice", "data.invoice.title", "data.invoice.new", header, actions, "data.invoices.title", facts
    )


# -- reports ----------------------------------------------------------------------------------------------
def report_page() -> rx.Component:
    S = ReportState
    r = S.report
    draft = r["status"].to(str) == "DRAFT"
    form = rx.form(
        f.grid(
            f.field(S, r, "number", "overlay.number", prefix="report", max_length=30, hint="data.number_hint"),
            f.field(S, r, "title", "data.report.title_field", prefix="report", required=True),
            f.field(S, r, "report_date", "overlay.date", prefix="report", kind="date"),
            f.select(S, r, "job_id", "data.invoice.job", prefix="report", choices=S.job_choices, blank="data.none"),
        ),
        f.field(S, r, "summary", "reports.summary", prefix="report", kind="textarea", max_length=8000),
        f.form_error(S),
        f.save_button("data.save", "report-save"),
        on_submit=S.save_report,
        reset_on_submit=False,
        id="report-form",
    )
    read_only = rx.box(
        rx.text(r["title"].to(str), weight="bold"),
        rx.text(T("overlay.date"), ": ", r["report_date"].to(str), size="2"),
        rx.text(r["summary"].to(str), size="2", white_space="pre-wrap"),
        rx.text(T("data.report.approved_at"), " ", r["approved_at"].to(str), size="2", color_scheme="gray"),
    )
    exists = r["id"].to(str) != ""
    return admin_shell(
        f.back("data.reports.title", "/admin/reports"),
        rx.cond(
            S.missing,
            f.missing(S),
            rx.box(
                _heading(S, r, "data.report.title", "data.report.new", "docstatus."),
                _site_link(S, r),
                f.notice(S),
                rx.flex(
                    rx.cond(
                        exists & draft,
                        rx.button(
                            T("data.report.approve"),
                            on_click=S.approve_report,
                            id="action-approve",
                            color_scheme="green",
                        ),
                    ),
                    rx.cond(
                        exists,
                        rx.link(
                            rx.flex(rx.icon("file-down", size=14), T("data.pdf_preview"), spacing="1", align="center"),
                            href="/files/report/" + r["id"].to(str),
                            is_external=True,
                            id="record-pdf",
                            size="2",
                        ),
                    ),
                    rx.cond(
                        exists,
                        rx.text(
                            r["remarks"].to(str), " ", T("data.report.remarks_hint"), size="2", color_scheme="gray"
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                    margin_y="0.5rem",
                ),
                rx.cond(~draft, f.form_error(S)),
                f.section("data.details", rx.cond(draft, form, read_only), ident="report-details"),
            ),
        ),
    )
