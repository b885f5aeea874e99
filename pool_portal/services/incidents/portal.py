"""Incidents from the portal's side: report one, list and open the view's incidents,
post a message on one. Every function takes the caller's ``Viewer`` and only ever
reads incidents of the viewer's clients; with the tenant's incidents switched off
(``common.portal_enabled``) it acts as if there were none.

Internal notes, tasks and their photos never leave through a function here, not even
through the derived status or the live-update version.

Writing functions validate everything first (errors are ``{field: translation key}``,
nothing written or stored on any error) and never commit: the caller's unit of work
does. Photos are stored before the transaction and deleted again if it rolls back;
the mails go out after it committed (``notify``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Client,
    Incident,
    IncidentCategory,
    IncidentMessage,
    IncidentState,
    MessageAuthor,
    NotificationKind,
    Priority,
    Site,
    Visit,
    VisitStatus,
    utcnow,
)
from pool_portal.services.core import audit
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents import notify
from pool_portal.services.incidents.common import (
    CATEGORIES,
    CUSTOMER_STATUSES,
    E_CATEGORY,
    E_DISABLED,
    E_LONG,
    E_NOT_ALLOWED,
    E_NOT_FOUND,
    E_SHORT,
    E_SITE,
    E_SOLVED,
    MAX_DESCRIPTION,
    MIN_DESCRIPTION,
    Listing,
    Status,
    check_body,
    new_reference,
    portal_enabled,
)
from pool_portal.services.incidents.photos import attach, checked_and_stored
from pool_portal.services.incidents.status import status_of, status_sql, upcoming_from
from pool_portal.services.incidents.thread import Entry, entries, messages_of
from pool_portal.services.portal.lists import paged


@dataclass(frozen=True)
class PortalRow:
    """A row of the portal's list of incidents."""

    id: int
    reference: str
    category: IncidentCategory
    site: str
    status: Status
    created: datetime | None
    description: str  # the first 300 characters


@dataclass(frozen=True)
class PortalIncident:
    """One incident as its page shows it: the header, the thread (no internal notes)
    and the version its live watcher compares (``portal_version``)."""

    id: int
    reference: str
    category: IncidentCategory
    site: str
    status: Status
    created: datetime | None
    thread: list[Entry]
    version: str


def _portal_writer(db: Session, viewer: Viewer) -> str | None:
    if not viewer.is_portal or viewer.read_only:
        return E_NOT_ALLOWED
    if not portal_enabled(db, viewer):
        return E_DISABLED
    return None


def report_incident(
    db: Session,
    viewer: Viewer,
    site_id: int,
    category: str,
    description: str,
    photos: list[tuple[str, bytes]] | None = None,
    *,
    now: datetime | None = None,
) -> tuple[Incident | None, dict[str, str]]:
    """Report an incident on a site of the viewer's view. Returns (incident, {}) or
    (None, {field: key}) with nothing written or stored.

    On success, in the caller's transaction: the incident (HIGH, OPEN, assigned to the
    tenant's first active ADMIN), the first message (the description, with the photos),
    a PENDING visit for the site, a MANUAL_INCIDENT notification for that admin, an
    audit event. After the commit the admin gets a ``new_incident`` mail.
    """
    refused = _portal_writer(db, viewer)
    if refused:
        return None, {"form": refused}
    errors: dict[str, str] = {}
    site = db.get(Site, site_id) if isinstance(site_id, int) and not isinstance(site_id, bool) else None
    if (
        site is None
        or site.tenant_id != viewer.tenant_id
        or site.client_id not in viewer.client_ids
        or not site.is_active
    ):
        errors["site"] = E_SITE
    if category not in CATEGORIES:
        errors["category"] = E_CATEGORY
    description = (description or "").strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = E_SHORT
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = E_LONG
    stored, errors = checked_and_stored(db, photos, errors)
    if stored is None:
        return None, errors

    now = now or utcnow()
    admin = notify.first_active_admin(db, viewer.tenant_id)
    incident = Incident(
        tenant_id=viewer.tenant_id,
        reference=new_reference(db, now.year),
        client_id=site.client_id,
        site_id=site.id,
        category=IncidentCategory(category),
        priority=Priority.HIGH,
        description=description,
        state=IncidentState.OPEN,
        reported_by_portal_user_id=viewer.user_id,
        assigned_staff_id=admin.id if admin else None,
        created_at=now,
        updated_at=now,
    )
    db.add(incident)
    db.flush()
    message = IncidentMessage(
        tenant_id=viewer.tenant_id,
        incident_id=incident.id,
        author_kind=MessageAuthor.CLIENT,
        portal_user_id=viewer.user_id,
        body=description,
        created_at=now,
    )
    db.add(message)
    db.flush()
    attach(db, incident, message, stored)
    db.add(
        Visit(
            tenant_id=viewer.tenant_id,
            site_id=site.id,
            incident_id=incident.id,
            status=VisitStatus.PENDING,
            created_at=now,
        )
    )
    if admin is not None:
        client = db.get(Client, site.client_id)
        notify.tell_staff(
            db,
            incident,
            admin,
            NotificationKind.MANUAL_INCIDENT,
            f"New incident {incident.reference}",
            f"{site.name}: {description}",
            "new_incident",
            client_name=client.name if client else "",
            site_name=site.name,
        )
    audit.record(
        db,
        "incident.reported",
        tenant_id=viewer.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="incident",
        target_id=incident.id,
        reference=incident.reference,
        site_id=site.id,
        category=category,
        photos=len(stored),
    )
    db.flush()
    return incident, {}


