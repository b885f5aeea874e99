"""What a provider's verified event does: record the payment, settle or reopen the
invoice, flag what staff must look at. Called by ``webhooks`` inside one unit of work,
for the tenant whose keys verified the event.

The rules:

- An event is stored once (``payment_event``: provider + event id unique); the row is
  written first, so a replay (or the same event twice at once) stops at the unique
  index and changes nothing.
- The invoices of an event are locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
  has one writer at a time) before their payments are added up, so two payments arriving
  together never both settle one invoice, and two halves always do.
- A paid event records a Payment per invoice of its checkout (amount, currency, the
  provider's reference, method, time). The invoice moves to PAID (one conditional UPDATE
  from AWAITING_PAYMENT) only when its confirmed payments, less refunds, cover its total;
  less is a partial payment and it stays unpaid.
- Amount or currency other than what the checkout asked (and the tenant's currency):
  refused: recorded as REFUSED (not applied), flagged to staff.
- Money for an invoice that is no longer awaiting payment (paid in another tab, by the
  ERP, voided): recorded as DUPLICATE, flagged "refund due", never dropped; the
  invoice is not touched.
- A refund or dispute is recorded on the payments it concerns; an invoice that one of
  our payments settled goes back to AWAITING_PAYMENT when what is left no longer covers
  it. An invoice the ERP (or staff) marked paid stays paid.
- An event for an unknown checkout or payment, or another tenant's, is stored with that
  outcome and acknowledged; nothing else changes.
- Staff hear about each payment and each flag (a notification); the payer gets a
  receipt by mail after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from pool_portal.models import (
    CheckoutAttempt,
    CheckoutInvoice,
    CheckoutStatus,
    Invoice,
    InvoiceStatus,
    NotificationKind,
    Payment,
    PaymentEvent,
    PaymentProvider,
    PaymentStatus,
    Tenant,
    utcnow,
)
from pool_portal.presentation.display import money
from pool_portal.services.core import uow
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.i18n import t
from pool_portal.services.infra import mail
from pool_portal.services.payments.gateway import EventKind, GatewayEvent
from pool_portal.services.portal.staff_alerts import admin_link, notify_staff
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

FLAG_REFUND_DUE = "payments.flag.refund_due"
FLAG_MISMATCH = "payments.flag.mismatch"
FLAG_OVERPAID = "payments.flag.overpaid"
FLAG_DISPUTED = "payments.flag.disputed"
LIVE = (CheckoutStatus.CREATING, CheckoutStatus.OPEN, CheckoutStatus.PROCESSING)


def applied_cents(db: Session, invoice_id: int) -> int:
    """What the invoice's confirmed payments bring, less their refunds."""
    return int(
        db.exec(
            select(func.coalesce(func.sum(Payment.amount_cents - Payment.refunded_cents), 0)).where(
                Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.CONFIRMED
            )
        ).one()
    )


def outstanding_cents(db: Session, invoice: Invoice) -> int:
    """What is left to pay of an invoice awaiting payment (0 for any other)."""
    if invoice.status != InvoiceStatus.AWAITING_PAYMENT:
        return 0
    return max(0, invoice.total_cents - applied_cents(db, invoice.id))


def settled_by_payments(db: Session, invoice_id: int) -> bool:
    """Whether one of our online payments moved the invoice to PAID (and still stands)."""
    return (
        db.exec(select(Payment.id).where(Payment.invoice_id == invoice_id, Payment.settled_invoice == True)).first()
        is not None
    )


