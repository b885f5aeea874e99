"""The listings behind the dashboard's numbers and bars (its overlays): a property's
overdue invoices, open quotes and open defects, the activity report's sections, and
what a bar of the defects, routine or service-call chart counts. Each lists exactly
what its number counts (``visibility``'s rules), for the whole view or one site of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Invoice,
    InvoiceStatus,
    Job,
    JobKind,
    JobStage,
    Quote,
    QuoteKind,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Severity,
    Site,
)
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.scope import Viewer
from pool_portal.services.core.sqlfn import ci_like, contains_pattern
from pool_portal.services.portal.dashboard_queries import COUNTED_SEVERITIES
from pool_portal.services.portal.months import month_range
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.routine import ROUTINE_STATUSES, routine_status
from pool_portal.services.portal.visibility import (
    SEVERITIES,
    is_overdue,
    open_quote,
    outstanding_invoice,
    overdue_invoice,
    panel_visibility,
    severity_rank,
    site_scope,
    visible_remark,
)

LISTINGS = (
    "overdue_invoices",
    "open_quotes",
    "open_defects",
    "defect_quotes",
    "service_quotes",
    "invoices",
    "defects",
    "routine",
    "calls",
)
# The panel a listing opens from; the others open from "Your properties", always shown.
LISTING_PANELS = {
    "defect_quotes": "activity_report",
    "service_quotes": "activity_report",
    "invoices": "activity_report",
    "defects": "defect_analytics",
    "routine": "routine_activities",
    "calls": "service_calls",
}
LISTING_LIMIT = 200
ACTIVITY_KINDS = ("defect_quotes", "service_quotes", "invoices")  # the activity report's sections
ACTIVITY_ITEMS = 5  # outstanding items the page shows in each (the rest in the listing)


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One item of a listing. ``on``: an invoice's due date, a quote's expiry, the day a
    defect was raised, a routine job's due day, the day a service call came in.
    ``status`` is a code of the catalogue ``family``: "status" (an invoice, quote or
    severity code, OVERDUE, RESOLVED), "routine" (a routine status) or "stage" (a
    ``JobStage`` value). ``doc``: "quote" or "invoice" when the item has a PDF."""

    id: int
    number: str
    site: str
    title: str
    on: date | None
    status: str
    family: str = "status"
    amount_cents: int | None = None
    doc: str = ""


def listing(
    session: Session,
    viewer: Viewer,
    kind: str,
    site_id: int | None = None,
    *,
    now: datetime | None = None,
    month: str | None = None,
    bucket: str | None = None,
    text: str | None = None,
    limit: int = LISTING_LIMIT,
) -> list[ListingRow] | None:
    """The items behind a dashboard number or bar, for the whole view or one of its
    sites. None when the kind is unknown, its document type is switched off, the panel
    it opens from is hidden for the view (a hidden panel's items are never read nor
    sent), or the site is not in the viewer's view (so nothing of another client's is
    ever listed).
    ``month`` ("YYYY-MM") and ``bucket`` (a severity or RESOLVED, a routine status, a
    stage) narrow the chart listings; ``text`` searches the defects. At most ``limit``
    quotes or invoices."""
    if kind not in LISTINGS:
        return None
    panel = LISTING_PANELS.get(kind)
    if panel is not None and not panel_visibility(session, viewer)[panel]:
        return None
    scope = _listing_scope(session, viewer, site_id)
    if scope is None or not scope[1]:
        return None if scope is None else []
    sites, ids = scope
    if kind in ("defects", "routine", "calls"):
        return _chart_listing(session, viewer, kind, sites, ids, now=now, month=month, bucket=bucket, text=text)
    today = tenant_today(session, viewer.tenant_id, now)
    docs = document_switches(session, viewer.tenant_id)
    # The whole view as a subquery rather than a thousand bound ids.
    in_view = ids if site_id is not None else site_scope(viewer)
    if kind in ("overdue_invoices", "invoices"):
        return _invoices(session, viewer, kind, sites, in_view, today, limit) if docs["invoices"] else None
    if kind in ("open_quotes", "defect_quotes", "service_quotes"):
        return _quotes(session, viewer, kind, sites, in_view, today, limit) if docs["quotes"] else None
    return _open_defects(session, viewer, sites, ids)


def _invoices(session, viewer, kind, sites, in_view, today: date, limit: int) -> list[ListingRow]:
    cond = overdue_invoice(today) if kind == "overdue_invoices" else outstanding_invoice()
    rows = session.execute(
        select(Invoice)
        .where(Invoice.tenant_id == viewer.tenant_id, Invoice.site_id.in_(in_view), cond)
        .order_by(Invoice.due_on, Invoice.id)
        .limit(min(limit, LISTING_LIMIT))
    ).scalars()
    return [
        ListingRow(
            i.id,
            i.number,
            sites[i.site_id],
            "",
            i.due_on,
            "OVERDUE" if is_overdue(i.status, i.due_on, today) else InvoiceStatus(i.status).value,
            amount_cents=i.total_cents,
            doc="invoice",
        )
        for i in rows
    ]


