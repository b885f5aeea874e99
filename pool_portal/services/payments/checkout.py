"""Pay now: a checkout at the tenant's provider for the exact outstanding amount of one
or several invoices the customer may see, then the browser goes to the provider.

Three steps, so that no transaction waits on the provider:

1. claim (one unit of work): the invoices are checked (the view's, issued, unpaid,
   something left to pay, invoices shown, payments on, not a read-only view-as) and
   locked; an open attempt for exactly these invoices and amounts is reused (two tabs
   get the same session); one that no longer fits is superseded (and expired at the
   provider, best effort); else a new attempt is written with an idempotency key of its
   own and its invoices' ``open_invoice_id`` set: unique, so two tabs claiming at once
   cannot both make one.
2. the provider makes the session (idempotent by that key), outside any transaction.
3. store (one unit): the session's id and address, or the failure: the attempt is
   released and the problem remembered for the admin; the customer is told payments
   are unavailable.

Nothing here marks an invoice paid: only the provider's verified event does
(``ledger``)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pool_portal.db import session_scope
from pool_portal.models import (
    CheckoutAttempt,
    CheckoutInvoice,
    CheckoutStatus,
    Invoice,
    PaymentProvider,
    PaymentSettings,
    PortalUser,
    Tenant,
    utcnow,
)
from pool_portal.services.core.audit import record as audit
from pool_portal.services.core.i18n import t
from pool_portal.services.core.scope import Viewer
from pool_portal.services.payments import config
from pool_portal.services.payments.gateway import CheckoutRequest, GatewayError, Keys
from pool_portal.services.payments.gateways import gateway
from pool_portal.services.payments.ledger import lock_invoices, outstanding_cents, release
from pool_portal.services.portal.invoices import get_invoice
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]
MAX_INVOICES = 20
SESSION_MINUTES = 60  # Stripe wants at least 30
REUSE_MARGIN = timedelta(minutes=5)  # a session about to expire is not handed out again
CREATING_GRACE = timedelta(minutes=2)  # a claim older than this died with its worker

E_READ_ONLY = "payments.error.read_only"
E_OFF = "payments.error.off"
E_UNAVAILABLE = "payments.unavailable"
E_ONE = "payments.error.one_at_a_time"
E_NOT_FOUND = "payments.error.not_found"
E_NOTHING = "payments.error.nothing_to_pay"
E_PROCESSING = "payments.error.processing"
E_BUSY = "payments.error.in_progress"


@dataclass(frozen=True)
class PayResult:
    url: str = ""  # where to send the browser (the provider's checkout)
    error: str = ""  # or why not: a translation key


@dataclass(frozen=True)
class _Claim:
    provider: PaymentProvider
    keys: Keys
    request: CheckoutRequest | None  # None: reuse ``url``
    url: str
    superseded: tuple[str, ...]


def return_path(invoice_ids: list[int], attempt_id: int) -> str:
    """Where the customer comes back to: the invoice (or the list, for several)."""
    if len(invoice_ids) == 1:
        return f"/portal/invoice?id={invoice_ids[0]}&checkout={attempt_id}"
    return f"/portal/invoices?checkout={attempt_id}"


def _claim(db: Session, viewer: Viewer, ids: list[int], now: datetime) -> _Claim | str:
    if not viewer.is_portal or viewer.read_only:
        return E_READ_ONLY
    row: PaymentSettings | None = config.settings_row(db, viewer.tenant_id)
    offer = config.offer(db, viewer.tenant_id)
    if not offer.enabled:
        return E_OFF
    if not offer.available:
        return E_UNAVAILABLE
    if not ids or len(ids) > MAX_INVOICES or (len(ids) > 1 and not offer.allow_multiple):
        return E_ONE if ids else E_NOT_FOUND
    if any(get_invoice(db, viewer, i) is None for i in ids):
        return E_NOT_FOUND
    invoices = lock_invoices(db, viewer.tenant_id, ids)
    owed = {i: outstanding_cents(db, invoices[i]) for i in ids}
    if any(v <= 0 for v in owed.values()):
        return E_NOTHING
    links = db.exec(select(CheckoutInvoice).where(col(CheckoutInvoice.open_invoice_id).in_(ids))).all()
    attempts = {
        a.id: a
        for a in db.exec(
            select(CheckoutAttempt).where(col(CheckoutAttempt.id).in_({link.attempt_id for link in links}))
        ).all()
    }
    if any(a.status == CheckoutStatus.PROCESSING for a in attempts.values()):
        return E_PROCESSING
    provider = PaymentProvider(row.provider)
    keys = config.tenant_keys(row)
    superseded = []
    for attempt in attempts.values():
        mine = db.exec(select(CheckoutInvoice).where(CheckoutInvoice.attempt_id == attempt.id)).all()
        same = {link.invoice_id: link.amount_cents for link in mine} == owed
        fresh = attempt.expires_at is not None and attempt.expires_at > now + REUSE_MARGIN
        if (
            attempt.status == CheckoutStatus.OPEN
            and same
            and fresh
            and attempt.provider == provider
            and attempt.checkout_url
        ):
            return _Claim(provider, keys, None, attempt.checkout_url, ())
        if attempt.status == CheckoutStatus.CREATING and attempt.created_at > now - CREATING_GRACE:
            return E_BUSY
        if attempt.provider_ref and attempt.status == CheckoutStatus.OPEN:
            superseded.append(attempt.provider_ref)
        release(db, attempt, CheckoutStatus.SUPERSEDED)
    db.flush()
    tenant = db.get(Tenant, viewer.tenant_id)
    payer = db.get(PortalUser, viewer.user_id)
    attempt = CheckoutAttempt(
        tenant_id=tenant.id,
        provider=provider,
        idempotency_key=uuid.uuid4().hex,
        amount_cents=sum(owed.values()),
        currency=tenant.currency,
        portal_user_id=payer.id if payer else None,
        payer_email=payer.email if payer else None,
        payer_language=(payer.language if payer else tenant.default_language) or "en",
        expires_at=now + timedelta(minutes=SESSION_MINUTES),
    )
    db.add(attempt)
    db.flush()
    for i in ids:
        db.add(
            CheckoutInvoice(
                tenant_id=tenant.id, attempt_id=attempt.id, invoice_id=i, amount_cents=owed[i], open_invoice_id=i
            )
        )
    db.flush()  # two tabs claiming together: the second stops here (open_invoice_id is unique)
    numbers = ", ".join(invoices[i].number for i in ids)
    base = get_settings().public_url
    back = base + return_path(ids, attempt.id)
    request = CheckoutRequest(
        attempt_id=attempt.id,
        idempotency_key=attempt.idempotency_key,
        amount_cents=attempt.amount_cents,
        currency=attempt.currency,
        description=t("payments.description", tenant.default_language, number=numbers, tenant=tenant.name),
        lines=tuple((t("payments.line", tenant.default_language, number=invoices[i].number), owed[i]) for i in ids),
        methods=config.chosen_methods(row),
        success_url=back,
        cancel_url=back + "&cancelled=1",
        webhook_url=config.webhook_url(provider),
        customer_email=attempt.payer_email,
        metadata={
            "tenant": str(tenant.id),
            "attempt": str(attempt.id),
            "key": attempt.idempotency_key,
            "invoices": numbers[:450],
        },
        expires_at=attempt.expires_at,
    )
    audit(
        db,
        "payment.checkout",
        tenant_id=tenant.id,
        actor_kind="portal",
        actor_id=viewer.user_id,
        target_type="checkout_attempt",
        target_id=attempt.id,
        invoices=ids,
        amount_cents=attempt.amount_cents,
    )
    return _Claim(provider, keys, request, "", tuple(superseded))


def start_checkout(
    viewer: Viewer, invoice_ids: list[int], *, units: UnitOfWork = session_scope, now: datetime | None = None
) -> PayResult:
    """Pay now for ``invoice_ids`` (the view's): the provider's checkout address to send
    the browser to, or an error key. See the module docstring."""
    ids = list(dict.fromkeys(int(i) for i in invoice_ids))
    now = now or utcnow()
    claim: _Claim | str = E_BUSY
    for _ in range(2):  # a claim that lost the race once sees the winner's attempt the second time
        try:
            with units() as db:
                claim = _claim(db, viewer, ids, now)
            break
        except IntegrityError:
            claim = E_BUSY
        except GatewayError as exc:  # the keys no longer open
            _remember(viewer.tenant_id, exc, units)
            return PayResult(error=E_UNAVAILABLE)
    if isinstance(claim, str):
        return PayResult(error=claim)
    if claim.request is None:
        return PayResult(url=claim.url)
    gw = gateway(claim.provider)
    for ref in claim.superseded:
        try:
            gw.expire_checkout(claim.keys, ref)
        except GatewayError as exc:  # it may be paid anyway: the ledger then flags it
            log.warning("payments: could not expire superseded session %s: %s", ref, exc)
    try:
        session = gw.create_checkout(claim.keys, claim.request)
    except GatewayError as exc:
        log.warning("payments: tenant %s: checkout not created: %s", viewer.tenant_id, exc)
        with units() as db:
            attempt = db.get(CheckoutAttempt, claim.request.attempt_id)
            release(db, attempt, CheckoutStatus.FAILED)
            config.record_problem(db, viewer.tenant_id, exc)
        return PayResult(error=E_UNAVAILABLE)
    with units() as db:
        attempt = db.get(CheckoutAttempt, claim.request.attempt_id)
        attempt.provider_ref, attempt.checkout_url = session.ref, session.url
        attempt.expires_at = session.expires_at or attempt.expires_at
        if attempt.status == CheckoutStatus.CREATING:
            attempt.status = CheckoutStatus.OPEN
        db.add(attempt)
        config.record_problem(db, viewer.tenant_id, None)
    return PayResult(url=session.url)


def _remember(tenant_id: int, exc: GatewayError, units: UnitOfWork) -> None:
    with units() as db:
        config.record_problem(db, tenant_id, exc)


def attempt_of(db: Session, viewer: Viewer, attempt_id: int | None) -> CheckoutAttempt | None:
    """The viewer's tenant's attempt ``attempt_id`` (for the page one comes back to)."""
    if attempt_id is None:
        return None
    found = db.get(CheckoutAttempt, attempt_id)
    return found if found is not None and found.tenant_id == viewer.tenant_id else None


def invoices_of(db: Session, attempt: CheckoutAttempt) -> list[Invoice]:
    ids = db.exec(select(CheckoutInvoice.invoice_id).where(CheckoutInvoice.attempt_id == attempt.id)).all()
    return list(db.exec(select(Invoice).where(col(Invoice.id).in_(list(ids)))).all())
