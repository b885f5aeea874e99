"""Admin: clients (list, detail), bulk invitations and client groups.

Conventions as in ``services.admin`` (tenant id + acting staff id, other tenants'
ids are "not found", ``{field: key}`` errors write nothing, changes are audited).
ADMIN and OFFICE staff may use these (as for ``services.access``).

Group deletion: only an EMPTY group is deleted (no member clients, no sub-groups,
no contact with access through it); otherwise ``admin.group.error.not_empty``.
Deleting a group silently would take portal access away from the contacts who
reach clients through it, so the admin empties it first, on purpose.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from pool_portal.models import (
    Client,
    ClientGroup,
    ClientGroupMember,
    Membership,
    MembershipRole,
    PortalUser,
    Site,
)
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import clients_of_groups, group_descendants, tenant_client
from pool_portal.services.identity import access as access_service
from pool_portal.services.identity.acting import acting_staff, staff_viewer
from pool_portal.services.portal.search import _like, _pattern

log = logging.getLogger(__name__)

PAGE_SIZE = 50
ACCESS_FILTERS = ("all", "with_portal", "without_portal", "pending_invite")
# services.access statuses -> the admin's words.
STATUS = {
    "active": "accepted",
    "invited": "sent",
    "expired": "expired",
    "none": "never_invited",
    "disabled": "disabled",
}
MAX_GROUP_NAME = 200
BATCH_SIZE = 25


# -- who reaches which client --------------------------------------------------------------------------
def _contacts_by_client(session: Session, tenant_id: int) -> dict[int, dict[int, str]]:
    """client id -> {portal user id: how ("client" or "group:<name>")} over active
    memberships, groups expanded with their nested groups."""
    rows = session.exec(
        select(Membership.portal_user_id, Membership.client_id, Membership.group_id).where(
            Membership.tenant_id == tenant_id,
            Membership.is_active == True,
        )
    ).all()
    out: dict[int, dict[int, str]] = {}
    by_group: dict[int, set[int]] = {}
    for uid, client_id, group_id in rows:
        if client_id is not None:
            out.setdefault(client_id, {})[uid] = "client"
        elif group_id is not None:
            by_group.setdefault(group_id, set()).add(uid)
    if by_group:
        names = dict(
            session.exec(
                select(ClientGroup.id, ClientGroup.name).where(
                    ClientGroup.tenant_id == tenant_id, col(ClientGroup.id).in_(by_group)
                )
            ).all()
        )
        for gid, uids in by_group.items():
            for cid in clients_of_groups(session, tenant_id, {gid}):
                for uid in uids:
                    out.setdefault(cid, {}).setdefault(uid, f"group:{names.get(gid, '')}")
    return out


def _statuses(session: Session, staff, now: datetime | None) -> dict[int, dict[str, str]]:
    return {int(r["id"]): r for r in access_service.contact_rows(session, staff, now)}


# -- clients ---------------------------------------------------------------------------------------------
def _filtered_clients(
    session: Session, tenant_id: int, staff, text: str, group_id: int | None, access: str, now: datetime | None
):
    """(clients by name, reach, statuses) of the clients matching the list's filters."""
    access_filter = access if access in ACCESS_FILTERS else "all"
    query = select(Client).where(Client.tenant_id == tenant_id)
    if str(text or "").strip():
        pattern = _pattern(" ".join(str(text).split())[:100])
        query = query.where(
            or_(_like(Client.name, pattern), _like(Client.email, pattern), _like(Client.external_id, pattern))
        )
    if group_id is not None:
        members = clients_of_groups(session, tenant_id, {int(group_id)})
        query = query.where(col(Client.id).in_(sorted(members) or [-1]))
    clients = list(session.exec(query.order_by(Client.name, Client.id)).all())
    reach = _contacts_by_client(session, tenant_id)
    statuses = _statuses(session, staff_viewer(staff), now)

    def states(cid: int) -> list[str]:
        return [STATUS[statuses[uid]["status"]] for uid in reach.get(cid, {}) if uid in statuses]

    def keep(c: Client) -> bool:
        s = states(c.id)
        if access_filter == "with_portal":
            return "accepted" in s
        if access_filter == "pending_invite":
            return "sent" in s and "accepted" not in s
        if access_filter == "without_portal":
            return "accepted" not in s and "sent" not in s
        return True

    return [c for c in clients if keep(c)], reach, statuses, states


