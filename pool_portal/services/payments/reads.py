"""What the screens and the integration API read about payments: which of the view's
invoices can be paid now (the portal's Pay buttons), one invoice as the customer sees
it with its payments, an invoice's payments for staff (flags included), and the
tenant's payments changed since a moment, for the ERP."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from pool_portal.models import (
    CheckoutAttempt,
    CheckoutInvoice,
    CheckoutStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    Site,
    Tenant,
)
from pool_portal.services.core.clock import tenant_today, tenant_zone
from pool_portal.services.core.scope import Viewer
from pool_portal.services.payments import config
from pool_portal.services.payments.ledger import applied_cents
from pool_portal.services.portal.invoices import get_invoice
from pool_portal.services.portal.visibility import is_overdue, site_scope
from pool_portal.services.staff.editing import editor, owned

# What a Pay button shows: "pay" (press it), "processing" (a debit is on its way),
# "unavailable" (payments are on, but the provider rejected the keys).
PAY, PROCESSING, UNAVAILABLE = "pay", "processing", "unavailable"


@dataclass(frozen=True)
class PaymentLine:
    id: int
    paid_at: datetime
    amount_cents: int
    currency: str
    method: str | None
    status: PaymentStatus
    refunded_cents: int
    reference: str
    flag: str | None


@dataclass(frozen=True)
class PortalInvoice:
    """One invoice as its portal page shows it."""

    id: int
    number: str
    site: str
    status: str  # an InvoiceStatus value, or OVERDUE
    issued_on: date | None
    due_on: date | None
    paid_on: date | None
    total_cents: int
    paid_cents: int
    outstanding_cents: int
    currency: str
    pay: str  # PAY, PROCESSING, UNAVAILABLE or "" (nothing to pay here)
    payments: list[PaymentLine]
    zone: ZoneInfo
    confirming: bool  # back from checkout, the provider's confirmation not yet arrived


def _lines(db: Session, where) -> list[PaymentLine]:
    rows = db.exec(select(Payment).where(*where).order_by(Payment.paid_at, Payment.id)).all()
    return [
        PaymentLine(
            p.id,
            p.paid_at,
            p.amount_cents,
            p.currency,
            p.method,
            PaymentStatus(p.status),
            p.refunded_cents,
            p.provider_ref,
            p.flag,
        )
        for p in rows
    ]


def payable(db: Session, viewer: Viewer, invoice_ids: Iterable[int]) -> dict[int, str]:
    """Of ``invoice_ids`` (already the view's), those with something to pay now, and what
    their button shows. Nothing while viewing as a client (read-only), nothing when
    payments are off."""
    ids = sorted({int(i) for i in invoice_ids})
    offer = config.offer(db, viewer.tenant_id)
    if not ids or not offer.enabled or viewer.read_only or not viewer.is_portal:
        return {}
    invoices = db.exec(
        select(Invoice).where(
            Invoice.tenant_id == viewer.tenant_id,
            col(Invoice.id).in_(ids),
            Invoice.site_id.in_(site_scope(viewer)),
            Invoice.status == InvoiceStatus.AWAITING_PAYMENT,
        )
    ).all()
    processing = set(
        db.exec(
            select(CheckoutInvoice.invoice_id)
            .join(CheckoutAttempt, CheckoutAttempt.id == CheckoutInvoice.attempt_id)
            .where(col(CheckoutInvoice.open_invoice_id).in_(ids), CheckoutAttempt.status == CheckoutStatus.PROCESSING)
        ).all()
    )
    out = {}
    for inv in invoices:
        if inv.total_cents - applied_cents(db, inv.id) <= 0:
            continue
        out[inv.id] = PROCESSING if inv.id in processing else PAY if offer.available else UNAVAILABLE
    return out


@dataclass(frozen=True)
class ListOffer:
    payable: dict[int, str]
    multiple: bool  # several may be paid together


def list_offer(db: Session, viewer: Viewer, invoice_ids: Iterable[int]) -> ListOffer:
    """For a page of the invoices list: which can be paid now, and whether together."""
    found = payable(db, viewer, invoice_ids)
    return ListOffer(found, bool(found) and config.offer(db, viewer.tenant_id).allow_multiple)


def portal_invoice(
    db: Session, viewer: Viewer, invoice_id: int, checkout_id: int | None = None
) -> PortalInvoice | None:
    """The invoice ``invoice_id`` of the view as the portal shows it (None when the
    portal does not show it to this viewer), with its payments (confirmed, refunded and
    disputed ones: not the ones staff must sort out)."""
    inv = get_invoice(db, viewer, invoice_id)
    if inv is None:
        return None
    tenant = db.get(Tenant, viewer.tenant_id)
    paid = applied_cents(db, inv.id)
    today = tenant_today(db, viewer.tenant_id)
    shown = (PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED, PaymentStatus.DISPUTED)
    confirming = False
    if checkout_id is not None and inv.status == InvoiceStatus.AWAITING_PAYMENT:
        attempt = db.get(CheckoutAttempt, checkout_id)
        in_it = db.exec(
            select(CheckoutInvoice.id).where(
                CheckoutInvoice.attempt_id == checkout_id, CheckoutInvoice.invoice_id == inv.id
            )
        ).first()
        confirming = bool(
            attempt and attempt.tenant_id == viewer.tenant_id and in_it and attempt.status != CheckoutStatus.FAILED
        )
    return PortalInvoice(
        id=inv.id,
        number=inv.number,
        site=db.get(Site, inv.site_id).name,
        status="OVERDUE" if is_overdue(inv.status, inv.due_on, today) else InvoiceStatus(inv.status).value,
        issued_on=inv.issued_on,
        due_on=inv.due_on,
        paid_on=inv.paid_on,
        total_cents=inv.total_cents,
        paid_cents=paid,
        outstanding_cents=max(0, inv.total_cents - paid) if inv.status == InvoiceStatus.AWAITING_PAYMENT else 0,
        currency=tenant.currency,
        pay=payable(db, viewer, [inv.id]).get(inv.id, ""),
        payments=_lines(db, [Payment.invoice_id == inv.id, col(Payment.status).in_(shown)]),
        zone=tenant_zone(db, viewer.tenant_id),
        confirming=confirming,
    )


@dataclass(frozen=True)
class StaffPayments:
    payments: list[PaymentLine]
    paid_cents: int
    outstanding_cents: int
    flagged: int
    open_checkout: bool
    zone: ZoneInfo


def staff_payments(db: Session, tenant_id: int, staff_user_id: int, invoice_id: object) -> StaffPayments | None:
    """Every payment of the tenant's invoice (refused and duplicate ones too, with their
    flags) for Admin → Data → the invoice; None when it is not the tenant's."""
    editor(db, tenant_id, staff_user_id)
    inv = owned(db, Invoice, tenant_id, invoice_id)
    if inv is None:
        return None
    lines = _lines(db, [Payment.invoice_id == inv.id, Payment.tenant_id == tenant_id])
    paid = applied_cents(db, inv.id)
    open_checkout = (
        db.exec(select(CheckoutInvoice.id).where(CheckoutInvoice.open_invoice_id == inv.id)).first() is not None
    )
    return StaffPayments(
        lines,
        paid,
        max(0, inv.total_cents - paid) if inv.status == InvoiceStatus.AWAITING_PAYMENT else 0,
        sum(1 for p in lines if p.flag),
        open_checkout,
        tenant_zone(db, tenant_id),
    )