def _quotes(session, viewer, kind, sites, in_view, today: date, limit: int) -> list[ListingRow]:
    query = select(Quote).where(Quote.tenant_id == viewer.tenant_id, Quote.site_id.in_(in_view), open_quote(today))
    if kind != "open_quotes":
        query = query.where(Quote.kind == (QuoteKind.DEFECT if kind == "defect_quotes" else QuoteKind.SERVICE))
    rows = session.execute(query.order_by(Quote.issued_on, Quote.id).limit(min(limit, LISTING_LIMIT))).scalars()
    return [
        ListingRow(
            q.id,
            q.number,
            sites[q.site_id],
            q.title,
            q.expires_on,
            QuoteStatus(q.status).value,
            amount_cents=q.total_cents,
            doc="quote",
        )
        for q in rows
    ]


def _open_defects(session, viewer, sites, ids) -> list[ListingRow]:
    t = viewer.tenant_id
    rows = session.execute(
        select(Remark)
        .where(
            Remark.tenant_id == t,
            Remark.site_id.in_(ids),
            Remark.status == RemarkStatus.OPEN,
            visible_remark(t),
            Remark.severity.in_([s.value for s in COUNTED_SEVERITIES]),
        )
        .order_by(severity_rank(), Remark.raised_on.desc(), Remark.id)
        .limit(LISTING_LIMIT)
    ).scalars()
    return [
        ListingRow(r.id, f"D-{r.id}", sites[r.site_id], r.title, r.raised_on, Severity(r.severity).value) for r in rows
    ]


def _listing_scope(session, viewer, site_id) -> tuple[dict[int, str], list[int]] | None:
    """(site names, the ids to list) for the view or one of its sites; None when the
    site is not in the view."""
    # Names only (not whole Site rows: the ORM's objects for a 1,000-site view cost
    # 50 ms, the id/name pairs 3 ms).
    sites = (
        dict(
            session.execute(
                select(Site.id, Site.name).where(Site.id.in_(site_scope(viewer))).order_by(Site.name, Site.id)
            ).all()
        )
        if viewer.client_ids
        else {}
    )
    if site_id is not None and site_id not in sites:
        return None
    return sites, ([site_id] if site_id is not None else list(sites))


# -- what a bar of a chart counts -------------------------------------------------------------------
def _chart_listing(session, viewer, kind, sites, ids, *, now, month, bucket, text) -> list[ListingRow] | None:
    span = month_range(month)
    if month and span is None:
        return None
    if kind == "defects":
        return _defects(session, viewer, sites, ids, span, bucket, text)
    if kind == "routine":
        return _routine(session, viewer, sites, ids, span, bucket, tenant_today(session, viewer.tenant_id, now))
    return _calls(session, viewer, sites, ids, span, bucket)


def _defects(session, viewer, sites, ids, span, bucket, text) -> list[ListingRow] | None:
    t = viewer.tenant_id
    query = select(Remark).where(Remark.tenant_id == t, Remark.site_id.in_(ids), visible_remark(t))
    if span:
        query = query.where(Remark.raised_on >= span[0], Remark.raised_on < span[1])
    if bucket == "RESOLVED":
        query = query.where(Remark.status == RemarkStatus.RESOLVED)
    elif bucket in {s.value for s in SEVERITIES}:
        query = query.where(Remark.status == RemarkStatus.OPEN, Remark.severity == bucket)
    elif bucket:
        return None
    if text:
        query = query.where(ci_like(Remark.title, contains_pattern(" ".join(text.split())[:100])))
    rows = session.execute(query.order_by(Remark.raised_on.desc(), Remark.id).limit(LISTING_LIMIT)).scalars()
    return [
        ListingRow(
            r.id,
            f"D-{r.id}",
            sites[r.site_id],
            r.title,
            r.raised_on,
            "RESOLVED" if r.status == RemarkStatus.RESOLVED else Severity(r.severity).value,
        )
        for r in rows
    ]


def _routine(session, viewer, sites, ids, span, bucket, today: date) -> list[ListingRow] | None:
    if bucket and bucket not in ROUTINE_STATUSES:
        return None
    query = select(Job).where(Job.tenant_id == viewer.tenant_id, Job.site_id.in_(ids), Job.kind == JobKind.ROUTINE)
    if span:
        query = query.where(Job.due_date >= span[0], Job.due_date < span[1])
    out = []
    for j in session.execute(query.order_by(Job.due_date, Job.id)).scalars():
        status = routine_status(j.due_date, j.completed_on, j.tolerance_days or 0, today)
        if bucket and status != bucket:
            continue
        out.append(ListingRow(j.id, j.number, sites[j.site_id], j.description, j.due_date, status, "routine"))
        if len(out) >= LISTING_LIMIT:
            break
    return out


def _calls(session, viewer, sites, ids, span, bucket) -> list[ListingRow] | None:
    if bucket and bucket not in {s.value for s in JobStage}:
        return None
    query = select(Job).where(Job.tenant_id == viewer.tenant_id, Job.site_id.in_(ids), Job.kind == JobKind.SERVICE_CALL)
    if span:
        query = query.where(
            Job.created_at >= datetime.combine(span[0], time.min, tzinfo=UTC),
            Job.created_at < datetime.combine(span[1], time.min, tzinfo=UTC),
        )
    if bucket:
        query = query.where(Job.stage == bucket)
    rows = session.execute(query.order_by(Job.created_at.desc(), Job.id).limit(LISTING_LIMIT)).scalars()
    return [
        ListingRow(
            j.id, j.number, sites[j.site_id], j.description, j.created_at.date(), JobStage(j.stage).value, "stage"
        )
        for j in rows
    ]
