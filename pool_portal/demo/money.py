"""Quotes and invoices with their lines, totals computed as the app does (21 % VAT)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pool_portal.models as m
from pool_portal.demo.builder import TAX_RATE, TAX_RATE_BP, Builder
from pool_portal.demo.vocabulary import QUOTE_TITLES


def _lines(
    b: Builder, model: type, parent: str, parent_id: int, tid: int, bounds: tuple[int, int]
) -> tuple[int, int, int]:
    subtotal = 0
    for pos in range(b.between(bounds)):
        qty = Decimal(b.rng.choice([1, 1, 1, 2, 3, 4]))
        unit = b.rng.choice([4500, 8900, 12000, 18550, 26000, 49900, 75000])
        total = int(qty * unit)
        subtotal += total
        b.add(
            model,
            tenant_id=tid,
            external_id=None,
            **{parent: parent_id},
            position=pos,
            description=b.rng.choice(["Labour (hours)", "Replacement part", "Chemicals", "Call-out fee", "Equipment"]),
            quantity=qty,
            unit_price_cents=unit,
            total_cents=total,
        )
    tax = int((Decimal(subtotal) * TAX_RATE).quantize(Decimal(1)))
    return subtotal, tax, subtotal + tax


def quote(b: Builder, tid: int, site_id: int, lines: tuple[int, int]) -> None:
    kind = b.rng.choice(list(m.QuoteKind))
    status = b.rng.choices(list(m.QuoteStatus), weights=[10, 30, 30, 15, 15])[0]
    days_ago = b.rng.randint(0, 330)
    if status == m.QuoteStatus.EXPIRED:
        days_ago = max(days_ago, 31)  # its 30 days are over
    issued = None if status == m.QuoteStatus.DRAFT else b.today - timedelta(days=days_ago)
    expires = issued + timedelta(days=30) if issued else None
    if status == m.QuoteStatus.AWAITING_ACCEPTANCE and expires and expires < b.today:
        expires = b.today + timedelta(days=b.rng.randint(1, 30))
    decided = status in (m.QuoteStatus.APPROVED, m.QuoteStatus.DECLINED)
    qid = b.add(
        m.Quote,
        tenant_id=tid,
        external_id=None,
        number=b.number("Q", tid),
        site_id=site_id,
        kind=kind,
        status=status,
        title=b.rng.choice(QUOTE_TITLES[kind]),
        issued_on=issued,
        expires_on=expires,
        subtotal_cents=0,
        tax_rate_bp=TAX_RATE_BP,
        tax_cents=0,
        total_cents=0,
        decided_at=b.at(max(days_ago - 3, 0)) if decided else None,
        decided_by_portal_user_id=None,
        approver_name=b.person() if status == m.QuoteStatus.APPROVED else None,
        approver_reference=None,
        decline_comment="Too expensive for this season." if status == m.QuoteStatus.DECLINED else None,
        created_at=b.at(days_ago + 1),
    )
    _set_totals(b, m.Quote, qid, _lines(b, m.QuoteLine, "quote_id", qid, tid, lines))


def invoice(b: Builder, tid: int, site_id: int, lines: tuple[int, int]) -> None:
    status = b.rng.choices(list(m.InvoiceStatus), weights=[8, 27, 60, 5])[0]
    days_ago = b.rng.randint(0, 365)
    issued = None if status == m.InvoiceStatus.DRAFT else b.today - timedelta(days=days_ago)
    iid = b.add(
        m.Invoice,
        tenant_id=tid,
        external_id=None,
        number=b.number("INV", tid),
        site_id=site_id,
        job_id=None,
        status=status,
        issued_on=issued,
        due_on=issued + timedelta(days=30) if issued else None,
        paid_on=issued + timedelta(days=b.rng.randint(5, 40)) if status == m.InvoiceStatus.PAID else None,
        subtotal_cents=0,
        tax_rate_bp=TAX_RATE_BP,
        tax_cents=0,
        total_cents=0,
        customer_po=None,
        created_at=b.at(days_ago + 1),
    )
    _set_totals(b, m.Invoice, iid, _lines(b, m.InvoiceLine, "invoice_id", iid, tid, lines))


def _set_totals(b: Builder, model: type, row_id: int, totals: tuple[int, int, int]) -> None:
    row = b.rows[model][-1]
    assert row["id"] == row_id
    row["subtotal_cents"], row["tax_cents"], row["total_cents"] = totals
