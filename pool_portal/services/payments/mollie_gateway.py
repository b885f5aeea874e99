"""Mollie through its official SDK (``mollie-api-python``): a payment per attempt (its
hosted checkout, idempotency key per attempt). Mollie's webhook carries nothing but the
payment's id (``id=tr_...``) and no signature: the only proof is to fetch that payment
from Mollie's API with the tenant's own key, so its status, amounts and metadata come
from Mollie, never from the request. Each state is one event (``tr_x:paid``,
``tr_x:refunded:<cents>``, ``tr_x:chargeback:<cents>``), stored once.

The API endpoint is PORTAL_MOLLIE_API_ENDPOINT when set (a stand-in in the tests), else
the SDK's own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import NotFoundError, RequestError, RequestSetupError, UnauthorizedError

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

_CLOSED = {"canceled": EventKind.EXPIRED, "expired": EventKind.EXPIRED, "failed": EventKind.FAILED}


def _client(keys: Keys) -> Client:
    client = Client(api_endpoint=get_settings().mollie_api_endpoint or "", timeout=(3, 15), retry=1)
    try:
        client.set_api_key(keys.secret_key)
    except RequestSetupError:
        raise GatewayError(KEYS_REJECTED, "not a Mollie API key") from None
    return client


def _failure(exc: Exception) -> GatewayError:
    name = type(exc).__name__
    if isinstance(exc, UnauthorizedError):
        return GatewayError(KEYS_REJECTED, name)
    if isinstance(exc, RequestError) or getattr(exc, "status", 500) >= 500:
        return GatewayError(UNREACHABLE, name)
    return GatewayError(REFUSED, name)


def _cents(amount: object) -> tuple[int | None, str | None]:
    if not isinstance(amount, Mapping):
        return None, None
    try:
        return int(Decimal(str(amount.get("value"))) * 100), str(amount.get("currency") or "").upper() or None
    except (InvalidOperation, ValueError):
        return None, None


def _when(text: object) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
    return found.replace(tzinfo=UTC) if found is not None and found.tzinfo is None else found


METHODS = {"card": "creditcard", "ideal": "ideal", "bizum": "bizum"}
_OURS = {theirs: ours for ours, theirs in METHODS.items()}


class MollieGateway:
    code = PaymentProvider.MOLLIE
    methods: Mapping[str, str] = METHODS

    def check_keys(self, keys: Keys) -> None:
        try:
            _client(keys).methods.list()
        except MollieError as exc:
            raise _failure(exc) from None

    def create_checkout(self, keys: Keys, request: CheckoutRequest) -> CheckoutSession:
        data = {
            "amount": {"currency": request.currency.upper(), "value": f"{Decimal(request.amount_cents) / 100:.2f}"},
            "description": request.description[:255],
            "redirectUrl": request.success_url,
            "cancelUrl": request.cancel_url,
            "webhookUrl": request.webhook_url,
            "metadata": dict(request.metadata),
            "method": provider_methods(self, request.methods, request.currency),
        }
        try:
            payment = _client(keys).payments.create(data, idempotency_key=request.idempotency_key)
        except MollieError as exc:
            raise _failure(exc) from None
        if not payment.id or not payment.checkout_url:
            raise GatewayError(UNREACHABLE, "no checkout in the answer")
        return CheckoutSession(payment.id, payment.checkout_url, _when(payment.expires_at))

    def expire_checkout(self, keys: Keys, ref: str) -> None:
        try:
            _client(keys).payments.delete(ref)
        except MollieError as exc:
            raise _failure(exc) from None

    def webhook_ref(self, body: bytes) -> str | None:
        try:
            found = parse_qs(body.decode("ascii"), strict_parsing=False).get("id") or [""]
        except UnicodeDecodeError:
            return None
        ref = found[0].strip()
        return ref if ref.startswith("tr_") and len(ref) <= 64 and ref[3:].isalnum() else None

    def parse_webhook(self, keys: Keys, body: bytes, headers: Mapping[str, str]) -> list[GatewayEvent]:
        ref = self.webhook_ref(body)
        if ref is None:
            raise BadSignature("no payment id")
        try:
            payment = _client(keys).payments.get(ref)
        except NotFoundError:
            raise BadSignature("Mollie does not know this payment for this key") from None
        except MollieError as exc:
            raise _failure(exc) from None
        amount, currency = _cents(payment.amount)
        refunded, _ = _cents(payment.amount_refunded)
        charged_back, _ = _cents(payment.amount_chargedback)
        metadata = {str(k): str(v) for k, v in (payment.metadata or {}).items()}
        status = str(payment.status or "")
        common = {
            "session_ref": ref,
            "payment_ref": ref,
            "amount_cents": amount,
            "currency": currency,
            "metadata": metadata,
            "method": _OURS.get(str(payment.method), str(payment.method))[:40] if payment.method else None,
        }
        events = []
        if status == "paid" or refunded or charged_back:
            events.append(
                GatewayEvent(
                    f"{ref}:paid", "payment.paid", EventKind.PAID, occurred_at=_when(payment.paid_at), **common
                )
            )
        elif status in _CLOSED:
            events.append(GatewayEvent(f"{ref}:{status}", f"payment.{status}", _CLOSED[status], **common))
        else:
            events.append(
                GatewayEvent(f"{ref}:{status or 'open'}", f"payment.{status or 'open'}", EventKind.OTHER, **common)
            )
        if refunded:
            events.append(
                GatewayEvent(
                    f"{ref}:refunded:{refunded}",
                    "payment.refunded",
                    EventKind.REFUND,
                    refunded_cents=refunded,
                    **common,
                )
            )
        if charged_back:
            events.append(
                GatewayEvent(f"{ref}:chargeback:{charged_back}", "payment.chargeback", EventKind.DISPUTE, **common)
            )
        return events
