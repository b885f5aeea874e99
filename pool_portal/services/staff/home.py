"""The staff home: the tenant's clients (ADMIN, OFFICE) and a technician's visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from pool_portal.models import (
    Client,
    Incident,
    IncidentState,
    Membership,
    PortalUser,
    Site,
    Visit,
    VisitStatus,
)
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer


@dataclass(frozen=True)
class HomeClient:
    id: int
    name: str
    sites: int
    contacts: int
    open_incidents: int


@dataclass(frozen=True)
class HomeVisit:
    id: int
    site: str
    scheduled_for: datetime | None
    status: VisitStatus


@dataclass(frozen=True)
class StaffHome:
    """What the staff home shows: the clients (empty for a technician) and the caller's
    own visits still to do."""

    clients: list[HomeClient]
    visits: list[HomeVisit]


def staff_home(session: Session, viewer: Viewer) -> StaffHome:
    clients = admin_clients(session, viewer) if can_manage_clients(viewer) else []
    return StaffHome(clients=clients, visits=technician_visits(session, viewer))


def admin_clients(session: Session, viewer: Viewer, limit: int = 200) -> list[HomeClient]:
    """The tenant's clients with site, contact and open incident counts (ADMIN, OFFICE)."""
    if not can_manage_clients(viewer):
        raise PermissionError("clients are for ADMIN and OFFICE staff")
    tenant_id = viewer.tenant_id
    sites = (
        select(Site.client_id, func.count(Site.id).label("n"))
        .where(Site.tenant_id == tenant_id)
        .group_by(Site.client_id)
        .subquery()
    )
    contacts = (
        select(Membership.client_id, func.count(func.distinct(Membership.portal_user_id)).label("n"))
        .join(PortalUser, PortalUser.id == Membership.portal_user_id)
        .where(Membership.tenant_id == tenant_id, Membership.client_id.is_not(None))
        .group_by(Membership.client_id)
        .subquery()
    )
    incidents = (
        select(Incident.client_id, func.count(Incident.id).label("n"))
        .where(Incident.tenant_id == tenant_id, Incident.state == IncidentState.OPEN)
        .group_by(Incident.client_id)
        .subquery()
    )
    rows = session.exec(
        select(
            Client.id,
            Client.name,
            func.coalesce(sites.c.n, 0),
            func.coalesce(contacts.c.n, 0),
            func.coalesce(incidents.c.n, 0),
        )
        .outerjoin(sites, sites.c.client_id == Client.id)
        .outerjoin(contacts, contacts.c.client_id == Client.id)
        .outerjoin(incidents, incidents.c.client_id == Client.id)
        .where(Client.tenant_id == tenant_id)
        .order_by(Client.name, Client.id)
        .limit(limit)
    ).all()
    return [HomeClient(id=i, name=n, sites=int(s), contacts=int(c), open_incidents=int(o)) for i, n, s, c, o in rows]


def can_manage_clients(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in OFFICE_WORK


def technician_visits(session: Session, viewer: Viewer, limit: int = 100) -> list[HomeVisit]:
    """The visits assigned to a staff member, soonest first."""
    rows = session.exec(
        select(Visit, Site.name)
        .join(Site, Site.id == Visit.site_id)
        .where(
            Visit.tenant_id == viewer.tenant_id,
            Site.tenant_id == viewer.tenant_id,
            Visit.technician_id == viewer.user_id,
            col(Visit.status).in_([VisitStatus.PENDING, VisitStatus.SCHEDULED]),
        )
        .order_by(Visit.scheduled_for, Visit.id)
        .limit(limit)
    ).all()
    return [
        HomeVisit(id=v.id, site=site_name, scheduled_for=v.scheduled_for, status=VisitStatus(v.status))
        for v, site_name in rows
    ]
