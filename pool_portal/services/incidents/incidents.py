"""Incidents: reported from the portal, handled by staff. Plain Python, no Reflex.

Portal functions take a ``Viewer`` and only ever read incidents of the viewer's
clients; staff functions take the ``tenant_id`` of the staff session and answer
None / ``incident.error.not_found`` for an id of another tenant.

Internal notes (``IncidentMessage.is_internal``), tasks and their attachments never
leave through a portal function, not even through the derived status.

Writing functions validate everything first (errors are ``{field: translation key}``)
and commit their own transaction; mail goes out only after the commit.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from pool_portal.models import (
    Client,
    Incident,
    IncidentAttachment,
    IncidentCategory,
    IncidentMessage,
    IncidentState,
    IncidentTask,
    MessageAuthor,
    Notification,
    NotificationKind,
    PortalUser,
    Priority,
    Site,
    StaffRole,
    StaffUser,
    Tenant,
    Visit,
    VisitStatus,
    utcnow,
)
from pool_portal.services.core import audit
from pool_portal.services.core.clock import start_of_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra import storage, uploads
from pool_portal.services.portal.lists import Page
from pool_portal.services.portal.lists import paged as _paged
from pool_portal.services.portal.portal_settings import incidents_enabled
from pool_portal.services.portal.search import _like, _pattern

log = logging.getLogger("pool_portal.incidents")

CATEGORIES = tuple(c.value for c in IncidentCategory)
PRIORITIES = tuple(p.value for p in Priority)
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 5000
MAX_MESSAGE = 5000
MAX_RESOLUTION = 5000
MAX_TASK_TITLE = 200
MAX_PHOTO_BYTES = uploads.MAX_PHOTO_BYTES
MAX_PHOTOS = uploads.MAX_PHOTOS
PER_PAGE = 25

RECEIVED, IN_PROCESS, SCHEDULED_VISIT, SOLVED = "RECEIVED", "IN_PROCESS", "SCHEDULED_VISIT", "SOLVED"
CUSTOMER_STATUSES = (RECEIVED, IN_PROCESS, SCHEDULED_VISIT, SOLVED)

REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
REFERENCE_ATTEMPTS = 20

E_NOT_ALLOWED = "incident.error.not_allowed"
E_NOT_FOUND = "incident.error.not_found"
E_DISABLED = "incident.error.disabled"
E_SITE = "incident.error.site"
E_CATEGORY = "incident.error.category"
E_PRIORITY = "incident.error.priority"
E_SHORT = "incident.error.description_short"
E_LONG = "incident.error.description_long"
E_BODY_EMPTY = "incident.error.body_empty"
E_BODY_LONG = "incident.error.body_long"
E_STORAGE = "incident.error.storage"
E_SOLVED = "incident.error.solved"
E_NOT_SOLVED = "incident.error.not_solved"
E_RESOLUTION = "incident.error.resolution_required"
E_TASK_TITLE = "incident.error.task_title"
E_TECHNICIAN = "incident.error.technician"
E_DATE = "incident.error.date"


def _v(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


# -- references -------------------------------------------------------------------------------
def _random_code() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def new_reference(session: Session, year: int) -> str:
    """``INC-<year>-<6 upper-case letters/digits>`` not used yet (references are unique
    across tenants); a taken one is drawn again, up to REFERENCE_ATTEMPTS times."""
    for _ in range(REFERENCE_ATTEMPTS):
        ref = f"INC-{int(year)}-{_random_code()}"
        if session.execute(select(Incident.id).where(Incident.reference == ref)).first() is None:
            return ref
    raise RuntimeError("no free incident reference after several attempts")


# -- the customer-facing status ---------------------------------------------------------------
def upcoming_from(session: Session, tenant_id: int, now: datetime | None = None) -> datetime:
    """The start of today in the tenant's time zone, as a UTC instant: a visit planned
    at or after it is still to come (a visit today counts, as "future" does in the
    jobs list, until it is marked done)."""
    return start_of_today(session, tenant_id, now)


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # stored naive on SQLite: UTC


def _visit_is_planned(v) -> bool:
    status = _v(v.status)
    return status == VisitStatus.SCHEDULED.value or (
        status == VisitStatus.PENDING.value and v.scheduled_for is not None
    )


def _visit_is_upcoming(v, since: datetime) -> bool:
    return _visit_is_planned(v) and v.scheduled_for is not None and _utc(v.scheduled_for) >= since


def customer_status(
    incident,
    tasks: Iterable = (),
    visits: Iterable = (),
    messages: Iterable = (),
    *,
    upcoming_since: datetime | None = None,
) -> str:
    """The status a customer sees, derived (never stored), first rule that holds wins:

    1. ``SOLVED``: the incident's state is SOLVED (whatever else exists).
    2. ``SCHEDULED_VISIT``: a visit of the incident is planned (status SCHEDULED, or
       PENDING with a date) with a future date: ``scheduled_for`` at or after
       ``upcoming_since``, the start of the tenant's today (``upcoming_from``; default:
       the start of today in UTC). DONE and CANCELLED visits never count.
    3. ``IN_PROCESS``: staff have started: an internal task exists (open or done), a
       public staff reply was sent (author STAFF, not internal), a visit is DONE, or a
       planned visit's date has passed (or it has none) without it being done.
       Internal notes do NOT count: they must not be visible, not even indirectly.
    4. ``RECEIVED``: otherwise (just reported; client messages change nothing).

    ``messages`` are the incident's messages (the thread); the SQL twin used for lists
    and filters is ``_status_sql`` and must say the same.
    """
    if _v(incident.state) == IncidentState.SOLVED.value:
        return SOLVED
    since = upcoming_since or datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    visits = list(visits)
    if any(_visit_is_upcoming(v, since) for v in visits):
        return SCHEDULED_VISIT
    if (
        any(True for _ in tasks)
        or any(_v(v.status) == VisitStatus.DONE.value or _visit_is_planned(v) for v in visits)
        or any(_v(m.author_kind) == MessageAuthor.STAFF.value and not m.is_internal for m in messages)
    ):
        return IN_PROCESS
    return RECEIVED


def _status_sql(upcoming_since: datetime):
    """customer_status() as a SQL expression over Incident (same rules, same order);
    ``upcoming_since`` as there (``upcoming_from`` of the tenant)."""
    planned = or_(
        Visit.status == VisitStatus.SCHEDULED,
        and_(Visit.status == VisitStatus.PENDING, Visit.scheduled_for.is_not(None)),
    )
    scheduled = exists().where(Visit.incident_id == Incident.id, planned, Visit.scheduled_for >= upcoming_since)
    in_process = or_(
        exists().where(IncidentTask.incident_id == Incident.id),
        exists().where(Visit.incident_id == Incident.id, or_(Visit.status == VisitStatus.DONE, planned)),
        exists().where(
            IncidentMessage.incident_id == Incident.id,
            IncidentMessage.author_kind == MessageAuthor.STAFF,
            IncidentMessage.is_internal == False,
        ),
    )
    return case(
        (Incident.state == IncidentState.SOLVED, SOLVED),
        (scheduled, SCHEDULED_VISIT),
        (in_process, IN_PROCESS),
        else_=RECEIVED,
    )


def status_of(session: Session, incident: Incident, now: datetime | None = None) -> str:
    """customer_status() of a stored incident (today as the tenant's time zone says)."""
    tasks = session.execute(select(IncidentTask).where(IncidentTask.incident_id == incident.id)).scalars().all()
    visits = session.execute(select(Visit).where(Visit.incident_id == incident.id)).scalars().all()
    messages = (
        session.execute(select(IncidentMessage).where(IncidentMessage.incident_id == incident.id)).scalars().all()
    )
    return customer_status(
        incident, tasks, visits, messages, upcoming_since=upcoming_from(session, incident.tenant_id, now)
    )


# -- shared helpers -----------------------------------------------------------------------------
def first_active_admin(session: Session, tenant_id: int) -> StaffUser | None:
    """The tenant's active ADMIN with the lowest id."""
    return (
        session.execute(
            select(StaffUser)
            .where(StaffUser.tenant_id == tenant_id, StaffUser.role == StaffRole.ADMIN, StaffUser.is_active == True)
            .order_by(StaffUser.id)
            .limit(1)
        )
        .scalars()
        .first()
    )


def _responsible_admin(session: Session, incident: Incident) -> StaffUser | None:
    """The assigned staff user while active, else the first active ADMIN."""
    if incident.assigned_staff_id is not None:
        staff = session.get(StaffUser, incident.assigned_staff_id)
        if staff is not None and staff.is_active and staff.tenant_id == incident.tenant_id:
            return staff
    return first_active_admin(session, incident.tenant_id)


def _check_body(body: str, *, field: str = "body") -> tuple[str, dict[str, str]]:
    body = (body or "").strip()
    if not body:
        return body, {field: E_BODY_EMPTY}
    if len(body) > MAX_MESSAGE:
        return body, {field: E_BODY_LONG}
    return body, {}


def _store_photos(images: list[uploads.CheckedImage]) -> list[tuple[uploads.CheckedImage, str, str]]:
    """Store every image; on a failure delete the ones already stored and raise."""
    stored: list[tuple[uploads.CheckedImage, str, str]] = []
    try:
        for image in images:
            backend, key = storage.put_image(image.data, image.ext)
            stored.append((image, backend, key))
    except Exception:
        _delete_files(stored)
        raise
    return stored


def _checked_and_stored(photos, errors: dict[str, str]) -> tuple[list | None, dict[str, str]]:
    """Check the photos (adding their error to ``errors``); when nothing at all is
    wrong, store them. (stored, {}) or (None, errors): nothing stored on any error."""
    images, photo_errors = uploads.check_images(photos or [])
    if photo_errors:
        errors["photos"] = photo_errors[0]
    if errors:
        return None, errors
    try:
        return _store_photos(images), {}
    except Exception:
        log.exception("storing incident photos failed")
        return None, {"photos": E_STORAGE}


def _delete_files(stored: list[tuple[uploads.CheckedImage, str, str]]) -> None:
    for _, backend, key in stored:
        try:
            storage.delete(backend, key)
        except Exception:  # best effort: an orphan file is logged, never fatal
            log.warning("could not delete stored photo %s:%s", backend, key, exc_info=True)


def _attach(
    session: Session, incident: Incident, message: IncidentMessage, stored: list[tuple[uploads.CheckedImage, str, str]]
) -> None:
    for image, backend, key in stored:
        session.add(
            IncidentAttachment(
                tenant_id=incident.tenant_id,
                incident_id=incident.id,
                message_id=message.id,
                storage_backend=backend,
                storage_key=key,
                content_type=image.content_type,
                size_bytes=image.size,
                original_name=image.name,
            )
        )


def _commit_with_files(session: Session, stored, write) -> object:
    """Run ``write()`` (adds and flushes rows) and commit; on any failure roll back and
    delete the stored files, then re-raise."""
    try:
        result = write()
        session.commit()
    except Exception:
        session.rollback()
        _delete_files(stored)
        raise
    return result


PORTAL_PAGE = "/portal/incident"  # the pages' routes (pool_portal.py adds them)
ADMIN_PAGE = "/admin/incident"


def portal_path(incident_id: int) -> str:
    """The client's page of an incident (notifications and mails link here)."""
    return f"{PORTAL_PAGE}?id={int(incident_id)}"


def admin_path(incident_id: int) -> str:
    """The staff page of an incident."""
    return f"{ADMIN_PAGE}?id={int(incident_id)}"


def _link(path: str) -> str:
    from pool_portal.settings import get_settings

    return f"{get_settings().public_url}{path}"


def _send_mail(kind: str, to: str, lang: str, **params: object) -> None:
    """Queue one mail (tests replace this)."""
    from pool_portal.services.infra import mail

    mail.send_in_background(mail.Message.from_template(kind, to, lang, **params))


def _mail_safely(kind: str, to: str, lang: str, **params: object) -> bool:
    try:
        _send_mail(kind, to, lang, **params)
    except Exception:  # a mail problem never undoes what was saved
        log.exception("incident mail %s to %s not queued", kind, to)
        return False
    return True


def _tenant_name(session: Session, tenant_id: int) -> str:
    tenant = session.get(Tenant, tenant_id)
    return tenant.name if tenant else ""


def _notify_client(
    session: Session,
    incident: Incident,
    kind: NotificationKind,
    title: str,
    body: str,
    mail_kind: str,
    **mail_params: object,
) -> tuple[Notification, PortalUser] | None:
    """A notification for the reporter (when still an active user); the caller mails
    after commit when they want mail (``notify_on_reply``)."""
    if incident.reported_by_portal_user_id is None:
        return None
    user = session.get(PortalUser, incident.reported_by_portal_user_id)
    if user is None or not user.is_active or user.tenant_id != incident.tenant_id:
        return None
    note = Notification(
        tenant_id=incident.tenant_id,
        kind=kind,
        portal_user_id=user.id,
        title=title[:200],
        body=body[:2000],
        link=portal_path(incident.id),
        incident_id=incident.id,
    )
    session.add(note)
    return note, user


def _mail_client_after_commit(session: Session, pending, mail_kind: str, **params: object) -> None:
    if pending is None:
        return
    note, user = pending
    if not user.notify_on_reply:
        return
    if _mail_safely(mail_kind, user.email, user.language, **params):
        note.emailed_at = utcnow()
        session.commit()


# -- the portal ---------------------------------------------------------------------------------
def portal_enabled(session: Session, viewer: Viewer) -> bool:
    """Whether the viewer has the portal's incidents: a portal viewer of a tenant that
    has not switched them off (admin settings). Switched off, every portal function
    acts as if there were no incidents (nothing listed, read, reported or posted);
    staff functions are not affected: staff keep the whole history."""
    return viewer.is_portal and incidents_enabled(session, viewer.tenant_id)


def _portal_writer(session: Session, viewer: Viewer) -> str | None:
    if not viewer.is_portal or viewer.read_only:
        return E_NOT_ALLOWED
    if not portal_enabled(session, viewer):
        return E_DISABLED
    return None


def report_incident(
    session: Session,
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

    On success, in one transaction: the incident (HIGH, OPEN, assigned to the tenant's
    first active ADMIN), the first message (the description, with the photos), a PENDING
    visit for the site, a MANUAL_INCIDENT notification for that admin, an audit event.
    Then the admin gets a ``new_incident`` mail.
    """
    refused = _portal_writer(session, viewer)
    if refused:
        return None, {"form": refused}
    errors: dict[str, str] = {}
    site = session.get(Site, site_id) if isinstance(site_id, int) and not isinstance(site_id, bool) else None
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
    stored, errors = _checked_and_stored(photos, errors)
    if stored is None:
        return None, errors

    now = now or utcnow()
    admin = first_active_admin(session, viewer.tenant_id)

    def write() -> Incident:
        incident = Incident(
            tenant_id=viewer.tenant_id,
            reference=new_reference(session, now.year),
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
        session.add(incident)
        session.flush()
        message = IncidentMessage(
            tenant_id=viewer.tenant_id,
            incident_id=incident.id,
            author_kind=MessageAuthor.CLIENT,
            portal_user_id=viewer.user_id,
            body=description,
            created_at=now,
        )
        session.add(message)
        session.flush()
        _attach(session, incident, message, stored)
        session.add(
            Visit(
                tenant_id=viewer.tenant_id,
                site_id=site.id,
                incident_id=incident.id,
                status=VisitStatus.PENDING,
                created_at=now,
            )
        )
        if admin is not None:
            session.add(
                Notification(
                    tenant_id=viewer.tenant_id,
                    kind=NotificationKind.MANUAL_INCIDENT,
                    staff_user_id=admin.id,
                    title=f"New incident {incident.reference}"[:200],
                    body=f"{site.name}: {description}"[:2000],
                    link=admin_path(incident.id),
                    incident_id=incident.id,
                )
            )
        audit.record(
            session,
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
        session.flush()
        return incident

    incident = _commit_with_files(session, stored, write)
    if admin is not None:
        client = session.get(Client, site.client_id)
        if _mail_safely(
            "new_incident",
            admin.email,
            admin.language,
            tenant_name=_tenant_name(session, viewer.tenant_id),
            reference=incident.reference,
            link=_link(admin_path(incident.id)),
            client_name=client.name if client else "",
            site_name=site.name,
        ):
            session.execute(
                update(Notification)
                .where(Notification.incident_id == incident.id, Notification.staff_user_id == admin.id)
                .values(emailed_at=utcnow())
            )
            session.commit()
    return incident, {}


def _portal_query(viewer: Viewer):
    return select(Incident).where(
        Incident.tenant_id == viewer.tenant_id, Incident.client_id.in_(sorted(viewer.client_ids) or [-1])
    )


def get_for_portal(session: Session, viewer: Viewer, incident_id: int) -> Incident | None:
    """An incident of the viewer's clients, else None (another client, another tenant,
    incidents switched off)."""
    if not isinstance(incident_id, int) or not portal_enabled(session, viewer):
        return None
    return session.execute(_portal_query(viewer).where(Incident.id == incident_id)).scalar_one_or_none()


def list_for_portal(
    session: Session, viewer: Viewer, status_filter: str = "all", page: int = 1, *, now: datetime | None = None
) -> Page:
    """A page of the view's incidents, newest first. Rows: id, reference, category,
    site, status (derived, see customer_status), created (ISO), description.
    ``status_filter`` is "all" or one of CUSTOMER_STATUSES (anything else: all)."""
    if not viewer.client_ids or not portal_enabled(session, viewer):
        return Page([], 0, 1, 1)
    derived = _status_sql(upcoming_from(session, viewer.tenant_id, now))
    query = (
        select(Incident, Site.name, derived.label("status"))
        .join(Site, Site.id == Incident.site_id)
        .where(Incident.tenant_id == viewer.tenant_id, Incident.client_id.in_(sorted(viewer.client_ids)))
    )
    if status_filter in CUSTOMER_STATUSES:
        query = query.where(derived == status_filter)
    rows, total, page, pages = _paged(session, query.order_by(Incident.created_at.desc(), Incident.id.desc()), page)
    return Page(
        [
            {
                "id": str(i.id),
                "reference": i.reference,
                "category": _v(i.category),
                "site": site_name,
                "status": st,
                "created": i.created_at.isoformat() if i.created_at else "",
                "description": i.description[:300],
            }
            for i, site_name, st in rows
        ],
        total,
        page,
        pages,
    )


def _attachments_by_message(session: Session, incident_id: int, message_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    if not message_ids:
        return found
    rows = session.execute(
        select(IncidentAttachment)
        .where(IncidentAttachment.incident_id == incident_id, IncidentAttachment.message_id.in_(message_ids))
        .order_by(IncidentAttachment.id)
    ).scalars()
    for a in rows:
        found.setdefault(a.message_id, []).append(
            {"id": a.id, "name": a.original_name, "content_type": a.content_type, "size": a.size_bytes}
        )
    return found


def _thread(session: Session, incident: Incident, *, include_internal: bool) -> list[dict]:
    query = select(IncidentMessage).where(
        IncidentMessage.incident_id == incident.id, IncidentMessage.tenant_id == incident.tenant_id
    )
    if not include_internal:
        query = query.where(IncidentMessage.is_internal == False)
    messages = list(session.execute(query.order_by(IncidentMessage.created_at, IncidentMessage.id)).scalars())
    files = _attachments_by_message(session, incident.id, [m.id for m in messages])
    staff_names = {
        s.id: s.name
        for s in session.execute(
            select(StaffUser).where(StaffUser.id.in_({m.staff_user_id for m in messages if m.staff_user_id} or {-1}))
        ).scalars()
    }
    user_names = {
        u.id: u.name
        for u in session.execute(
            select(PortalUser).where(
                PortalUser.id.in_({m.portal_user_id for m in messages if m.portal_user_id} or {-1})
            )
        ).scalars()
    }
    entries = [
        {
            "kind": "message",
            "id": m.id,
            "author": _v(m.author_kind),
            "author_name": staff_names.get(m.staff_user_id) or user_names.get(m.portal_user_id) or "",
            "body": m.body,
            "internal": bool(m.is_internal),
            "at": m.created_at,
            "attachments": files.get(m.id, []),
        }
        for m in messages
    ]
    if _v(incident.state) == IncidentState.SOLVED.value and incident.resolution_note:
        entries.append(
            {
                "kind": "resolution",
                "id": None,
                "author": MessageAuthor.STAFF.value,
                "author_name": "",
                "body": incident.resolution_note,
                "internal": False,
                "at": incident.solved_at,
                "attachments": [],
            }
        )
    return entries


def thread_for_portal(session: Session, viewer: Viewer, incident_id: int) -> list[dict] | None:
    """The customer's timeline, oldest first, or None when the incident is not in the
    view: messages that are not internal, each with its attachments
    ({id, name, content_type, size}), then the closure ({"kind": "resolution"}) when solved.
    Entries: {kind, id, author, author_name, body, internal (always False), at, attachments}."""
    incident = get_for_portal(session, viewer, incident_id)
    if incident is None:
        return None
    return _thread(session, incident, include_internal=False)


def attachment_for_portal(
    session: Session, viewer: Viewer, attachment_id: int, *, thumb: bool = False
) -> tuple[IncidentAttachment, str | bytes] | None:
    """A photo the viewer may see (on a public message of an incident in the view):
    (attachment, signed URL or bytes), else None (also with incidents switched off)."""
    if not isinstance(attachment_id, int) or not portal_enabled(session, viewer):
        return None
    row = session.execute(
        select(IncidentAttachment)
        .join(Incident, Incident.id == IncidentAttachment.incident_id)
        .join(IncidentMessage, IncidentMessage.id == IncidentAttachment.message_id)
        .where(
            IncidentAttachment.id == attachment_id,
            Incident.tenant_id == viewer.tenant_id,
            Incident.client_id.in_(sorted(viewer.client_ids) or [-1]),
            IncidentMessage.is_internal == False,
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    try:
        return row, storage.image_url_or_bytes(row.storage_backend, row.storage_key, thumb=thumb)
    except storage.StorageError:
        return None


def post_client_message(
    session: Session,
    viewer: Viewer,
    incident_id: int,
    body: str,
    photos: list[tuple[str, bytes]] | None = None,
    *,
    now: datetime | None = None,
) -> tuple[IncidentMessage | None, dict[str, str]]:
    """A client message (with photos) on an open incident of the view. Refused on a
    solved incident. The responsible admin (assigned, else the first active ADMIN) gets
    an INCIDENT_MESSAGE notification and an ``incident_message`` mail."""
    refused = _portal_writer(session, viewer)
    if refused:
        return None, {"form": refused}
    incident = get_for_portal(session, viewer, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    if _v(incident.state) == IncidentState.SOLVED.value:
        return None, {"form": E_SOLVED}
    body, errors = _check_body(body)
    stored, errors = _checked_and_stored(photos, errors)
    if stored is None:
        return None, errors
    now = now or utcnow()
    admin = _responsible_admin(session, incident)

    def write() -> tuple[IncidentMessage, Notification | None]:
        message = IncidentMessage(
            tenant_id=incident.tenant_id,
            incident_id=incident.id,
            author_kind=MessageAuthor.CLIENT,
            portal_user_id=viewer.user_id,
            body=body,
            created_at=now,
        )
        session.add(message)
        session.flush()
        _attach(session, incident, message, stored)
        incident.updated_at = now
        note = None
        if admin is not None:
            note = Notification(
                tenant_id=incident.tenant_id,
                kind=NotificationKind.INCIDENT_MESSAGE,
                staff_user_id=admin.id,
                title=f"New message on {incident.reference}"[:200],
                body=body[:2000],
                link=admin_path(incident.id),
                incident_id=incident.id,
            )
            session.add(note)
        audit.record(
            session,
            "incident.client_message",
            tenant_id=incident.tenant_id,
            actor_kind="portal",
            actor_id=viewer.user_id,
            target_type="incident",
            target_id=incident.id,
            photos=len(stored),
        )
        session.flush()
        return message, note

    message, note = _commit_with_files(session, stored, write)
    if note is not None and _mail_safely(
        "incident_message",
        admin.email,
        admin.language,
        tenant_name=_tenant_name(session, incident.tenant_id),
        reference=incident.reference,
        link=_link(admin_path(incident.id)),
        excerpt=body[:500],
    ):
        note.emailed_at = utcnow()
        session.commit()
    return message, {}


# -- staff ----------------------------------------------------------------------------------------
def get_for_staff(session: Session, tenant_id: int, incident_id: int) -> Incident | None:
    """The tenant's incident, or None (unknown id, another tenant's)."""
    if not isinstance(incident_id, int):
        return None
    return session.execute(
        select(Incident).where(Incident.id == incident_id, Incident.tenant_id == tenant_id)
    ).scalar_one_or_none()


def thread_for_staff(session: Session, tenant_id: int, incident_id: int) -> list[dict] | None:
    """The whole timeline, internal notes included (``internal`` tells them apart)."""
    incident = get_for_staff(session, tenant_id, incident_id)
    return None if incident is None else _thread(session, incident, include_internal=True)


def tasks_for_staff(session: Session, tenant_id: int, incident_id: int) -> list[IncidentTask] | None:
    if get_for_staff(session, tenant_id, incident_id) is None:
        return None
    return list(
        session.execute(
            select(IncidentTask)
            .where(IncidentTask.incident_id == incident_id, IncidentTask.tenant_id == tenant_id)
            .order_by(IncidentTask.id)
        ).scalars()
    )


def visits_for_staff(session: Session, tenant_id: int, incident_id: int) -> list[Visit] | None:
    if get_for_staff(session, tenant_id, incident_id) is None:
        return None
    return list(
        session.execute(
            select(Visit).where(Visit.incident_id == incident_id, Visit.tenant_id == tenant_id).order_by(Visit.id)
        ).scalars()
    )


def attachment_for_staff(
    session: Session, tenant_id: int, attachment_id: int, *, thumb: bool = False
) -> tuple[IncidentAttachment, str | bytes] | None:
    row = session.execute(
        select(IncidentAttachment).where(
            IncidentAttachment.id == attachment_id, IncidentAttachment.tenant_id == tenant_id
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    try:
        return row, storage.image_url_or_bytes(row.storage_backend, row.storage_key, thumb=thumb)
    except storage.StorageError:
        return None


def staff_filter_choices(
    session: Session, tenant_id: int, client_id: int | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """The History filters' options: the tenant's clients ([id, name]) and its
    properties ([id, label]), the properties narrowed to ``client_id`` when that is a
    client of the tenant (the label is then the name alone, else "name · client")."""
    clients = [
        [str(c.id), c.name]
        for c in session.execute(
            select(Client).where(Client.tenant_id == tenant_id).order_by(Client.name, Client.id)
        ).scalars()
    ]
    narrowed = client_id is not None and any(c[0] == str(client_id) for c in clients)
    query = (
        select(Site.id, Site.name, Client.name)
        .join(Client, Client.id == Site.client_id)
        .where(Site.tenant_id == tenant_id)
    )
    if narrowed:
        query = query.where(Site.client_id == client_id)
    sites = [
        [str(i), name if narrowed else f"{name} · {client}"]
        for i, name, client in session.execute(query.order_by(Site.name, Client.name, Site.id))
    ]
    return clients, sites


def list_for_staff(
    session: Session,
    tenant_id: int,
    status: str | None = None,
    category: str | None = None,
    site_id: int | None = None,
    client_id: int | None = None,
    text: str = "",
    page: int = 1,
    *,
    now: datetime | None = None,
) -> Page:
    """A page of the tenant's incidents, newest first. ``status``: "OPEN" (not solved)
    or a customer status; ``text`` (2+ characters) searches reference and description.
    Rows: id, reference, category, priority, state, status, site, client, created,
    description, assigned_staff_id."""
    derived = _status_sql(upcoming_from(session, tenant_id, now))
    query = (
        select(Incident, Site.name, Client.name, derived.label("status"))
        .join(Site, Site.id == Incident.site_id)
        .join(Client, Client.id == Incident.client_id)
        .where(Incident.tenant_id == tenant_id)
    )
    if status == "OPEN":
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
        p = _pattern(text)
        query = query.where(or_(_like(Incident.reference, p), _like(Incident.description, p)))
    rows, total, page, pages = _paged(session, query.order_by(Incident.created_at.desc(), Incident.id.desc()), page)
    return Page(
        [
            {
                "id": str(i.id),
                "reference": i.reference,
                "category": _v(i.category),
                "priority": _v(i.priority),
                "state": _v(i.state),
                "status": st,
                "site": site_name,
                "client": client_name,
                "created": i.created_at.isoformat() if i.created_at else "",
                "description": i.description[:300],
                "assigned_staff_id": str(i.assigned_staff_id or ""),
            }
            for i, site_name, client_name, st in rows
        ],
        total,
        page,
        pages,
    )


def _staff_audit(session: Session, action: str, tenant_id: int, staff_user_id: int, incident_id: int, **detail) -> None:
    audit.record(
        session,
        action,
        tenant_id=tenant_id,
        actor_kind="staff",
        actor_id=staff_user_id,
        target_type="incident",
        target_id=incident_id,
        **detail,
    )


def classify(
    session: Session, tenant_id: int, staff_user_id: int, incident_id: int, category: str, priority: str
) -> tuple[Incident | None, dict[str, str]]:
    """Set category and priority."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    errors = {}
    if category not in CATEGORIES:
        errors["category"] = E_CATEGORY
    if priority not in PRIORITIES:
        errors["priority"] = E_PRIORITY
    if errors:
        return None, errors
    incident.category, incident.priority, incident.updated_at = IncidentCategory(category), Priority(priority), utcnow()
    _staff_audit(
        session, "incident.classified", tenant_id, staff_user_id, incident.id, category=category, priority=priority
    )
    session.commit()
    return incident, {}


