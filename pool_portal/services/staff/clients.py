"""Admin → Clients: the client list (filters, paging, who has portal access) and one
client's page (its groups, properties and contacts with their portal access).

Conventions as in ``staff.portal_admin`` (tenant id + acting staff id, other tenants'
ids are "not found"). ADMIN and OFFICE staff may use these. A client's contacts are
added in ``staff.client_contacts``, invited in bulk in ``staff.invitations``; client
groups are ``staff.groups`` and ``staff.group_members``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from pool_portal.models import Client, ClientGroup, ClientGroupMember, Membership, PortalUser, Site, StaffUser
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import clients_of_groups, tenant_client
from pool_portal.services.core.sqlfn import ci_like, contains_pattern
from pool_portal.services.identity.acting import acting_staff, staff_viewer
from pool_portal.services.identity.contacts import AccessStatus, PortalContact, contact_rows
from pool_portal.services.staff.groups import GroupRow, Ref, list_groups

PAGE_SIZE = 50
ACCESS_FILTERS = ("all", "with_portal", "without_portal", "pending_invite")


class ContactStatus(enum.StrEnum):
    """A contact's portal access in the admin's words."""

    ACCEPTED = "accepted"
    SENT = "sent"
    EXPIRED = "expired"
    NEVER_INVITED = "never_invited"
    DISABLED = "disabled"

    @property
    def key(self) -> str:
        """Its translation key."""
        return f"admin.access.{self.value}"


# identity.contacts statuses -> the admin's words.
STATUS = {
    AccessStatus.ACTIVE: ContactStatus.ACCEPTED,
    AccessStatus.INVITED: ContactStatus.SENT,
    AccessStatus.EXPIRED: ContactStatus.EXPIRED,
    AccessStatus.NONE: ContactStatus.NEVER_INVITED,
    AccessStatus.DISABLED: ContactStatus.DISABLED,
}


@dataclass(frozen=True)
class ClientRow:
    """A line of the client list."""

    id: int
    name: str
    email: str
    is_active: bool
    sites: int  # active properties
    contacts: int  # portal users with access, directly or through a group
    accepted: int  # of them, those who have signed up
    last_sign_in: datetime | None  # the latest of any of them


@dataclass(frozen=True)
class ClientPage:
    rows: list[ClientRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class ClientList:
    """The client list's page: the groups for its group filter, the group filter (when
    it is one of the tenant's groups) and the page of clients."""

    groups: list[GroupRow]
    group_id: int | None
    clients: ClientPage


@dataclass(frozen=True)
class ClientContact:
    """A contact reaching the client, and how: directly, or through a group."""

    id: int
    name: str
    email: str
    via_group: str | None  # the group's name; None when a member of the client itself
    status: ContactStatus
    last_sign_in: datetime | None

    @property
    def via(self) -> str:
        """ "client", or "group:<name>"."""
        return "client" if self.via_group is None else f"group:{self.via_group}"


@dataclass(frozen=True)
class ClientDetail:
    id: int
    name: str
    email: str
    phone: str
    billing_address: str
    is_active: bool
    sites: int
    groups: list[Ref]  # the groups it is a direct member of
    contacts: list[ClientContact]


# -- who reaches which client --------------------------------------------------------------------------
Reach = dict[int, dict[int, str | None]]  # client id -> {portal user id: group name, None when directly}


def contacts_by_client(session: Session, tenant_id: int) -> Reach:
    """Who reaches each client over active memberships, groups expanded with their
    nested groups; a direct membership wins over a group."""
    rows = session.exec(
        select(Membership.portal_user_id, Membership.client_id, Membership.group_id).where(
            Membership.tenant_id == tenant_id,
            Membership.is_active == True,
        )
    ).all()
    out: Reach = {}
    by_group: dict[int, set[int]] = {}
    for uid, client_id, group_id in rows:
        if client_id is not None:
            out.setdefault(client_id, {})[uid] = None
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
                    out.setdefault(cid, {}).setdefault(uid, names.get(gid, ""))
    return out


def statuses(session: Session, staff: StaffUser, now: datetime | None) -> dict[int, PortalContact]:
    """The tenant's contacts by id, with their portal access status."""
    return {c.id: c for c in contact_rows(session, staff_viewer(staff), now)}


@dataclass(frozen=True)
class Listed:
    """The clients matching the list's filters, who reaches them, and where they stand."""

    clients: list[Client]
    reach: Reach
    contacts: dict[int, PortalContact]

    def states(self, client_id: int) -> list[ContactStatus]:
        """The statuses of the contacts reaching the client."""
        return [STATUS[self.contacts[uid].status] for uid in self.reach.get(client_id, {}) if uid in self.contacts]


