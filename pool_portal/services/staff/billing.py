"""What quotes and invoices share: their lines, their totals, saving a draft and a
status change.

Money is integer cents. A line's total is quantity x unit price, rounded half up to
the cent; the subtotal is the sum of the line totals, the VAT is the subtotal x the
document's rate (basis points, rounded half up) and the total is subtotal + VAT
(``core.pricing``). The totals are always computed here from the lines, never typed in.

Lines and header change only while the document is a draft. Each status change is one
conditional UPDATE on the current status, so two people acting at once cannot both
succeed. The quotes' and invoices' own rules are in ``services.staff.quotes`` and
``services.staff.invoices``; conventions as in ``services.staff.editing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from pool_portal.models import Invoice, InvoiceLine, Quote, QuoteLine
from pool_portal.services.core.pricing import line_total, totals
from pool_portal.services.staff.editing import audit
from pool_portal.services.staff.forms import Fields

E_NO_LINES = "data.error.no_lines"
E_TOO_MANY_LINES = "data.error.too_many_lines"

MAX_LINES = 100


@dataclass(frozen=True)
class Line:
    """A line as typed in the line editor."""

    id: int | None  # an existing line of this document, or None for a new one
    description: str
    quantity: Decimal
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return line_total(self.quantity, self.unit_price_cents)


@dataclass(frozen=True)
class LineItem:
    """A stored line, as the edit page shows it."""

    id: int
    description: str
    quantity: Decimal
    unit_price_cents: int


@dataclass(frozen=True)
class Figures:
    """The live figures of a line editor, in cents: each row's total (None while the
    row is not valid), and subtotal, VAT and total of the valid rows."""

    lines: list[int | None]
    subtotal: int
    tax: int
    total: int
    rate_bp: int


def _blank(raw: dict) -> bool:
    return not any(str(raw.get(k) or "").strip() for k in ("description", "quantity", "unit_price"))


def read_lines(raw_lines: object) -> tuple[list[Line], dict[str, str]]:
    """The lines of a line editor (dicts of description, quantity, unit_price and an
    optional id); an entirely empty row is skipped. Errors are keyed
    ``line.<row>.<field>`` (rows counted from 0 as shown)."""
    rows = raw_lines if isinstance(raw_lines, list) else []
    errors: dict[str, str] = {}
    if len([r for r in rows if isinstance(r, dict) and not _blank(r)]) > MAX_LINES:
        return [], {"lines": E_TOO_MANY_LINES}
    lines: list[Line] = []
    for i, raw in enumerate(rows):
        if not isinstance(raw, dict) or _blank(raw):
            continue
        form = Fields(raw, prefix=f"line.{i}.")
        description = form.text("description", 500, required=True)
        quantity = form.quantity("quantity")
        price = form.money("unit_price")
        errors.update(form.errors)
        if not form.errors:
            lines.append(Line(form.ident("id"), description, quantity, price))
    return ([], errors) if errors else (lines, {})


def preview(raw_lines: object, tax_rate: str) -> Figures:
    """Live figures for a line editor (no database: the rows as typed)."""
    rows = raw_lines if isinstance(raw_lines, list) else []
    out = []
    for raw in rows[:MAX_LINES]:
        form = Fields(raw if isinstance(raw, dict) else {})
        quantity, price = form.quantity("quantity"), form.money("unit_price")
        out.append(line_total(quantity, price) if quantity is not None and price is not None else None)
    rate = Fields({"r": tax_rate}).percent_bp("r") or 0
    subtotal, tax, total = totals((c for c in out if c is not None), rate)
    return Figures(out, subtotal, tax, total, rate)


def _lines_model(doc):
    return (QuoteLine, QuoteLine.quote_id) if isinstance(doc, Quote) else (InvoiceLine, InvoiceLine.invoice_id)


def lines_of(session: Session, doc: Quote | Invoice) -> list:
    model, parent = _lines_model(doc)
    return list(
        session.exec(
            select(model).where(parent == doc.id, model.tenant_id == doc.tenant_id).order_by(model.position, model.id)
        ).all()
    )


def line_items(session: Session, doc: Quote | Invoice) -> list[LineItem]:
    return [LineItem(ln.id, ln.description, ln.quantity, ln.unit_price_cents) for ln in lines_of(session, doc)]


def _write_lines(session: Session, doc: Quote | Invoice, lines: list[Line]) -> None:
    """Replace the document's lines with ``lines`` (existing ones, matched by id within
    this document, are updated in place and keep their links) and set its totals."""
    model, parent = _lines_model(doc)
    existing = {line.id: line for line in lines_of(session, doc)}
    kept: set[int] = set()
    for position, line in enumerate(lines):
        row = existing.get(line.id) if line.id is not None and line.id not in kept else None
        if row is None:
            row = model(tenant_id=doc.tenant_id, **{parent.key: doc.id})
            session.add(row)
        else:
            kept.add(row.id)
        row.position, row.description = position, line.description
        row.quantity, row.unit_price_cents, row.total_cents = line.quantity, line.unit_price_cents, line.total_cents
    gone = [i for i in existing if i not in kept]
    if gone:
        session.execute(
            delete(model).where(col(model.id).in_(gone), parent == doc.id).execution_options(synchronize_session=False)
        )
    doc.subtotal_cents, doc.tax_cents, doc.total_cents = totals((line.total_cents for line in lines), doc.tax_rate_bp)


def default_tax_rate(session: Session, tenant_id: int) -> int:
    """The VAT rate a new document starts with: the tenant's latest quote's or
    invoice's, else 0."""
    rates = [
        session.exec(select(m.tax_rate_bp).where(m.tenant_id == tenant_id).order_by(m.id.desc()).limit(1)).first()
        for m in (Quote, Invoice)
    ]
    return next((r for r in rates if r is not None), 0)


def store_doc(
    session: Session, doc, make, values: dict, lines: list[Line], tenant_id: int, staff_user_id: int, kind: str
) -> int:
    """Create (``doc`` None: ``make()``) or update a draft with ``values`` and its lines;
    audit it with its line count and total."""
    created = doc is None
    if created:
        doc = make()
        session.add(doc)
    for key, value in values.items():
        setattr(doc, key, value)
    session.flush()
    _write_lines(session, doc, lines)
    session.flush()
    audit(
        session,
        f"{kind}.created" if created else f"{kind}.updated",
        tenant_id,
        staff_user_id,
        kind,
        doc.id,
        number=doc.number,
        lines=len(lines),
        total_cents=doc.total_cents,
    )
    return doc.id


def transition(session: Session, model, row, actions: dict, action: str, values: dict) -> bool:
    """One conditional UPDATE from an allowed status (``actions``: action -> (sources,
    target)); False when the status moved."""
    sources, target = actions[action]
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.tenant_id == row.tenant_id, col(model.status).in_(sources))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(row)
    return True


def actions_from(table: dict, status) -> list[str]:
    """The status changes ``table`` allows from ``status`` (the page's buttons)."""
    return [name for name, (sources, _target) in table.items() if status in sources]
