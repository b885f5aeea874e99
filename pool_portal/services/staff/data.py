"""Staff editing of the service data: sites (with coordinates), assets, jobs and visits,
remarks (publish, bulk publish), shared documents and reports (approve). Quotes and
invoices are in ``services.staff_billing``; the admin lists in ``services.staff_lists``.

Conventions (as in ``services.admin``):

- Every function takes the tenant id and the acting staff user's id from the staff
  session. ADMIN and OFFICE staff may edit (``OFFICE_WORK``); a TECHNICIAN may only read
  and update the visits assigned to them. Anyone else gets ``PermissionError`` (the
  handler guard checks the role first; this is the second line).
- Every id is looked up within the tenant: another tenant's id answers exactly like an
  unknown one (``data.error.not_found``), and changes nothing.
- A form is checked whole first: ``{field: translation key}`` errors come back and
  nothing is written. A successful change is written to the audit log. Nothing
  commits: the caller's ``session_scope`` does, so a change is all or nothing.
- Status changes the portal depends on (a report approved) add in-portal
  notifications and return the mails to queue after the commit
  (``client_notify.send``).

Plain Python, no Reflex.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import TypeVar

from sqlalchemy import func, update
from sqlmodel import Session, SQLModel, col, select

from pool_portal.models import (
    Asset,
    Client,
    Document,
    Job,
    JobKind,
    JobStage,
    Remark,
    RemarkStatus,
    Report,
    ReportStatus,
    Severity,
    Site,
    StaffRole,
    StaffUser,
    Visit,
    VisitStatus,
    utcnow,
)
from pool_portal.services.core import record_rules
from pool_portal.services.core.audit import record as _audit
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.infra import storage
from pool_portal.services.staff import client_notify
from pool_portal.services.staff.forms import Fields

log = logging.getLogger(__name__)


NOT_FOUND = "data.error.not_found"
E_CLIENT = "data.error.client"
E_ASSET = "data.error.asset"
E_JOB = "data.error.job"
E_TECHNICIAN = "data.error.technician"
E_LATITUDE = "data.error.latitude"
E_LONGITUDE = "data.error.longitude"
E_COORDS = "data.error.coords_pair"
E_TOLERANCE = "data.error.tolerance"
E_NUMBER_TAKEN = "data.error.number_taken"
E_NOT_DRAFT = "data.error.not_draft"
E_TRANSITION = "data.error.transition"
E_FILE_TYPE = "data.error.file_type"
E_FILE_SIZE = "data.error.file_size"
E_FILE_EMPTY = "data.error.file_empty"
E_OWN_VISITS = "data.error.own_visits"

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
DOCUMENT_FOLDER = "documents"
SECTION_LIMIT = 100  # assets and remarks per site page (the lists page the rest)
RELATED_LIMIT = 20  # latest jobs, quotes, invoices and reports on a site page

M = TypeVar("M", bound=SQLModel)


# -- shared helpers ------------------------------------------------------------------------------
def editor(session: Session, tenant_id: int, staff_user_id: int) -> StaffUser:
    """The acting ADMIN or OFFICE staff user of the tenant, else PermissionError."""
    return acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)


def owned(session: Session, model: type[M], tenant_id: int, row_id: object) -> M | None:
    """The row of ``model`` with that id in the tenant, else None (whatever the id)."""
    if isinstance(row_id, bool):
        return None
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        return None
    if not 0 < row_id < 2**31:
        return None
    row = session.get(model, row_id)
    return row if row is not None and row.tenant_id == tenant_id else None


def audit(
    session: Session,
    action: str,
    tenant_id: int,
    staff_user_id: int,
    target_type: str,
    target_id: object,
    **detail: object,
) -> None:
    _audit(
        session,
        action,
        tenant_id=tenant_id,
        actor_kind="staff",
        actor_id=staff_user_id,
        target_type=target_type,
        target_id=target_id,
        **detail,
    )


def _v(value) -> str:
    return "" if value is None else (value.value if hasattr(value, "value") else str(value))


def _changes(row: SQLModel, values: dict[str, object]) -> dict[str, object]:
    """Set ``values`` on ``row``; return {field: new value} of what changed (for the audit)."""
    changed = {}
    for key, value in values.items():
        if getattr(row, key) != value:
            changed[key] = value
            setattr(row, key, value)
    return changed


def target(
    session: Session, model: type[M], tenant_id: int, row_id: int | None, site_id: object, *, draft: object = None
) -> tuple[M | None, Site | None, dict[str, str]]:
    """(the row being edited, its site, {}) when ``row_id`` is given, else (None, the
    site to create it on, {}); errors ``{"form": ...}`` when either is not the tenant's
    or, with ``draft``, when the row is past that status."""
    row = None
    if row_id is not None:
        row = owned(session, model, tenant_id, row_id)
        if row is None:
            return None, None, {"form": NOT_FOUND}
        if draft is not None and row.status != draft:
            return row, None, {"form": E_NOT_DRAFT}
        site_id = row.site_id
    site = owned(session, Site, tenant_id, site_id)
    return (row, site, {}) if site is not None else (row, None, {"form": NOT_FOUND})


def store(
    session: Session, row: M | None, make, values: dict[str, object], tenant_id: int, staff_user_id: int, kind: str
) -> M:
    """Create (``row`` None: ``make()``) or update a row with ``values``, flush, and
    audit ``<kind>.created`` or ``<kind>.updated`` (with the fields that changed)."""
    if row is None:
        row = make()
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        session.flush()
        detail = {k: getattr(row, k) for k in ("site_id", "number") if getattr(row, k, None) is not None}
        audit(session, f"{kind}.created", tenant_id, staff_user_id, kind, row.id, **detail)
        return row
    changed = _changes(row, values)
    session.flush()
    if changed:
        audit(session, f"{kind}.updated", tenant_id, staff_user_id, kind, row.id, fields=sorted(changed))
    return row


def set_flag(
    session: Session,
    model: type[SQLModel],
    kind: str,
    tenant_id: int,
    staff_user_id: int,
    row_id: object,
    published: bool,
) -> str | None:
    """Publish or unpublish one row (remark, document); None, or ``data.error.not_found``."""
    editor(session, tenant_id, staff_user_id)
    row = owned(session, model, tenant_id, row_id)
    if row is None:
        return NOT_FOUND
    if row.is_published != bool(published):
        row.is_published = bool(published)
        audit(
            session, f"{kind}.published" if published else f"{kind}.unpublished", tenant_id, staff_user_id, kind, row.id
        )
    return None


def next_number(session: Session, model: type[SQLModel], tenant_id: int, prefix: str) -> str:
    """The next free number like the demo's and the ERP's: ``J-0100000123``."""
    count = session.exec(select(func.count()).select_from(model).where(model.tenant_id == tenant_id)).one()
    while True:
        count += 1
        number = f"{prefix}-{tenant_id:02d}{count:06d}"
        if not session.exec(select(model.id).where(model.tenant_id == tenant_id, model.number == number)).first():
            return number


def read_number(
    session: Session, model: type[SQLModel], tenant_id: int, form: Fields, own_id: int | None, prefix: str
) -> str | None:
    """The number typed in the form (unique in the tenant), or the next free one."""
    number = form.text("number", 30)
    if number is None:
        if "number" in form.errors:
            return None
        if own_id is not None:
            return session.get(model, own_id).number
        return next_number(session, model, tenant_id, prefix)
    taken = session.exec(select(model.id).where(model.tenant_id == tenant_id, model.number == number)).first()
    if taken is not None and taken != own_id:
        form.error("number", E_NUMBER_TAKEN)
        return None
    return number


def _staff_member(session: Session, tenant_id: int, staff_id: int | None) -> StaffUser | None:
    staff = owned(session, StaffUser, tenant_id, staff_id) if staff_id is not None else None
    return staff if staff is not None and staff.is_active else None


def technicians(session: Session, tenant_id: int) -> list[list[str]]:
    """[id, name] of the tenant's active staff who can be sent on a job, technicians first."""
    rows = session.exec(
        select(StaffUser)
        .where(StaffUser.tenant_id == tenant_id, StaffUser.is_active == True)
        .order_by(StaffUser.role != StaffRole.TECHNICIAN, StaffUser.name)
    ).all()
    return [[str(s.id), s.name] for s in rows]


