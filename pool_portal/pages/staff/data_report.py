"""Admin → Data → a report: its form while it is a draft, approve it (its remarks go
with it to the portal), and the PDF."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import record
from pool_portal.components.buttons import pdf_preview
from pool_portal.components.fields import grid, record_field, save_button
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link
from pool_portal.components.notices import data_missing, data_notice, form_error
from pool_portal.components.sections import section
from pool_portal.components.selects import record_select
from pool_portal.states.staff.data_records import ReportState

S = ReportState


def _form() -> rx.Component:
    r = S.report
    return rx.form(
        grid(
            record_field(S, r, "number", "overlay.number", prefix="report", max_length=30, hint="data.number_hint"),
            record_field(S, r, "title", "data.report.title_field", prefix="report", required=True),
            record_field(S, r, "report_date", "overlay.date", prefix="report", kind="date"),
            record_select(
                S, r, "job_id", "data.invoice.job", prefix="report", choices=S.job_choices, blank="data.none"
            ),
        ),
        record_field(S, r, "summary", "reports.summary", prefix="report", kind="textarea", max_length=8000),
        form_error(S),
        save_button("data.save", "report-save"),
        on_submit=S.save_report,
        reset_on_submit=False,
        id="report-form",
    )


def _read_only() -> rx.Component:
    r = S.report
    return rx.box(
        rx.text(r["title"].to(str), weight="bold"),
        rx.text(T("overlay.date"), ": ", r["report_date"].to(str), size="2"),
        rx.text(r["summary"].to(str), size="2", white_space="pre-wrap"),
        rx.text(T("data.report.approved_at"), " ", r["approved_at"].to(str), size="2", color_scheme="gray"),
    )


def report_page() -> rx.Component:
    r = S.report
    draft = r["status"].to(str) == "DRAFT"
    exists = r["id"].to(str) != ""
    return admin_shell(
        back_link("data.reports.title", "/admin/reports", size="2"),
        rx.cond(
            S.missing,
            data_missing(),
            rx.box(
                record.heading(r, "data.report.title", "data.report.new", "docstatus."),
                record.site_link(r),
                data_notice(S),
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
                    rx.cond(exists, pdf_preview("/files/report/" + r["id"].to(str))),
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
                rx.cond(~draft, form_error(S)),
                section("data.details", rx.cond(draft, _form(), _read_only()), ident="report-details"),
            ),
        ),
    )