def lock_invoices(db: Session, tenant_id: int, ids: Iterable[int]) -> dict[int, Invoice]:
    """The tenant's invoices ``ids``, locked for this transaction, fresh from the database."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.exec(
        select(Invoice)
        .where(Invoice.tenant_id == tenant_id, col(Invoice.id).in_(wanted))
        .order_by(Invoice.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {inv.id: inv for inv in rows}


def release(db: Session, attempt: CheckoutAttempt, status: CheckoutStatus) -> None:
    """Close an attempt: its invoices are free for a new checkout."""
    attempt.status, attempt.closed_at = status, utcnow()
    db.add(attempt)
    db.execute(update(CheckoutInvoice).where(CheckoutInvoice.attempt_id == attempt.id).values(open_invoice_id=None))


def _find_attempt(db: Session, provider: PaymentProvider, event: GatewayEvent) -> CheckoutAttempt | None:
    if event.session_ref:
        found = db.exec(
            select(CheckoutAttempt).where(
                CheckoutAttempt.provider == provider, CheckoutAttempt.provider_ref == event.session_ref
            )
        ).first()
        if found is not None:
            return found
    raw = str(event.metadata.get("attempt") or "")
    if raw.isascii() and raw.isdigit() and len(raw) < 12:  # the webhook came before the session was stored
        found = db.get(CheckoutAttempt, int(raw))
        if found is not None and found.provider == provider and found.idempotency_key == event.metadata.get("key"):
            return found
    return None


def record(db: Session, tenant_id: int, provider: PaymentProvider, event: GatewayEvent) -> str:
    """Store ``event`` (verified as ``tenant_id``'s) and act on it; its outcome. A replay
    raises IntegrityError at the flush of its row: the caller's unit rolls back."""
    row = PaymentEvent(tenant_id=tenant_id, provider=provider, event_id=event.event_id[:255], kind=event.type)
    db.add(row)
    db.flush()
    outcome, invoice_id = _act(db, tenant_id, provider, event)
    row.outcome, row.invoice_id = outcome, invoice_id
    db.add(row)
    level = logging.INFO if outcome not in ("unknown", "foreign", "refused") else logging.WARNING
    log.log(
        level,
        "payments: %s event %s (%s) for tenant %s: %s",
        provider.value,
        event.event_id,
        event.type,
        tenant_id,
        outcome,
    )
    return outcome


def _act(db: Session, tenant_id: int, provider: PaymentProvider, event: GatewayEvent) -> tuple[str, int | None]:
    if event.kind in (EventKind.REFUND, EventKind.DISPUTE):
        return _reverse(db, tenant_id, provider, event)
    if event.kind is EventKind.OTHER:
        return "ignored", None
    attempt = _find_attempt(db, provider, event)
    if attempt is None:
        return "unknown", None
    if attempt.tenant_id != tenant_id:
        return "foreign", None
    links = db.exec(
        select(CheckoutInvoice).where(CheckoutInvoice.attempt_id == attempt.id).order_by(CheckoutInvoice.id)
    ).all()
    first = links[0].invoice_id if links else None
    if event.kind is EventKind.PAID:
        return _paid(db, tenant_id, provider, event, attempt, links), first
    if attempt.status not in LIVE:
        return "ignored", first
    if event.kind is EventKind.PENDING:
        attempt.status = CheckoutStatus.PROCESSING  # paid by debit: no new checkout meanwhile
        db.add(attempt)
        return "pending", first
    release(db, attempt, CheckoutStatus.EXPIRED)
    return "closed", first


def _payment(
    attempt: CheckoutAttempt, provider: PaymentProvider, event: GatewayEvent, invoice_id: int, cents: int, currency: str
) -> Payment:
    return Payment(
        tenant_id=attempt.tenant_id,
        invoice_id=invoice_id,
        attempt_id=attempt.id,
        provider=provider,
        provider_ref=(event.payment_ref or event.session_ref or event.event_id)[:255],
        amount_cents=cents,
        currency=currency[:3],
        method=event.method,
        paid_at=event.occurred_at or utcnow(),
    )


def _paid(
    db: Session,
    tenant_id: int,
    provider: PaymentProvider,
    event: GatewayEvent,
    attempt: CheckoutAttempt,
    links: list[CheckoutInvoice],
) -> str:
    tenant = db.get(Tenant, tenant_id)
    invoices = lock_invoices(db, tenant_id, [link.invoice_id for link in links])
    if not invoices:
        release(db, attempt, CheckoutStatus.COMPLETED)
        return "unknown"
    ref = (event.payment_ref or event.session_ref or event.event_id)[:255]
    known = set(
        db.exec(
            select(Payment.invoice_id).where(
                Payment.provider == provider, Payment.provider_ref == ref, col(Payment.invoice_id).in_(list(invoices))
            )
        ).all()
    )
    if attempt.status in LIVE:
        release(db, attempt, CheckoutStatus.COMPLETED)
    if known:
        return "ignored"  # this payment was recorded already (by another of its events)
    currency = (event.currency or "").upper()
    if event.amount_cents != attempt.amount_cents or currency != attempt.currency or currency != tenant.currency:
        refused = _payment(attempt, provider, event, min(invoices), int(event.amount_cents or 0), currency or "???")
        refused.status, refused.flag = PaymentStatus.REFUSED, FLAG_MISMATCH
        db.add(refused)
        _tell_staff(
            db, tenant, [invoices[min(invoices)]], "payments.notify.refused", refused.amount_cents, currency, True
        )
        return "refused"
    confirmed, flagged = [], []
    for link in links:
        invoice = invoices.get(link.invoice_id)
        if invoice is None:
            continue
        payment = _payment(attempt, provider, event, invoice.id, link.amount_cents, currency)
        db.add(payment)
        if invoice.status != InvoiceStatus.AWAITING_PAYMENT:
            payment.status, payment.flag = PaymentStatus.DUPLICATE, FLAG_REFUND_DUE
            flagged.append(invoice)
            continue
        db.flush()
        applied = applied_cents(db, invoice.id)
        if applied >= invoice.total_cents:
            if _settle(db, invoice, tenant_today(db, tenant_id)):
                payment.settled_invoice = True
                payment.flag = FLAG_OVERPAID if applied > invoice.total_cents else None
                if payment.flag:
                    flagged.append(invoice)
            else:
                payment.status, payment.flag = PaymentStatus.DUPLICATE, FLAG_REFUND_DUE
                flagged.append(invoice)
                continue
        confirmed.append(invoice)
    if confirmed:
        total = sum(link.amount_cents for link in links if invoices.get(link.invoice_id) in confirmed)
        _tell_staff(db, tenant, confirmed, "payments.notify.received", total, currency, False)
        _receipt(db, tenant, attempt, confirmed, total, currency)
    if flagged:
        _tell_staff(db, tenant, flagged, "payments.notify.flagged", attempt.amount_cents, currency, True)
    if not confirmed:
        return "duplicate"
    return "applied" if all(inv.status == InvoiceStatus.PAID for inv in confirmed) else "partial"


def _settle(db: Session, invoice: Invoice, day) -> bool:
    result = db.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.AWAITING_PAYMENT)
        .values(status=InvoiceStatus.PAID, paid_on=day)
    )
    if result.rowcount == 1:
        invoice.status, invoice.paid_on = InvoiceStatus.PAID, day
        return True
    return False


