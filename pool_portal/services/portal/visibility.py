"""What the portal shows, as SQL conditions used by every query of the portal's data
(dashboard, lists, records, search, PDFs): the view's sites, a published remark, an
open or visible quote, an issued, outstanding or overdue invoice. Written once here;
"today" is the tenant's (``core.clock.tenant_today``); which document types and panels
the tenant shows is ``portal_settings``.

A remark counts only when published (directly, or by being on an approved report);
draft and expired quotes, draft and void invoices and unapproved reports never count
(a void invoice is listed, marked so, but never counted);
"overdue" is an unpaid invoice whose due date has passed in the tenant's time zone.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from pool_portal.models import Invoice, InvoiceStatus, Quote, QuoteStatus, Remark, Report, ReportStatus, Severity, Site
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.portal_settings import resolve_panels

SEVERITIES = list(Severity)  # most severe first


def visible_remark(tenant_id: int):
    """Published directly, or on an approved report."""
    approved = select(Report.id).where(Report.tenant_id == tenant_id, visible_report())
    return or_(Remark.is_published == True, Remark.report_id.in_(approved))


def in_view(viewer: Viewer) -> tuple:
    """The view's sites, as conditions on ``Site``: the tenant's, of the view's clients, active."""
    return (Site.tenant_id == viewer.tenant_id, Site.client_id.in_(sorted(viewer.client_ids)), Site.is_active == True)


def site_in_view(site: Site | None, viewer: Viewer) -> bool:
    """Whether a site (already read) is one of the view's."""
    return (
        site is not None
        and site.tenant_id == viewer.tenant_id
        and site.client_id in viewer.client_ids
        and bool(site.is_active)
    )


def site_scope(viewer: Viewer):
    """The ids of the view's sites, as a subquery (no long lists of bound ids)."""
    return select(Site.id).where(*in_view(viewer))


def severity_rank():
    """0 for CRITICAL ... 4 for INFORMATION, so min() is the highest severity."""
    return case({s.value: i for i, s in enumerate(SEVERITIES)}, value=Remark.severity)


def open_quote(today: date):
    """Awaiting acceptance and not past its expiry: what a client can act on."""
    return and_(
        Quote.status == QuoteStatus.AWAITING_ACCEPTANCE,
        or_(Quote.expires_on.is_(None), Quote.expires_on >= today),
    )


def visible_quote(today: date):
    """What the portal shows of quotes: decided ones, and those still open (never a
    draft, never one awaiting acceptance past its expiry)."""
    return or_(Quote.status.in_([QuoteStatus.APPROVED, QuoteStatus.DECLINED]), open_quote(today))


def overdue_invoice(today: date):
    return and_(Invoice.status == InvoiceStatus.AWAITING_PAYMENT, Invoice.due_on < today)


def is_overdue(status: InvoiceStatus | str, due_on: date | None, today: date) -> bool:
    """``overdue_invoice`` for an invoice already read."""
    return status == InvoiceStatus.AWAITING_PAYMENT and due_on is not None and due_on < today


def outstanding_invoice():
    return Invoice.status == InvoiceStatus.AWAITING_PAYMENT


def issued_invoice():
    return Invoice.status.in_([InvoiceStatus.AWAITING_PAYMENT, InvoiceStatus.PAID])


def visible_invoice():
    """What the portal shows of invoices: every one but drafts (a void one, marked so)."""
    return Invoice.status != InvoiceStatus.DRAFT


def visible_report():
    """What the portal shows of reports: the approved ones."""
    return Report.status == ReportStatus.APPROVED


def view_sites(session: Session, viewer: Viewer) -> list[Site]:
    if not viewer.client_ids:
        return []
    return list(session.execute(select(Site).where(*in_view(viewer)).order_by(Site.name, Site.id)).scalars())


def panel_visibility(session: Session, viewer: Viewer) -> dict[str, bool]:
    """The view's panels, resolved in one place: portal_settings.resolve_panels (tenant
    default, then each client's override; a multi-client view shows a panel only when
    every client of the view shows it)."""
    return resolve_panels(session, viewer.tenant_id, viewer.client_ids)
