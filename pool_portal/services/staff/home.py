"""The staff home: the tenant's clients (ADMIN, OFFICE) and a technician's visits."""

from __future__ import annotations

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


def admin_clients(session: Session, viewer: Viewer, limit: int = 200) -> list[dict[str, str]]:
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
    return [
        {"id": str(i), "name": n, "sites": str(s), "contacts": str(c), "open_incidents": str(o)}
        for i, n, s, c, o in rows
    ]


def can_manage_clients(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in OFFICE_WORK


def technician_visits(session: Session, viewer: Viewer, limit: int = 100) -> list[dict[str, str]]:
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
        {
            "id": str(v.id),
            "site": site_name,
            "when": v.scheduled_for.strftime("%Y-%m-%d %H:%M") if v.scheduled_for else "",
            "status": v.status.value if hasattr(v.status, "value") else str(v.status),
        }
        for v, site_name in rows
    ]
