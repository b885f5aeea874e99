"""Staff managing their contacts' portal access (ADMIN and OFFICE): invitations to set a
password, where each contact stands, disabling and re-enabling, a first password set
by staff.

The staff member is a ``Viewer`` of the staff side; only contacts of their own tenant
are touched (another tenant's id is skipped or "not found"). Invitations are mailed
once the caller's unit of work has committed (``outgoing.send_after_commit``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from pool_portal.models import AuthToken, Client, ClientGroup, Membership, PortalUser, Tenant, TokenPurpose, utcnow
from pool_portal.services.core import audit
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import tokens
from pool_portal.services.identity.access import SET_PASSWORD_PURPOSES
from pool_portal.services.identity.auth import end_all_sessions
from pool_portal.services.identity.outgoing import Outgoing, link, send_after_commit
from pool_portal.services.identity.passwords import hash_password, password_problem


class AccessStatus(enum.StrEnum):
    """Where a contact stands with the portal."""

    ACTIVE = "active"  # has a password
    INVITED = "invited"  # a live invitation (or reset link)
    EXPIRED = "expired"  # their last link expired, was used up or revoked
    NONE = "none"  # never invited
    DISABLED = "disabled"  # switched off by staff


@dataclass(frozen=True)
class PortalContact:
    """A contact of the tenant, the clients and groups they reach, and their status."""

    id: int
    name: str
    email: str
    access: str  # the names of the clients and groups they have access to, by name
    status: AccessStatus
    last_login: datetime | None


def _office(staff: Viewer, what: str) -> None:
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        raise PermissionError(f"only ADMIN and OFFICE staff {what}")


def invite_contacts(
    session: Session, staff: Viewer, portal_user_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Invite (or re-invite: older links stop working) contacts of the staff member's
    own tenant; the invitations are mailed after the commit. Ids of another tenant or
    disabled contacts are skipped. How many were invited."""
    _office(staff, "invite contacts")
    now = now or utcnow()
    users = session.exec(
        select(PortalUser).where(
            PortalUser.tenant_id == staff.tenant_id,
            col(PortalUser.id).in_(list(portal_user_ids)),
            PortalUser.is_active == True,
        )
    ).all()
    tenant = session.get(Tenant, staff.tenant_id)
    tenant_name = tenant.name if tenant else ""
    mails = []
    for user in users:
        token = tokens.issue(session, TokenPurpose.INVITATION, user, now=now, revoke_older=True)
        audit.record(
            session,
            "invitation.sent",
            tenant_id=staff.tenant_id,
            actor_kind="staff",
            actor_id=staff.user_id,
            target_type="portal_user",
            target_id=user.id,
        )
        mails.append(
            Outgoing(
                "invitation",
                user.email,
                user.language,
                {
                    "tenant_name": tenant_name,
                    "link": link("/portal/set-password", token),
                    "days": 3,
                    "inviter_name": staff.name,
                },
            )
        )
    send_after_commit(session, mails)
    return len(mails)


def contact_rows(session: Session, staff: Viewer, now: datetime | None = None) -> list[PortalContact]:
    """The tenant's portal contacts (by name) with their clients and groups and their
    portal access status (``AccessStatus``)."""
    _office(staff, "manage portal access")
    now = now or utcnow()
    users = session.exec(
        select(PortalUser).where(PortalUser.tenant_id == staff.tenant_id).order_by(PortalUser.name, PortalUser.id)
    ).all()
    ids = [u.id for u in users]
    if not ids:
        return []
    memberships = session.exec(
        select(Membership.portal_user_id, Client.name, ClientGroup.name)
        .outerjoin(Client, Client.id == Membership.client_id)
        .outerjoin(ClientGroup, ClientGroup.id == Membership.group_id)
        .where(Membership.tenant_id == staff.tenant_id, col(Membership.portal_user_id).in_(ids))
    ).all()
    access_to: dict[int, list[str]] = {}
    for uid, client_name, group_name in memberships:
        access_to.setdefault(uid, []).append(client_name or group_name or "")
    latest: dict[int, AuthToken] = {}
    for tok in session.exec(
        select(AuthToken)
        .where(
            AuthToken.tenant_id == staff.tenant_id,
            col(AuthToken.portal_user_id).in_(ids),
            col(AuthToken.purpose).in_(SET_PASSWORD_PURPOSES),
        )
        .order_by(AuthToken.created_at)
    ).all():
        latest[tok.portal_user_id] = tok
    return [
        PortalContact(
            id=u.id,
            name=u.name,
            email=u.email,
            access=", ".join(sorted(access_to.get(u.id, []))),
            status=_status(u, latest.get(u.id), now),
            last_login=u.last_login_at,
        )
        for u in users
    ]


def _status(user: PortalUser, last_link: AuthToken | None, now: datetime) -> AccessStatus:
    if not user.is_active:
        return AccessStatus.DISABLED
    if user.password_hash:
        return AccessStatus.ACTIVE
    if last_link is None:
        return AccessStatus.NONE
    if last_link.used_at is None and last_link.revoked_at is None and last_link.expires_at > now:
        return AccessStatus.INVITED
    return AccessStatus.EXPIRED


def set_contact_active(session: Session, staff: Viewer, portal_user_id: int, active: bool) -> bool:
    """Disable (ending every session at once) or re-enable a contact of the tenant."""
    _office(staff, "manage portal access")
    user = session.get(PortalUser, portal_user_id)
    if user is None or user.tenant_id != staff.tenant_id:
        return False
    user.is_active = active
    session.add(user)
    if not active:
        end_all_sessions(session, user)
    audit.record(
        session,
        "contact.enabled" if active else "contact.disabled",
        tenant_id=staff.tenant_id,
        actor_kind="staff",
        actor_id=staff.user_id,
        target_type="portal_user",
        target_id=user.id,
    )
    return True


def set_initial_password(session: Session, staff: Viewer, portal_user_id: int, password: str) -> str | None:
    """Staff set a contact's first password (for contacts without email access); the
    contact must choose their own at the next sign-in. Returns a message key or None."""
    _office(staff, "manage portal access")
    user = session.get(PortalUser, portal_user_id)
    if user is None or user.tenant_id != staff.tenant_id:
        return "contacts.notice.not_found"
    problem = password_problem(password)
    if problem:
        return problem
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.add(user)
    end_all_sessions(session, user)
    audit.record(
        session,
        "password.set_by_staff",
        tenant_id=staff.tenant_id,
        actor_kind="staff",
        actor_id=staff.user_id,
        target_type="portal_user",
        target_id=user.id,
    )
    return None
