"""Portal records: quotes and invoices of the viewer's view, and acting on quotes.

Draft and expired quotes and draft invoices never appear; "overdue" follows the due
date in the tenant's time zone. Approving or declining is one conditional UPDATE, so
two people acting at once cannot both succeed: the second is told the new status.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select, update
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
from pool_portal.services.core import audit
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal import lists
from pool_portal.services.portal.portal_settings import document_switches, portal_settings
from pool_portal.services.portal.visibility import open_quote, site_scope, visible_quote

Page = lists.Page


def list_quotes(
    session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1, now: datetime | None = None
) -> Page | None:
    """A page of the view's quotes, newest first. None when quotes are switched off."""
    return lists.fetch(session, viewer, "quotes", _query(status, text, page), now=now)


def _query(status: str, text: str, page: int, **extra) -> lists.ListQuery:
    return lists.ListQuery(status=status, text=" ".join(text.split())[: lists.MAX_TEXT], page=page, **extra)


def get_quote(session: Session, viewer: Viewer, quote_id: int, now: datetime | None = None) -> Quote | None:
    """A quote the viewer may see (in the view, not draft, not expired), or None."""
    if not document_switches(session, viewer.tenant_id)["quotes"]:
        return None
    today = tenant_today(session, viewer.tenant_id, now)
    return session.execute(
        select(Quote).where(
            Quote.id == quote_id,
            Quote.tenant_id == viewer.tenant_id,
            Quote.site_id.in_(site_scope(viewer)),
            visible_quote(today),
        )
    ).scalar_one_or_none()


def admin_link(page: str, record_id: int) -> str:
    """The staff page of a record ("quote", "job", ...): /admin/<page>?id=<id>, as the
    app routes them (pool_portal.py)."""
    return f"/admin/{page}?id={int(record_id)}"


def _notify_staff(
    session: Session,
    tenant_id: int,
    title: str,
    body: str,
    link: str,
    kind: NotificationKind = NotificationKind.QUOTE_DECIDED,
) -> None:
    """A notification for the tenant's first active ADMIN."""
    admin = (
        session.execute(
            select(StaffUser.id)
            .where(StaffUser.tenant_id == tenant_id, StaffUser.role == StaffRole.ADMIN, StaffUser.is_active == True)
            .order_by(StaffUser.id)
        )
        .scalars()
        .first()
    )
    if admin is not None:
        session.add(
            Notification(tenant_id=tenant_id, kind=kind, staff_user_id=admin, title=title, body=body[:2000], link=link)
        )


MAX_AUTHORISATION_BYTES = 10 * 1024 * 1024
AUTHORISATION_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _document_kind(data: bytes) -> str | None:
    """ "pdf", "jpg", "png" or "webp" from the content (never from the file name)."""
    from pool_portal.services.infra.uploads import sniff

    return "pdf" if data[:5] == b"%PDF-" else sniff(data)


def decide_quote(
    session: Session,
    viewer: Viewer,
    quote_id: int,
    *,
    approve: bool,
    name: str = "",
    reference: str = "",
    comment: str = "",
    document: tuple[str, bytes] | None = None,
    now: datetime | None = None,
) -> str | None:
    """Approve (a name is required; a PO/reference and an authorisation document, a PDF
    or an image, optional) or decline (a comment is required) a quote awaiting
    acceptance. Returns None, or a message key; a refusal changes and stores nothing.
    The authorisation document is kept with the quote's property, not published."""
    from pool_portal.models import Document
    from pool_portal.services.infra import storage

    if not viewer.is_portal or viewer.read_only:
        return "quote.error.not_allowed"
    name, reference, comment = name.strip()[:120], reference.strip()[:60], comment.strip()[:2000]
    if approve and not name:
        return "quote.error.name_required"
    if not approve and not comment:
        return "quote.error.comment_required"
    kind = None
    if approve and document is not None:
        if len(document[1]) > MAX_AUTHORISATION_BYTES:
            return "quote.error.document_size"
        kind = _document_kind(document[1])
        if kind is None:
            return "quote.error.document_type"
    quote = get_quote(session, viewer, quote_id, now)
    if quote is None:
        return "quote.error.not_found"
    stored = storage.save(document[1], "authorisations", kind) if kind else None
    today = tenant_today(session, viewer.tenant_id, now)
    values = {
        "status": QuoteStatus.APPROVED if approve else QuoteStatus.DECLINED,
        "decided_at": now or utcnow(),
        "decided_by_portal_user_id": viewer.user_id,
    }
    values.update(
        {"approver_name": name, "approver_reference": reference or None} if approve else {"decline_comment": comment}
    )
    result = session.execute(
        update(Quote)
        .where(Quote.id == quote.id, Quote.tenant_id == viewer.tenant_id, open_quote(today))
        .values(**values)
    )
    if result.rowcount != 1:
        if stored:
            storage.delete_local(stored)
        return "quote.error.already_decided"
    document_id = None
    if stored:
        safe_name = (
            "".join(c for c in str(document[0] or "") if c.isalnum() or c in "._- ")[:200] or f"authorisation.{kind}"
        )
        doc = Document(
            tenant_id=viewer.tenant_id,
            site_id=quote.site_id,
            title=f"Authorisation for quote {quote.number}",
            filename=safe_name,
            content_type=AUTHORISATION_TYPES[kind],
            size_bytes=len(document[1]),
            storage_key=stored,
            is_published=False,
        )
        session.add(doc)
        session.flush()
        document_id = doc.id
    action = "quote.approved" if approve else "quote.declined"
    audit.record(
        session,
        action,
        tenant_id=viewer.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="quote",
        target_id=quote.id,
        name=name or None,
        reference=reference or None,
        authorisation_document_id=document_id,
    )
    _notify_staff(
        session,
        viewer.tenant_id,
        f"Quote {quote.number} {'approved' if approve else 'declined'}",
        (
            f"By {name}"
            + (f", reference {reference}" if reference else "")
            + (f", authorisation document /files/document/{document_id}" if document_id else "")
        )
        if approve
        else comment,
        admin_link("quote", quote.id),
    )
    return None