def list_clients(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    text: str = "",
    group_id: int | None = None,
    access: str = "all",
    page: int = 1,
    *,
    now: datetime | None = None,
) -> dict:
    """A page (PAGE_SIZE, by name) of the tenant's clients: {"rows", "total", "page",
    "pages"}. ``text`` matches name, email or external id; ``group_id`` keeps the
    members of that group and of its nested groups; ``access``: "with_portal"
    (a contact has accepted and may sign in), "pending_invite" (a contact has a live
    invitation and nobody has accepted yet), "without_portal" (neither). Each row:
    id, name, email, is_active, sites (active properties), contacts (portal users with
    access, directly or through a group), accepted, last_sign_in (datetime or None)."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    clients, reach, _, states = _filtered_clients(session, tenant_id, staff, text, group_id, access, now)
    users = {u.id: u for u in session.exec(select(PortalUser).where(PortalUser.tenant_id == tenant_id)).all()}
    total = len(clients)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    shown = clients[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    sites = (
        dict(
            session.exec(
                select(Site.client_id, func.count())
                .where(
                    Site.tenant_id == tenant_id,
                    col(Site.client_id).in_([c.id for c in shown] or [-1]),
                    Site.is_active == True,
                )
                .group_by(Site.client_id)
            ).all()
        )
        if shown
        else {}
    )
    rows = []
    for c in shown:
        uids = [uid for uid in reach.get(c.id, {}) if uid in users]
        logins = [users[uid].last_login_at for uid in uids if users[uid].last_login_at]
        rows.append(
            {
                "id": c.id,
                "name": c.name,
                "email": c.email or "",
                "is_active": c.is_active,
                "sites": int(sites.get(c.id, 0)),
                "contacts": len(uids),
                "accepted": states(c.id).count("accepted"),
                "last_sign_in": max(logins) if logins else None,
            }
        )
    return {"rows": rows, "total": total, "page": page, "pages": pages}


INVITABLE = ("never_invited", "expired")


def invitable_contacts(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    text: str = "",
    group_id: int | None = None,
    access: str = "all",
    *,
    now: datetime | None = None,
) -> list[int]:
    """The contacts a bulk invitation from the filtered client list goes to: every
    contact reaching one of the listed clients (directly or through a group) who was
    never invited or whose invitation expired (not those signed up, disabled, or with
    a live invitation), by id."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    clients, reach, statuses, _states = _filtered_clients(session, tenant_id, staff, text, group_id, access, now)
    ids = {
        uid
        for c in clients
        for uid in reach.get(c.id, {})
        if uid in statuses and STATUS[statuses[uid]["status"]] in INVITABLE
    }
    return sorted(ids)


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
) -> tuple[int | None, dict[str, str], list]:
    """Give a person portal access to one client: a new contact (or the tenant's
    existing contact with that email, whose other access stays) with a membership of
    this client and ``role``; with ``invite`` an invitation to set a password (3 days).
    Returns (contact id, {}, mails to send with access.send) or (None, errors, [])
    having written nothing."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return None, {"client_id": NOT_FOUND}, []
    errors: dict[str, str] = {}
    address = access_service.normalise_email(str(email or ""))
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
        return None, errors, []
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
    mails = []
    if invite and not user.password_hash:
        mails = access_service.invite_contacts(session, staff_viewer(staff), [user.id], now)
    return user.id, {}, mails


def client_detail(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, *, now: datetime | None = None
) -> dict | None:
    """One client with its groups, site count and contacts; None when not this
    tenant's. Each contact: id, name, email, via ("client" or "group:<name>"), status
    ("accepted", "sent", "expired", "never_invited", "disabled"), status_key (its
    translation key) and last_sign_in (datetime or None)."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return None
    reach = _contacts_by_client(session, tenant_id).get(client.id, {})
    statuses = _statuses(session, staff_viewer(staff), now) if reach else {}
    users = session.exec(
        select(PortalUser)
        .where(PortalUser.tenant_id == tenant_id, col(PortalUser.id).in_(list(reach) or [-1]))
        .order_by(PortalUser.name, PortalUser.id)
    ).all()
    contacts = []
    for u in users:
        status = STATUS[statuses[u.id]["status"]]
        contacts.append(
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "via": reach[u.id],
                "status": status,
                "status_key": f"admin.access.{status}",
                "last_sign_in": u.last_login_at,
            }
        )
    groups = session.exec(
        select(ClientGroup.id, ClientGroup.name)
        .join(ClientGroupMember, ClientGroupMember.group_id == ClientGroup.id)
        .where(ClientGroup.tenant_id == tenant_id, ClientGroupMember.client_id == client.id)
        .order_by(ClientGroup.name)
    ).all()
    sites = session.exec(
        select(func.count())
        .select_from(Site)
        .where(Site.tenant_id == tenant_id, Site.client_id == client.id, Site.is_active == True)
    ).one()
    return {
        "id": client.id,
        "name": client.name,
        "email": client.email or "",
        "phone": client.phone or "",
        "billing_address": client.billing_address or "",
        "is_active": client.is_active,
        "sites": int(sites),
        "groups": [{"id": gid, "name": name} for gid, name in groups],
        "contacts": contacts,
    }


