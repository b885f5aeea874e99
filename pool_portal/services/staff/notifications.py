"""A staff user's notifications (the bell's list): what happened for them to look at.

Only the caller's own notifications, of their tenant. Opening one marks it read and
gives the page it points to; a link that is not one of the app's own pages (an old row,
a bad import) is never followed.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pool_portal.models import Notification
from pool_portal.services.core.clock import tenant_zone
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.scope import Viewer

PAGE_SIZE = 25


def _own(viewer: Viewer):
    if not viewer.is_staff:
        raise PermissionError("staff only")
    return (Notification.tenant_id == viewer.tenant_id, Notification.staff_user_id == viewer.user_id)


def safe_link(link: str | None) -> str:
    """The notification's page inside the app (a path starting with one "/"), else ""."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link or any(ord(c) < 32 for c in link):
        return ""
    return link


def list_for(session: Session, viewer: Viewer, *, unread_only: bool = False, page: int = 1) -> dict:
    """One page of the caller's notifications, newest first, and the counts."""
    own = _own(viewer)
    where = [*own]
    if unread_only:
        where.append(Notification.is_read == False)
    total = session.execute(select(func.count()).select_from(Notification).where(*where)).scalar_one()
    unread = session.execute(
        select(func.count()).select_from(Notification).where(*own, Notification.is_read == False)
    ).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    zone = tenant_zone(session, viewer.tenant_id)
    found = (
        session.execute(
            select(Notification)
            .where(*where)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    rows = []
    for n in found:
        created = n.created_at
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        rows.append(
            {
                "id": str(n.id),
                "kind": n.kind.value,
                "title": n.title,
                "body": n.body or "",
                "when": created.astimezone(zone).strftime("%Y-%m-%d %H:%M") if created else "",
                "read": "1" if n.is_read else "",
                "has_link": "1" if safe_link(n.link) else "",
            }
        )
    return {"rows": rows, "total": total, "unread": unread, "page": page, "pages": pages}


def open_one(session: Session, viewer: Viewer, notification_id: int) -> str | None:
    """Mark the caller's notification read; its page ("" when it has none), or None when
    it is not the caller's (another user's or tenant's id: not found, nothing changes)."""
    if parse_id(notification_id) is None:
        return None
    n = session.execute(
        select(Notification).where(*_own(viewer), Notification.id == notification_id)
    ).scalar_one_or_none()
    if n is None:
        return None
    if not n.is_read:
        n.is_read = True
        session.commit()
    return safe_link(n.link)


def mark_all_read(session: Session, viewer: Viewer) -> int:
    """Mark all the caller's notifications read; how many changed."""
    result = session.execute(
        update(Notification).where(*_own(viewer), Notification.is_read == False).values(is_read=True)
    )
    session.commit()
    return result.rowcount or 0
