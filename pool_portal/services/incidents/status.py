"""The status a customer sees (Received, In process, Scheduled visit, Solved): derived
from the incident's state, tasks, visits and replies, never stored. One rule, said
twice: ``customer_status`` in Python (one incident) and ``status_sql`` in SQL (lists
and filters); the tests check that both agree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from sqlalchemy import and_, case, exists, or_, select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Incident,
    IncidentMessage,
    IncidentState,
    IncidentTask,
    MessageAuthor,
    Visit,
    VisitStatus,
    utcnow,
)
from pool_portal.services.core.clock import aware, start_of_today
from pool_portal.services.incidents.common import Status

RECEIVED, IN_PROCESS, SCHEDULED_VISIT, SOLVED = (
    Status.RECEIVED,
    Status.IN_PROCESS,
    Status.SCHEDULED_VISIT,
    Status.SOLVED,
)


def _v(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def upcoming_from(session: Session, tenant_id: int, now: datetime | None = None) -> datetime:
    """The start of today in the tenant's time zone, as a UTC instant: a visit planned
    at or after it is still to come (a visit today counts, as "future" does in the
    jobs list, until it is marked done)."""
    return start_of_today(session, tenant_id, now)


def _visit_is_planned(v) -> bool:
    status = _v(v.status)
    return status == VisitStatus.SCHEDULED.value or (
        status == VisitStatus.PENDING.value and v.scheduled_for is not None
    )


def _visit_is_upcoming(v, since: datetime) -> bool:
    return _visit_is_planned(v) and v.scheduled_for is not None and aware(v.scheduled_for) >= since


def customer_status(
    incident,
    tasks: Iterable = (),
    visits: Iterable = (),
    messages: Iterable = (),
    *,
    upcoming_since: datetime | None = None,
) -> Status:
    """The status a customer sees, derived (never stored), first rule that holds wins:

    1. ``SOLVED``: the incident's state is SOLVED (whatever else exists).
    2. ``SCHEDULED_VISIT``: a visit of the incident is planned (status SCHEDULED, or
       PENDING with a date) with a future date: ``scheduled_for`` at or after
       ``upcoming_since``, the start of the tenant's today (``upcoming_from``; default:
       the start of today in UTC). DONE and CANCELLED visits never count.
    3. ``IN_PROCESS``: staff have started: an internal task exists (open or done), a
       public staff reply was sent (author STAFF, not internal), a visit is DONE, or a
       planned visit's date has passed (or it has none) without it being done.
       Internal notes do NOT count: they must not be visible, not even indirectly.
    4. ``RECEIVED``: otherwise (just reported; client messages change nothing).

    ``messages`` are the incident's messages (the thread); the SQL twin used for lists
    and filters is ``status_sql`` and must say the same.
    """
    if _v(incident.state) == IncidentState.SOLVED.value:
        return SOLVED
    since = upcoming_since or datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    visits = list(visits)
    if any(_visit_is_upcoming(v, since) for v in visits):
        return SCHEDULED_VISIT
    if (
        any(True for _ in tasks)
        or any(_v(v.status) == VisitStatus.DONE.value or _visit_is_planned(v) for v in visits)
        or any(_v(m.author_kind) == MessageAuthor.STAFF.value and not m.is_internal for m in messages)
    ):
        return IN_PROCESS
    return RECEIVED


def status_sql(upcoming_since: datetime):
    """customer_status() as a SQL expression over Incident (same rules, same order), a
    Status value as text; ``upcoming_since`` as there (``upcoming_from`` of the tenant)."""
    planned = or_(
        Visit.status == VisitStatus.SCHEDULED,
        and_(Visit.status == VisitStatus.PENDING, Visit.scheduled_for.is_not(None)),
    )
    scheduled = exists().where(Visit.incident_id == Incident.id, planned, Visit.scheduled_for >= upcoming_since)
    in_process = or_(
        exists().where(IncidentTask.incident_id == Incident.id),
        exists().where(Visit.incident_id == Incident.id, or_(Visit.status == VisitStatus.DONE, planned)),
        exists().where(
            IncidentMessage.incident_id == Incident.id,
            IncidentMessage.author_kind == MessageAuthor.STAFF,
            IncidentMessage.is_internal == False,
        ),
    )
    return case(
        (Incident.state == IncidentState.SOLVED, SOLVED.value),
        (scheduled, SCHEDULED_VISIT.value),
        (in_process, IN_PROCESS.value),
        else_=RECEIVED.value,
    )


def status_of(session: Session, incident: Incident, now: datetime | None = None) -> Status:
    """customer_status() of a stored incident (today as the tenant's time zone says)."""
    tasks = session.execute(select(IncidentTask).where(IncidentTask.incident_id == incident.id)).scalars().all()
    visits = session.execute(select(Visit).where(Visit.incident_id == incident.id)).scalars().all()
    messages = (
        session.execute(select(IncidentMessage).where(IncidentMessage.incident_id == incident.id)).scalars().all()
    )
    return customer_status(
        incident, tasks, visits, messages, upcoming_since=upcoming_from(session, incident.tenant_id, now)
    )
