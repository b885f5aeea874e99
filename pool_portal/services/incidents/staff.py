"""Staff handling an incident: classify it, internal tasks, schedule its visit, internal
notes and replies to the customer, solve and reopen.

Every function takes the ``tenant_id`` and the user id of the staff session, answers
``(result, {})`` or ``(None, {field: translation key})`` (``incident.error.not_found``
for an id of another tenant), writes an audit event, and never commits: the caller's
unit of work does, and the reporter's mail goes out only after that commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Incident,
    IncidentCategory,
    IncidentMessage,
    IncidentState,
    IncidentTask,
    MessageAuthor,
    NotificationKind,
    Priority,
    StaffUser,
    Visit,
    VisitStatus,
    utcnow,
)
from pool_portal.services.core import audit
from pool_portal.services.incidents import notify
from pool_portal.services.incidents.common import (
    CATEGORIES,
    E_BODY_LONG,
    E_CATEGORY,
    E_DATE,
    E_NOT_FOUND,
    E_NOT_SOLVED,
    E_PRIORITY,
    E_RESOLUTION,
    E_SOLVED,
    E_TASK_TITLE,
    E_TECHNICIAN,
    MAX_RESOLUTION,
    MAX_TASK_TITLE,
    PRIORITIES,
    check_body,
)
from pool_portal.services.incidents.detail import get_for_staff


def _audit(db: Session, action: str, tenant_id: int, staff_user_id: int, incident_id: int, **detail) -> None:
    audit.by_staff(db, action, tenant_id, staff_user_id, "incident", incident_id, **detail)


def _staff_of_tenant(db: Session, tenant_id: int, staff_id: int | None) -> StaffUser | None:
    if not isinstance(staff_id, int):
        return None
    staff = db.get(StaffUser, staff_id)
    return staff if staff is not None and staff.tenant_id == tenant_id and staff.is_active else None


def classify(
    db: Session, tenant_id: int, staff_user_id: int, incident_id: int, category: str, priority: str
) -> tuple[Incident | None, dict[str, str]]:
    """Set category and priority."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    errors = {}
    if category not in CATEGORIES:
        errors["category"] = E_CATEGORY
    if priority not in PRIORITIES:
        errors["priority"] = E_PRIORITY
    if errors:
        return None, errors
    incident.category, incident.priority, incident.updated_at = IncidentCategory(category), Priority(priority), utcnow()
    _audit(db, "incident.classified", tenant_id, staff_user_id, incident.id, category=category, priority=priority)
    return incident, {}


def add_task(
    db: Session,
    tenant_id: int,
    staff_user_id: int,
    incident_id: int,
    title: str,
    assigned_staff_id: int | None = None,
) -> tuple[IncidentTask | None, dict[str, str]]:
    """An internal task (never shown to the customer; it moves the status to IN_PROCESS)."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    title = " ".join((title or "").split())
    errors = {}
    if not title or len(title) > MAX_TASK_TITLE:
        errors["title"] = E_TASK_TITLE
    if assigned_staff_id is not None and _staff_of_tenant(db, tenant_id, assigned_staff_id) is None:
        errors["assigned_staff_id"] = E_TECHNICIAN
    if errors:
        return None, errors
    task = IncidentTask(tenant_id=tenant_id, incident_id=incident.id, title=title, assigned_staff_id=assigned_staff_id)
    db.add(task)
    incident.updated_at = utcnow()
    db.flush()
    _audit(db, "incident.task_added", tenant_id, staff_user_id, incident.id, task_id=task.id)
    return task, {}


def complete_task(
    db: Session, tenant_id: int, staff_user_id: int, task_id: int, done: bool = True
) -> tuple[IncidentTask | None, dict[str, str]]:
    """Mark a task done (or open again with done=False)."""
    task = (
        db.execute(
            select(IncidentTask).where(IncidentTask.id == task_id, IncidentTask.tenant_id == tenant_id)
        ).scalar_one_or_none()
        if isinstance(task_id, int)
        else None
    )
    if task is None:
        return None, {"form": E_NOT_FOUND}
    task.is_done, task.done_at = bool(done), (utcnow() if done else None)
    _audit(
        db,
        "incident.task_done" if done else "incident.task_reopened",
        tenant_id,
        staff_user_id,
        task.incident_id,
        task_id=task.id,
    )
    return task, {}


def schedule_visit(
    db: Session,
    tenant_id: int,
    staff_user_id: int,
    incident_id: int,
    when: date | datetime,
    technician_staff_id: int,
) -> tuple[Visit | None, dict[str, str]]:
    """Plan the incident's visit: the open (PENDING/SCHEDULED) one is updated, else a new
    one is made; status SCHEDULED with the date and an active staff user of the tenant.
    A date without a time is stored as 09:00 UTC."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    errors = {}
    if isinstance(when, datetime):
        when_at = when if when.tzinfo else when.replace(tzinfo=UTC)
    elif isinstance(when, date):
        when_at = datetime.combine(when, time(9), tzinfo=UTC)
    else:
        when_at = None
        errors["date"] = E_DATE
    if _staff_of_tenant(db, tenant_id, technician_staff_id) is None:
        errors["technician"] = E_TECHNICIAN
    if incident.state == IncidentState.SOLVED:
        errors["form"] = E_SOLVED
    if errors:
        return None, errors
    visit = (
        db.execute(
            select(Visit)
            .where(
                Visit.incident_id == incident.id,
                Visit.tenant_id == tenant_id,
                Visit.status.in_([VisitStatus.PENDING, VisitStatus.SCHEDULED]),
            )
            .order_by(Visit.id)
            .limit(1)
        )
        .scalars()
        .first()
    )
    if visit is None:
        visit = Visit(tenant_id=tenant_id, site_id=incident.site_id, incident_id=incident.id)
        db.add(visit)
    visit.status, visit.scheduled_for, visit.technician_id = VisitStatus.SCHEDULED, when_at, technician_staff_id
    incident.updated_at = utcnow()
    db.flush()
    _audit(
        db,
        "incident.visit_scheduled",
        tenant_id,
        staff_user_id,
        incident.id,
        visit_id=visit.id,
        when=when_at.isoformat(),
        technician=technician_staff_id,
    )
    return visit, {}