def _reverse(db: Session, tenant_id: int, provider: PaymentProvider, event: GatewayEvent) -> tuple[str, int | None]:
    """A refund (the total refunded so far) or a dispute of a recorded payment."""
    if not event.payment_ref:
        return "unknown", None
    payments = db.exec(
        select(Payment)
        .where(Payment.provider == provider, Payment.provider_ref == event.payment_ref)
        .order_by(Payment.id)
    ).all()
    if not payments:
        return "unknown", None
    if any(p.tenant_id != tenant_id for p in payments):
        return "foreign", None
    tenant = db.get(Tenant, tenant_id)
    invoices = lock_invoices(db, tenant_id, [p.invoice_id for p in payments])
    now = utcnow()
    if event.kind is EventKind.REFUND:
        left = max(0, event.refunded_cents)
        for p in reversed(payments):  # the last invoice of a checkout is refunded first
            share = min(left, p.amount_cents)
            left -= share
            if share != p.refunded_cents:
                p.refunded_cents, p.updated_at = share, now
                if p.status in (PaymentStatus.CONFIRMED, PaymentStatus.REFUNDED):
                    p.status = PaymentStatus.REFUNDED if share >= p.amount_cents else PaymentStatus.CONFIRMED
                if share >= p.amount_cents and p.flag in (FLAG_REFUND_DUE, FLAG_OVERPAID, FLAG_MISMATCH):
                    p.flag = None  # what staff had to refund is refunded
                db.add(p)
        outcome, key = "refunded", "payments.notify.refunded"
    else:
        for p in payments:
            if p.status == PaymentStatus.CONFIRMED:
                p.status, p.flag, p.updated_at = PaymentStatus.DISPUTED, FLAG_DISPUTED, now
                db.add(p)
        outcome, key = "disputed", "payments.notify.disputed"
    db.flush()
    for invoice in invoices.values():
        _reopen_if_uncovered(db, invoice)
    amount = event.refunded_cents if event.kind is EventKind.REFUND else int(event.amount_cents or 0)
    _tell_staff(db, tenant, list(invoices.values()), key, amount, payments[0].currency, True)
    return outcome, payments[0].invoice_id


def _reopen_if_uncovered(db: Session, invoice: Invoice) -> None:
    """An invoice one of our payments settled goes back to awaiting payment when what is
    left of its payments no longer covers it (one the ERP or staff marked paid stays)."""
    ours = db.exec(select(Payment).where(Payment.invoice_id == invoice.id, Payment.settled_invoice == True)).all()
    if invoice.status != InvoiceStatus.PAID or not ours or applied_cents(db, invoice.id) >= invoice.total_cents:
        return
    result = db.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == InvoiceStatus.PAID)
        .values(status=InvoiceStatus.AWAITING_PAYMENT, paid_on=None)
    )
    if result.rowcount == 1:
        invoice.status, invoice.paid_on = InvoiceStatus.AWAITING_PAYMENT, None
        for p in ours:
            p.settled_invoice = False
            db.add(p)


def _numbers(invoices: list[Invoice]) -> str:
    return ", ".join(inv.number for inv in invoices)


def _tell_staff(
    db: Session, tenant: Tenant, invoices: list[Invoice], key: str, cents: int, currency: str, flag: bool
) -> None:
    lang = tenant.default_language
    amount = money(int(cents), currency if len(currency) == 3 and currency.isalpha() else tenant.currency, lang)
    notify_staff(
        db,
        tenant.id,
        t(key, lang, number=_numbers(invoices), amount=amount)[:200],
        t("payments.notify.body", lang, amount=amount),
        admin_link("invoice", invoices[0].id),
        NotificationKind.PAYMENT_FLAGGED if flag else NotificationKind.PAYMENT_RECEIVED,
    )


def _receipt(
    db: Session, tenant: Tenant, attempt: CheckoutAttempt, invoices: list[Invoice], cents: int, currency: str
) -> None:
    """The payer's receipt, mailed once the unit of work has committed."""
    if not attempt.payer_email:
        return
    lang = attempt.payer_language or tenant.default_language
    link = f"{get_settings().public_url}/portal/invoice?id={invoices[0].id}"
    message = mail.Message.from_template(
        "payment_receipt",
        attempt.payer_email,
        lang,
        tenant_name=tenant.name,
        number=_numbers(invoices),
        amount=money(int(cents), currency, lang),
        link=link,
    )
    uow.after_commit(db, lambda: mail.send_in_background(message))