def _staff_of_tenant(session: Session, tenant_id: int, staff_id: int | None) -> StaffUser | None:
    if not isinstance(staff_id, int):
        return None
    staff = session.get(StaffUser, staff_id)
    return staff if staff is not None and staff.tenant_id == tenant_id and staff.is_active else None


def add_task(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    incident_id: int,
    title: str,
    assigned_staff_id: int | None = None,
) -> tuple[IncidentTask | None, dict[str, str]]:
    """An internal task (never shown to the customer; it moves the status to IN_PROCESS)."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    title = " ".join((title or "").split())
    errors = {}
    if not title or len(title) > MAX_TASK_TITLE:
        errors["title"] = E_TASK_TITLE
    if assigned_staff_id is not None and _staff_of_tenant(session, tenant_id, assigned_staff_id) is None:
        errors["assigned_staff_id"] = E_TECHNICIAN
    if errors:
        return None, errors
    task = IncidentTask(tenant_id=tenant_id, incident_id=incident.id, title=title, assigned_staff_id=assigned_staff_id)
    session.add(task)
    incident.updated_at = utcnow()
    session.flush()
    _staff_audit(session, "incident.task_added", tenant_id, staff_user_id, incident.id, task_id=task.id)
    session.commit()
    return task, {}


def complete_task(
    session: Session, tenant_id: int, staff_user_id: int, task_id: int, done: bool = True
) -> tuple[IncidentTask | None, dict[str, str]]:
    """Mark a task done (or open again with done=False)."""
    task = (
        session.execute(
            select(IncidentTask).where(IncidentTask.id == task_id, IncidentTask.tenant_id == tenant_id)
        ).scalar_one_or_none()
        if isinstance(task_id, int)
        else None
    )
    if task is None:
        return None, {"form": E_NOT_FOUND}
    task.is_done, task.done_at = bool(done), (utcnow() if done else None)
    _staff_audit(
        session,
        "incident.task_done" if done else "incident.task_reopened",
        tenant_id,
        staff_user_id,
        task.incident_id,
        task_id=task.id,
    )
    session.commit()
    return task, {}


def schedule_visit(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    incident_id: int,
    when: date | datetime,
    technician_staff_id: int,
) -> tuple[Visit | None, dict[str, str]]:
    """Plan the incident's visit: the open (PENDING/SCHEDULED) one is updated, else a new
    one is made; status SCHEDULED with the date and an active staff user of the tenant.
    A date without a time is stored as 09:00 UTC."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    errors = {}
    if isinstance(when, datetime):
        when_at = when if when.tzinfo else when.replace(tzinfo=UTC)
    elif isinstance(when, date):
        when_at = datetime.combine(when, time(9), tzinfo=UTC)
    else:
        when_at = None
        errors["date"] = E_DATE
    if _staff_of_tenant(session, tenant_id, technician_staff_id) is None:
        errors["technician"] = E_TECHNICIAN
    if _v(incident.state) == IncidentState.SOLVED.value:
        errors["form"] = E_SOLVED
    if errors:
        return None, errors
    visit = (
        session.execute(
            select(Visit)
            .where(
                Visit.incident_id == incident.id,
                Visit.tenant_id == tenant_id,
                Visit.status.in_([VisitStatus.PENDING, VisitStatus.SCHEDULED]),
            )
            .order_by(Visit.id)
            .limit(1)
        )
        .scalars()
        .first()
    )
    if visit is None:
        visit = Visit(tenant_id=tenant_id, site_id=incident.site_id, incident_id=incident.id)
        session.add(visit)
    visit.status, visit.scheduled_for, visit.technician_id = VisitStatus.SCHEDULED, when_at, technician_staff_id
    incident.updated_at = utcnow()
    session.flush()
    _staff_audit(
        session,
        "incident.visit_scheduled",
        tenant_id,
        staff_user_id,
        incident.id,
        visit_id=visit.id,
        when=when_at.isoformat(),
        technician=technician_staff_id,
    )
    session.commit()
    return visit, {}


