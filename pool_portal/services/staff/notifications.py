"""A staff user's notifications (the bell's list): what happened for them to look at.

Only the caller's own notifications, of their tenant. Opening one marks it read and
gives the page it points to; a link that is not one of the app's own pages (an old row,
a bad import) is never followed. Nothing commits: the caller's unit of work does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pool_portal.models import Notification, NotificationKind
from pool_portal.services.core.clock import tenant_zone
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.scope import Viewer

PAGE_SIZE = 25


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: NotificationKind
    title: str
    body: str
    created_at: datetime | None
    read: bool
    has_link: bool  # it points to one of the app's own pages


@dataclass(frozen=True)
class NotificationPage:
    """One page of the caller's notifications, newest first, the counts, and the
    tenant's time zone (the times are shown in it)."""

    rows: list[NotificationRow]
    total: int
    unread: int
    page: int
    pages: int
    zone: ZoneInfo


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


def list_for(session: Session, viewer: Viewer, *, unread_only: bool = False, page: int = 1) -> NotificationPage:
    """One page of the caller's notifications (only the unread ones with ``unread_only``)."""
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
    rows = [
        NotificationRow(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body or "",
            created_at=n.created_at,
            read=bool(n.is_read),
            has_link=bool(safe_link(n.link)),
        )
        for n in found
    ]
    return NotificationPage(
        rows=rows,
        total=total,
        unread=unread,
        page=page,
        pages=pages,
        zone=tenant_zone(session, viewer.tenant_id),
    )


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
        session.add(n)
    return safe_link(n.link)


def mark_all_read(session: Session, viewer: Viewer) -> int:
    """Mark all the caller's notifications read; how many changed."""
    result = session.execute(
        update(Notification).where(*_own(viewer), Notification.is_read == False).values(is_read=True)
    )
    return result.rowcount or 0
