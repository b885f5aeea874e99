"""Staff editing of jobs and their visits, and the job page (a job with its visits).
ADMIN and OFFICE plan everything; a TECHNICIAN records the outcome of the visits
assigned to them. Conventions as in ``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, select

from pool_portal.models import Job, JobKind, JobStage, StaffRole, StaffUser, Visit, VisitStatus
from pool_portal.services.core import record_rules
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.staff.editing import (
    E_OWN_VISITS,
    E_TECHNICIAN,
    E_TOLERANCE,
    NOT_FOUND,
    Choice,
    SiteRef,
    editor,
    owned,
    read_number,
    site_ref,
    staff_member,
    store,
    target,
)
from pool_portal.services.staff.forms import Fields
from pool_portal.services.staff.site_records import asset_choices, asset_on_site


@dataclass(frozen=True)
class JobForm:
    id: int
    number: str
    kind: JobKind
    stage: JobStage
    description: str
    notes: str | None
    customer_po: str | None
    scheduled_date: date | None
    technician_id: int | None
    asset_id: int | None
    due_date: date | None
    tolerance_days: int | None
    completed_on: date | None


def job_form(job: Job) -> JobForm:
    return JobForm(
        job.id,
        job.number,
        job.kind,
        job.stage,
        job.description,
        job.notes,
        job.customer_po,
        job.scheduled_date,
        job.technician_id,
        job.asset_id,
        job.due_date,
        job.tolerance_days,
        job.completed_on,
    )


@dataclass(frozen=True)
class VisitForm:
    id: int
    status: VisitStatus
    scheduled_for: datetime | None  # as stored (the date and time typed)
    technician_id: int | None
    notes: str | None


def visit_form(visit: Visit) -> VisitForm:
    return VisitForm(visit.id, visit.status, visit.scheduled_for, visit.technician_id, visit.notes)


@dataclass(frozen=True)
class VisitItem:
    visit: VisitForm
    technician: str  # the technician's name, "" when nobody is assigned


@dataclass(frozen=True)
class JobPage:
    """A job with its visits (``job`` None: a new job on ``site``), the visit being
    edited, and the choices of the job's and the visit's form."""

    site: SiteRef
    job: JobForm | None
    visits: list[VisitItem]
    visit: VisitForm | None
    technicians: list[Choice]
    asset_choices: list[Choice]


def technicians(session: Session, tenant_id: int) -> list[Choice]:
    """The tenant's active staff who can be sent on a job, technicians first."""
    rows = session.exec(
        select(StaffUser)
        .where(StaffUser.tenant_id == tenant_id, StaffUser.is_active == True)
        .order_by(StaffUser.role != StaffRole.TECHNICIAN, StaffUser.name)
    ).all()
    return [Choice(s.id, s.name) for s in rows]


def job_choices(session: Session, tenant_id: int, site_id: int, limit: int = 200) -> list[Choice]:
    """The site's latest jobs for a select ("number · description")."""
    rows = session.exec(
        select(Job.id, Job.number, Job.description)
        .where(Job.tenant_id == tenant_id, Job.site_id == site_id)
        .order_by(Job.id.desc())
        .limit(limit)
    ).all()
    return [Choice(i, f"{n} · {d[:60]}") for i, n, d in rows]


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
        "asset_id": asset_on_site(session, tenant_id, site.id, form),
    }
    technician = form.ident("technician_id")
    if form.raw("technician_id") and staff_member(session, tenant_id, technician) is None:
        form.error("technician_id", E_TECHNICIAN)
    values["technician_id"] = technician if form.raw("technician_id") else None
    form.rules(record_rules.job(values["kind"], values["due_date"], values["tolerance_days"]))
    if form.errors:
        return None, form.errors
    values["number"] = number
    make = lambda: Job(tenant_id=tenant_id, site_id=site.id)  # noqa: E731
    return store(session, job, make, values, tenant_id, staff_user_id, "job").id, {}


def job_page(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    job_id: int | None,
    site_id: int | None = None,
    visit_id: int | None = None,
) -> JobPage | None:
    """The job ``job_id`` with its visits (latest first) and its visit ``visit_id``
    when it is this job's; without a job, a new one on the site ``site_id``. None when
    the job (or the site) is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    job, visits, visit = None, [], None
    if job_id is not None:
        job = owned(session, Job, tenant_id, job_id)
        if job is None:
            return None
        site_id = job.site_id
    site = site_ref(session, tenant_id, site_id)
    if site is None:
        return None
    if job is not None:
        rows = session.exec(
            select(Visit)
            .where(Visit.tenant_id == tenant_id, Visit.job_id == job.id)
            .order_by(Visit.scheduled_for.desc(), Visit.id.desc())
        ).all()
        names = dict(session.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.tenant_id == tenant_id)).all())
        visits = [VisitItem(visit_form(v), names.get(v.technician_id, "")) for v in rows]
        row = owned(session, Visit, tenant_id, visit_id) if visit_id is not None else None
        visit = visit_form(row) if row is not None and row.job_id == job.id else None
    return JobPage(
        site=site,
        job=job_form(job) if job is not None else None,
        visits=visits,
        visit=visit,
        technicians=technicians(session, tenant_id),
        asset_choices=asset_choices(session, tenant_id, site.id),
    )


def visit_to_edit(session: Session, tenant_id: int, staff_user_id: int, visit_id: int | None) -> VisitForm | None:
    """The visit the visits list opens for editing: any of the tenant's for ADMIN and
    OFFICE, only one assigned to them for a TECHNICIAN; else None."""
    staff = acting_staff(session, tenant_id, staff_user_id, ANY_STAFF)
    visit = owned(session, Visit, tenant_id, visit_id) if visit_id is not None else None
    if visit is None or (staff.role == StaffRole.TECHNICIAN and visit.technician_id != staff.id):
        return None
    return visit_form(visit)


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
        if form.raw("technician_id") and staff_member(session, tenant_id, technician) is None:
            form.error("technician_id", E_TECHNICIAN)
        values["technician_id"] = technician if form.raw("technician_id") else None
        values["scheduled_for"] = datetime.combine(day, clock or time(9), tzinfo=UTC) if day else None
        if status == VisitStatus.SCHEDULED and day is None and "date" not in form.errors:
            form.error("date", "data.error.visit_date")
    if form.errors:
        return None, form.errors
    make = lambda: Visit(tenant_id=tenant_id, site_id=job.site_id, job_id=job.id)  # noqa: E731
    return store(session, visit, make, values, tenant_id, staff_user_id, "visit").id, {}
