"""What the portal tells the tenant's staff: a notification for its first active ADMIN
when a client decides a quote or requests a job, linking to the record's staff page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Notification, NotificationKind, StaffRole, StaffUser


def admin_link(page: str, record_id: int) -> str:
    """The staff page of a record ("quote", "job", ...): /admin/<page>?id=<id>, as the
    app routes them (pool_portal.py)."""
    return f"/admin/{page}?id={int(record_id)}"


def notify_staff(
    session: Session,
    tenant_id: int,
    title: str,
    body: str,
    link: str,
    kind: NotificationKind = NotificationKind.QUOTE_DECIDED,
) -> None:
    """A notification for the tenant's first active ADMIN."""
    admin = (
        session.execute(
            select(StaffUser.id)
            .where(StaffUser.tenant_id == tenant_id, StaffUser.role == StaffRole.ADMIN, StaffUser.is_active == True)
            .order_by(StaffUser.id)
        )
        .scalars()
        .first()
    )
    if admin is not None:
        session.add(
            Notification(tenant_id=tenant_id, kind=kind, staff_user_id=admin, title=title, body=body[:2000], link=link)
        )