# -- bulk invitations ------------------------------------------------------------------------------------
def bulk_invite(
    session_factory: Callable[[], Session],
    tenant_id: int,
    staff_user_id: int,
    contact_ids: Iterable[int],
    progress: Callable[[int, int], object] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Invite many contacts, ``batch_size`` at a time, each batch in its own short
    transaction (committed before its mails are queued), so it can run in a background
    thread while others read and write. ``session_factory()`` gives a new Session
    (a context manager), e.g. ``db.session_scope``. ``progress(done, total)`` is called
    after each batch. Contacts of another tenant, disabled ones and those who already
    have a password are skipped. Returns {"total", "invited", "skipped"}."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    total, invited = len(ids), 0
    with session_factory() as session:
        acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    for start in range(0, total, max(1, batch_size)):
        batch = ids[start : start + batch_size]
        with session_factory() as session:
            staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
            wanted = session.exec(
                select(PortalUser.id).where(
                    PortalUser.tenant_id == tenant_id, col(PortalUser.id).in_(batch), PortalUser.password_hash.is_(None)
                )
            ).all()
            mails = access_service.invite_contacts(session, staff_viewer(staff), list(wanted)) if wanted else []
            session.commit()
        access_service.send(mails)
        invited += len(mails)
        if progress is not None:
            try:
                progress(min(start + len(batch), total), total)
            except Exception:  # a closed browser tab must not stop the invitations
                log.exception("bulk invite progress callback failed")
    with session_factory() as session:
        by_staff(
            session,
            "admin.bulk_invite",
            tenant_id,
            staff_user_id,
            "portal_user",
            None,
            total=total,
            invited=invited,
            skipped=total - invited,
        )
        session.commit()
    return {"total": total, "invited": invited, "skipped": total - invited}


# -- client groups -----------------------------------------------------------------------------------------
def _group(session: Session, tenant_id: int, group_id: object) -> ClientGroup | None:
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


def list_groups(session: Session, tenant_id: int, staff_user_id: int) -> list[dict]:
    """The tenant's groups as a flat tree (parents before children, by name): id, name,
    parent_id, depth, clients (direct members), contacts (portal users with access)."""
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
    out: list[dict] = []

    def walk(parent: int | None, depth: int) -> None:
        for g in sorted(children.get(parent, []), key=lambda x: (x.name.lower(), x.id)):
            out.append(
                {
                    "id": g.id,
                    "name": g.name,
                    "parent_id": g.parent_id,
                    "depth": depth,
                    "clients": int(members.get(g.id, 0)),
                    "contacts": int(users.get(g.id, 0)),
                }
            )
            walk(g.id, depth + 1)

    walk(None, 0)
    return out


def group_detail(session: Session, tenant_id: int, staff_user_id: int, group_id: int) -> dict | None:
    """One group for its page; None when not this tenant's: id, name, parent_id, path
    (names from the top), sub_groups, clients (direct members) and contacts (with
    access through this group: id, name, email, role, is_active); the choices for the
    forms: parent_choices (every group it may move into: not itself nor one below it),
    client_choices (the tenant's clients not yet members) and contact_choices (the
    tenant's contacts without access through it)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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
    return {
        "id": group.id,
        "name": group.name,
        "parent_id": group.parent_id,
        "path": path,
        "sub_groups": [
            {"id": g.id, "name": g.name}
            for g in sorted(groups.values(), key=lambda x: x.name.lower())
            if g.parent_id == group.id
        ],
        "clients": [{"id": c.id, "name": c.name} for c in members],
        "contacts": [
            {"id": u.id, "name": u.name, "email": u.email, "role": getattr(r, "value", r), "is_active": u.is_active}
            for u, r in access
        ],
        "parent_choices": [
            {"id": g["id"], "name": g["name"], "depth": g["depth"]}
            for g in list_groups(session, tenant_id, staff_user_id)
            if g["id"] not in below
        ],
        "client_choices": [{"id": cid, "name": name} for cid, name in clients if cid not in member_ids],
        "contact_choices": [
            {"id": uid, "name": name, "email": email} for uid, name, email in everyone if uid not in with_access
        ],
    }


def create_group(
    session: Session, tenant_id: int, staff_user_id: int, name: str, parent_id: int | None = None
) -> tuple[int | None, dict[str, str]]:
    """A new group (name unique in the tenant, case-insensitively), optionally inside
    ``parent_id``. Returns (id, {}) or (None, errors)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    name = " ".join(str(name or "").split())
    errors = {}
    if (problem := _name_error(session, tenant_id, name)) is not None:
        errors["name"] = problem
    if parent_id is not None and _group(session, tenant_id, parent_id) is None:
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


def rename_group(session: Session, tenant_id: int, staff_user_id: int, group_id: int, name: str) -> dict[str, str]:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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
) -> dict[str, str]:
    """Nest the group inside ``parent_id`` (None: top level). Refused when the parent is
    the group itself or one of the groups nested below it (a cycle)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
    if group is None:
        return {"group_id": NOT_FOUND}
    if parent_id is not None:
        parent = _group(session, tenant_id, parent_id)
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


def add_group_client(
    session: Session, tenant_id: int, staff_user_id: int, group_id: int, client_id: int
) -> dict[str, str]:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group, client = _group(session, tenant_id, group_id), tenant_client(session, tenant_id, client_id)
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


def remove_group_client(
    session: Session, tenant_id: int, staff_user_id: int, group_id: int, client_id: int
) -> dict[str, str]:
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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
) -> dict[str, str]:
    """Give a contact access to every client of the group (and of its nested groups);
    granting again updates the role and re-enables a disabled membership."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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
) -> dict[str, str]:
    """Remove a contact's access through the group (their views of it go at once:
    scope is recomputed on every request)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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


def delete_group(session: Session, tenant_id: int, staff_user_id: int, group_id: int) -> dict[str, str]:
    """Delete an EMPTY group (see the module docstring)."""
    acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    group = _group(session, tenant_id, group_id)
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