def list_invoices(
    session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1, now: datetime | None = None
) -> Page | None:
    """A page of the view's invoices (never drafts), newest first; "OVERDUE" derived."""
    return lists.fetch(session, viewer, "invoices", _query(status, text, page), now=now)


def get_invoice(session: Session, viewer: Viewer, invoice_id: int) -> Invoice | None:
    if not document_switches(session, viewer.tenant_id)["invoices"]:
        return None
    return session.execute(
        select(Invoice).where(
            Invoice.id == invoice_id,
            Invoice.tenant_id == viewer.tenant_id,
            Invoice.site_id.in_(site_scope(viewer)),
            Invoice.status != InvoiceStatus.DRAFT,
        )
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


def request_job(
    session: Session, viewer: Viewer, site_id: int, kind: str, description: str
) -> tuple[str | None, dict[str, str]]:
    """A job request from the portal: an unscheduled job on a site of the view, in the
    tenant's default stage; staff are notified. Returns (job number, {}) or
    (None, {field: message key}); nothing is written when a field is wrong."""
    from pool_portal.models import Job, JobKind

    errors: dict[str, str] = {}
    if not viewer.is_portal or viewer.read_only:
        return None, {"form": "quote.error.not_allowed"}
    site = session.get(Site, site_id) if isinstance(site_id, int) else None
    if (
        site is None
        or site.tenant_id != viewer.tenant_id
        or site.client_id not in viewer.client_ids
        or not site.is_active
    ):
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
    default_stage = portal_settings(session, viewer.tenant_id).default_job_stage
    # The number comes from the new row's id, which no concurrent request can share
    # (counting the tenant's jobs let two requests at once pick the same number).
    job = Job(
        tenant_id=viewer.tenant_id,
        number=f"REQ-PENDING-{secrets.token_hex(6)}",
        site_id=site.id,
        kind=JobKind(kind),
        stage=default_stage,
        description=description,
        requested_by_portal_user_id=viewer.user_id,
    )
    session.add(job)
    session.flush()
    number, suffix = f"REQ-{viewer.tenant_id:02d}{job.id:06d}", 1
    while session.execute(select(Job.id).where(Job.tenant_id == viewer.tenant_id, Job.number == number)).first():
        suffix += 1  # a number an imported job already has
        number = f"REQ-{viewer.tenant_id:02d}{job.id:06d}-{suffix}"
    job.number = number
    session.flush()
    _notify_staff(
        session,
        viewer.tenant_id,
        f"Job requested: {number}",
        f"{site.name}: {description[:500]}",
        admin_link("job", job.id),
        NotificationKind.JOB_REQUESTED,
    )
    audit.record(
        session,
        "job.requested",
        tenant_id=viewer.tenant_id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="job",
        target_id=job.id,
    )
    return number, {}


def list_jobs(
    session: Session,
    viewer: Viewer,
    *,
    when: str = "all",
    site_id: int | None = None,
    asset_id: int | None = None,
    date_from=None,
    date_to=None,
    text: str = "",
    page: int = 1,
    now: datetime | None = None,
) -> Page:
    """A page of the view's jobs: past or future by date (scheduled, else due), a site,
    an asset, a date range, and a search over number, description, notes, PO number and
    address."""
    return lists.fetch(
        session,
        viewer,
        "jobs",
        _query(when, text, page, site_id=site_id, asset_id=asset_id, date_from=date_from, date_to=date_to),
        now=now,
    )


def job_asset_filter(
    session: Session, viewer: Viewer, site_id: int | None, asset_id: int | None
) -> tuple[int | None, int | None, list[list[str]]]:
    """The jobs list's property and asset filters made consistent: (site id, asset id,
    the asset choices [id, "code · type"] of that property). An asset without a
    property brings its own property; an asset that is not on the property, or not in
    the view, is dropped; a property outside the view has no assets to choose."""
    from pool_portal.models import Asset

    if asset_id is not None and site_id is None:
        site_id = session.execute(
            select(Asset.site_id).where(
                Asset.id == asset_id, Asset.tenant_id == viewer.tenant_id, Asset.site_id.in_(site_scope(viewer))
            )
        ).scalar_one_or_none()
    if site_id is None:
        return None, None, []
    choices = [
        [str(i), f"{code} · {kind}"]
        for i, code, kind in session.execute(
            select(Asset.id, Asset.asset_code, Asset.asset_type)
            .where(
                Asset.tenant_id == viewer.tenant_id,
                Asset.site_id == site_id,
                Asset.site_id.in_(site_scope(viewer)),
                Asset.is_active == True,
            )
            .order_by(Asset.asset_type, Asset.asset_code, Asset.id)
        )
    ]
    if asset_id is not None and str(asset_id) not in {c[0] for c in choices}:
        asset_id = None
    return site_id, asset_id, choices


def get_report(session: Session, viewer: Viewer, report_id: int):
    """An approved report on a site of the view (reports switched on), or None."""
    from pool_portal.models import Report, ReportStatus

    if not document_switches(session, viewer.tenant_id)["reports"]:
        return None
    return session.execute(
        select(Report).where(
            Report.id == report_id,
            Report.tenant_id == viewer.tenant_id,
            Report.site_id.in_(site_scope(viewer)),
            Report.status == ReportStatus.APPROVED,
        )
    ).scalar_one_or_none()


HISTORY_LIMIT = 50


def asset_detail(session: Session, viewer: Viewer, asset_id: int) -> dict | None:
    """An active asset on a site of the view: its fields, its published defects (most
    severe first), its service history (jobs on it, latest first) and when its next
    service is due. None for anything outside the view."""
    from pool_portal.models import Asset, Job, Remark
    from pool_portal.services.portal.visibility import severity_rank, visible_remark

    row = session.execute(
        select(Asset, Site.name)
        .join(Site, Site.id == Asset.site_id)
        .where(
            Asset.id == asset_id,
            Asset.tenant_id == viewer.tenant_id,
            Asset.site_id.in_(site_scope(viewer)),
            Asset.is_active == True,
        )
    ).first()
    if row is None:
        return None
    asset, site = row
    remarks = session.execute(
        select(Remark)
        .where(Remark.asset_id == asset.id, Remark.tenant_id == viewer.tenant_id, visible_remark(viewer.tenant_id))
        .order_by(Remark.status, severity_rank(), Remark.raised_on.desc())
        .limit(HISTORY_LIMIT)
    ).scalars()
    when = func.coalesce(Job.completed_on, Job.scheduled_date, Job.due_date)
    jobs = session.execute(
        select(Job)
        .where(Job.asset_id == asset.id, Job.tenant_id == viewer.tenant_id)
        .order_by(when.desc().nulls_last(), Job.id.desc())
        .limit(HISTORY_LIMIT)
    ).scalars()
    fields = {
        k: _v(getattr(asset, k)) if getattr(asset, k) is not None else ""
        for k in lists.ASSET_COLUMN_KEYS
        if k != "site"
    }
    for k in ("last_test_date", "next_service_due"):
        fields[k] = getattr(asset, k).isoformat() if getattr(asset, k) else ""
    return {
        "id": str(asset.id),
        "site": site,
        "site_id": str(asset.site_id),
        "description": asset.description or "",
        **fields,
        "defects": [
            {
                "id": str(r.id),
                "number": f"D-{r.id}",
                "severity": _v(r.severity),
                "status": _v(r.status),
                "title": r.title,
                "raised": r.raised_on.isoformat(),
            }
            for r in remarks
        ],
        "jobs": [
            {
                "id": str(j.id),
                "number": j.number,
                "kind": _v(j.kind),
                "stage": _v(j.stage),
                "date": (j.completed_on or j.scheduled_date or j.due_date or j.created_at).isoformat()[:10],
                "description": j.description,
            }
            for j in jobs
        ],
    }
