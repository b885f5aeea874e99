"""Admin: staff users (list, invite, role, deactivate/reactivate). ADMIN only.

The tenant always keeps at least one active ADMIN: deactivating or demoting the last
one is refused (``admin.staff.error.last_admin``). The active ADMIN rows are read
FOR UPDATE (PostgreSQL), so two admins demoting each other at once cannot both
succeed; SQLite serialises writers. Deactivating someone ends all their sessions at
once. The tenant's "first active ADMIN" (lowest id, who gets staff notifications,
see records._notify_staff) is simply recomputed, so it moves on by itself. An invited
staff member sets their password through ``identity.access.accept_staff_invitation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from pool_portal.models import StaffRole, StaffUser, Tenant, TokenPurpose, utcnow
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND, Errors
from pool_portal.services.identity import tokens
from pool_portal.services.identity.access import normalise_email
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.identity.auth import end_all_sessions
from pool_portal.services.identity.outgoing import Outgoing, link, send_after_commit

MAX_NAME = 120


@dataclass(frozen=True)
class StaffMember:
    """A staff user as Admin → Staff users lists them."""

    id: int
    name: str
    email: str
    role: StaffRole
    is_active: bool
    invited: bool  # never set a password
    last_sign_in: datetime | None
    is_you: bool  # the staff user looking at the list


def list_staff(session: Session, tenant_id: int, staff_user_id: int) -> list[StaffMember]:
    """The tenant's staff by name."""
    acting_staff(session, tenant_id, staff_user_id)
    users = session.exec(
        select(StaffUser).where(StaffUser.tenant_id == tenant_id).order_by(func.lower(StaffUser.name), StaffUser.id)
    ).all()
    return [
        StaffMember(
            id=u.id,
            name=u.name,
            email=u.email,
            role=u.role,
            is_active=u.is_active,
            invited=u.password_hash is None,
            last_sign_in=u.last_login_at,
            is_you=u.id == staff_user_id,
        )
        for u in users
    ]


def first_active_admin(session: Session, tenant_id: int) -> int | None:
    """The lowest-id active ADMIN: who receives staff notifications."""
    return session.exec(
        select(StaffUser.id)
        .where(
            StaffUser.tenant_id == tenant_id,
            StaffUser.role == StaffRole.ADMIN,
            StaffUser.is_active == True,
        )
        .order_by(StaffUser.id)
    ).first()


def _parse_role(role: object) -> StaffRole | None:
    try:
        return StaffRole(role.value if isinstance(role, StaffRole) else str(role).strip().upper())
    except ValueError:
        return None


def invite_staff(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    email: str,
    name: str,
    role: StaffRole | str,
    *,
    now: datetime | None = None,
) -> tuple[int | None, Errors]:
    """Create a staff user without a password and an invitation (3 days) to set one at
    /admin/set-password, mailed after the commit. Returns (id, {}) or (None, errors)
    having written nothing."""
    inviter = acting_staff(session, tenant_id, staff_user_id)
    errors: dict[str, str] = {}
    address = normalise_email(str(email or ""))
    name = " ".join(str(name or "").split())
    parsed = _parse_role(role)
    if address is None:
        errors["email"] = "admin.staff.error.email"
    elif session.exec(select(StaffUser.id).where(StaffUser.tenant_id == tenant_id, StaffUser.email == address)).first():
        errors["email"] = "admin.staff.error.email_taken"
    if not 1 <= len(name) <= MAX_NAME:
        errors["name"] = "admin.staff.error.name"
    if parsed is None:
        errors["role"] = "admin.staff.error.role"
    if errors:
        return None, errors
    tenant = session.get(Tenant, tenant_id)
    user = StaffUser(tenant_id=tenant_id, email=address, name=name, role=parsed, language=inviter.language)
    session.add(user)
    session.flush()
    token = tokens.issue(session, TokenPurpose.STAFF_INVITATION, user, now=now, revoke_older=True)
    by_staff(session, "admin.staff.invited", tenant_id, staff_user_id, "staff_user", user.id, role=parsed.value)
    invitation = Outgoing(
        "staff_invitation",
        address,
        user.language,
        {
            "tenant_name": tenant.name,
            "link": link("/admin/set-password", token),
            "days": 3,
            "inviter_name": inviter.name,
        },
    )
    send_after_commit(session, [invitation])
    return user.id, {}


def _target(session: Session, tenant_id: int, target_id: object) -> StaffUser | None:
    try:
        user = session.get(StaffUser, int(target_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.tenant_id == tenant_id else None


def _other_active_admins(session: Session, tenant_id: int, except_id: int) -> int:
    rows = session.exec(
        select(StaffUser.id)
        .where(
            StaffUser.tenant_id == tenant_id,
            StaffUser.role == StaffRole.ADMIN,
            StaffUser.is_active == True,
            StaffUser.id != except_id,
        )
        .with_for_update()
    ).all()
    return len(rows)


def set_staff_role(
    session: Session, tenant_id: int, staff_user_id: int, target_id: int, role: StaffRole | str
) -> Errors:
    """Change a staff member's role; demoting the last active ADMIN is refused."""
    acting_staff(session, tenant_id, staff_user_id)
    user = _target(session, tenant_id, target_id)
    if user is None:
        return {"staff_user_id": NOT_FOUND}
    parsed = _parse_role(role)
    if parsed is None:
        return {"role": "admin.staff.error.role"}
    if parsed == user.role:
        return {}
    if user.role == StaffRole.ADMIN and user.is_active and _other_active_admins(session, tenant_id, user.id) == 0:
        return {"role": "admin.staff.error.last_admin"}
    old, user.role = user.role, parsed
    session.add(user)
    by_staff(
        session,
        "admin.staff.role_changed",
        tenant_id,
        staff_user_id,
        "staff_user",
        user.id,
        old=old.value,
        role=parsed.value,
    )
    return {}


def set_staff_active(
    session: Session, tenant_id: int, staff_user_id: int, target_id: int, active: bool, *, now: datetime | None = None
) -> Errors:
    """Deactivate (ending every session of theirs at once) or reactivate a staff member;
    deactivating the last active ADMIN (yourself included) is refused."""
    acting_staff(session, tenant_id, staff_user_id)
    user = _target(session, tenant_id, target_id)
    if user is None:
        return {"staff_user_id": NOT_FOUND}
    if bool(active) == user.is_active:
        return {}
    if not active and user.role == StaffRole.ADMIN and _other_active_admins(session, tenant_id, user.id) == 0:
        return {"staff_user_id": "admin.staff.error.last_admin"}
    user.is_active = bool(active)
    session.add(user)
    ended = 0
    if not active:
        ended = end_all_sessions(session, user, now or utcnow())
    by_staff(
        session,
        "admin.staff.reactivated" if active else "admin.staff.deactivated",
        tenant_id,
        staff_user_id,
        "staff_user",
        user.id,
        sessions_ended=ended,
    )
    return {}