def staff_reply(
    session: Session, tenant_id: int, staff_user_id: int, incident_id: int, body: str, internal: bool
) -> tuple[IncidentMessage | None, dict[str, str]]:
    """An internal note (staff only) or a reply sent to the customer portal. A public
    reply notifies the reporter (INCIDENT_REPLY) and mails them when they want replies
    by mail (``notify_on_reply``)."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    body, errors = _check_body(body)
    if errors:
        return None, errors
    message = IncidentMessage(
        tenant_id=tenant_id,
        incident_id=incident.id,
        author_kind=MessageAuthor.STAFF,
        staff_user_id=staff_user_id,
        body=body,
        is_internal=bool(internal),
    )
    session.add(message)
    incident.updated_at = utcnow()
    pending = None
    if not internal:
        pending = _notify_client(
            session,
            incident,
            NotificationKind.INCIDENT_REPLY,
            f"New reply on {incident.reference}",
            body,
            "incident_reply",
        )
    session.flush()
    _staff_audit(
        session,
        "incident.note" if internal else "incident.reply",
        tenant_id,
        staff_user_id,
        incident.id,
        message_id=message.id,
    )
    session.commit()
    if not internal:
        _mail_client_after_commit(
            session,
            pending,
            "incident_reply",
            tenant_name=_tenant_name(session, tenant_id),
            reference=incident.reference,
            link=_link(portal_path(incident.id)),
            excerpt=body[:500],
        )
    return message, {}


def solve(
    session: Session, tenant_id: int, staff_user_id: int, incident_id: int, resolution_note: str
) -> tuple[Incident | None, dict[str, str]]:
    """Mark solved with a resolution note (required; shown to the customer as the
    closure). Client messages are refused from then on. Notifies and mails the reporter
    (INCIDENT_SOLVED, ``notify_on_reply``)."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    note = (resolution_note or "").strip()
    if not note or len(note) > MAX_RESOLUTION:
        return None, {"resolution_note": E_RESOLUTION if not note else E_BODY_LONG}
    if _v(incident.state) == IncidentState.SOLVED.value:
        return None, {"form": E_SOLVED}
    now = utcnow()
    incident.state, incident.resolution_note, incident.solved_at, incident.updated_at = (
        IncidentState.SOLVED,
        note,
        now,
        now,
    )
    pending = _notify_client(
        session,
        incident,
        NotificationKind.INCIDENT_SOLVED,
        f"Incident {incident.reference} solved",
        note,
        "incident_solved",
    )
    _staff_audit(session, "incident.solved", tenant_id, staff_user_id, incident.id)
    session.commit()
    _mail_client_after_commit(
        session,
        pending,
        "incident_solved",
        tenant_name=_tenant_name(session, tenant_id),
        reference=incident.reference,
        link=_link(portal_path(incident.id)),
        resolution=note[:2000],
    )
    return incident, {}


