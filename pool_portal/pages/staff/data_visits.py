"""Admin → Data → Visits: every visit, filtered by status and technician; a row opens
its form above the list (status and notes; date, time and technician for those who
plan)."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import record
from pool_portal.components.fields import grid, record_field
from pool_portal.components.i18n import T
from pool_portal.components.lists import data_list_page
from pool_portal.components.selects import enum_codes, record_select
from pool_portal.components.tables import coded
from pool_portal.components.toolbar import filter_select
from pool_portal.models import VisitStatus
from pool_portal.states.staff.data_lists import VisitsListState


def _visit_form(S) -> rx.Component:
    e = S.editing
    planning = rx.cond(
        S.can_plan,
        grid(
            record_field(S, e, "date", "data.visit.date", prefix="visit", kind="date"),
            record_field(S, e, "time", "data.visit.time", prefix="visit", kind="time"),
            record_select(
                S, e, "technician_id", "data.job.technician", prefix="visit", choices=S.technicians, blank="data.none"
            ),
        ),
    )
    return record.sub_form(
        S,
        e,
        T("data.visit.edit"),
        grid(
            record_select(
                S,
                e,
                "status",
                "overlay.status",
                prefix="visit",
                codes=enum_codes(VisitStatus),
                code_prefix="visit.status.",
            )
        ),
        planning,
        record_field(S, e, "notes", "data.job.notes", prefix="visit", kind="textarea", max_length=4000),
        prefix="visit",
        on_submit=S.save_visit,
        cancel_href="/admin/visits",
        level="h2",
    )


def visits_page() -> rx.Component:
    S = VisitsListState
    return data_list_page(
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
            rx.cond((r["job_id"] != "") & S.can_plan, rx.link(r["job"], href="/admin/job?id=" + r["job_id"]), r["job"]),
            coded("visit.status.", r["status"]),
            r["technician"],
            r["notes"],
            rx.link(T("data.edit"), href="/admin/visits?edit=" + r["id"], aria_label=T("data.edit") + " " + r["when"]),
        ],
        filter_select(
            S, "visits", "status", "data.filter.any_status", codes=enum_codes(VisitStatus), code_prefix="visit.status."
        ),
        rx.cond(
            S.can_plan, filter_select(S, "visits", "technician", "data.filter.any_technician", choices=S.technicians)
        ),
        intro=_visit_form(S),
    )
