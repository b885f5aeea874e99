"""Incidents as clients report them: a visit, the staff notification, a task and the
thread's messages (public and internal)."""

from __future__ import annotations

import string
from datetime import datetime

import pool_portal.models as m
from pool_portal.demo.builder import Builder
from pool_portal.demo.vocabulary import INCIDENTS
from pool_portal.services.incidents.common import admin_path as incident_admin_path


def incident(
    b: Builder,
    tid: int,
    client_id: int,
    site_id: int,
    reporter: int | None,
    admin: int,
    *,
    days_ago: int,
    solved: bool,
    replied: bool,
    technician: int | None,
) -> None:
    category, text_ = b.rng.choice(INCIDENTS)
    created = b.at(days_ago, 10)
    ref = _reference(b, created.year)
    iid = b.add(
        m.Incident,
        tenant_id=tid,
        external_id=None,
        reference=ref,
        client_id=client_id,
        site_id=site_id,
        category=category,
        priority=m.Priority.HIGH,
        description=text_,
        state=m.IncidentState.SOLVED if solved else m.IncidentState.OPEN,
        resolution_note="Replaced the faulty part and checked the installation." if solved else None,
        solved_at=b.at(max(days_ago - 2, 0), 16) if solved else None,
        reported_by_portal_user_id=reporter,
        assigned_staff_id=admin,
        created_at=created,
        updated_at=b.at(max(days_ago - 2, 0), 16) if (solved or replied) else created,
    )
    b.add(
        m.Visit,
        tenant_id=tid,
        external_id=None,
        site_id=site_id,
        job_id=None,
        incident_id=iid,
        status=m.VisitStatus.DONE if solved else (m.VisitStatus.SCHEDULED if replied else m.VisitStatus.PENDING),
        scheduled_for=b.at(max(days_ago - 3, -3), 9) if (solved or replied) else None,
        technician_id=technician if (solved or replied) else None,
        notes=None,
        created_at=created,
    )
    b.add(
        m.Notification,
        tenant_id=tid,
        kind=m.NotificationKind.MANUAL_INCIDENT,
        staff_user_id=admin,
        portal_user_id=None,
        title=f"New incident {ref}",
        body=text_[:200],
        link=incident_admin_path(iid),
        incident_id=iid,
        is_read=solved,
        emailed_at=None,
        created_at=created,
    )
    if replied or solved:
        b.add(
            m.IncidentTask,
            tenant_id=tid,
            external_id=None,
            incident_id=iid,
            title="Check the installation on site",
            is_done=solved,
            assigned_staff_id=technician,
            created_at=created,
            done_at=b.at(days_ago - 2) if solved else None,
        )
        _message(
            b,
            tid,
            iid,
            m.MessageAuthor.STAFF,
            admin,
            "We have received your report and a technician will visit.",
            b.at(max(days_ago - 1, 0), 11),
        )
        _message(
            b,
            tid,
            iid,
            m.MessageAuthor.STAFF,
            admin,
            "Internal: bring a spare pump seal.",
            b.at(max(days_ago - 1, 0), 11),
            internal=True,
        )
        if reporter:
            _message(
                b,
                tid,
                iid,
                m.MessageAuthor.CLIENT,
                reporter,
                "Thank you, we will leave the plant room open.",
                b.at(max(days_ago - 1, 0), 12),
            )


def _reference(b: Builder, year: int) -> str:
    """``INC-<year>-<6 upper-case letters/digits>``, unique (references are unique)."""
    while True:
        ref = f"INC-{year}-{''.join(b.rng.choices(string.ascii_uppercase + string.digits, k=6))}"
        if ref not in b.references:
            b.references.add(ref)
            return ref


def _message(
    b: Builder,
    tid: int,
    incident_id: int,
    author: m.MessageAuthor,
    who: int,
    body: str,
    at: datetime,
    internal: bool = False,
) -> None:
    b.add(
        m.IncidentMessage,
        tenant_id=tid,
        external_id=None,
        incident_id=incident_id,
        author_kind=author,
        portal_user_id=who if author == m.MessageAuthor.CLIENT else None,
        staff_user_id=who if author == m.MessageAuthor.STAFF else None,
        body=body,
        is_internal=internal,
        created_at=at,
    )