def _portal_query(viewer: Viewer):
    return select(Incident).where(
        Incident.tenant_id == viewer.tenant_id, Incident.client_id.in_(sorted(viewer.client_ids) or [-1])
    )


def get_for_portal(db: Session, viewer: Viewer, incident_id: int) -> Incident | None:
    """An incident of the viewer's clients, else None (another client, another tenant,
    incidents switched off)."""
    if not isinstance(incident_id, int) or not portal_enabled(db, viewer):
        return None
    return db.execute(_portal_query(viewer).where(Incident.id == incident_id)).scalar_one_or_none()


def list_for_portal(
    db: Session, viewer: Viewer, status_filter: str = "all", page: int = 1, *, now: datetime | None = None
) -> Listing[PortalRow]:
    """A page of the view's incidents, newest first, each with its derived status (see
    status.customer_status). ``status_filter`` is "all" or one of CUSTOMER_STATUSES
    (anything else: all)."""
    if not viewer.client_ids or not portal_enabled(db, viewer):
        return Listing([], 0, 1, 1)
    derived = status_sql(upcoming_from(db, viewer.tenant_id, now))
    query = (
        select(Incident, Site.name, derived.label("status"))
        .join(Site, Site.id == Incident.site_id)
        .where(Incident.tenant_id == viewer.tenant_id, Incident.client_id.in_(sorted(viewer.client_ids)))
    )
    if status_filter in CUSTOMER_STATUSES:
        query = query.where(derived == status_filter)
    rows, total, page, pages = paged(db, query.order_by(Incident.created_at.desc(), Incident.id.desc()), page)
    return Listing(
        [
            PortalRow(
                i.id,
                i.reference,
                IncidentCategory(i.category),
                site_name,
                Status(st),
                i.created_at,
                i.description[:300],
            )
            for i, site_name, st in rows
        ],
        total,
        page,
        pages,
    )


def thread_for_portal(db: Session, viewer: Viewer, incident_id: int) -> list[Entry] | None:
    """The customer's timeline, oldest first, or None when the incident is not in the
    view: messages that are not internal, each with its photos, then the closure
    (kind "resolution") when solved."""
    incident = get_for_portal(db, viewer, incident_id)
    return None if incident is None else entries(db, incident, messages_of(db, incident, include_internal=False))


def _portal_stamp(db: Session, incident: Incident) -> str:
    last = db.execute(
        select(func.max(IncidentMessage.id)).where(
            IncidentMessage.incident_id == incident.id, IncidentMessage.is_internal == False
        )
    ).scalar()
    status = db.execute(
        select(status_sql(upcoming_from(db, incident.tenant_id))).where(Incident.id == incident.id)
    ).scalar()
    return f"{last}:{incident.state.value}:{status}"


def portal_version(db: Session, viewer: Viewer, incident_id: int) -> str | None:
    """What a client's open incident page depends on, as a short string that changes
    when the page should refresh: the newest public message, the state, the derived
    status. Internal notes and tasks are left out, so nothing hidden is hinted at."""
    incident = get_for_portal(db, viewer, incident_id)
    return None if incident is None else _portal_stamp(db, incident)


def portal_incident(db: Session, viewer: Viewer, incident_id: int) -> PortalIncident | None:
    """The incident's page (header, thread, version), or None when it is not in the view."""
    incident = get_for_portal(db, viewer, incident_id)
    if incident is None:
        return None
    site = db.get(Site, incident.site_id)
    return PortalIncident(
        id=incident.id,
        reference=incident.reference,
        category=IncidentCategory(incident.category),
        site=site.name if site else "",
        status=status_of(db, incident),
        created=incident.created_at,
        thread=entries(db, incident, messages_of(db, incident, include_internal=False)),
        version=_portal_stamp(db, incident),
    )


def post_client_message(
    db: Session,
    viewer: Viewer,
    incident_id: int,
    body: str,
    photos: list[tuple[str, bytes]] | None = None,
    *,
    now: datetime | None = None,
) -> tuple[IncidentMessage | None, dict[str, str]]:
    """A client message (with photos) on an open incident of the view. Refused on a
    solved incident. The responsible admin (assigned, else the first active ADMIN) gets
    an INCIDENT_MESSAGE notification and, after the commit, an ``incident_message`` mail."""
    refused = _portal_writer(db, viewer)
    if refused:
        return None, {"form": refused}
    incident = get_for_portal(db, viewer, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    if incident.state == IncidentState.SOLVED:
        return None, {"form": E_SOLVED}
    body, errors = check_body(body)
    stored, errors = checked_and_stored(db, photos, errors)
    if stored is None:
        return None, errors
    now = now or utcnow()
    admin = notify.responsible_admin(db, incident)
    message = IncidentMessage(
        tenant_id=incident.tenant_id,
        incident_id=incident.id,
        author_kind=MessageAuthor.CLIENT,
        portal_user_id=viewer.user_id,
        body=body,
        created_at=now,
    )
    db.add(message)
    db.flush()
    attach(db, incident, message, stored)
    incident.updated_at = now
    if admin is not None:
        notify.tell_staff(
            db,
            incident,
            admin,
            NotificationKind.INCIDENT_MESSAGE,
            f"New message on {incident.reference}",
            body,
            "incident_message",
            excerpt=body[:500],
        )
    audit.record(
        db,
        "incident.client_message",
        tenant_id=incident.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="incident",
        target_id=incident.id,
        photos=len(stored),
    )
    db.flush()
    return message, {}
