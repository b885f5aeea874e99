"""Staff editing of service reports: a draft on a site, edited until it is approved;
approving it shows it (and its remarks) in the portal and tells the client's contacts
(``client_notify.announce``: the mails go after the commit). Conventions as in
``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from pool_portal.models import Remark, Report, ReportStatus, Site, utcnow
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.staff import client_notify
from pool_portal.services.staff.editing import (
    E_TRANSITION,
    NOT_FOUND,
    Choice,
    SiteRef,
    audit,
    editor,
    job_on_site,
    owned,
    read_number,
    site_ref,
    store,
    target,
)
from pool_portal.services.staff.forms import Fields
from pool_portal.services.staff.jobs import job_choices


@dataclass(frozen=True)
class ReportForm:
    id: int
    number: str
    title: str
    summary: str | None
    report_date: date
    job_id: int | None
    status: ReportStatus
    remarks: int  # how many remarks it carries
    approved_at: datetime | None


@dataclass(frozen=True)
class ReportPage:
    """A report (``report`` None: a new draft on ``site``) and the site's jobs to link."""

    site: SiteRef
    report: ReportForm | None
    job_choices: list[Choice]


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
    values["job_id"] = job_on_site(session, tenant_id, site.id, form)
    if form.errors:
        return None, form.errors
    values["number"] = number
    make = lambda: Report(tenant_id=tenant_id, site_id=site.id, status=ReportStatus.DRAFT)  # noqa: E731
    return store(session, report, make, values, tenant_id, staff_user_id, "report").id, {}


def approve_report(
    session: Session, tenant_id: int, staff_user_id: int, report_id: object, *, now: datetime | None = None
) -> dict[str, str]:
    """DRAFT -> APPROVED (one conditional UPDATE: approving twice is refused). The
    client's contacts are notified (``notify_on_report``; the mails after the commit).
    Remarks on the report become visible in the portal. Returns the errors."""
    editor(session, tenant_id, staff_user_id)
    report = owned(session, Report, tenant_id, report_id)
    if report is None:
        return {"form": NOT_FOUND}
    result = session.execute(
        update(Report)
        .where(Report.id == report.id, Report.tenant_id == tenant_id, Report.status == ReportStatus.DRAFT)
        .values(status=ReportStatus.APPROVED, approved_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return {"form": E_TRANSITION}
    session.refresh(report)
    audit(session, "report.approved", tenant_id, staff_user_id, "report", report.id, number=report.number)
    client_notify.announce(session, tenant_id, session.get(Site, report.site_id), "report_approved", report.number)
    return {}


def report_page(
    session: Session, tenant_id: int, staff_user_id: int, report_id: int | None, site_id: int | None = None
) -> ReportPage | None:
    """The report ``report_id``, or without one a new draft on the site ``site_id``;
    None when the report (or the site) is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    form = None
    if report_id is not None:
        report = owned(session, Report, tenant_id, report_id)
        if report is None:
            return None
        site_id = report.site_id
        remarks = session.exec(
            select(func.count()).select_from(Remark).where(Remark.tenant_id == tenant_id, Remark.report_id == report.id)
        ).one()
        form = ReportForm(
            report.id,
            report.number,
            report.title,
            report.summary,
            report.report_date,
            report.job_id,
            report.status,
            remarks,
            report.approved_at,
        )
    site = site_ref(session, tenant_id, site_id)
    if site is None:
        return None
    return ReportPage(site, form, job_choices(session, tenant_id, site.id))
