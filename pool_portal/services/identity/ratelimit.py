"""Rate limits counted from the audit log, so every worker and host shares them
(no process-local counters) and every refusal leaves a trace."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from pool_portal.models import AuditEvent, utcnow


def count_recent(
    session: Session,
    action: str,
    *,
    window: timedelta,
    target_id: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """How many ``action`` events for this target (or from this IP) within ``window``."""
    now = now or utcnow()
    query = select(func.count(AuditEvent.id)).where(AuditEvent.action == action, AuditEvent.created_at > now - window)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == target_id)
    if ip is not None:
        query = query.where(AuditEvent.ip == ip)
    return session.exec(query).one()
