"""What every staff edit of the service data shares (sites, assets, remarks, documents,
jobs and visits, reports, quotes and invoices): the acting editor, the tenant's rows by
id, the audit entry, creating or updating a row, numbering, and the error keys.

Conventions of the staff editing services (``services.staff.sites``, ``site_records``,
``documents``, ``jobs``, ``reports``, ``quotes``, ``invoices``):

- Every function takes the tenant id and the acting staff user's id from the staff
  session. ADMIN and OFFICE staff may edit (``OFFICE_WORK``); a TECHNICIAN may only read
  and update the visits assigned to them. Anyone else gets ``PermissionError`` (the
  handler guard checks the role first; this is the second line).
- Every id is looked up within the tenant: another tenant's id answers exactly like an
  unknown one (``data.error.not_found``), and changes nothing.
- A form is checked whole first: ``{field: translation key}`` errors come back and
  nothing is written. A successful change is written to the audit log. Nothing
  commits: the caller's unit of work does, so a change is all or nothing; what must
  follow only a commit (mails, file deletions) is registered with ``core.uow``.
- What a page shows comes back as dataclasses (ids and cents as ints, dates as dates,
  enums); ``presentation.staff_data`` turns them into text.

Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from pool_portal.models import Job, Site, StaffUser, Tenant
from pool_portal.services.core.audit import record
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.staff.forms import Fields

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

M = TypeVar("M", bound=SQLModel)


@dataclass(frozen=True)
class Choice:
    """One option of a select: a row's id and what it is called."""

    id: int
    label: str


@dataclass(frozen=True)
class SiteRef:
    """The site a record is on (or a new one is created on)."""

    id: int
    name: str


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
    record(
        session,
        action,
        tenant_id=tenant_id,
        actor_kind="staff",
        actor_id=staff_user_id,
        target_type=target_type,
        target_id=target_id,
        **detail,
    )


def currency(session: Session, tenant_id: int) -> str:
    """The tenant's currency (what its amounts are shown in)."""
    tenant = session.get(Tenant, tenant_id)
    return tenant.currency if tenant else "EUR"


def site_ref(session: Session, tenant_id: int, site_id: object) -> SiteRef | None:
    """The tenant's site with that id, else None."""
    site = owned(session, Site, tenant_id, site_id)
    return SiteRef(site.id, site.name) if site is not None else None


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
    """The number typed in the form (unique in the tenant), or the next free one. Two
    people taking the same number at once: the second commit fails on the unique
    constraint (the page then says ``E_NUMBER_TAKEN`` too)."""
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


def staff_member(session: Session, tenant_id: int, staff_id: int | None) -> StaffUser | None:
    """An active staff user of the tenant (a job's or a visit's technician), else None."""
    staff = owned(session, StaffUser, tenant_id, staff_id) if staff_id is not None else None
    return staff if staff is not None and staff.is_active else None


def job_on_site(session: Session, tenant_id: int, site_id: int, form: Fields) -> int | None:
    """The job chosen in the form (optional; reports and invoices), which must be on the site."""
    if not form.raw("job_id"):
        return None
    job = owned(session, Job, tenant_id, form.ident("job_id"))
    if job is None or job.site_id != site_id:
        form.error("job_id", E_JOB)
        return None
    return job.id
