"""Admin → one client → Contacts: giving a person portal access to the client (a new
contact, or the tenant's existing contact with that email), optionally with an
invitation. Inviting, disabling and a first password are ``identity.contacts``.

Conventions as in ``staff.portal_admin``; ADMIN and OFFICE staff. Errors come back as
``{field: translation key}`` having written nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from pool_portal.models import Membership, MembershipRole, PortalUser
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND, Errors
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import tenant_client
from pool_portal.services.identity.access import normalise_email
from pool_portal.services.identity.acting import acting_staff, staff_viewer
from pool_portal.services.identity.contacts import invite_contacts

MAX_CONTACT_NAME = 120


def add_contact(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    client_id: int,
    name: str,
    email: str,
    role: MembershipRole | str = MembershipRole.MANAGER,
    *,
    invite: bool = True,
    now: datetime | None = None,
) -> tuple[int | None, Errors, bool]:
    """Give a person portal access to one client: a new contact (or the tenant's
    existing contact with that email, whose other access stays) with a membership of
    this client and ``role``; with ``invite`` an invitation to set a password (3 days),
    mailed after the commit, unless they have one already. Returns (contact id, {},
    whether invited) or (None, errors, False) having written nothing."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return None, {"client_id": NOT_FOUND}, False
    errors: Errors = {}
    address = normalise_email(str(email or ""))
    name = " ".join(str(name or "").split())
    if address is None:
        errors["email"] = "admin.contact.error.email"
    if not 1 <= len(name) <= MAX_CONTACT_NAME:
        errors["name"] = "admin.contact.error.name"
    try:
        role = MembershipRole(role.value if isinstance(role, MembershipRole) else str(role).strip().upper())
    except ValueError:
        errors["role"] = "admin.group.error.role"
    user = (
        session.exec(select(PortalUser).where(PortalUser.tenant_id == tenant_id, PortalUser.email == address)).first()
        if address
        else None
    )
    if user is not None and not user.is_active:
        errors["email"] = "admin.contact.error.disabled"
    existing = (
        session.exec(
            select(Membership).where(Membership.portal_user_id == user.id, Membership.client_id == client.id)
        ).first()
        if user
        else None
    )
    if existing is not None and existing.is_active:
        errors["email"] = "admin.contact.error.already"
    if errors:
        return None, errors, False
    if user is None:
        user = PortalUser(tenant_id=tenant_id, email=address, name=name, language=staff.language)
        session.add(user)
        session.flush()
    row = existing or Membership(tenant_id=tenant_id, portal_user_id=user.id, client_id=client.id)
    row.role, row.is_active = role, True
    session.add(row)
    session.flush()
    by_staff(
        session,
        "admin.contact.added",
        tenant_id,
        staff_user_id,
        "client",
        client.id,
        portal_user_id=user.id,
        role=role.value,
    )
    invited = invite and not user.password_hash and invite_contacts(session, staff_viewer(staff), [user.id], now) > 0
    return user.id, {}, bool(invited)
