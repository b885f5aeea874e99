"""Admin → one client group: its member clients, and the contacts with portal access
through it (ADMIN and OFFICE). Access through a group reaches the clients of the
groups nested below it too; scope is recomputed on every request, so a change shows
at once.

Conventions as in ``staff.portal_admin`` (tenant id + acting staff id, other tenants'
ids are "not found", ``{field: key}`` errors write nothing, changes are audited).
"""

from __future__ import annotations

from sqlmodel import Session, select

from pool_portal.models import ClientGroupMember, Membership, MembershipRole, PortalUser
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND, Errors
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import tenant_client
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.staff.groups import tenant_group


def add_group_client(session: Session, tenant_id: int, staff_user_id: int, group_id: int, client_id: int) -> Errors:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group, client = tenant_group(session, tenant_id, group_id), tenant_client(session, tenant_id, client_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    if client is None:
        return {"client_id": NOT_FOUND}
    exists = session.exec(
        select(ClientGroupMember.id).where(
            ClientGroupMember.group_id == group.id, ClientGroupMember.client_id == client.id
        )
    ).first()
    if exists is None:
        session.add(ClientGroupMember(tenant_id=tenant_id, group_id=group.id, client_id=client.id))
        by_staff(
            session, "admin.group.client_added", tenant_id, staff_user_id, "client_group", group.id, client_id=client.id
        )
    return {}


def remove_group_client(session: Session, tenant_id: int, staff_user_id: int, group_id: int, client_id: int) -> Errors:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    row = session.exec(
        select(ClientGroupMember).where(
            ClientGroupMember.tenant_id == tenant_id,
            ClientGroupMember.group_id == group.id,
            ClientGroupMember.client_id == int(client_id),
        )
    ).first()
    if row is None:
        return {"client_id": NOT_FOUND}
    session.delete(row)
    by_staff(
        session,
        "admin.group.client_removed",
        tenant_id,
        staff_user_id,
        "client_group",
        group.id,
        client_id=int(client_id),
    )
    return {}


def grant_group_access(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    group_id: int,
    portal_user_id: int,
    role: MembershipRole | str = MembershipRole.MANAGER,
) -> Errors:
    """Give a contact access to every client of the group (and of its nested groups);
    granting again updates the role and re-enables a disabled membership."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    user = session.get(PortalUser, int(portal_user_id))
    if user is None or user.tenant_id != tenant_id:
        return {"portal_user_id": NOT_FOUND}
    try:
        role = MembershipRole(role.value if isinstance(role, MembershipRole) else str(role).upper())
    except ValueError:
        return {"role": "admin.group.error.role"}
    row = session.exec(
        select(Membership).where(Membership.portal_user_id == user.id, Membership.group_id == group.id)
    ).first()
    if row is not None and row.is_active and row.role == role:
        return {}
    row = row or Membership(tenant_id=tenant_id, portal_user_id=user.id, group_id=group.id)
    row.role, row.is_active = role, True
    session.add(row)
    by_staff(
        session,
        "admin.group.access_granted",
        tenant_id,
        staff_user_id,
        "client_group",
        group.id,
        portal_user_id=user.id,
        role=role.value,
    )
    return {}


def revoke_group_access(
    session: Session, tenant_id: int, staff_user_id: int, group_id: int, portal_user_id: int
) -> Errors:
    """Remove a contact's access through the group (their views of it go at once:
    scope is recomputed on every request)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    row = session.exec(
        select(Membership).where(
            Membership.tenant_id == tenant_id,
            Membership.portal_user_id == int(portal_user_id),
            Membership.group_id == group.id,
        )
    ).first()
    if row is None:
        return {"portal_user_id": NOT_FOUND}
    session.delete(row)
    by_staff(
        session,
        "admin.group.access_revoked",
        tenant_id,
        staff_user_id,
        "client_group",
        group.id,
        portal_user_id=int(portal_user_id),
    )
    return {}
