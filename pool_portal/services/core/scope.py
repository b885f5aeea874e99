"""Viewer scope: which tenant, which clients and which role a caller has.

Every query for portal data goes through the client ids computed here; nothing
outside the viewer's tenant and clients is ever read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from pool_portal.models import (
    Client,
    ClientGroup,
    ClientGroupMember,
    Membership,
    Site,
    StaffRole,
)
from pool_portal.services.core.params import parse_id


@dataclass(frozen=True)
class Viewer:
    """The caller, built server-side from the session record (never from the browser)."""

    kind: str  # "portal" | "staff"
    tenant_id: int
    user_id: int
    session_id: int
    name: str
    email: str
    language: str = "en"
    role: StaffRole | None = None
    client_ids: frozenset[int] = field(default_factory=frozenset)
    view: str = "all"  # "all", "group:<id>" or "client:<id>"
    must_change_password: bool = False
    read_only: bool = False  # staff viewing the portal as a client
    acting_staff_id: int | None = None  # read_only: the staff user viewing as the client
    tenant_logo: str = ""  # a short stamp of the tenant's logo ("" = none): /files/logo?v=<stamp>

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_portal(self) -> bool:
        return self.kind == "portal"


def group_descendants(session: Session, tenant_id: int, group_ids: Iterable[int]) -> set[int]:
    """The groups and every group nested below them (same tenant only)."""
    found: set[int] = set()
    frontier = set(group_ids)
    while frontier:
        found |= frontier
        rows = session.exec(
            select(ClientGroup.id).where(ClientGroup.tenant_id == tenant_id, col(ClientGroup.parent_id).in_(frontier))
        ).all()
        frontier = set(rows) - found
    return found


def clients_of_groups(session: Session, tenant_id: int, group_ids: Iterable[int]) -> set[int]:
    groups = group_descendants(session, tenant_id, group_ids)
    if not groups:
        return set()
    rows = session.exec(
        select(ClientGroupMember.client_id)
        .join(Client, Client.id == ClientGroupMember.client_id)
        .where(
            ClientGroupMember.tenant_id == tenant_id,
            Client.tenant_id == tenant_id,
            col(ClientGroupMember.group_id).in_(groups),
        )
    ).all()
    return set(rows)


def portal_client_ids(session: Session, tenant_id: int, portal_user_id: int) -> set[int]:
    """Every client a portal user may see through active memberships."""
    memberships = session.exec(
        select(Membership).where(
            Membership.tenant_id == tenant_id,
            Membership.portal_user_id == portal_user_id,
            Membership.is_active == True,
        )
    ).all()
    direct = {m.client_id for m in memberships if m.client_id is not None}
    groups = {m.group_id for m in memberships if m.group_id is not None}
    ids = direct | clients_of_groups(session, tenant_id, groups)
    if not ids:
        return set()
    active = session.exec(
        select(Client.id).where(
            Client.tenant_id == tenant_id,
            col(Client.id).in_(ids),
            Client.is_active == True,
        )
    ).all()
    return set(active)


def sites_for(session: Session, viewer: Viewer) -> list[Site]:
    """The viewer's sites, ordered by name: a portal user's own, a staff user's tenant's."""
    query = select(Site).where(Site.tenant_id == viewer.tenant_id, Site.is_active == True)
    if viewer.is_portal:
        if not viewer.client_ids:
            return []
        query = query.where(col(Site.client_id).in_(viewer.client_ids))
    return list(session.exec(query.order_by(Site.name, Site.id)).all())


def _memberships(session: Session, tenant_id: int, portal_user_id: int) -> list[Membership]:
    return list(
        session.exec(
            select(Membership).where(
                Membership.tenant_id == tenant_id,
                Membership.portal_user_id == portal_user_id,
                Membership.is_active == True,
            )
        ).all()
    )


def view_options(session: Session, tenant_id: int, portal_user_id: int) -> list[tuple[str, str]]:
    """The views a portal user may choose, the default first: "all" when there is more
    than one membership, else that one membership; then every group (nested ones
    included) and every client they can see. Labels are names ("all" is labelled by
    the UI)."""
    memberships = _memberships(session, tenant_id, portal_user_id)
    visible = portal_client_ids(session, tenant_id, portal_user_id)
    group_ids = group_descendants(session, tenant_id, {m.group_id for m in memberships if m.group_id is not None})
    groups = (
        {
            g.id: g.name
            for g in session.exec(
                select(ClientGroup).where(ClientGroup.tenant_id == tenant_id, col(ClientGroup.id).in_(group_ids))
            ).all()
        }
        if group_ids
        else {}
    )
    clients = (
        {
            c.id: c.name
            for c in session.exec(
                select(Client).where(Client.tenant_id == tenant_id, col(Client.id).in_(visible))
            ).all()
        }
        if visible
        else {}
    )
    options: list[tuple[str, str]] = []
    if len(memberships) > 1:
        options.append(("all", ""))
    elif memberships:
        only = memberships[0]
        if only.group_id in groups:
            options.append((f"group:{only.group_id}", groups.pop(only.group_id)))
        elif only.client_id in clients:
            options.append((f"client:{only.client_id}", clients.pop(only.client_id)))
    options += [(f"group:{gid}", name) for gid, name in sorted(groups.items(), key=lambda x: x[1])]
    options += [(f"client:{cid}", name) for cid, name in sorted(clients.items(), key=lambda x: x[1])]
    return options


def clients_in_view(session: Session, tenant_id: int, portal_user_id: int, view: str) -> set[int]:
    """The clients of ``view``, always within what the user may see; an unknown or
    no-longer-allowed view falls back to everything the user may see."""
    visible = portal_client_ids(session, tenant_id, portal_user_id)
    kind, _, raw_id = view.partition(":")
    view_id = parse_id(raw_id)
    if view_id is None:
        return visible
    if kind == "client" and view_id in visible:
        return {view_id}
    if kind == "group":
        allowed = {k for k, _ in view_options(session, tenant_id, portal_user_id)}
        if view in allowed:
            return clients_of_groups(session, tenant_id, {view_id}) & visible
    return visible


def tenant_client(session: Session, tenant_id: int, client_id: object) -> Client | None:
    try:
        client = session.get(Client, int(client_id))
    except (TypeError, ValueError):
        return None
    return client if client is not None and client.tenant_id == tenant_id else None
