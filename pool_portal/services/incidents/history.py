"""Incidents → History for staff: every incident of the tenant, newest first, filtered
by status, category, property and client, searched by reference or text; and the
filters' choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pool_portal.models import Client, Incident, IncidentCategory, IncidentState, Priority, Site
from pool_portal.services.core.sqlfn import ci_like, contains_pattern
from pool_portal.services.incidents.common import CATEGORIES, CUSTOMER_STATUSES, Listing, Status
from pool_portal.services.incidents.status import status_sql, upcoming_from
from pool_portal.services.portal.lists import paged

OPEN = "OPEN"  # the status filter's "not solved"
Choice = tuple[int, str]  # (id, label) of a filter's option


@dataclass(frozen=True)
class StaffRow:
    """A row of the History list."""

    id: int
    reference: str
    category: IncidentCategory
    priority: Priority
    state: IncidentState
    status: Status
    site: str
    client: str
    created: datetime | None
    description: str  # the first 300 characters
    assigned_staff_id: int | None


def staff_filter_choices(
    db: Session, tenant_id: int, client_id: int | None = None
) -> tuple[list[Choice], list[Choice]]:
    """The History filters' options: the tenant's clients (id, name) and its
    properties (id, label), the properties narrowed to ``client_id`` when that is a
    client of the tenant (the label is then the name alone, else "name · client")."""
    clients = [
        (c.id, c.name)
        for c in db.execute(
            select(Client).where(Client.tenant_id == tenant_id).order_by(Client.name, Client.id)
        ).scalars()
    ]
    narrowed = client_id is not None and any(c[0] == client_id for c in clients)
    query = (
        select(Site.id, Site.name, Client.name)
        .join(Client, Client.id == Site.client_id)
        .where(Site.tenant_id == tenant_id)
    )
    if narrowed:
        query = query.where(Site.client_id == client_id)
    sites = [
        (i, name if narrowed else f"{name} · {client}")
        for i, name, client in db.execute(query.order_by(Site.name, Client.name, Site.id))
    ]
    return clients, sites


def list_for_staff(
    db: Session,
    tenant_id: int,
    status: str | None = None,
    category: str | None = None,
    site_id: int | None = None,
    client_id: int | None = None,
    text: str = "",
    page: int = 1,
    *,
    now: datetime | None = None,
) -> Listing[StaffRow]:
    """A page of the tenant's incidents, newest first. ``status``: "OPEN" (not solved)
    or a customer status; ``text`` (2+ characters) searches reference and description."""
    derived = status_sql(upcoming_from(db, tenant_id, now))
    query = (
        select(Incident, Site.name, Client.name, derived.label("status"))
        .join(Site, Site.id == Incident.site_id)
        .join(Client, Client.id == Incident.client_id)
        .where(Incident.tenant_id == tenant_id)
    )
    if status == OPEN:
        query = query.where(Incident.state == IncidentState.OPEN)
    elif status in CUSTOMER_STATUSES:
        query = query.where(derived == status)
    if category in CATEGORIES:
        query = query.where(Incident.category == IncidentCategory(category))
    if site_id is not None:
        query = query.where(Incident.site_id == site_id)
    if client_id is not None:
        query = query.where(Incident.client_id == client_id)
    text = " ".join((text or "").split())[:100]
    if len(text) >= 2:
        p = contains_pattern(text)
        query = query.where(or_(ci_like(Incident.reference, p), ci_like(Incident.description, p)))
    rows, total, page, pages = paged(db, query.order_by(Incident.created_at.desc(), Incident.id.desc()), page)
    return Listing(
        [
            StaffRow(
                id=i.id,
                reference=i.reference,
                category=IncidentCategory(i.category),
                priority=Priority(i.priority),
                state=IncidentState(i.state),
                status=Status(st),
                site=site_name,
                client=client_name,
                created=i.created_at,
                description=i.description[:300],
                assigned_staff_id=i.assigned_staff_id,
            )
            for i, site_name, client_name, st in rows
        ],
        total,
        page,
        pages,
    )


@dataclass(frozen=True)
class History:
    """The History page: the filters' choices, the client and property filters as
    applied (None when not among the choices) and the page of incidents."""

    clients: list[Choice]
    sites: list[Choice]
    client_id: int | None
    site_id: int | None
    listing: Listing[StaffRow]


def history(
    db: Session,
    tenant_id: int,
    status: str | None = None,
    category: str | None = None,
    site_id: int | None = None,
    client_id: int | None = None,
    text: str = "",
    page: int = 1,
) -> History:
    """The History page in one read. A property not among the choices (another
    client's, after the client changed) is dropped rather than giving an empty list."""
    clients, sites = staff_filter_choices(db, tenant_id, client_id)
    site_id = site_id if any(s[0] == site_id for s in sites) else None
    return History(
        clients=clients,
        sites=sites,
        client_id=client_id if any(c[0] == client_id for c in clients) else None,
        site_id=site_id,
        listing=list_for_staff(db, tenant_id, status, category, site_id, client_id, text, page),
    )