def reopen(
    session: Session, tenant_id: int, staff_user_id: int, incident_id: int
) -> tuple[Incident | None, dict[str, str]]:
    """Open a solved incident again (the old note is kept in the audit log, cleared on
    the incident); the client may post again."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None, {"form": E_NOT_FOUND}
    if _v(incident.state) != IncidentState.SOLVED.value:
        return None, {"form": E_NOT_SOLVED}
    _staff_audit(
        session, "incident.reopened", tenant_id, staff_user_id, incident.id, previous_note=incident.resolution_note
    )
    incident.state, incident.resolution_note, incident.solved_at, incident.updated_at = (
        IncidentState.OPEN,
        None,
        None,
        utcnow(),
    )
    session.commit()
    return incident, {}


# -- the bell ---------------------------------------------------------------------------------------
def unread_count(session: Session, staff_user_id: int) -> int:
    """Unread notifications of a staff user (the bell)."""
    return session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.staff_user_id == staff_user_id, Notification.is_read == False)
    ).scalar_one()


def mark_read(
    session: Session, staff_user_id: int, *, notification_id: int | None = None, incident_id: int | None = None
) -> int:
    """Mark the staff user's notifications read: one, those of an incident, or (neither
    given) all. Only the user's own; returns how many changed."""
    where = [Notification.staff_user_id == staff_user_id, Notification.is_read == False]
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    if incident_id is not None:
        where.append(Notification.incident_id == incident_id)
    result = session.execute(update(Notification).where(*where).values(is_read=True))
    session.commit()
    return result.rowcount or 0


