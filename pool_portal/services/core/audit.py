"""The audit log: who did what, including refused calls."""

from __future__ import annotations

import json

from sqlmodel import Session

from pool_portal.models import AuditEvent


def record(
    session: Session,
    action: str,
    *,
    tenant_id: int | None = None,
    actor_kind: str = "anonymous",
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: object = None,
    ip: str | None = None,
    **detail: object,
) -> AuditEvent:
    event = AuditEvent(
        tenant_id=tenant_id,
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=ip,
        detail=json.dumps(detail, default=str, sort_keys=True) if detail else None,
    )
    session.add(event)
    return event


def by_staff(
    session: Session,
    action: str,
    tenant_id: int,
    staff_user_id: int,
    target_type: str | None = None,
    target_id: object = None,
    **detail: object,
) -> None:
    record(
        session,
        action,
        tenant_id=tenant_id,
        actor_kind="staff",
        actor_id=staff_user_id,
        target_type=target_type,
        target_id=target_id,
        **detail,
    )
