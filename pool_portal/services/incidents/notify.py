"""Who is told about an incident, and how: a notification row (the bell, the portal's
notifications), written in the transaction of the change it is about, and a mail,
queued only after that transaction committed (``uow.after_commit``). A mail that was
queued marks its notification ``emailed_at``, in a unit of work of its own; a mail
that could not be queued is logged and never undoes what was saved. A transaction
that fails sends nothing.

Staff are told about new incidents and client messages (always by mail too); the
reporter about public replies and the solution (by mail when they want replies by
mail, ``notify_on_reply``). The bell counts a staff user's unread notifications."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pool_portal.db import session_scope
from pool_portal.models import (
    Incident,
    Notification,
    NotificationKind,
    PortalUser,
    StaffRole,
    StaffUser,
    Tenant,
    utcnow,
)
from pool_portal.services.core import uow
from pool_portal.services.incidents.common import admin_path, link, portal_path
from pool_portal.services.infra import mail

log = logging.getLogger("pool_portal.incidents")


def send_mail(kind: str, to: str, lang: str, **params: object) -> None:
    """Queue one mail (tests replace this)."""
    mail.send_in_background(mail.Message.from_template(kind, to, lang, **params))


def _mail_after_commit(db: Session, note: Notification, kind: str, to: str, lang: str, **params: object) -> None:
    """Once the unit of work of ``db`` has committed: queue the mail, then mark the
    (flushed) notification as emailed."""
    engine, note_id = db.get_bind(), note.id

    def effect() -> None:
        try:
            send_mail(kind, to, lang, **params)
        except Exception:  # a mail problem never undoes what was saved
            log.exception("incident mail %s to %s not queued", kind, to)
            return
        with session_scope(engine) as own:
            own.execute(update(Notification).where(Notification.id == note_id).values(emailed_at=utcnow()))

    uow.after_commit(db, effect)


def _tenant_name(db: Session, tenant_id: int) -> str:
    tenant = db.get(Tenant, tenant_id)
    return tenant.name if tenant else ""


# -- staff ------------------------------------------------------------------------------------
def first_active_admin(db: Session, tenant_id: int) -> StaffUser | None:
    """The tenant's active ADMIN with the lowest id."""
    return (
        db.execute(
            select(StaffUser)
            .where(StaffUser.tenant_id == tenant_id, StaffUser.role == StaffRole.ADMIN, StaffUser.is_active == True)
            .order_by(StaffUser.id)
            .limit(1)
        )
        .scalars()
        .first()
    )


def responsible_admin(db: Session, incident: Incident) -> StaffUser | None:
    """The assigned staff user while active, else the first active ADMIN."""
    if incident.assigned_staff_id is not None:
        staff = db.get(StaffUser, incident.assigned_staff_id)
        if staff is not None and staff.is_active and staff.tenant_id == incident.tenant_id:
            return staff
    return first_active_admin(db, incident.tenant_id)


def tell_staff(
    db: Session,
    incident: Incident,
    staff: StaffUser,
    kind: NotificationKind,
    title: str,
    body: str,
    mail_kind: str,
    **mail_params: object,
) -> Notification:
    """A notification for a staff user (linking to the staff page of the incident) and,
    after commit, a ``mail_kind`` mail to them."""
    note = Notification(
        tenant_id=incident.tenant_id,
        kind=kind,
        staff_user_id=staff.id,
        title=title[:200],
        body=body[:2000],
        link=admin_path(incident.id),
        incident_id=incident.id,
    )
    db.add(note)
    db.flush()
    _mail_after_commit(
        db,
        note,
        mail_kind,
        staff.email,
        staff.language,
        tenant_name=_tenant_name(db, incident.tenant_id),
        reference=incident.reference,
        link=link(admin_path(incident.id)),
        **mail_params,
    )
    return note


# -- the reporter -----------------------------------------------------------------------------
def tell_reporter(
    db: Session,
    incident: Incident,
    kind: NotificationKind,
    title: str,
    body: str,
    mail_kind: str,
    **mail_params: object,
) -> Notification | None:
    """A notification for the reporter (when still an active user of the tenant) and,
    after commit, a ``mail_kind`` mail when they want replies by mail."""
    if incident.reported_by_portal_user_id is None:
        return None
    user = db.get(PortalUser, incident.reported_by_portal_user_id)
    if user is None or not user.is_active or user.tenant_id != incident.tenant_id:
        return None
    note = Notification(
        tenant_id=incident.tenant_id,
        kind=kind,
        portal_user_id=user.id,
        title=title[:200],
        body=body[:2000],
        link=portal_path(incident.id),
        incident_id=incident.id,
    )
    db.add(note)
    db.flush()
    if user.notify_on_reply:
        _mail_after_commit(
            db,
            note,
            mail_kind,
            user.email,
            user.language,
            tenant_name=_tenant_name(db, incident.tenant_id),
            reference=incident.reference,
            link=link(portal_path(incident.id)),
            **mail_params,
        )
    return note


# -- the bell ---------------------------------------------------------------------------------
def unread_count(db: Session, staff_user_id: int) -> int:
    """Unread notifications of a staff user (the bell)."""
    return db.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.staff_user_id == staff_user_id, Notification.is_read == False)
    ).scalar_one()


def mark_read(
    db: Session, staff_user_id: int, *, notification_id: int | None = None, incident_id: int | None = None
) -> int:
    """Mark the staff user's notifications read: one, those of an incident, or (neither
    given) all. Only the user's own; returns how many changed."""
    where = [Notification.staff_user_id == staff_user_id, Notification.is_read == False]
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    if incident_id is not None:
        where.append(Notification.incident_id == incident_id)
    result = db.execute(update(Notification).where(*where).values(is_read=True))
    return result.rowcount or 0
