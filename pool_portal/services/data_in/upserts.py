"""Create or update one record by its external id: the one write the integration API
and the CSV import share, so the rules live once.

- The body is the whole record: a field left out gets its default. The same upsert
  twice leaves one row.
- References name the other record's external id (``site_external_id`` ...); one
  that the tenant does not have is an error on that field, so nothing can be
  attached to another tenant's data. Assets, reports and jobs referred to from a
  record must be on the same site.
- Quote and invoice totals are computed from their lines (integer cents; a line is
  quantity x unit price rounded half up; tax is ``tax_rate_bp`` basis points of the
  subtotal); the lines sent replace the stored ones.
- A quote the client has answered (approved or declined) cannot change any more.
- ``dry_run`` makes every check and writes nothing (what the CSV import's check uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, select

from pool_portal.models import Invoice, InvoiceStatus, Quote, QuoteLine, QuoteStatus, Report, ReportStatus, Site, utcnow
from pool_portal.services.core import pricing
from pool_portal.services.core.pricing import line_total
from pool_portal.services.data_in.errors import FieldError, Rejected
from pool_portal.services.data_in.kinds import KINDS, LABELS, check_external_id, find, parse
from pool_portal.services.data_in.schemas import QuoteIn, Record
from pool_portal.services.payments.ledger import settled_by_payments

MAX_CENTS = 2_000_000_000  # the money columns are 32-bit integers


def totals(lines: list[tuple[Decimal, int]], tax_rate_bp: int) -> tuple[int, int, int, list[int]]:
    """(subtotal, tax, total, each line's total) in cents (services.pricing's rules)."""
    each = [line_total(q, u) for q, u in lines]
    return (*pricing.totals(each, tax_rate_bp), each)


@dataclass
class Upserted:
    row: SQLModel | None  # None only in a dry run of a new record
    created: bool
    previous_status: object = None  # the record's status before this write (None: new)


def upsert(
    db: Session,
    tenant_id: int,
    kind: str,
    external_id: str,
    record: Record | dict,
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    refs: dict | None = None,
) -> Upserted:
    """Create or update the tenant's ``kind`` record with this external id. Raises
    Rejected (nothing written by this call) when a field or reference is wrong.
    ``dry_run``: every check, no write (``row`` is the existing record or None).
    ``refs``: a dict kept across calls, caching the records referred to (an import
    names the same client on many rows)."""
    spec = KINDS[kind]
    check_external_id(external_id)
    if isinstance(record, dict):
        record = parse(kind, record)
    row = find(db, spec.model, tenant_id, "external_id", external_id)
    created = row is None
    previous_status = getattr(row, "status", None)
    errors: list[FieldError] = []

    resolved: dict[str, SQLModel | None] = {}
    for name, ref in spec.refs.items():
        value = getattr(record, name)
        other = None
        if value is not None:
            cache_key = (ref.model, ref.key, value)
            other = refs.get(cache_key) if refs is not None else None
            if other is None:
                other = find(db, ref.model, tenant_id, ref.key, value)
                if refs is not None and other is not None:
                    refs[cache_key] = other
        if value is not None and other is None:
            what = LABELS[ref.model]
            errors.append(FieldError(name, "unknown_reference", f"no {what} with {ref.key} {value!r}"))
        resolved[name] = other
    site = resolved.get("site_external_id")
    for name, ref in spec.refs.items():
        other = resolved[name]
        if ref.same_site and other is not None and site is not None and other.site_id != site.id:
            errors.append(FieldError(name, "other_site", f"that {LABELS[ref.model]} is on another site"))

    values = record.model_dump(exclude={*spec.refs, "lines", "tax_rate_bp"})
    if "number" in values:
        same_number = select(spec.model.id).where(
            spec.model.tenant_id == tenant_id, spec.model.number == values["number"]
        )
        if row is not None:
            same_number = same_number.where(spec.model.id != row.id)
        taken = db.exec(same_number).first()
        if taken is not None:
            errors.append(FieldError("number", "number_taken", f"another {spec.label} has number {values['number']!r}"))
    if isinstance(row, Quote) and _answered(row):
        changed = _answered_quote_changes(db, row, values, record, site)
        if changed:
            answer = row.status.value.lower() if row.status in _ANSWERED else "answered"
            raise Rejected(
                [FieldError(name, "answered", f"quote {row.number} is {answer}: it cannot change") for name in changed],
                status=409,
                detail=f"Quote {row.number} ({external_id}) is {answer}: once the client has answered, "
                f"its content cannot change; nothing was changed",
            )
        if not errors:  # the same content again: idempotent, nothing rewritten
            return Upserted(row, False, previous_status)
    if (
        isinstance(row, Invoice)
        and row.status == InvoiceStatus.PAID
        and values.get("status") == InvoiceStatus.AWAITING_PAYMENT
        and settled_by_payments(db, row.id)
    ):  # paid online before the ERP heard of it: it stays paid (GET /api/v1/payments tells the ERP)
        values["status"], values["paid_on"] = InvoiceStatus.PAID, row.paid_on
    priced = None
    if spec.lines is not None:
        subtotal, tax, total, each = totals(
            [(ln.quantity, ln.unit_price_cents) for ln in record.lines], record.tax_rate_bp
        )
        if max(abs(subtotal), abs(total), *(abs(x) for x in each), 0) > MAX_CENTS:
            errors.append(FieldError("lines", "too_large", "the total is too large"))
        priced = subtotal, tax, total, each
    if errors:
        raise Rejected(errors)
    if dry_run:
        return Upserted(row, created, previous_status)

    if row is None:
        row = spec.model(tenant_id=tenant_id, external_id=external_id)
    for name, value in values.items():
        setattr(row, name, value)
    for name, ref in spec.refs.items():
        other = resolved[name]
        setattr(row, ref.fk, other.id if other is not None else None)
    if isinstance(row, Report):
        approved = record.status == ReportStatus.APPROVED
        row.approved_at = (row.approved_at or now or utcnow()) if approved else None
    if priced is not None:
        row.subtotal_cents, row.tax_cents, row.total_cents = priced[:3]
        row.tax_rate_bp = record.tax_rate_bp
    db.add(row)
    db.flush()
    if priced is not None:
        db.execute(delete(spec.lines).where(getattr(spec.lines, spec.line_parent) == row.id))
        for pos, (line, line_cents) in enumerate(zip(record.lines, priced[3], strict=True)):
            db.add(
                spec.lines(
                    tenant_id=tenant_id,
                    **{spec.line_parent: row.id},
                    position=pos,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price_cents=line.unit_price_cents,
                    total_cents=line_cents,
                )
            )
        db.flush()
    return Upserted(row, created, previous_status)


_ANSWERED = (QuoteStatus.APPROVED, QuoteStatus.DECLINED)


def _answered(quote: Quote) -> bool:
    """Approved or declined (by the client in the portal, or so pushed): final."""
    return quote.decided_at is not None or quote.status in _ANSWERED


def _answered_quote_changes(db: Session, quote: Quote, values: dict, record: QuoteIn, site: Site | None) -> list[str]:
    """The fields of ``record`` that differ from the answered ``quote``: its status,
    site, title, dates, tax and lines are what the client said yes or no to."""
    changed = [name for name, value in values.items() if getattr(quote, name) != value]
    if site is not None and site.id != quote.site_id:
        changed.append("site_external_id")
    if record.tax_rate_bp != quote.tax_rate_bp:
        changed.append("tax_rate_bp")
    stored = db.exec(
        select(QuoteLine).where(QuoteLine.quote_id == quote.id).order_by(QuoteLine.position, QuoteLine.id)
    ).all()
    if [(ln.description, Decimal(ln.quantity), ln.unit_price_cents) for ln in stored] != [
        (ln.description, ln.quantity, ln.unit_price_cents) for ln in record.lines
    ]:
        changed.append("lines")
    return changed