def clients(session: Session, tenant_id: int) -> list[list[str]]:
    """[id, name] of the tenant's clients, by name (for the site form)."""
    rows = session.exec(
        select(Client.id, Client.name).where(Client.tenant_id == tenant_id).order_by(Client.name, Client.id)
    ).all()
    return [[str(i), n] for i, n in rows]


def _texts(row: SQLModel, keys: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for key in keys:
        value = getattr(row, key)
        out[key] = value.isoformat() if isinstance(value, (date, datetime)) else _v(value)
    return out


# -- sites ---------------------------------------------------------------------------------------
SITE_KEYS = ("name", "client_id", "address", "city", "postcode", "latitude", "longitude", "notes", "is_active")


def save_site(
    session: Session, tenant_id: int, staff_user_id: int, site_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create (``site_id`` None) or edit a site: a name and a client of the tenant are
    required; latitude -90..90 and longitude -180..180, both or neither."""
    editor(session, tenant_id, staff_user_id)
    site = owned(session, Site, tenant_id, site_id) if site_id is not None else None
    if site_id is not None and site is None:
        return None, {"form": NOT_FOUND}
    form = Fields(data)
    values = {
        "name": form.text("name", 200, required=True),
        "address": form.text("address", 300) or "",
        "city": form.text("city", 120) or "",
        "postcode": form.text("postcode", 20) or "",
        "latitude": form.number("latitude", -90, 90, E_LATITUDE),
        "longitude": form.number("longitude", -180, 180, E_LONGITUDE),
        "notes": form.text("notes", 2000, multiline=True),
        "is_active": form.flag("is_active") if site is not None else True,
    }
    client = owned(session, Client, tenant_id, form.ident("client_id"))
    if client is None:
        form.error("client_id", E_CLIENT)
    if (values["latitude"] is None) != (values["longitude"] is None) and not (
        "latitude" in form.errors or "longitude" in form.errors
    ):
        form.error("latitude" if values["latitude"] is None else "longitude", E_COORDS)
    if form.errors:
        return None, form.errors
    values["client_id"] = client.id
    return store(session, site, lambda: Site(tenant_id=tenant_id), values, tenant_id, staff_user_id, "site").id, {}


def site_form(site: Site) -> dict[str, str]:
    out = _texts(site, SITE_KEYS)
    out["is_active"] = "1" if site.is_active else ""
    return out


def site_page(session: Session, tenant_id: int, staff_user_id: int, site_id: int) -> dict | None:
    """A site and its sections (assets, remarks, documents, jobs, quotes, invoices,
    reports; the latest SECTION_LIMIT of each), or None when it is not the tenant's."""
    from pool_portal.models import Invoice, Quote

    editor(session, tenant_id, staff_user_id)
    site = owned(session, Site, tenant_id, site_id)
    if site is None:
        return None
    client = session.get(Client, site.client_id)
    t = tenant_id

    def latest(query, limit=SECTION_LIMIT):
        return session.exec(query.limit(limit)).all()

    assets = latest(
        select(Asset).where(Asset.tenant_id == t, Asset.site_id == site.id).order_by(Asset.asset_code, Asset.id)
    )
    codes = {a.id: a.asset_code for a in assets}
    remarks = latest(
        select(Remark)
        .where(Remark.tenant_id == t, Remark.site_id == site.id)
        .order_by(Remark.raised_on.desc(), Remark.id.desc())
    )
    documents = latest(
        select(Document)
        .where(Document.tenant_id == t, Document.site_id == site.id)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    jobs = latest(select(Job).where(Job.tenant_id == t, Job.site_id == site.id).order_by(Job.id.desc()), RELATED_LIMIT)
    quotes = latest(
        select(Quote).where(Quote.tenant_id == t, Quote.site_id == site.id).order_by(Quote.id.desc()), RELATED_LIMIT
    )
    invoices = latest(
        select(Invoice).where(Invoice.tenant_id == t, Invoice.site_id == site.id).order_by(Invoice.id.desc()),
        RELATED_LIMIT,
    )
    reports = latest(
        select(Report).where(Report.tenant_id == t, Report.site_id == site.id).order_by(Report.id.desc()), RELATED_LIMIT
    )
    return {
        "site": {
            **site_form(site),
            "id": str(site.id),
            "client": client.name if client else "",
            "external_id": site.external_id or "",
        },
        "assets": [{**asset_form(a), "id": str(a.id)} for a in assets],
        "remarks": [
            {**remark_form(r), "id": str(r.id), "number": f"D-{r.id}", "asset": codes.get(r.asset_id, "")}
            for r in remarks
        ],
        "documents": [
            {
                "id": str(d.id),
                "title": d.title,
                "filename": d.filename,
                "type": d.content_type,
                "size": f"{max(d.size_bytes // 1024, 1)} KB",
                "published": "1" if d.is_published else "",
                "created": d.created_at.isoformat()[:10],
            }
            for d in documents
        ],
        "jobs": [
            {
                "id": str(j.id),
                "number": j.number,
                "kind": _v(j.kind),
                "stage": _v(j.stage),
                "date": (j.scheduled_date or j.due_date).isoformat() if (j.scheduled_date or j.due_date) else "",
                "description": j.description[:120],
            }
            for j in jobs
        ],
        "quotes": [
            {
                "id": str(q.id),
                "number": q.number,
                "title": q.title,
                "status": _v(q.status),
                "total_cents": str(q.total_cents),
            }
            for q in quotes
        ],
        "invoices": [
            {"id": str(i.id), "number": i.number, "status": _v(i.status), "total_cents": str(i.total_cents)}
            for i in invoices
        ],
        "reports": [
            {
                "id": str(r.id),
                "number": r.number,
                "title": r.title,
                "status": _v(r.status),
                "date": r.report_date.isoformat(),
            }
            for r in reports
        ],
    }


def site_of(session: Session, tenant_id: int, site_id: object) -> Site | None:
    return owned(session, Site, tenant_id, site_id)


# -- assets --------------------------------------------------------------------------------------
ASSET_KEYS = (
    "asset_code",
    "asset_type",
    "model",
    "serial_number",
    "customer_ref",
    "location",
    "description",
    "last_test_number",
    "last_test_date",
    "next_service_due",
    "is_active",
)


def asset_form(asset: Asset) -> dict[str, str]:
    out = _texts(asset, ASSET_KEYS)
    out["is_active"] = "1" if asset.is_active else ""
    return out


def save_asset(
    session: Session, tenant_id: int, staff_user_id: int, asset_id: int | None, site_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create an asset on a site of the tenant (``asset_id`` None) or edit one: asset
    id and type required; dates as YYYY-MM-DD."""
    editor(session, tenant_id, staff_user_id)
    asset, site, errors = target(session, Asset, tenant_id, asset_id, site_id)
    if errors:
        return None, errors
    form = Fields(data)
    values = {
        "asset_code": form.text("asset_code", 60, required=True),
        "asset_type": form.text("asset_type", 60, required=True),
        "model": form.text("model", 120),
        "serial_number": form.text("serial_number", 120),
        "customer_ref": form.text("customer_ref", 120),
        "location": form.text("location", 200),
        "description": form.text("description", 1000, multiline=True),
        "last_test_number": form.text("last_test_number", 60),
        "last_test_date": form.day("last_test_date"),
        "next_service_due": form.day("next_service_due"),
        "is_active": form.flag("is_active") if asset is not None else True,
    }
    if form.errors:
        return None, form.errors
    make = lambda: Asset(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, asset, make, values, tenant_id, staff_user_id, "asset").id, {}


def _asset_on_site(session: Session, tenant_id: int, site_id: int, form: Fields, key: str = "asset_id") -> int | None:
    """The asset chosen in the form (optional), which must be on the site."""
    raw = form.raw(key)
    if not raw:
        return None
    asset = owned(session, Asset, tenant_id, form.ident(key))
    if asset is None or asset.site_id != site_id:
        form.error(key, E_ASSET)
        return None
    return asset.id


def assets_of_site(session: Session, tenant_id: int, site_id: int) -> list[list[str]]:
    rows = session.exec(
        select(Asset.id, Asset.asset_code, Asset.asset_type)
        .where(Asset.tenant_id == tenant_id, Asset.site_id == site_id)
        .order_by(Asset.asset_code, Asset.id)
    ).all()
    return [[str(i), f"{code} · {kind}"] for i, code, kind in rows]


def jobs_of_site(session: Session, tenant_id: int, site_id: int, limit: int = 200) -> list[list[str]]:
    rows = session.exec(
        select(Job.id, Job.number, Job.description)
        .where(Job.tenant_id == tenant_id, Job.site_id == site_id)
        .order_by(Job.id.desc())
        .limit(limit)
    ).all()
    return [[str(i), f"{n} · {d[:60]}"] for i, n, d in rows]


# -- jobs ----------------------------------------------------------------------------------------
JOB_KEYS = (
    "number",
    "kind",
    "stage",
    "description",
    "notes",
    "customer_po",
    "scheduled_date",
    "technician_id",
    "asset_id",
    "due_date",
    "tolerance_days",
    "completed_on",
)


def job_form(job: Job) -> dict[str, str]:
    return _texts(job, JOB_KEYS)


def save_job(
    session: Session, tenant_id: int, staff_user_id: int, job_id: int | None, site_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create a job on a site (``job_id`` None) or edit one: kind, stage and a
    description required; the technician an active staff user of the tenant, the
    asset one on the site; a routine job needs a due date; the tolerance (days either
    side of the due date that still count as on time) 0 to 365, only with a due date."""
    editor(session, tenant_id, staff_user_id)
    job, site, errors = target(session, Job, tenant_id, job_id, site_id)
    if errors:
        return None, errors
    form = Fields(data)
    number = read_number(session, Job, tenant_id, form, job.id if job else None, "J")
    values = {
        "kind": form.choice("kind", JobKind),
        "stage": form.choice("stage", JobStage),
        "description": form.text("description", 4000, required=True, multiline=True),
        "notes": form.text("notes", 4000, multiline=True),
        "customer_po": form.text("customer_po", 60),
        "scheduled_date": form.day("scheduled_date"),
        "due_date": form.day("due_date"),
        "tolerance_days": form.integer("tolerance_days", 0, 365, E_TOLERANCE),
        "completed_on": form.day("completed_on"),
        "asset_id": _asset_on_site(session, tenant_id, site.id, form),
    }
    technician = form.ident("technician_id")
    if form.raw("technician_id") and _staff_member(session, tenant_id, technician) is None:
        form.error("technician_id", E_TECHNICIAN)
    values["technician_id"] = technician if form.raw("technician_id") else None
    form.rules(record_rules.job(values["kind"], values["due_date"], values["tolerance_days"]))
    if form.errors:
        return None, form.errors
    values["number"] = number
    make = lambda: Job(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, job, make, values, tenant_id, staff_user_id, "job").id, {}


def job_page(session: Session, tenant_id: int, staff_user_id: int, job_id: int) -> dict | None:
    editor(session, tenant_id, staff_user_id)
    job = owned(session, Job, tenant_id, job_id)
    if job is None:
        return None
    site = session.get(Site, job.site_id)
    visits = session.exec(
        select(Visit)
        .where(Visit.tenant_id == tenant_id, Visit.job_id == job.id)
        .order_by(Visit.scheduled_for.desc(), Visit.id.desc())
    ).all()
    names = dict(session.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.tenant_id == tenant_id)).all())
    return {
        "job": {**job_form(job), "id": str(job.id), "site_id": str(job.site_id), "site": site.name},
        "visits": [{**visit_form(v), "id": str(v.id), "technician": names.get(v.technician_id, "")} for v in visits],
    }


# -- visits --------------------------------------------------------------------------------------
def visit_form(visit: Visit) -> dict[str, str]:
    when = visit.scheduled_for
    return {
        "status": _v(visit.status),
        "date": when.date().isoformat() if when else "",
        "time": when.strftime("%H:%M") if when else "",
        "technician_id": _v(visit.technician_id),
        "notes": visit.notes or "",
    }


def save_visit(
    session: Session, tenant_id: int, staff_user_id: int, visit_id: int | None, job_id: int | None, data: dict
) -> tuple[int | None, dict[str, str]]:
    """Create a visit for a job (``visit_id`` None) or update one. ADMIN and OFFICE set
    everything: status, date and time (stored as given, 09:00 when no time), technician,
    notes. A TECHNICIAN may only update a visit assigned to them, and only its status
    and notes; any other visit is not found for them."""
    staff = acting_staff(session, tenant_id, staff_user_id, ANY_STAFF)
    is_technician = staff.role == StaffRole.TECHNICIAN
    visit = None
    if visit_id is not None:
        visit = owned(session, Visit, tenant_id, visit_id)
        if visit is None or (is_technician and visit.technician_id != staff.id):
            return None, {"form": NOT_FOUND}
        job = owned(session, Job, tenant_id, visit.job_id) if visit.job_id else None
    else:
        if is_technician:
            return None, {"form": E_OWN_VISITS}
        job = owned(session, Job, tenant_id, job_id)
        if job is None:
            return None, {"form": NOT_FOUND}
    form = Fields(data)
    status = form.choice("status", VisitStatus)
    notes = form.text("notes", 4000, multiline=True)
    values: dict[str, object] = {"status": status, "notes": notes}
    if not is_technician:
        day, clock = form.day("date"), form.clock("time")
        technician = form.ident("technician_id")
        if form.raw("technician_id") and _staff_member(session, tenant_id, technician) is None:
            form.error("technician_id", E_TECHNICIAN)
        values["technician_id"] = technician if form.raw("technician_id") else None
        values["scheduled_for"] = datetime.combine(day, clock or time(9), tzinfo=UTC) if day else None
        if status == VisitStatus.SCHEDULED and day is None and "date" not in form.errors:
            form.error("date", "data.error.visit_date")
    if form.errors:
        return None, form.errors
    make = lambda: Visit(tenant_id=tenant_id, site_id=job.site_id, job_id=job.id)  # noqa: E731
    return store(session, visit, make, values, tenant_id, staff_user_id, "visit").id, {}


# -- remarks -------------------------------------------------------------------------------------
REMARK_KEYS = ("severity", "status", "title", "description", "raised_on", "resolved_on", "asset_id", "is_published")


def remark_form(remark: Remark) -> dict[str, str]:
    out = _texts(remark, REMARK_KEYS)
    out["is_published"] = "1" if remark.is_published else ""
    return out


def save_remark(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    remark_id: int | None,
    site_id: int | None,
    data: dict,
    *,
    now: datetime | None = None,
) -> tuple[int | None, dict[str, str]]:
    """Create a remark (defect) on a site or one of its assets, or edit one: severity,
    status, title and raised date required (raised defaults to today); a resolved
    remark gets today as its resolved date unless one is given, never before it was
    raised; an open one has none."""
    editor(session, tenant_id, staff_user_id)
    remark, site, errors = target(session, Remark, tenant_id, remark_id, site_id)
    if errors:
        return None, errors
    form = Fields(data)
    today = tenant_today(session, tenant_id, now)
    values = {
        "severity": form.choice("severity", Severity),
        "status": form.choice("status", RemarkStatus),
        "title": form.text("title", 200, required=True),
        "description": form.text("description", 4000, multiline=True),
        "raised_on": form.day("raised_on") or (None if "raised_on" in form.errors else today),
        "resolved_on": form.day("resolved_on"),
        "asset_id": _asset_on_site(session, tenant_id, site.id, form),
        "is_published": form.flag("is_published"),
    }
    if values["status"] == RemarkStatus.RESOLVED and values["resolved_on"] is None and "resolved_on" not in form.errors:
        values["resolved_on"] = max(today, values["raised_on"] or today)
    form.rules(record_rules.remark(values["status"], values["raised_on"], values["resolved_on"]))
    if form.errors:
        return None, form.errors
    make = lambda: Remark(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, remark, make, values, tenant_id, staff_user_id, "remark").id, {}


def set_remark_published(
    session: Session, tenant_id: int, staff_user_id: int, remark_id: object, published: bool
) -> str | None:
    """Publish or unpublish one remark; None, or ``data.error.not_found``."""
    return set_flag(session, Remark, "remark", tenant_id, staff_user_id, remark_id, published)


def bulk_publish(session: Session, tenant_id: int, staff_user_id: int, params: dict, published: bool) -> int:
    """Publish (or unpublish) every remark of the tenant that the remarks list shows
    for ``params`` (its URL query: search, severity, status, published, property), in
    one UPDATE. Returns how many changed."""
    from pool_portal.services.staff import lists as staff_lists

    editor(session, tenant_id, staff_user_id)
    query = staff_lists.parse("remarks", params)
    ids = staff_lists.ids_subquery(session, tenant_id, "remarks", query)
    result = session.execute(
        update(Remark)
        .where(Remark.tenant_id == tenant_id, col(Remark.id).in_(ids), Remark.is_published == (not published))
        .values(is_published=bool(published))
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0
    audit(
        session,
        "remark.bulk_published" if published else "remark.bulk_unpublished",
        tenant_id,
        staff_user_id,
        "remark",
        None,
        count=count,
        filters=staff_lists.query_params(query),
    )
    return count


# -- shared documents ----------------------------------------------------------------------------
def document_kind(data: bytes) -> str | None:
    """ "pdf", "jpg", "png" or "webp", from the content (never from the name)."""
    from pool_portal.services.infra.uploads import sniff

    return "pdf" if data[:5] == b"%PDF-" else sniff(data)


def _document_name(name: str, kind: str) -> str:
    """The original name, made safe, with the extension of what the content is."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isalnum() or c in "._- ").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'document')[:200]}.{kind}"


def upload_document(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    site_id: object,
    title: str,
    published: bool,
    file: tuple[str, bytes] | None,
) -> tuple[int | None, dict[str, str]]:
    """Share a PDF or an image (JPEG, PNG, WebP, recognised by its content, at most
    10 MB) on a site, published to the portal or kept internal. The file goes to
    private storage; nothing is stored when anything is wrong."""
    staff = editor(session, tenant_id, staff_user_id)
    site = owned(session, Site, tenant_id, site_id)
    if site is None:
        return None, {"form": NOT_FOUND}
    form = Fields({"title": title})
    clean_title = form.text("title", 200)
    name, data = (file[0], bytes(file[1] or b"")) if file else ("", b"")
    kind = None
    if not data:
        form.error("file", E_FILE_EMPTY)
    elif len(data) > MAX_DOCUMENT_BYTES:
        form.error("file", E_FILE_SIZE)
    else:
        kind = document_kind(data)
        if kind is None:
            form.error("file", E_FILE_TYPE)
    if form.errors:
        return None, form.errors
    filename = _document_name(name, kind)
    key = storage.save(data, DOCUMENT_FOLDER, kind)
    try:
        doc = Document(
            tenant_id=tenant_id,
            site_id=site.id,
            title=clean_title or filename.rsplit(".", 1)[0][:200],
            filename=filename,
            content_type=DOCUMENT_TYPES[kind],
            size_bytes=len(data),
            storage_key=key,
            is_published=bool(published),
            uploaded_by_staff_id=staff.id,
        )
        session.add(doc)
        session.flush()
        audit(
            session,
            "document.uploaded",
            tenant_id,
            staff_user_id,
            "document",
            doc.id,
            site_id=site.id,
            published=doc.is_published,
            type=kind,
            size=len(data),
        )
    except Exception:
        discard_file(key)
        raise
    return doc.id, {}


def set_document_published(
    session: Session, tenant_id: int, staff_user_id: int, document_id: object, published: bool
) -> str | None:
    return set_flag(session, Document, "document", tenant_id, staff_user_id, document_id, published)


def delete_document(session: Session, tenant_id: int, staff_user_id: int, document_id: object) -> str | None:
    """Remove a shared document's row; returns its storage key, for ``discard_file``
    after the commit (None when it is not the tenant's)."""
    editor(session, tenant_id, staff_user_id)
    doc = owned(session, Document, tenant_id, document_id)
    if doc is None:
        return None
    key = doc.storage_key
    audit(session, "document.deleted", tenant_id, staff_user_id, "document", doc.id, title=doc.title)
    session.delete(doc)
    session.flush()
    return key


def discard_file(key: str | None) -> None:
    """Best effort: an orphan file is logged, never fatal."""
    if not key:
        return
    try:
        storage.delete_local(key)
    except Exception:
        log.warning("could not delete stored document %s", key, exc_info=True)


# -- reports -------------------------------------------------------------------------------------
REPORT_KEYS = ("number", "title", "summary", "report_date", "job_id", "status")


def report_form(report: Report) -> dict[str, str]:
    return _texts(report, REPORT_KEYS)


def save_report(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    report_id: int | None,
    site_id: int | None,
    data: dict,
    *,
    now: datetime | None = None,
) -> tuple[int | None, dict[str, str]]:
    """Create a draft report on a site or edit a draft: title required, report date
    (defaults to today), summary, the job (one on the site). An approved report is
    what the client saw: it is not changed."""
    editor(session, tenant_id, staff_user_id)
    report, site, errors = target(session, Report, tenant_id, report_id, site_id, draft=ReportStatus.DRAFT)
    if errors:
        return None, errors
    form = Fields(data)
    number = read_number(session, Report, tenant_id, form, report.id if report else None, "R")
    values = {
        "title": form.text("title", 200, required=True),
        "summary": form.text("summary", 8000, multiline=True),
        "report_date": form.day("report_date")
        or (None if "report_date" in form.errors else tenant_today(session, tenant_id, now)),
    }
    job = None
    if form.raw("job_id"):
        job = owned(session, Job, tenant_id, form.ident("job_id"))
        if job is None or job.site_id != site.id:
            form.error("job_id", E_JOB)
    values["job_id"] = job.id if job else None
    if form.errors:
        return None, form.errors
    values["number"] = number
    make = lambda: Report(tenant_id=tenant_id, site_id=site.id, status=ReportStatus.DRAFT)  # noqa: E731
    return store(session, report, make, values, tenant_id, staff_user_id, "report").id, {}


def approve_report(
    session: Session, tenant_id: int, staff_user_id: int, report_id: object, *, now: datetime | None = None
) -> tuple[dict[str, str], list]:
    """DRAFT -> APPROVED (one conditional UPDATE: approving twice is refused). The
    client's contacts are notified (``notify_on_report``); returns (errors, mails to
    send after the commit). Remarks on the report become visible in the portal."""
    editor(session, tenant_id, staff_user_id)
    report = owned(session, Report, tenant_id, report_id)
    if report is None:
        return {"form": NOT_FOUND}, []
    result = session.execute(
        update(Report)
        .where(Report.id == report.id, Report.tenant_id == tenant_id, Report.status == ReportStatus.DRAFT)
        .values(status=ReportStatus.APPROVED, approved_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return {"form": E_TRANSITION}, []
    session.refresh(report)
    audit(session, "report.approved", tenant_id, staff_user_id, "report", report.id, number=report.number)
    site = session.get(Site, report.site_id)
    return {}, client_notify.notify(session, tenant_id, site, "report_approved", report.number)


def report_page(session: Session, tenant_id: int, staff_user_id: int, report_id: int) -> dict | None:
    editor(session, tenant_id, staff_user_id)
    report = owned(session, Report, tenant_id, report_id)
    if report is None:
        return None
    site = session.get(Site, report.site_id)
    remarks = session.exec(
        select(func.count()).select_from(Remark).where(Remark.tenant_id == tenant_id, Remark.report_id == report.id)
    ).one()
    return {
        **report_form(report),
        "id": str(report.id),
        "site_id": str(report.site_id),
        "site": site.name,
        "remarks": str(remarks),
        "approved_at": report.approved_at.isoformat()[:16].replace("T", " ") if report.approved_at else "",
    }
