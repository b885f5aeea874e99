"""Admin → Data → a job: its form (kind, stage, technician, dates, tolerance, the
asset) and its visits, each with its form opened from the URL."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import record
from pool_portal.components.buttons import add_link
from pool_portal.components.fields import grid, record_field, save_button
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link
from pool_portal.components.notices import data_missing, data_notice, form_error
from pool_portal.components.sections import section
from pool_portal.components.selects import enum_codes, record_select
from pool_portal.components.tables import coded, table
from pool_portal.models import JobKind, JobStage, VisitStatus
from pool_portal.states.staff.data_records import JobState

S = JobState


def _visit_form() -> rx.Component:
    vi = S.visit
    return record.sub_form(
        S,
        vi,
        record.new_or_edit(vi, "data.visit.new", "data.visit.edit"),
        grid(
            record_select(
                S,
                vi,
                "status",
                "overlay.status",
                prefix="visit",
                codes=enum_codes(VisitStatus),
                code_prefix="visit.status.",
                required=True,
            ),
            record_select(
                S, vi, "technician_id", "data.job.technician", prefix="visit", choices=S.technicians, blank="data.none"
            ),
            record_field(S, vi, "date", "data.visit.date", prefix="visit", kind="date"),
            record_field(S, vi, "time", "data.visit.time", prefix="visit", kind="time"),
        ),
        record_field(S, vi, "notes", "data.job.notes", prefix="visit", kind="textarea", max_length=4000),
        prefix="visit",
        on_submit=S.save_visit,
        cancel_href="/admin/job?id=" + S.job["id"].to(str),
        with_form_error=False,
    )


def _job_form() -> rx.Component:
    j = S.job
    return rx.form(
        grid(
            record_field(S, j, "number", "overlay.number", prefix="job", max_length=30, hint="data.number_hint"),
            record_select(
                S, j, "kind", "detail.kind", prefix="job", codes=enum_codes(JobKind), code_prefix="kind.", required=True
            ),
            record_select(
                S,
                j,
                "stage",
                "overlay.status",
                prefix="job",
                codes=enum_codes(JobStage),
                code_prefix="stage.",
                required=True,
            ),
            record_select(
                S, j, "technician_id", "data.job.technician", prefix="job", choices=S.technicians, blank="data.none"
            ),
            record_field(S, j, "scheduled_date", "data.job.scheduled", prefix="job", kind="date"),
            record_field(S, j, "customer_po", "jobs.po", prefix="job", max_length=60),
            record_field(S, j, "due_date", "data.job.due", prefix="job", kind="date", hint="data.job.due_hint"),
            record_field(
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
            record_field(S, j, "completed_on", "data.job.completed", prefix="job", kind="date"),
            record_select(S, j, "asset_id", "data.job.asset", prefix="job", choices=S.asset_choices, blank="data.none"),
        ),
        record_field(
            S, j, "description", "data.description", prefix="job", kind="textarea", max_length=4000, required=True
        ),
        record_field(S, j, "notes", "data.job.notes", prefix="job", kind="textarea", max_length=4000),
        form_error(S),
        save_button("data.save", "job-save"),
        on_submit=S.save_job,
        reset_on_submit=False,
        id="job-form",
    )


def _visits() -> rx.Component:
    job_url = "/admin/job?id=" + S.job["id"].to(str)
    return section(
        "data.visits.title",
        _visit_form(),
        table(
            ["jobs.when", "overlay.status", "data.job.technician", "data.job.notes", "data.actions"],
            S.visits,
            cells=lambda r: [
                r["date"] + " " + r["time"],
                coded("visit.status.", r["status"]),
                r["technician"],
                r["notes"],
                rx.link(T("data.edit"), href=job_url + "&visit=" + r["id"] + "#visit-form"),
            ],
            id="visits-table",
            size="1",
        ),
        ident="visits",
        actions=[add_link("data.visit.add", job_url + "&visit=new#visit-form", "visit-add")],
    )


def job_page() -> rx.Component:
    j = S.job
    return admin_shell(
        back_link("data.jobs.title", "/admin/jobs", size="2"),
        rx.cond(
            S.missing,
            data_missing(),
            rx.box(
                record.heading(j, "data.job.title", "data.job.new", "stage.", "stage"),
                record.site_link(j),
                data_notice(S),
                section("data.job.details", _job_form(), ident="job-details"),
                rx.cond(j["id"].to(str) != "", _visits()),
            ),
        ),
    )
