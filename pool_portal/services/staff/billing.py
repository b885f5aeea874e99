"""Staff editing of quotes and invoices, their lines, and their status changes.

Money is integer cents. A line's total is quantity x unit price, rounded half up to
the cent; the subtotal is the sum of the line totals, the VAT is the subtotal x the
document's rate (basis points, rounded half up) and the total is subtotal + VAT. The
totals are always computed here from the lines, never typed in.

Lines and header change only while the document is a draft. Status changes:

- quote: ``send`` DRAFT -> AWAITING_ACCEPTANCE (needs a line; issued today unless
  set, expires 30 days later unless set, never already expired); ``expire``
  AWAITING_ACCEPTANCE -> EXPIRED. Approving or declining is the client's
  (``services.records.decide_quote``).
- invoice: ``issue`` DRAFT -> AWAITING_PAYMENT (needs a line; issued today unless set,
  due 30 days later unless set); ``pay`` AWAITING_PAYMENT -> PAID (with the date);
  ``void`` DRAFT or AWAITING_PAYMENT -> VOID. A paid invoice stays paid.

Each change is one conditional UPDATE on the current status, so two people acting at
once cannot both succeed. Sending a quote and issuing an invoice notify the client's
contacts (``services.client_notify``): the functions return the mails to queue after
the commit. Conventions otherwise as in ``services.staff_data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from pool_portal.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Job,
    Quote,
    QuoteKind,
    QuoteLine,
    QuoteStatus,
    Site,
)
from pool_portal.services.core import record_rules
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.pricing import line_total, totals
from pool_portal.services.staff import client_notify
from pool_portal.services.staff.data import (
    E_JOB,
    E_TRANSITION,
    NOT_FOUND,
    audit,
    editor,
    owned,
    read_number,
    target,
)
from pool_portal.services.staff.forms import Fields, cents_text, percent_text, quantity_text

E_NO_LINES = "data.error.no_lines"
E_TOO_MANY_LINES = "data.error.too_many_lines"
E_ALREADY_EXPIRED = "data.error.already_expired"
E_PAID_BEFORE = "data.error.paid_before"

MAX_LINES = 100
VALID_DAYS = 30  # a sent quote's default validity
PAYMENT_DAYS = 30  # an issued invoice's default term

QUOTE_ACTIONS: dict[str, tuple[tuple[QuoteStatus, ...], QuoteStatus]] = {
    "send": ((QuoteStatus.DRAFT,), QuoteStatus.AWAITING_ACCEPTANCE),
    "expire": ((QuoteStatus.AWAITING_ACCEPTANCE,), QuoteStatus.EXPIRED),
}
INVOICE_ACTIONS: dict[str, tuple[tuple[InvoiceStatus, ...], InvoiceStatus]] = {
    "issue": ((InvoiceStatus.DRAFT,), InvoiceStatus.AWAITING_PAYMENT),
    "pay": ((InvoiceStatus.AWAITING_PAYMENT,), InvoiceStatus.PAID),
    "void": ((InvoiceStatus.DRAFT, InvoiceStatus.AWAITING_PAYMENT), InvoiceStatus.VOID),
}


@dataclass(frozen=True)
class Line:
    id: int | None  # an existing line of this document, or None for a new one
    description: str
    quantity: Decimal
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return line_total(self.quantity, self.unit_price_cents)


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


def preview(raw_lines: object, tax_rate: str) -> dict[str, object]:
    """Live figures for a line editor: each row's total (or "" while it is not valid),
    and subtotal, VAT and total of the valid rows, as cents."""
    rows = raw_lines if isinstance(raw_lines, list) else []
    out = []
    for raw in rows[:MAX_LINES]:
        form = Fields(raw if isinstance(raw, dict) else {})
        quantity, price = form.quantity("quantity"), form.money("unit_price")
        out.append(line_total(quantity, price) if quantity is not None and price is not None else None)
    rate = Fields({"r": tax_rate}).percent_bp("r") or 0
    subtotal, tax, total = totals((c for c in out if c is not None), rate)
    return {"lines": out, "subtotal": subtotal, "tax": tax, "total": total, "rate_bp": rate}


def _lines_model(doc):
    return (QuoteLine, QuoteLine.quote_id) if isinstance(doc, Quote) else (InvoiceLine, InvoiceLine.invoice_id)


def lines_of(session: Session, doc: Quote | Invoice) -> list:
    model, parent = _lines_model(doc)
    return list(
        session.exec(
            select(model).where(parent == doc.id, model.tenant_id == doc.tenant_id).order_by(model.position, model.id)
        ).all()
    )


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


def _store_doc(
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


# -- quotes ---------------------------------------------------------------------------------------
def save_quote(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    quote_id: int | None,
    site_id: int | None,
    data: dict,
    raw_lines: object,
) -> tuple[int | None, dict[str, str]]:
    """Create a draft quote on a site (``quote_id`` None) or edit a draft: kind and
    title required; number (blank: the next free one), issue and expiry dates (expiry
    not before issue), VAT rate (percent); the lines replace the old ones and the
    totals follow from them."""
    editor(session, tenant_id, staff_user_id)
    quote, site, errors = target(session, Quote, tenant_id, quote_id, site_id, draft=QuoteStatus.DRAFT)
    if errors:
        return None, errors
    form = Fields(data)
    number = read_number(session, Quote, tenant_id, form, quote.id if quote else None, "Q")
    values = {
        "kind": form.choice("kind", QuoteKind),
        "title": form.text("title", 200, required=True),
        "issued_on": form.day("issued_on"),
        "expires_on": form.day("expires_on"),
        "tax_rate_bp": form.percent_bp("tax_rate"),
    }
    form.rules(record_rules.quote(values["issued_on"], values["expires_on"]))
    lines, line_errors = read_lines(raw_lines)
    errors = {**form.errors, **line_errors}
    if errors:
        return None, errors
    values["number"] = number
    make = lambda: Quote(tenant_id=tenant_id, site_id=site.id, status=QuoteStatus.DRAFT)  # noqa: E731
    return _store_doc(session, quote, make, values, lines, tenant_id, staff_user_id, "quote"), {}


def _transition(session: Session, model, row, actions: dict, action: str, values: dict) -> bool:
    """One conditional UPDATE from an allowed status; False when the status moved."""
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


def send_quote(
    session: Session, tenant_id: int, staff_user_id: int, quote_id: object, *, now: datetime | None = None
) -> tuple[dict[str, str], list]:
    """Send a draft to the client (DRAFT -> AWAITING_ACCEPTANCE); returns (errors, mails
    to queue after the commit)."""
    editor(session, tenant_id, staff_user_id)
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return {"form": NOT_FOUND}, []
    if quote.status not in QUOTE_ACTIONS["send"][0]:
        return {"form": E_TRANSITION}, []
    if not lines_of(session, quote):
        return {"form": E_NO_LINES}, []
    today = tenant_today(session, tenant_id, now)
    issued = quote.issued_on or today
    expires = quote.expires_on or max(issued, today) + timedelta(days=VALID_DAYS)
    if expires < today:
        return {"expires_on": E_ALREADY_EXPIRED}, []
    if not _transition(session, Quote, quote, QUOTE_ACTIONS, "send", {"issued_on": issued, "expires_on": expires}):
        return {"form": E_TRANSITION}, []
    audit(
        session,
        "quote.sent",
        tenant_id,
        staff_user_id,
        "quote",
        quote.id,
        number=quote.number,
        total_cents=quote.total_cents,
    )
    return {}, client_notify.notify(session, tenant_id, session.get(Site, quote.site_id), "quote_sent", quote.number)


def expire_quote(session: Session, tenant_id: int, staff_user_id: int, quote_id: object) -> dict[str, str]:
    """Withdraw an unanswered quote (AWAITING_ACCEPTANCE -> EXPIRED)."""
    editor(session, tenant_id, staff_user_id)
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return {"form": NOT_FOUND}
    if not _transition(session, Quote, quote, QUOTE_ACTIONS, "expire", {}):
        return {"form": E_TRANSITION}
    audit(session, "quote.expired", tenant_id, staff_user_id, "quote", quote.id, number=quote.number)
    return {}


# -- invoices -------------------------------------------------------------------------------------
def save_invoice(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    invoice_id: int | None,
    site_id: int | None,
    data: dict,
    raw_lines: object,
) -> tuple[int | None, dict[str, str]]:
    """Create a draft invoice on a site or edit a draft: number (blank: the next free
    one), issue and due dates (due not before issue), customer PO, the job (one on
    the site), VAT rate; the lines replace the old ones and the totals follow."""
    editor(session, tenant_id, staff_user_id)
    invoice, site, errors = target(session, Invoice, tenant_id, invoice_id, site_id, draft=InvoiceStatus.DRAFT)
    if errors:
        return None, errors
    form = Fields(data)
    number = read_number(session, Invoice, tenant_id, form, invoice.id if invoice else None, "INV")
    values = {
        "issued_on": form.day("issued_on"),
        "due_on": form.day("due_on"),
        "customer_po": form.text("customer_po", 60),
        "tax_rate_bp": form.percent_bp("tax_rate"),
    }
    job = None
    if form.raw("job_id"):
        job = owned(session, Job, tenant_id, form.ident("job_id"))
        if job is None or job.site_id != site.id:
            form.error("job_id", E_JOB)
    values["job_id"] = job.id if job else None
    form.rules(record_rules.invoice(values["issued_on"], values["due_on"]))
    lines, line_errors = read_lines(raw_lines)
    errors = {**form.errors, **line_errors}
    if errors:
        return None, errors
    values["number"] = number
    make = lambda: Invoice(tenant_id=tenant_id, site_id=site.id, status=InvoiceStatus.DRAFT)  # noqa: E731
    return _store_doc(session, invoice, make, values, lines, tenant_id, staff_user_id, "invoice"), {}


def issue_invoice(
    session: Session, tenant_id: int, staff_user_id: int, invoice_id: object, *, now: datetime | None = None
) -> tuple[dict[str, str], list]:
    """Issue a draft (DRAFT -> AWAITING_PAYMENT); returns (errors, mails to queue after
    the commit)."""
    editor(session, tenant_id, staff_user_id)
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return {"form": NOT_FOUND}, []
    if invoice.status not in INVOICE_ACTIONS["issue"][0]:
        return {"form": E_TRANSITION}, []
    if not lines_of(session, invoice):
        return {"form": E_NO_LINES}, []
    issued = invoice.issued_on or tenant_today(session, tenant_id, now)
    due = invoice.due_on or issued + timedelta(days=PAYMENT_DAYS)
    broken = record_rules.invoice(issued, due)
    if broken:
        return {broken[0].field: broken[0].key}, []
    if not _transition(session, Invoice, invoice, INVOICE_ACTIONS, "issue", {"issued_on": issued, "due_on": due}):
        return {"form": E_TRANSITION}, []
    audit(
        session,
        "invoice.issued",
        tenant_id,
        staff_user_id,
        "invoice",
        invoice.id,
        number=invoice.number,
        total_cents=invoice.total_cents,
    )
    site = session.get(Site, invoice.site_id)
    return {}, client_notify.notify(session, tenant_id, site, "invoice_issued", invoice.number)


def mark_paid(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    invoice_id: object,
    paid_on: str = "",
    *,
    now: datetime | None = None,
) -> dict[str, str]:
    """AWAITING_PAYMENT -> PAID on ``paid_on`` (YYYY-MM-DD; today when empty), not
    before the invoice was issued."""
    editor(session, tenant_id, staff_user_id)
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return {"form": NOT_FOUND}
    form = Fields({"paid_on": paid_on})
    day: date | None = form.day("paid_on") or (None if form.errors else tenant_today(session, tenant_id, now))
    if day and invoice.issued_on and day < invoice.issued_on:
        form.error("paid_on", E_PAID_BEFORE)
    if form.errors:
        return form.errors
    if not _transition(session, Invoice, invoice, INVOICE_ACTIONS, "pay", {"paid_on": day}):
        return {"form": E_TRANSITION}
    audit(
        session,
        "invoice.paid",
        tenant_id,
        staff_user_id,
        "invoice",
        invoice.id,
        number=invoice.number,
        paid_on=day.isoformat(),
    )
    return {}


def void_invoice(session: Session, tenant_id: int, staff_user_id: int, invoice_id: object) -> dict[str, str]:
    """DRAFT or AWAITING_PAYMENT -> VOID; a paid invoice cannot be voided."""
    editor(session, tenant_id, staff_user_id)
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return {"form": NOT_FOUND}
    if not _transition(session, Invoice, invoice, INVOICE_ACTIONS, "void", {}):
        return {"form": E_TRANSITION}
    audit(session, "invoice.voided", tenant_id, staff_user_id, "invoice", invoice.id, number=invoice.number)
    return {}


# -- what the edit pages show --------------------------------------------------------------------------
def _actions(table: dict, status) -> list[str]:
    return [name for name, (sources, _target) in table.items() if status in sources]


def _line_rows(session: Session, doc) -> list[dict[str, str]]:
    return [
        {
            "id": str(line.id),
            "description": line.description,
            "quantity": quantity_text(line.quantity),
            "unit_price": cents_text(line.unit_price_cents),
        }
        for line in lines_of(session, doc)
    ]


def _header(doc, site: Site) -> dict[str, str]:
    def day(value):
        return value.isoformat() if value else ""

    return {
        "id": str(doc.id),
        "number": doc.number,
        "status": doc.status.value,
        "site_id": str(site.id),
        "site": site.name,
        "issued_on": day(doc.issued_on),
        "tax_rate": percent_text(doc.tax_rate_bp),
        "subtotal_cents": str(doc.subtotal_cents),
        "tax_cents": str(doc.tax_cents),
        "total_cents": str(doc.total_cents),
    }


def quote_page(session: Session, tenant_id: int, staff_user_id: int, quote_id: object) -> dict | None:
    editor(session, tenant_id, staff_user_id)
    quote = owned(session, Quote, tenant_id, quote_id)
    if quote is None:
        return None
    site = session.get(Site, quote.site_id)
    header = {
        **_header(quote, site),
        "kind": quote.kind.value,
        "title": quote.title,
        "expires_on": quote.expires_on.isoformat() if quote.expires_on else "",
        "approver": quote.approver_name or "",
        "reference": quote.approver_reference or "",
        "comment": quote.decline_comment or "",
    }
    return {"doc": header, "lines": _line_rows(session, quote), "actions": _actions(QUOTE_ACTIONS, quote.status)}


def invoice_page(session: Session, tenant_id: int, staff_user_id: int, invoice_id: object) -> dict | None:
    editor(session, tenant_id, staff_user_id)
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return None
    site = session.get(Site, invoice.site_id)
    header = {
        **_header(invoice, site),
        "due_on": invoice.due_on.isoformat() if invoice.due_on else "",
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else "",
        "customer_po": invoice.customer_po or "",
        "job_id": str(invoice.job_id or ""),
    }
    return {"doc": header, "lines": _line_rows(session, invoice), "actions": _actions(INVOICE_ACTIONS, invoice.status)}