def filtered_clients(
    session: Session,
    tenant_id: int,
    staff: StaffUser,
    text: str,
    group_id: int | None,
    access: str,
    now: datetime | None,
) -> Listed:
    """The clients (by name) matching the list's filters (see ``list_clients``)."""
    access_filter = access if access in ACCESS_FILTERS else "all"
    query = select(Client).where(Client.tenant_id == tenant_id)
    if str(text or "").strip():
        pattern = contains_pattern(" ".join(str(text).split())[:100])
        query = query.where(
            or_(ci_like(Client.name, pattern), ci_like(Client.email, pattern), ci_like(Client.external_id, pattern))
        )
    if group_id is not None:
        members = clients_of_groups(session, tenant_id, {int(group_id)})
        query = query.where(col(Client.id).in_(sorted(members) or [-1]))
    every = Listed(
        list(session.exec(query.order_by(Client.name, Client.id)).all()),
        contacts_by_client(session, tenant_id),
        statuses(session, staff, now),
    )

    def keep(c: Client) -> bool:
        s = every.states(c.id)
        if access_filter == "with_portal":
            return ContactStatus.ACCEPTED in s
        if access_filter == "pending_invite":
            return ContactStatus.SENT in s and ContactStatus.ACCEPTED not in s
        if access_filter == "without_portal":
            return ContactStatus.ACCEPTED not in s and ContactStatus.SENT not in s
        return True

    return Listed([c for c in every.clients if keep(c)], every.reach, every.contacts)


# -- the list --------------------------------------------------------------------------------------------
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
) -> ClientPage:
    """A page (PAGE_SIZE, by name) of the tenant's clients. ``text`` matches name, email
    or external id; ``group_id`` keeps the members of that group and of its nested
    groups; ``access``: "with_portal" (a contact has accepted and may sign in),
    "pending_invite" (a contact has a live invitation and nobody has accepted yet),
    "without_portal" (neither)."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    listed = filtered_clients(session, tenant_id, staff, text, group_id, access, now)
    users = {u.id: u for u in session.exec(select(PortalUser).where(PortalUser.tenant_id == tenant_id)).all()}
    total = len(listed.clients)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, int(page or 1)), pages)
    shown = listed.clients[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
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
        uids = [uid for uid in listed.reach.get(c.id, {}) if uid in users]
        logins = [users[uid].last_login_at for uid in uids if users[uid].last_login_at]
        rows.append(
            ClientRow(
                id=c.id,
                name=c.name,
                email=c.email or "",
                is_active=c.is_active,
                sites=int(sites.get(c.id, 0)),
                contacts=len(uids),
                accepted=listed.states(c.id).count(ContactStatus.ACCEPTED),
                last_sign_in=max(logins) if logins else None,
            )
        )
    return ClientPage(rows=rows, total=total, page=page, pages=pages)


def client_list(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    text: str = "",
    group_id: int | None = None,
    access: str = "all",
    page: int = 1,
) -> ClientList:
    """The client list with its group filter's choices; a group that is not one of the
    tenant's is no filter."""
    groups = list_groups(session, tenant_id, staff_user_id)
    gid = group_id if group_id in {g.id for g in groups} else None
    return ClientList(groups, gid, list_clients(session, tenant_id, staff_user_id, text, gid, access, page))


# -- one client ------------------------------------------------------------------------------------------
def client_detail(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, *, now: datetime | None = None
) -> ClientDetail | None:
    """One client with its groups, site count and contacts (by name); None when not
    this tenant's."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return None
    reach = contacts_by_client(session, tenant_id).get(client.id, {})
    contacts = statuses(session, staff, now) if reach else {}
    users = session.exec(
        select(PortalUser)
        .where(PortalUser.tenant_id == tenant_id, col(PortalUser.id).in_(list(reach) or [-1]))
        .order_by(PortalUser.name, PortalUser.id)
    ).all()
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
    return ClientDetail(
        id=client.id,
        name=client.name,
        email=client.email or "",
        phone=client.phone or "",
        billing_address=client.billing_address or "",
        is_active=client.is_active,
        sites=int(sites),
        groups=[Ref(gid, name) for gid, name in groups],
        contacts=[
            ClientContact(
                id=u.id,
                name=u.name,
                email=u.email,
                via_group=reach[u.id],
                status=STATUS[contacts[u.id].status],
                last_sign_in=u.last_login_at,
            )
            for u in users
        ],
    )