# -- live updates -----------------------------------------------------------------------------------
def portal_version(session: Session, viewer: Viewer, incident_id: int) -> str | None:
    """What a client's open incident page depends on, as a short string that changes
    when the page should refresh: the newest public message, the state, the derived
    status. Internal notes and tasks are left out, so nothing hidden is hinted at."""
    incident = get_for_portal(session, viewer, incident_id)
    if incident is None:
        return None
    last = session.execute(
        select(func.max(IncidentMessage.id)).where(
            IncidentMessage.incident_id == incident.id, IncidentMessage.is_internal == False
        )
    ).scalar()
    status = session.execute(
        select(_status_sql(upcoming_from(session, incident.tenant_id))).where(Incident.id == incident.id)
    ).scalar()
    return f"{last}:{_v(incident.state)}:{status}"


def staff_version(session: Session, tenant_id: int, incident_id: int) -> str | None:
    """The staff page's twin of portal_version: every message, task and visit counts."""
    incident = get_for_staff(session, tenant_id, incident_id)
    if incident is None:
        return None
    last = session.execute(
        select(func.max(IncidentMessage.id)).where(IncidentMessage.incident_id == incident.id)
    ).scalar()
    tasks = session.execute(
        select(func.count(), func.sum(case((IncidentTask.is_done == True, 1), else_=0))).where(
            IncidentTask.incident_id == incident.id
        )
    ).one()
    visits = session.execute(
        select(
            func.max(Visit.id),
            func.count(),
            func.max(Visit.scheduled_for),
            func.sum(case((Visit.status == VisitStatus.SCHEDULED, 1), else_=0)),
        ).where(Visit.incident_id == incident.id)
    ).one()
    return (
        f"{last}:{_v(incident.state)}:{_v(incident.category)}:{_v(incident.priority)}:{tuple(tasks)}:{tuple(visits)}:"
        f"{incident.updated_at}"
    )