def staff_reply(
    db: Session, tenant_id: int, staff_user_id: int, incident_id: int, body: str, internal: bool
) -> tuple[IncidentMessage | None, dict[str, str]]:
    """An internal note (staff only) or a reply sent to the customer portal. A public
    reply notifies the reporter (INCIDENT_REPLY) and, after the commit, mails them when
    they want replies by mail (``notify_on_reply``)."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    body, errors = check_body(body)
    if errors:
        return None, errors
    message = IncidentMessage(
        tenant_id=tenant_id,
        incident_id=incident.id,
        author_kind=MessageAuthor.STAFF,
        staff_user_id=staff_user_id,
        body=body,
        is_internal=bool(internal),
    )
    db.add(message)
    incident.updated_at = utcnow()
    if not internal:
        notify.tell_reporter(
            db,
            incident,
            NotificationKind.INCIDENT_REPLY,
            f"New reply on {incident.reference}",
            body,
            "incident_reply",
            excerpt=body[:500],
        )
    db.flush()
    _audit(
        db,
        "incident.note" if internal else "incident.reply",
        tenant_id,
        staff_user_id,
        incident.id,
        message_id=message.id,
    )
    return message, {}


def solve(
    db: Session, tenant_id: int, staff_user_id: int, incident_id: int, resolution_note: str
) -> tuple[Incident | None, dict[str, str]]:
    """Mark solved with a resolution note (required; shown to the customer as the
    closure). Client messages are refused from then on. Notifies the reporter
    (INCIDENT_SOLVED) and, after the commit, mails them (``notify_on_reply``)."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    note = (resolution_note or "").strip()
    if not note or len(note) > MAX_RESOLUTION:
        return None, {"resolution_note": E_RESOLUTION if not note else E_BODY_LONG}
    if incident.state == IncidentState.SOLVED:
        return None, {"form": E_SOLVED}
    now = utcnow()
    incident.state, incident.resolution_note, incident.solved_at, incident.updated_at = (
        IncidentState.SOLVED,
        note,
        now,
        now,
    )
    notify.tell_reporter(
        db,
        incident,
        NotificationKind.INCIDENT_SOLVED,
        f"Incident {incident.reference} solved",
        note,
        "incident_solved",
        resolution=note[:2000],
    )
    _audit(db, "incident.solved", tenant_id, staff_user_id, incident.id)
    return incident, {}


def reopen(db: Session, tenant_id: int, staff_user_id: int, incident_id: int) -> tuple[Incident | None, dict[str, str]]:
    """Open a solved incident again (the old note is kept in the audit log, cleared on
    the incident); the client may post again."""
    incident = get_for_staff(db, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    if incident.state != IncidentState.SOLVED:
        return None, {"form": E_NOT_SOLVED}
    _audit(db, "incident.reopened", tenant_id, staff_user_id, incident.id, previous_note=incident.resolution_note)
    incident.state, incident.resolution_note, incident.solved_at, incident.updated_at = (
        IncidentState.OPEN,
        None,
        None,
        utcnow(),
    )
    return incident, {}
