"""Stripe Checkout through the official ``stripe`` SDK: a Checkout Session per attempt
(idempotency key per attempt), and webhooks verified with ``stripe.Webhook.construct_event``
(the ``Stripe-Signature`` header: HMAC-SHA256 of the timestamped body with the
endpoint's signing secret, five minutes' tolerance).

The API base is PORTAL_STRIPE_API_BASE when set (a stand-in in the tests), else the
SDK's ``stripe.api_base``. Each call makes its own client with the tenant's key: no
global key is ever set, so tenants never share one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

import stripe

from pool_portal.models import PaymentProvider
from pool_portal.services.payments.gateway import (
    KEYS_REJECTED,
    REFUSED,
    UNREACHABLE,
    BadSignature,
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    GatewayError,
    GatewayEvent,
    Keys,
    provider_methods,
)
from pool_portal.settings import get_settings

TIMEOUT_S = 15
_KINDS = {
    "checkout.session.async_payment_succeeded": EventKind.PAID,
    "checkout.session.async_payment_failed": EventKind.FAILED,
    "checkout.session.expired": EventKind.EXPIRED,
    "charge.refunded": EventKind.REFUND,
    "charge.dispute.created": EventKind.DISPUTE,
}


def _client(keys: Keys) -> stripe.StripeClient:
    base = get_settings().stripe_api_base or stripe.api_base
    return stripe.StripeClient(
        keys.secret_key,
        base_addresses={"api": base},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_S),
    )


def _failure(exc: stripe.StripeError) -> GatewayError:
    """A Stripe error as a reason; its text (never the key) for the log."""
    detail = f"{type(exc).__name__} {getattr(exc, 'http_status', '') or ''}".strip()
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return GatewayError(KEYS_REJECTED, detail)
    if isinstance(exc, (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError)):
        return GatewayError(REFUSED, detail)
    return GatewayError(UNREACHABLE, detail)


def _when(ts: object) -> datetime | None:
    return datetime.fromtimestamp(int(ts), UTC) if isinstance(ts, int) else None


class StripeGateway:
    code = PaymentProvider.STRIPE
    methods: Mapping[str, str] = {"card": "card", "sepa_debit": "sepa_debit", "ideal": "ideal"}

    def check_keys(self, keys: Keys) -> None:
        try:
            _client(keys).v1.balance.retrieve()
        except stripe.StripeError as exc:
            raise _failure(exc) from None

    def create_checkout(self, keys: Keys, request: CheckoutRequest) -> CheckoutSession:
        metadata = dict(request.metadata)
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": cents,
                        "product_data": {"name": label[:250]},
                    },
                }
                for label, cents in request.lines
            ],
            "payment_method_types": provider_methods(self, request.methods, request.currency),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": str(request.attempt_id),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": request.description[:1000]},
            "expires_at": int(request.expires_at.timestamp()),
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = (
                _client(keys)
                .v1.checkout.sessions.create(params=params, options={"idempotency_key": request.idempotency_key})
                .to_dict()
            )
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        if not session.get("id") or not session.get("url"):
            raise GatewayError(UNREACHABLE, "no session in the answer")
        return CheckoutSession(session["id"], session["url"], _when(session.get("expires_at")))

    def expire_checkout(self, keys: Keys, ref: str) -> None:
        try:
            _client(keys).v1.checkout.sessions.expire(ref)
        except stripe.StripeError as exc:
            raise _failure(exc) from None

    def webhook_ref(self, body: bytes) -> str | None:
        return None

    def parse_webhook(self, keys: Keys, body: bytes, headers: Mapping[str, str]) -> list[GatewayEvent]:
        try:
            stripe.Webhook.construct_event(body, headers.get("stripe-signature"), keys.webhook_secret)
            payload = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as exc:
            raise BadSignature(type(exc).__name__) from None
        return [self._event(keys, payload)]

    def _event(self, keys: Keys, payload: dict) -> GatewayEvent:
        kind_name = str(payload.get("type") or "")
        obj = (payload.get("data") or {}).get("object") or {}
        common = {
            "event_id": str(payload.get("id") or ""),
            "type": kind_name[:80],
            "occurred_at": _when(payload.get("created")),
        }
        if kind_name.startswith("checkout.session."):
            kind = _KINDS.get(kind_name, EventKind.OTHER)
            if kind_name == "checkout.session.completed":
                status = obj.get("payment_status")
                kind = (
                    EventKind.PAID if status == "paid" else EventKind.PENDING if status == "unpaid" else EventKind.OTHER
                )
            method = None
            if kind is EventKind.PAID:
                types = obj.get("payment_method_types") or []
                method = types[0] if len(types) == 1 else self._method(keys, obj.get("payment_intent"))
            return GatewayEvent(
                kind=kind,
                session_ref=obj.get("id"),
                payment_ref=obj.get("payment_intent") or obj.get("id"),
                amount_cents=obj.get("amount_total"),
                currency=str(obj.get("currency") or "").upper() or None,
                method=method,
                metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
                **common,
            )
        if kind_name in ("charge.refunded", "charge.dispute.created"):
            return GatewayEvent(
                kind=_KINDS[kind_name],
                payment_ref=obj.get("payment_intent"),
                amount_cents=obj.get("amount"),
                currency=str(obj.get("currency") or "").upper() or None,
                refunded_cents=int(obj.get("amount_refunded") or 0),
                metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
                **common,
            )
        return GatewayEvent(kind=EventKind.OTHER, **common)

    def _method(self, keys: Keys, payment_intent: object) -> str | None:
        """The method the payer used, asked of Stripe (best effort: None if it cannot say)."""
        if not isinstance(payment_intent, str) or not payment_intent:
            return None
        try:
            intent = (
                _client(keys)
                .v1.payment_intents.retrieve(payment_intent, params={"expand": ["payment_method"]})
                .to_dict()
            )
        except stripe.StripeError:
            return None
        pm = intent.get("payment_method")
        return str(pm.get("type"))[:40] if isinstance(pm, Mapping) and pm.get("type") else None
