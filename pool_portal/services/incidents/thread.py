"""An incident's thread as both sides read it: its messages, oldest first, each with
its photos, then the closure (the resolution note) when it is solved. The portal's
thread leaves internal notes out; the staff's has them, marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Incident,
    IncidentAttachment,
    IncidentMessage,
    IncidentState,
    MessageAuthor,
    PortalUser,
    StaffUser,
)

MESSAGE, RESOLUTION = "message", "resolution"


@dataclass(frozen=True)
class Attachment:
    id: int
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Entry:
    """One entry of the thread: a message (``kind`` "message") or the closure
    ("resolution", ``id`` None)."""

    kind: str
    id: int | None
    author: MessageAuthor
    author_name: str  # the staff user's or the portal user's name ("" for the closure)
    body: str
    internal: bool
    at: datetime | None
    attachments: list[Attachment] = field(default_factory=list)


def messages_of(db: Session, incident: Incident, *, include_internal: bool) -> list[IncidentMessage]:
    """The incident's messages, oldest first (internal notes only when asked)."""
    query = select(IncidentMessage).where(
        IncidentMessage.incident_id == incident.id, IncidentMessage.tenant_id == incident.tenant_id
    )
    if not include_internal:
        query = query.where(IncidentMessage.is_internal == False)
    return list(db.execute(query.order_by(IncidentMessage.created_at, IncidentMessage.id)).scalars())


def _attachments_by_message(db: Session, incident_id: int, message_ids: list[int]) -> dict[int, list[Attachment]]:
    found: dict[int, list[Attachment]] = {}
    if not message_ids:
        return found
    rows = db.execute(
        select(IncidentAttachment)
        .where(IncidentAttachment.incident_id == incident_id, IncidentAttachment.message_id.in_(message_ids))
        .order_by(IncidentAttachment.id)
    ).scalars()
    for a in rows:
        found.setdefault(a.message_id, []).append(Attachment(a.id, a.original_name, a.content_type, a.size_bytes))
    return found


def entries(db: Session, incident: Incident, messages: list[IncidentMessage]) -> list[Entry]:
    """The thread of ``messages`` (from ``messages_of``), then the closure when solved."""
    files = _attachments_by_message(db, incident.id, [m.id for m in messages])
    staff_ids = {m.staff_user_id for m in messages if m.staff_user_id}
    user_ids = {m.portal_user_id for m in messages if m.portal_user_id}
    staff_names = dict(
        db.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids or {-1}))).all()
    )
    user_names = dict(
        db.execute(select(PortalUser.id, PortalUser.name).where(PortalUser.id.in_(user_ids or {-1}))).all()
    )
    out = [
        Entry(
            kind=MESSAGE,
            id=m.id,
            author=MessageAuthor(m.author_kind),
            author_name=staff_names.get(m.staff_user_id) or user_names.get(m.portal_user_id) or "",
            body=m.body,
            internal=bool(m.is_internal),
            at=m.created_at,
            attachments=files.get(m.id, []),
        )
        for m in messages
    ]
    if incident.state == IncidentState.SOLVED and incident.resolution_note:
        out.append(
            Entry(
                kind=RESOLUTION,
                id=None,
                author=MessageAuthor.STAFF,
                author_name="",
                body=incident.resolution_note,
                internal=False,
                at=incident.solved_at,
            )
        )
    return out


def thread(db: Session, incident: Incident, *, include_internal: bool) -> list[Entry]:
    return entries(db, incident, messages_of(db, incident, include_internal=include_internal))
