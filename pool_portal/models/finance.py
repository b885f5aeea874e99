"""Quotes and invoices with their lines. Money is integer cents, never float."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field, tenant_fk


class QuoteKind(str, enum.Enum):
    DEFECT = "DEFECT"
    SERVICE = "SERVICE"


class QuoteStatus(str, enum.Enum):
    DRAFT = "DRAFT"
    AWAITING_ACCEPTANCE = "AWAITING_ACCEPTANCE"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class InvoiceStatus(str, enum.Enum):
    DRAFT = "DRAFT"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    PAID = "PAID"
    VOID = "VOID"


class Quote(SQLModel, table=True):
    __table_args__ = (
        ext_unique("quote"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_quote_tenant_number"),
        sa.Index(
            "ix_quote_site_status", "site_id", "status", "kind", "expires_on", "total_cents", "tenant_id"
        ),  # covering
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    number: str = Field(max_length=30)
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    kind: QuoteKind = Field(sa_type=enum_col(QuoteKind))
    status: QuoteStatus = Field(default=QuoteStatus.DRAFT, sa_type=enum_col(QuoteStatus))
    title: str = Field(max_length=200)
    issued_on: date | None = None
    expires_on: date | None = None
    subtotal_cents: int = 0
    tax_rate_bp: int = Field(default=0, ge=0, le=10000)  # VAT in basis points: 2100 = 21 %
    tax_cents: int = 0
    total_cents: int = 0
    decided_at: datetime | None = None
    decided_by_portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", ondelete="SET NULL")
    approver_name: str | None = Field(default=None, max_length=120)
    approver_reference: str | None = Field(default=None, max_length=60)
    decline_comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = now_field()


class QuoteLine(SQLModel, table=True):
    __tablename__ = "quote_line"
    __table_args__ = (ext_unique("quote_line"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    quote_id: int = Field(foreign_key="quote.id", index=True, ondelete="CASCADE")
    position: int = 0
    description: str = Field(max_length=500)
    quantity: Decimal = Field(default=Decimal("1"), max_digits=12, decimal_places=3)
    unit_price_cents: int = 0
    total_cents: int = 0
    remark_id: int | None = Field(default=None, foreign_key="remark.id", ondelete="SET NULL")


class Invoice(SQLModel, table=True):
    __table_args__ = (
        ext_unique("invoice"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_invoice_tenant_number"),
        # Covering for the dashboard's invoice figures (per site; per day issued).
        sa.Index("ix_invoice_site_status_due", "site_id", "status", "due_on", "issued_on", "total_cents", "tenant_id"),
        sa.Index("ix_invoice_tenant_issued", "tenant_id", "issued_on", "status", "site_id", "total_cents", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    number: str = Field(max_length=30)
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True, ondelete="SET NULL")
    status: InvoiceStatus = Field(default=InvoiceStatus.DRAFT, sa_type=enum_col(InvoiceStatus))
    issued_on: date | None = None
    due_on: date | None = None
    paid_on: date | None = None
    subtotal_cents: int = 0
    tax_rate_bp: int = Field(default=0, ge=0, le=10000)  # VAT in basis points: 2100 = 21 %
    tax_cents: int = 0
    total_cents: int = 0
    customer_po: str | None = Field(default=None, max_length=60)
    # The PDF the ERP issued (a private Document), served instead of the generated one.
    pdf_document_id: int | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    created_at: datetime = now_field()


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (ext_unique("invoice_line"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    invoice_id: int = Field(foreign_key="invoice.id", index=True, ondelete="CASCADE")
    position: int = 0
    description: str = Field(max_length=500)
    quantity: Decimal = Field(default=Decimal("1"), max_digits=12, decimal_places=3)
    unit_price_cents: int = 0
    total_cents: int = 0