# -- the integration API ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ApiPayment:
    id: int
    invoice_external_id: str | None
    invoice_number: str
    provider: str
    reference: str
    amount_cents: int
    currency: str
    refunded_cents: int
    method: str | None
    status: str
    flag: str | None
    paid_at: datetime
    updated_at: datetime


class BadCursor(ValueError):
    pass


def _cursor(updated_at: datetime, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.astimezone(UTC).isoformat()}|{row_id}".encode()).decode().rstrip("=")


def _read_cursor(raw: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        when, _, row_id = text.partition("|")
        return datetime.fromisoformat(when), int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor of this list") from exc


def api_payments(
    db: Session, tenant_id: int, since: datetime | None, cursor: str | None, limit: int
) -> tuple[list[ApiPayment], str | None]:
    """The tenant's payments changed (recorded, refunded, disputed, flagged) at or after
    ``since``, oldest change first, ``limit`` at a time; and the next page's cursor."""
    where = [Payment.tenant_id == tenant_id]
    if since is not None:
        where.append(Payment.updated_at >= (since if since.tzinfo else since.replace(tzinfo=UTC)))
    if cursor:
        at, row_id = _read_cursor(cursor)
        where.append(or_(Payment.updated_at > at, and_(Payment.updated_at == at, Payment.id > row_id)))
    rows = db.exec(
        select(Payment, Invoice.external_id, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(*where)
        .order_by(Payment.updated_at, Payment.id)
        .limit(limit + 1)
    ).all()
    items = [
        ApiPayment(
            p.id,
            ext,
            number,
            p.provider.value.lower(),
            p.provider_ref,
            p.amount_cents,
            p.currency,
            p.refunded_cents,
            p.method,
            PaymentStatus(p.status).value,
            p.flag,
            p.paid_at,
            p.updated_at,
        )
        for p, ext, number in rows[:limit]
    ]
    last = rows[limit - 1][0] if len(rows) > limit else None
    return items, _cursor(last.updated_at, last.id) if last is not None else None
