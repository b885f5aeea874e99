"""Invoices in the portal: the view's list (never drafts; "OVERDUE" derived from the
due date in the tenant's time zone) with the tenant's payment instructions, and one
invoice the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Invoice
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.list_query import ListQuery, plain_query
from pool_portal.services.portal.list_rows import InvoiceRow
from pool_portal.services.portal.lists import ListView, Page, fetch, list_view
from pool_portal.services.portal.portal_settings import document_switches, portal_settings
from pool_portal.services.portal.visibility import site_scope, visible_invoice


def list_invoices(
    session: Session, viewer: Viewer, *, status: str = "all", text: str = "", page: int = 1, now: datetime | None = None
) -> Page[InvoiceRow] | None:
    """A page of the view's invoices (never drafts), newest first; "OVERDUE" derived."""
    return fetch(session, viewer, "invoices", plain_query(status, text, page), now=now)


@dataclass
class InvoicesView:
    listed: ListView
    payment_instructions: str


def invoices_view(session: Session, viewer: Viewer, query: ListQuery) -> InvoicesView:
    """The invoices page: the list for ``query`` and how to pay."""
    return InvoicesView(
        list_view(session, viewer, "invoices", query),
        portal_settings(session, viewer.tenant_id).payment_instructions,
    )


def get_invoice(session: Session, viewer: Viewer, invoice_id: int) -> Invoice | None:
    """An invoice of the view the portal shows (invoices switched on, not a draft), or None."""
    if not document_switches(session, viewer.tenant_id)["invoices"]:
        return None
    return session.execute(
        select(Invoice).where(
            Invoice.id == invoice_id,
            Invoice.tenant_id == viewer.tenant_id,
            Invoice.site_id.in_(site_scope(viewer)),
            visible_invoice(),
        )
    ).scalar_one_or_none()
