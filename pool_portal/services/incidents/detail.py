"""One incident for staff: the incident, its whole thread (internal notes marked), its
tasks and visits, the technicians it can be given to, and the version its open page's
live watcher compares. Functions take the ``tenant_id`` of the staff session and
answer None for an id of another tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Client,
    Incident,
    IncidentCategory,
    IncidentMessage,
    IncidentState,
    IncidentTask,
    Priority,
    Site,
    StaffUser,
    Visit,
    VisitStatus,
)
from pool_portal.services.incidents.common import Status
from pool_portal.services.incidents.notify import mark_read
from pool_portal.services.incidents.status import customer_status, upcoming_from
from pool_portal.services.incidents.thread import Entry, entries, messages_of


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    done: bool
    done_at: datetime | None
    assigned_staff_id: int | None


@dataclass(frozen=True)
class PlannedVisit:
    id: int
    status: VisitStatus
    scheduled_for: datetime | None
    technician_id: int | None
    technician: str  # the technician's name ("" when none, or not of the tenant)


@dataclass(frozen=True)
class StaffIncident:
    id: int
    reference: str
    category: IncidentCategory
    priority: Priority
    state: IncidentState
    status: Status
    site: str
    client: str
    description: str
    resolution: str  # the resolution note ("" while open)
    assigned: str  # the assigned staff user's name ("" when none)
    thread: list[Entry]
    tasks: list[Task]
    visits: list[PlannedVisit]
    technicians: list[tuple[int, str]]  # (id, name) of the tenant's active staff
    version: str


def get_for_staff(db: Session, tenant_id: int, incident_id: int) -> Incident | None:
    """The tenant's incident, or None (unknown id, another tenant's)."""
    if not isinstance(incident_id, int):
        return None
    return db.execute(
        select(Incident).where(Incident.id == incident_id, Incident.tenant_id == tenant_id)
    ).scalar_one_or_none()


def _tasks(db: Session, incident: Incident) -> list[IncidentTask]:
    return list(
        db.execute(
            select(IncidentTask)
            .where(IncidentTask.incident_id == incident.id, IncidentTask.tenant_id == incident.tenant_id)
            .order_by(IncidentTask.id)
        ).scalars()
    )


def _visits(db: Session, incident: Incident) -> list[Visit]:
    return list(
        db.execute(
            select(Visit)
            .where(Visit.incident_id == incident.id, Visit.tenant_id == incident.tenant_id)
            .order_by(Visit.id)
        ).scalars()
    )


def _task(t: IncidentTask) -> Task:
    return Task(t.id, t.title, bool(t.is_done), t.done_at, t.assigned_staff_id)


def _visit(v: Visit, names: dict[int, str]) -> PlannedVisit:
    return PlannedVisit(v.id, VisitStatus(v.status), v.scheduled_for, v.technician_id, names.get(v.technician_id, ""))


def _staff(db: Session, tenant_id: int) -> list[StaffUser]:
    return list(db.execute(select(StaffUser).where(StaffUser.tenant_id == tenant_id).order_by(StaffUser.id)).scalars())


def thread_for_staff(db: Session, tenant_id: int, incident_id: int) -> list[Entry] | None:
    """The whole timeline, internal notes included (``internal`` tells them apart)."""
    incident = get_for_staff(db, tenant_id, incident_id)
    return None if incident is None else entries(db, incident, messages_of(db, incident, include_internal=True))


def tasks_for_staff(db: Session, tenant_id: int, incident_id: int) -> list[Task] | None:
    incident = get_for_staff(db, tenant_id, incident_id)
    return None if incident is None else [_task(t) for t in _tasks(db, incident)]


def visits_for_staff(db: Session, tenant_id: int, incident_id: int) -> list[PlannedVisit] | None:
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None
    names = {s.id: s.name for s in _staff(db, tenant_id)}
    return [_visit(v, names) for v in _visits(db, incident)]


def _staff_stamp(db: Session, incident: Incident) -> str:
    last = db.execute(select(func.max(IncidentMessage.id)).where(IncidentMessage.incident_id == incident.id)).scalar()
    tasks = db.execute(
        select(func.count(), func.sum(case((IncidentTask.is_done == True, 1), else_=0))).where(
            IncidentTask.incident_id == incident.id
        )
    ).one()
    visits = db.execute(
        select(
            func.max(Visit.id),
            func.count(),
            func.max(Visit.scheduled_for),
            func.sum(case((Visit.status == VisitStatus.SCHEDULED, 1), else_=0)),
        ).where(Visit.incident_id == incident.id)
    ).one()
    return (
        f"{last}:{incident.state.value}:{incident.category.value}:{incident.priority.value}:{tuple(tasks)}:"
        f"{tuple(visits)}:{incident.updated_at}"
    )


def staff_version(db: Session, tenant_id: int, incident_id: int) -> str | None:
    """The staff page's twin of portal.portal_version: every message, task and visit
    counts."""
    incident = get_for_staff(db, tenant_id, incident_id)
    return None if incident is None else _staff_stamp(db, incident)


def staff_incident(db: Session, tenant_id: int, incident_id: int) -> StaffIncident | None:
    """The incident's staff page, read once, or None (unknown id, another tenant's)."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None
    site, client = db.get(Site, incident.site_id), db.get(Client, incident.client_id)
    staff = _staff(db, tenant_id)
    names = {s.id: s.name for s in staff}
    messages = messages_of(db, incident, include_internal=True)
    tasks, visits = _tasks(db, incident), _visits(db, incident)
    return StaffIncident(
        id=incident.id,
        reference=incident.reference,
        category=IncidentCategory(incident.category),
        priority=Priority(incident.priority),
        state=IncidentState(incident.state),
        status=customer_status(incident, tasks, visits, messages, upcoming_since=upcoming_from(db, incident.tenant_id)),
        site=site.name if site else "",
        client=client.name if client else "",
        description=incident.description,
        resolution=incident.resolution_note or "",
        assigned=names.get(incident.assigned_staff_id, ""),
        thread=entries(db, incident, messages),
        tasks=[_task(t) for t in tasks],
        visits=[_visit(v, names) for v in visits],
        technicians=[(s.id, s.name) for s in staff if s.is_active],
        version=_staff_stamp(db, incident),
    )


def open_for_staff(db: Session, tenant_id: int, staff_user_id: int, incident_id: int) -> StaffIncident | None:
    """What the staff page shows when it is opened (or refreshed by its watcher): the
    caller's notifications about the incident are marked read, then it is read."""
    mark_read(db, staff_user_id, incident_id=incident_id)
    return staff_incident(db, tenant_id, incident_id)
