"""Portal records: quotes and invoices of the viewer's view, and acting on quotes.

Draft and expired quotes and draft invoices never appear; "overdue" follows the due
date in the tenant's time zone. Approving or declining is one conditional UPDATE, so
two people acting at once cannot both succeed: the second is told the new status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from pool_portal.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Notification,
    NotificationKind,
    Quote,
    QuoteLine,
    QuoteStatus,
    Site,
    StaffRole,
    StaffUser,
    utcnow,
)
from pool_portal.services import audit
from pool_portal.services.dashboard import document_switches, open_quote, site_scope, tenant_today
from pool_portal.services.scope import Viewer
from pool_portal.services.search import _like, _pattern

PER_PAGE = 25
QUOTE_FILTERS = ("all", "awaiting", "approved", "declined")
INVOICE_FILTERS = ("all", "awaiting", "overdue", "paid")


@dataclass
class Page:
    rows: list[dict[str, str]]
    total: int
    page: int
    pages: int


def _visible_quote(today):
    return or_(Quote.status.in_([QuoteStatus.APPROVED, QuoteStatus.DECLINED]), open_quote(today))


def _paged(session: Session, query, page: int) -> tuple[list, int, int, int]:
    """(rows of the page, total, page, pages) for an ordered query; the page is clamped."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 1), pages)
    rows = session.execute(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return rows, total, page, pages


def list_quotes(session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1,
                now: datetime | None = None) -> Page | None:
    """A page of the view's quotes, newest first. None when quotes are switched off."""
    if not document_switches(session, viewer.tenant_id)["quotes"]:
        return None
    today = tenant_today(session, viewer.tenant_id, now)
    where = [Quote.tenant_id == viewer.tenant_id, Quote.site_id.in_(site_scope(viewer)), _visible_quote(today)]
    if status == "awaiting":
        where.append(open_quote(today))
    elif status in ("approved", "declined"):
        where.append(Quote.status == (QuoteStatus.APPROVED if status == "approved" else QuoteStatus.DECLINED))
    text = " ".join(text.split())[:100]
    if len(text) >= 2:
        p = _pattern(text)
        where.append(or_(_like(Quote.number, p), _like(Quote.title, p), _like(Site.name, p)))
    base = select(Quote, Site.name).join(Site, Site.id == Quote.site_id).where(*where)
    rows, total, page, pages = _paged(session, base.order_by(Quote.issued_on.desc(), Quote.id.desc()), page)
    return Page([_quote_row(q, site) for q, site in rows], total, page, pages)


def _quote_row(q: Quote, site: str) -> dict[str, str]:
    return {
        "id": str(q.id), "number": q.number, "title": q.title, "site": site, "kind": _v(q.kind),
        "status": _v(q.status), "issued": q.issued_on.isoformat() if q.issued_on else "",
        "expires": q.expires_on.isoformat() if q.expires_on else "", "total_cents": str(q.total_cents),
        "approver": q.approver_name or "", "comment": q.decline_comment or "",
    }


def get_quote(session: Session, viewer: Viewer, quote_id: int, now: datetime | None = None) -> Quote | None:
    """A quote the viewer may see (in the view, not draft, not expired), or None."""
    if not document_switches(session, viewer.tenant_id)["quotes"]:
        return None
    today = tenant_today(session, viewer.tenant_id, now)
    return session.execute(
        select(Quote).where(Quote.id == quote_id, Quote.tenant_id == viewer.tenant_id,
                            Quote.site_id.in_(site_scope(viewer)), _visible_quote(today))
    ).scalar_one_or_none()


def _notify_staff(session: Session, tenant_id: int, title: str, body: str, link: str,
                  kind: NotificationKind = NotificationKind.QUOTE_DECIDED) -> None:
    """A notification for the tenant's first active ADMIN."""
    admin = session.execute(
        select(StaffUser.id).where(StaffUser.tenant_id == tenant_id, StaffUser.role == StaffRole.ADMIN,
                                   StaffUser.is_active == True).order_by(StaffUser.id)  # noqa: E712
    ).scalars().first()
    if admin is not None:
        session.add(Notification(tenant_id=tenant_id, kind=kind, staff_user_id=admin,
                                 title=title, body=body[:2000], link=link))


def decide_quote(session: Session, viewer: Viewer, quote_id: int, *, approve: bool, name: str = "",
                 reference: str = "", comment: str = "", now: datetime | None = None) -> str | None:
    """Approve (a name is required, a PO/reference optional) or decline (a comment is
    required) a quote awaiting acceptance. Returns None, or a message key; a refusal
    changes nothing."""
    if not viewer.is_portal or viewer.read_only:
        return "quote.error.not_allowed"
    name, reference, comment = name.strip()[:120], reference.strip()[:60], comment.strip()[:2000]
    if approve and not name:
        return "quote.error.name_required"
    if not approve and not comment:
        return "quote.error.comment_required"
    quote = get_quote(session, viewer, quote_id, now)
    if quote is None:
        return "quote.error.not_found"
    today = tenant_today(session, viewer.tenant_id, now)
    values = {"status": QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED, "decided_at": now or utcnow(),
              "decided_by_portal_user_id": viewer.user_id}
    values.update({"approver_name": name, "approver_reference": reference or None} if approve else {"decline_comment": comment})
    result = session.execute(
        update(Quote).where(Quote.id == quote.id, Quote.tenant_id == viewer.tenant_id, open_quote(today)).values(**values)
    )
    if result.rowcount != 1:
        return "quote.error.already_decided"
    action = "quote.approved" if approve else "quote.declined"
    audit.record(session, action, tenant_id=viewer.tenant_id, actor_kind="portal", actor_id=viewer.user_id,
                 target_type="quote", target_id=quote.id, name=name or None, reference=reference or None)
    _notify_staff(session, viewer.tenant_id, f"Quote {quote.number} {'approved' if approve else 'declined'}",
                  (f"By {name}" + (f", reference {reference}" if reference else "")) if approve else comment,
                  f"/admin/quotes/{quote.id}")
    return None


def list_invoices(session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1,
                  now: datetime | None = None) -> Page | None:
    """A page of the view's invoices (never drafts), newest first; "OVERDUE" derived."""
    if not document_switches(session, viewer.tenant_id)["invoices"]:
        return None
    today = tenant_today(session, viewer.tenant_id, now)
    where = [Invoice.tenant_id == viewer.tenant_id, Invoice.site_id.in_(site_scope(viewer)),
             Invoice.status.in_([InvoiceStatus.AWAITING_PAYMENT, InvoiceStatus.PAID, InvoiceStatus.VOID])]
    if status == "awaiting":
        where.append(Invoice.status == InvoiceStatus.AWAITING_PAYMENT)
    elif status == "overdue":
        where += [Invoice.status == InvoiceStatus.AWAITING_PAYMENT, Invoice.due_on < today]
    elif status == "paid":
        where.append(Invoice.status == InvoiceStatus.PAID)
    text = " ".join(text.split())[:100]
    if len(text) >= 2:
        p = _pattern(text)
        where.append(or_(_like(Invoice.number, p), _like(Site.name, p), _like(Invoice.customer_po, p)))
    base = select(Invoice, Site.name).join(Site, Site.id == Invoice.site_id).where(*where)
    rows, total, page, pages = _paged(session, base.order_by(Invoice.issued_on.desc(), Invoice.id.desc()), page)
    return Page(
        [{"id": str(i.id), "number": i.number, "site": site, "issued": i.issued_on.isoformat() if i.issued_on else "",
          "due": i.due_on.isoformat() if i.due_on else "", "total_cents": str(i.total_cents),
          "status": "OVERDUE" if _v(i.status) == "AWAITING_PAYMENT" and i.due_on and i.due_on < today else _v(i.status)}
         for i, site in rows],
        total, page, pages,
    )


def get_invoice(session: Session, viewer: Viewer, invoice_id: int) -> Invoice | None:
    if not document_switches(session, viewer.tenant_id)["invoices"]:
        return None
    return session.execute(
        select(Invoice).where(Invoice.id == invoice_id, Invoice.tenant_id == viewer.tenant_id,
                              Invoice.site_id.in_(site_scope(viewer)), Invoice.status != InvoiceStatus.DRAFT)
    ).scalar_one_or_none()


def lines_of(session: Session, doc: Quote | Invoice) -> list:
    if isinstance(doc, Quote):
        q = select(QuoteLine).where(QuoteLine.quote_id == doc.id).order_by(QuoteLine.position, QuoteLine.id)
    else:
        q = select(InvoiceLine).where(InvoiceLine.invoice_id == doc.id).order_by(InvoiceLine.position, InvoiceLine.id)
    return list(session.execute(q).scalars())


def _v(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


REQUESTABLE_KINDS = ("SERVICE_CALL", "DEFECT_REPAIR", "FIXED_PRICE", "ROUTINE")
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 4000


def request_job(session: Session, viewer: Viewer, site_id: int, kind: str, description: str) -> tuple[str | None, dict[str, str]]:
    """A job request from the portal: an unscheduled job on a site of the view, in the
    tenant's default stage; staff are notified. Returns (job number, {}) or
    (None, {field: message key}); nothing is written when a field is wrong."""
    from pool_portal.models import Job, JobKind, PortalSettings

    errors: dict[str, str] = {}
    if not viewer.is_portal or viewer.read_only:
        return None, {"form": "quote.error.not_allowed"}
    site = session.get(Site, site_id) if isinstance(site_id, int) else None
    if site is None or site.tenant_id != viewer.tenant_id or site.client_id not in viewer.client_ids or not site.is_active:
        errors["site"] = "job.error.site"
    if kind not in REQUESTABLE_KINDS:
        errors["kind"] = "job.error.kind"
    description = description.strip()
    if len(description) < MIN_DESCRIPTION:
        errors["description"] = "job.error.too_short"
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = "job.error.too_long"
    if errors:
        return None, errors
    settings = session.execute(select(PortalSettings).where(PortalSettings.tenant_id == viewer.tenant_id)).scalar_one_or_none()
    count = session.execute(select(func.count()).select_from(Job).where(Job.tenant_id == viewer.tenant_id)).scalar_one()
    number = f"REQ-{viewer.tenant_id:02d}{count + 1:06d}"
    while session.execute(select(Job.id).where(Job.tenant_id == viewer.tenant_id, Job.number == number)).first():
        count += 1
        number = f"REQ-{viewer.tenant_id:02d}{count + 1:06d}"
    job = Job(tenant_id=viewer.tenant_id, number=number, site_id=site.id, kind=JobKind(kind),
              stage=settings.default_job_stage if settings else "ON_HOLD", description=description,
              requested_by_portal_user_id=viewer.user_id)
    session.add(job)
    session.flush()
    _notify_staff(session, viewer.tenant_id, f"Job requested: {number}", f"{site.name}: {description[:500]}",
                  f"/admin/jobs/{job.id}", NotificationKind.JOB_REQUESTED)
    audit.record(session, "job.requested", tenant_id=viewer.tenant_id, actor_kind="portal", actor_id=viewer.user_id,
                 target_type="job", target_id=job.id)
    return number, {}


JOB_FILTERS = ("all", "future", "past")


def list_jobs(session: Session, viewer: Viewer, *, when: str = "all", site_id: int | None = None,
              date_from=None, date_to=None, text: str = "", page: int = 1, now: datetime | None = None) -> Page:
    """A page of the view's jobs: past or future by date (scheduled, else due), a site,
    a date range, and a search over number, description, notes and PO number."""
    from pool_portal.models import Job

    today = tenant_today(session, viewer.tenant_id, now)
    when_date = func.coalesce(Job.scheduled_date, Job.due_date)
    where = [Job.tenant_id == viewer.tenant_id, Job.site_id.in_(site_scope(viewer))]
    if when == "future":
        where.append(when_date >= today)
    elif when == "past":
        where.append(when_date < today)
    if site_id is not None:
        where.append(Job.site_id == site_id)
    if date_from is not None:
        where.append(when_date >= date_from)
    if date_to is not None:
        where.append(when_date <= date_to)
    text = " ".join(text.split())[:100]
    if len(text) >= 2:
        p = _pattern(text)
        where.append(or_(_like(Job.number, p), _like(Job.description, p), _like(Job.notes, p), _like(Job.customer_po, p),
                         _like(Site.address, p)))
    base = select(Job, Site.name, Site.address).join(Site, Site.id == Job.site_id).where(*where)
    order = (when_date.asc(), Job.id) if when == "future" else (when_date.desc(), Job.id.desc())
    rows, total, page, pages = _paged(session, base.order_by(*order), page)
    return Page(
        [{"id": str(j.id), "number": j.number, "site": name, "address": address or "", "kind": _v(j.kind),
          "stage": _v(j.stage), "date": (j.scheduled_date or j.due_date).isoformat() if (j.scheduled_date or j.due_date) else "",
          "description": j.description, "po": j.customer_po or "", "total_cents": "0"}
         for j, name, address in rows],
        total, page, pages,
    )
