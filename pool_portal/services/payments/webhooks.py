"""The providers' webhooks (``POST /payments/<provider>/webhook``): no session, no
cookie, no CSRF token, no Origin (a provider's server sends them); the proof is the
provider's own:

- Stripe signs each event (``Stripe-Signature``); it is verified with the SDK
  (``stripe.Webhook.construct_event``) against the webhook signing secret of each tenant
  that uses Stripe: the one whose secret verifies it is the event's tenant. None: 400.
- Mollie sends only a payment id; the tenant is the one whose checkout made that
  payment, and the payment is fetched from Mollie with that tenant's key: what the
  request says is never trusted. An id we never made is acknowledged (200) and ignored.

Each verified event is then stored once and acted on in its own unit of work
(``ledger.record``); a replay is acknowledged and changes nothing. The provider down
while we ask it (Mollie): 503, so it sends the webhook again later."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pool_portal.models import CheckoutAttempt, Payment, PaymentProvider, PaymentSettings
from pool_portal.services.payments import config, ledger
from pool_portal.services.payments.gateway import BadSignature, GatewayError, GatewayEvent, Keys
from pool_portal.services.payments.gateways import BY_NAME, gateway

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]
MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def _candidates(db: Session, provider: PaymentProvider, ref: str | None) -> list[tuple[int, Keys]] | None:
    """The tenants that may have sent this (with their keys); None: a reference we never made."""
    if ref is not None:
        tenant_id = (
            db.exec(
                select(CheckoutAttempt.tenant_id).where(
                    CheckoutAttempt.provider == provider, CheckoutAttempt.provider_ref == ref
                )
            ).first()
            or db.exec(
                select(Payment.tenant_id).where(Payment.provider == provider, Payment.provider_ref == ref)
            ).first()
        )
        if tenant_id is None:
            return None
        rows = db.exec(select(PaymentSettings).where(PaymentSettings.tenant_id == tenant_id)).all()
    else:
        rows = db.exec(
            select(PaymentSettings)
            .where(PaymentSettings.provider == provider, PaymentSettings.webhook_secret_sealed.is_not(None))
            .order_by(PaymentSettings.tenant_id)
        ).all()
    found = []
    for row in rows:
        if PaymentProvider(row.provider) != provider or not row.secret_key_sealed:
            continue
        try:
            found.append((row.tenant_id, config.tenant_keys(row)))
        except GatewayError:
            log.warning("payments: tenant %s: its keys no longer open (PORTAL_SECRET_KEY changed?)", row.tenant_id)
    return found


def receive(name: str, body: bytes, headers: Mapping[str, str], *, units: UnitOfWork) -> Answer:
    """Verify and act on one webhook; the HTTP answer for the provider."""
    provider = BY_NAME.get(str(name).lower())
    if provider is None:
        return Answer(404, "no such provider")
    if len(body) > MAX_BODY:
        return Answer(413, "too large")
    gw = gateway(provider)
    ref = gw.webhook_ref(body)
    if provider == PaymentProvider.MOLLIE and ref is None:
        return Answer(400, "no payment id")
    with units() as db:
        candidates = _candidates(db, provider, ref)
    if candidates is None:
        log.warning("payments: %s webhook for %s, which no tenant made: acknowledged, ignored", provider.value, ref)
        return Answer(200, "unknown")
    verified: tuple[int, list[GatewayEvent]] | None = None
    for tenant_id, keys in candidates:
        try:
            verified = (tenant_id, gw.parse_webhook(keys, body, headers))
            break
        except BadSignature:
            continue
        except GatewayError as exc:
            log.warning("payments: %s webhook: could not ask the provider: %s", provider.value, exc)
            with units() as db:
                config.record_problem(db, tenant_id, exc)
            return Answer(503, "provider unavailable, send it again later")
    if verified is None:
        log.warning("payments: %s webhook refused: the signature does not verify", provider.value)
        return Answer(400, "signature does not verify")
    tenant_id, events = verified
    outcomes = []
    for event in events:
        try:
            with units() as db:
                outcomes.append(ledger.record(db, tenant_id, provider, event))
        except IntegrityError:
            log.info("payments: %s event %s again: already processed", provider.value, event.event_id)
            outcomes.append("replayed")
    return Answer(200, ",".join(outcomes) or "nothing")
