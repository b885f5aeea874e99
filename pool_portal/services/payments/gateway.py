"""The one small interface every payment provider implements (Stripe Checkout,
Mollie; ``gateways.gateway(code)`` picks one), and what crosses it: plain dataclasses,
money in integer cents, our own method codes. Another provider is one more module that
implements ``Gateway`` and one more row in ``gateways.GATEWAYS``."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pool_portal.models import PaymentProvider

# Our method codes, in the order the settings form offers them.
METHODS = ("card", "sepa_debit", "ideal", "bizum")

# Why the provider could not do it: translation keys, shown to staff (and, for the
# customer, as "online payments are unavailable").
UNREACHABLE = "payments.problem.unreachable"
KEYS_REJECTED = "payments.problem.keys_rejected"
REFUSED = "payments.problem.refused"
KEYS_UNREADABLE = "payments.problem.keys_unreadable"


class GatewayError(Exception):
    """The provider could not be reached or refused; ``reason`` is a translation key.
    The message never holds a key."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason

    @property
    def keys_rejected(self) -> bool:
        return self.reason in (KEYS_REJECTED, KEYS_UNREADABLE)


class BadSignature(Exception):
    """A webhook whose signature does not verify (or that is not one at all)."""


@dataclass(frozen=True)
class Keys:
    secret_key: str = field(repr=False)
    webhook_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class CheckoutRequest:
    attempt_id: int
    idempotency_key: str
    amount_cents: int
    currency: str
    description: str
    lines: tuple[tuple[str, int], ...]  # (label, cents) per invoice
    methods: tuple[str, ...]  # our codes
    success_url: str
    cancel_url: str
    webhook_url: str
    customer_email: str | None
    metadata: Mapping[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class CheckoutSession:
    ref: str
    url: str
    expires_at: datetime | None


class EventKind(str, enum.Enum):
    PAID = "PAID"  # the money was taken
    PENDING = "PENDING"  # checked out, the money is on its way (SEPA Direct Debit)
    FAILED = "FAILED"  # the payment failed
    EXPIRED = "EXPIRED"  # the session expired or was cancelled unpaid
    REFUND = "REFUND"  # refunded (``refunded_cents``: the total refunded so far)
    DISPUTE = "DISPUTE"  # disputed by the payer (chargeback)
    OTHER = "OTHER"  # nothing we act on


@dataclass(frozen=True)
class GatewayEvent:
    event_id: str
    type: str  # the provider's name for it
    kind: EventKind
    session_ref: str | None = None  # the checkout session (Stripe cs_..., Mollie tr_...)
    payment_ref: str | None = None  # the payment (Stripe pi_..., Mollie tr_...)
    amount_cents: int | None = None
    currency: str | None = None
    method: str | None = None
    refunded_cents: int = 0
    metadata: Mapping[str, str] = field(default_factory=dict)
    occurred_at: datetime | None = None


class Gateway(Protocol):
    code: PaymentProvider
    methods: Mapping[str, str]  # our method code -> the provider's

    def check_keys(self, keys: Keys) -> None:
        """Raise GatewayError unless the provider accepts the secret key."""

    def create_checkout(self, keys: Keys, request: CheckoutRequest) -> CheckoutSession:
        """A hosted checkout for ``request`` (idempotent by its key); GatewayError."""

    def expire_checkout(self, keys: Keys, ref: str) -> None:
        """Close a session nobody should pay any more (best effort); GatewayError."""

    def webhook_ref(self, body: bytes) -> str | None:
        """The provider's reference a webhook names before it is verified (Mollie's
        payment id, to find the tenant whose key fetches it); None when the tenant is
        found by the signature instead (Stripe)."""

    def parse_webhook(self, keys: Keys, body: bytes, headers: Mapping[str, str]) -> list[GatewayEvent]:
        """The verified events of a webhook: BadSignature when it does not verify,
        GatewayError when the provider must be asked and cannot be."""


def provider_methods(gateway: Gateway, chosen: tuple[str, ...], currency: str) -> list[str]:
    """The provider's codes for the chosen methods it supports (iDEAL, SEPA Direct
    Debit and Bizum take euros only); card when nothing else is left."""
    euro_only = {"sepa_debit", "ideal", "bizum"}
    wanted = [m for m in chosen if m in gateway.methods and (currency.upper() == "EUR" or m not in euro_only)]
    return [gateway.methods[m] for m in wanted or ["card"]]
