"""Online payments of invoices: the tenant's provider settings (keys sealed at rest),
checkout attempts (one provider session for one or several invoices), the payments
recorded from the provider's signed events, and every event received (once: its id is
unique). Money is integer cents."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, now_field, tenant_fk


class PaymentProvider(str, enum.Enum):
    STRIPE = "STRIPE"
    MOLLIE = "MOLLIE"


class CheckoutStatus(str, enum.Enum):
    CREATING = "CREATING"  # claimed; the provider's session is being made
    OPEN = "OPEN"  # the customer may pay it
    PROCESSING = "PROCESSING"  # checked out, the money is on its way (a debit): no new checkout
    COMPLETED = "COMPLETED"  # paid (the provider's event said so)
    EXPIRED = "EXPIRED"  # abandoned, expired or failed at the provider
    FAILED = "FAILED"  # the provider could not make the session
    SUPERSEDED = "SUPERSEDED"  # replaced by a newer attempt for the same invoices


class PaymentStatus(str, enum.Enum):
    CONFIRMED = "CONFIRMED"  # counts towards the invoice (less what was refunded)
    REFUNDED = "REFUNDED"  # wholly refunded
    DISPUTED = "DISPUTED"  # the payer disputed it (chargeback)
    DUPLICATE = "DUPLICATE"  # the invoice was already settled: to refund
    REFUSED = "REFUSED"  # its amount or currency disagree: not applied


class PaymentSettings(SQLModel, table=True):
    __tablename__ = "payment_settings"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    enabled: bool = False
    provider: PaymentProvider = Field(default=PaymentProvider.STRIPE, sa_type=enum_col(PaymentProvider))
    # Fernet tokens (services/payments/sealing.py); never shown again, only the last four.
    secret_key_sealed: str | None = Field(default=None, sa_type=sa.Text)
    secret_key_last4: str | None = Field(default=None, max_length=4)
    webhook_secret_sealed: str | None = Field(default=None, sa_type=sa.Text)
    webhook_secret_last4: str | None = Field(default=None, max_length=4)
    methods: str = Field(default="card", max_length=100)  # comma-separated method codes
    allow_multiple: bool = False
    # The last problem talking to the provider (a translation key), for the admin.
    problem: str | None = Field(default=None, max_length=80)
    problem_at: datetime | None = None
    keys_rejected: bool = False  # the provider refused the keys: no Pay button until fixed
    updated_at: datetime = now_field()


class CheckoutAttempt(SQLModel, table=True):
    __tablename__ = "checkout_attempt"
    __table_args__ = (
        sa.UniqueConstraint("provider", "provider_ref", name="uq_checkout_attempt_provider_ref"),
        sa.Index("ix_checkout_attempt_tenant_status", "tenant_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    provider: PaymentProvider = Field(sa_type=enum_col(PaymentProvider))
    idempotency_key: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    provider_ref: str | None = Field(default=None, max_length=255)
    checkout_url: str | None = Field(default=None, max_length=2000)
    amount_cents: int
    currency: str = Field(max_length=3)
    status: CheckoutStatus = Field(default=CheckoutStatus.CREATING, sa_type=enum_col(CheckoutStatus))
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", ondelete="SET NULL")
    payer_email: str | None = Field(default=None, max_length=254)
    payer_language: str = Field(default="en", max_length=5)
    created_at: datetime = now_field()
    expires_at: datetime | None = None
    closed_at: datetime | None = None


class CheckoutInvoice(SQLModel, table=True):
    """An invoice of an attempt, with the amount asked for it. ``open_invoice_id`` is
    the invoice's id while the attempt is open, else NULL: unique, so an invoice has at
    most one open attempt (NULLs never collide, on SQLite and PostgreSQL alike)."""

    __tablename__ = "checkout_invoice"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    attempt_id: int = Field(foreign_key="checkout_attempt.id", index=True, ondelete="CASCADE")
    invoice_id: int = Field(foreign_key="invoice.id", index=True, ondelete="CASCADE")
    amount_cents: int
    open_invoice_id: int | None = Field(default=None, sa_column_kwargs={"unique": True})


class Payment(SQLModel, table=True):
    """Money the provider took for one invoice (an attempt for several invoices gives
    one row per invoice, with the same provider reference)."""

    __table_args__ = (
        sa.UniqueConstraint("provider", "provider_ref", "invoice_id", name="uq_payment_provider_ref_invoice"),
        sa.Index("ix_payment_tenant_updated", "tenant_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    invoice_id: int = Field(foreign_key="invoice.id", index=True, ondelete="CASCADE")
    attempt_id: int | None = Field(default=None, foreign_key="checkout_attempt.id", ondelete="SET NULL")
    provider: PaymentProvider = Field(sa_type=enum_col(PaymentProvider))
    provider_ref: str = Field(max_length=255)
    amount_cents: int
    currency: str = Field(max_length=3)
    method: str | None = Field(default=None, max_length=40)
    status: PaymentStatus = Field(default=PaymentStatus.CONFIRMED, sa_type=enum_col(PaymentStatus))
    refunded_cents: int = 0
    # This payment moved the invoice to PAID (a refund or dispute may move it back).
    settled_invoice: bool = False
    flag: str | None = Field(default=None, max_length=80)  # why staff must look: a translation key
    paid_at: datetime
    created_at: datetime = now_field()
    updated_at: datetime = now_field()


class PaymentEvent(SQLModel, table=True):
    """Every verified event a provider sent, stored once (``provider`` + ``event_id``
    unique) with what became of it."""

    __tablename__ = "payment_event"
    __table_args__ = (sa.UniqueConstraint("provider", "event_id", name="uq_payment_event_provider_event"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id", index=True, ondelete="CASCADE")
    provider: PaymentProvider = Field(sa_type=enum_col(PaymentProvider))
    event_id: str = Field(max_length=255)
    kind: str = Field(max_length=80)
    outcome: str = Field(default="received", max_length=40)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", ondelete="SET NULL")
    received_at: datetime = now_field()
