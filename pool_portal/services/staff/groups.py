"""Admin → Client groups: the groups as a tree, one group's page, and making, renaming,
nesting and deleting groups (ADMIN and OFFICE). Members and access through a group
are ``staff.group_members``.

Conventions as in ``staff.portal_admin`` (tenant id + acting staff id, other tenants'
ids are "not found", ``{field: key}`` errors write nothing, changes are audited).

Group deletion: only an EMPTY group is deleted (no member clients, no sub-groups,
no contact with access through it); otherwise ``admin.group.error.not_empty``.
Deleting a group silently would take portal access away from the contacts who
reach clients through it, so the admin empties it first, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from pool_portal.models import Client, ClientGroup, ClientGroupMember, Membership, MembershipRole, PortalUser
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND, Errors
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import group_descendants
from pool_portal.services.identity.acting import acting_staff

MAX_GROUP_NAME = 200


@dataclass(frozen=True)
class Ref:
    """A group or a client by id and name (a link, a choice)."""

    id: int
    name: str


@dataclass(frozen=True)
class GroupRow:
    """A group in the tree (parents before children, by name)."""

    id: int
    name: str
    parent_id: int | None
    depth: int  # 0 at the top
    clients: int  # direct members
    contacts: int  # portal users with access through it


@dataclass(frozen=True)
class GroupContact:
    """A contact with access through the group."""

    id: int
    name: str
    email: str
    role: MembershipRole
    is_active: bool


@dataclass(frozen=True)
class ContactChoice:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class GroupDetail:
    id: int
    name: str
    parent_id: int | None
    path: list[str]  # the names of the groups above it, from the top
    sub_groups: list[Ref]
    clients: list[Ref]  # direct members
    contacts: list[GroupContact]
    parent_choices: list[GroupRow]  # every group it may move into: not itself nor one below it
    client_choices: list[Ref]  # the tenant's clients not yet members
    contact_choices: list[ContactChoice]  # the tenant's active contacts without access through it


def tenant_group(session: Session, tenant_id: int, group_id: object) -> ClientGroup | None:
    """The tenant's group with this id; None for an unknown id or another tenant's."""
    try:
        group = session.get(ClientGroup, int(group_id))
    except (TypeError, ValueError):
        return None
    return group if group is not None and group.tenant_id == tenant_id else None


def _name_error(session: Session, tenant_id: int, name: str, except_id: int | None = None) -> str | None:
    if not name:
        return "admin.group.error.name_required"
    if len(name) > MAX_GROUP_NAME:
        return "admin.group.error.name_too_long"
    same = session.exec(
        select(ClientGroup.id).where(ClientGroup.tenant_id == tenant_id, func.lower(ClientGroup.name) == name.lower())
    ).all()
    if any(gid != except_id for gid in same):
        return "admin.group.error.name_taken"
    return None


# -- reading -------------------------------------------------------------------------------------------
def list_groups(session: Session, tenant_id: int, staff_user_id: int) -> list[GroupRow]:
    """The tenant's groups as a flat tree (parents before children, by name)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    groups = session.exec(select(ClientGroup).where(ClientGroup.tenant_id == tenant_id)).all()
    members = dict(
        session.exec(
            select(ClientGroupMember.group_id, func.count())
            .where(ClientGroupMember.tenant_id == tenant_id)
            .group_by(ClientGroupMember.group_id)
        ).all()
    )
    users = dict(
        session.exec(
            select(Membership.group_id, func.count())
            .where(Membership.tenant_id == tenant_id, col(Membership.group_id).is_not(None))
            .group_by(Membership.group_id)
        ).all()
    )
    children: dict[int | None, list[ClientGroup]] = {}
    ids = {g.id for g in groups}
    for g in groups:
        children.setdefault(g.parent_id if g.parent_id in ids else None, []).append(g)
    out: list[GroupRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for g in sorted(children.get(parent, []), key=lambda x: (x.name.lower(), x.id)):
            out.append(
                GroupRow(
                    id=g.id,
                    name=g.name,
                    parent_id=g.parent_id,
                    depth=depth,
                    clients=int(members.get(g.id, 0)),
                    contacts=int(users.get(g.id, 0)),
                )
            )
            walk(g.id, depth + 1)

    walk(None, 0)
    return out


def group_detail(session: Session, tenant_id: int, staff_user_id: int, group_id: int) -> GroupDetail | None:
    """One group for its page, with the choices for its forms; None when not this
    tenant's."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return None
    groups = {g.id: g for g in session.exec(select(ClientGroup).where(ClientGroup.tenant_id == tenant_id)).all()}
    path, seen, cursor = [], set(), group.parent_id
    while cursor in groups and cursor not in seen:
        seen.add(cursor)
        path.insert(0, groups[cursor].name)
        cursor = groups[cursor].parent_id
    below = group_descendants(session, tenant_id, {group.id})
    members = session.exec(
        select(Client)
        .join(ClientGroupMember, ClientGroupMember.client_id == Client.id)
        .where(
            ClientGroupMember.tenant_id == tenant_id,
            ClientGroupMember.group_id == group.id,
            Client.tenant_id == tenant_id,
        )
        .order_by(Client.name, Client.id)
    ).all()
    member_ids = {c.id for c in members}
    access = session.exec(
        select(PortalUser, Membership.role)
        .join(Membership, Membership.portal_user_id == PortalUser.id)
        .where(Membership.tenant_id == tenant_id, Membership.group_id == group.id, PortalUser.tenant_id == tenant_id)
        .order_by(PortalUser.name, PortalUser.id)
    ).all()
    with_access = {u.id for u, _ in access}
    everyone = session.exec(
        select(PortalUser.id, PortalUser.name, PortalUser.email)
        .where(PortalUser.tenant_id == tenant_id, PortalUser.is_active == True)
        .order_by(PortalUser.name, PortalUser.id)
    ).all()
    clients = session.exec(
        select(Client.id, Client.name).where(Client.tenant_id == tenant_id).order_by(Client.name, Client.id)
    ).all()
    return GroupDetail(
        id=group.id,
        name=group.name,
        parent_id=group.parent_id,
        path=path,
        sub_groups=[
            Ref(g.id, g.name) for g in sorted(groups.values(), key=lambda x: x.name.lower()) if g.parent_id == group.id
        ],
        clients=[Ref(c.id, c.name) for c in members],
        contacts=[GroupContact(u.id, u.name, u.email, MembershipRole(r), u.is_active) for u, r in access],
        parent_choices=[g for g in list_groups(session, tenant_id, staff_user_id) if g.id not in below],
        client_choices=[Ref(cid, name) for cid, name in clients if cid not in member_ids],
        contact_choices=[ContactChoice(uid, name, email) for uid, name, email in everyone if uid not in with_access],
    )


# -- changing ------------------------------------------------------------------------------------------
def create_group(
    session: Session, tenant_id: int, staff_user_id: int, name: str, parent_id: int | None = None
) -> tuple[int | None, Errors]:
    """A new group (name unique in the tenant, case-insensitively), optionally inside
    ``parent_id``. Returns (id, {}) or (None, errors)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    name = " ".join(str(name or "").split())
    errors = {}
    if (problem := _name_error(session, tenant_id, name)) is not None:
        errors["name"] = problem
    if parent_id is not None and tenant_group(session, tenant_id, parent_id) is None:
        errors["parent_id"] = NOT_FOUND
    if errors:
        return None, errors
    group = ClientGroup(tenant_id=tenant_id, name=name, parent_id=int(parent_id) if parent_id is not None else None)
    session.add(group)
    session.flush()
    by_staff(
        session,
        "admin.group.created",
        tenant_id,
        staff_user_id,
        "client_group",
        group.id,
        name=name,
        parent_id=group.parent_id,
    )
    return group.id, {}


def rename_group(session: Session, tenant_id: int, staff_user_id: int, group_id: int, name: str) -> Errors:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    name = " ".join(str(name or "").split())
    if (problem := _name_error(session, tenant_id, name, except_id=group.id)) is not None:
        return {"name": problem}
    if name != group.name:
        old, group.name = group.name, name
        session.add(group)
        by_staff(session, "admin.group.renamed", tenant_id, staff_user_id, "client_group", group.id, old=old, name=name)
    return {}


def set_group_parent(
    session: Session, tenant_id: int, staff_user_id: int, group_id: int, parent_id: int | None
) -> Errors:
    """Nest the group inside ``parent_id`` (None: top level). Refused when the parent is
    the group itself or one of the groups nested below it (a cycle)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    if parent_id is not None:
        parent = tenant_group(session, tenant_id, parent_id)
        if parent is None:
            return {"parent_id": NOT_FOUND}
        if parent.id in group_descendants(session, tenant_id, {group.id}):
            return {"parent_id": "admin.group.error.cycle"}
        parent_id = parent.id
    if group.parent_id != parent_id:
        old, group.parent_id = group.parent_id, parent_id
        session.add(group)
        by_staff(
            session,
            "admin.group.moved",
            tenant_id,
            staff_user_id,
            "client_group",
            group.id,
            old=old,
            parent_id=parent_id,
        )
    return {}


def delete_group(session: Session, tenant_id: int, staff_user_id: int, group_id: int) -> Errors:
    """Delete an EMPTY group (see the module docstring)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = tenant_group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    busy = (
        session.exec(select(ClientGroupMember.id).where(ClientGroupMember.group_id == group.id)).first()
        or session.exec(select(ClientGroup.id).where(ClientGroup.parent_id == group.id)).first()
        or session.exec(select(Membership.id).where(Membership.group_id == group.id)).first()
    )
    if busy is not None:
        return {"group_id": "admin.group.error.not_empty"}
    session.delete(group)
    by_staff(session, "admin.group.deleted", tenant_id, staff_user_id, "client_group", group.id, name=group.name)
    return {}
