"""Staff editing of invoices: a draft with its lines, then ``issue`` DRAFT ->
AWAITING_PAYMENT (needs a line; issued today unless set, due 30 days later unless
set), ``pay`` AWAITING_PAYMENT -> PAID (with the date) and ``void`` DRAFT or
AWAITING_PAYMENT -> VOID. A paid invoice stays paid.

Issuing tells the client's contacts (``client_notify.announce``: the mails go after
the commit). Lines, totals and status changes as in ``services.staff.billing``;
conventions as in ``services.staff.editing``. Plain Python, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from pool_portal.models import Invoice, InvoiceStatus, Site
from pool_portal.services.core import record_rules
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.staff import client_notify
from pool_portal.services.staff.billing import (
    E_NO_LINES,
    LineItem,
    actions_from,
    default_tax_rate,
    line_items,
    lines_of,
    read_lines,
    store_doc,
    transition,
)
from pool_portal.services.staff.editing import (
    E_TRANSITION,
    NOT_FOUND,
    Choice,
    SiteRef,
    audit,
    currency,
    editor,
    job_on_site,
    owned,
    read_number,
    site_ref,
    target,
)
from pool_portal.services.staff.forms import Fields
from pool_portal.services.staff.jobs import job_choices

E_PAID_BEFORE = "data.error.paid_before"
PAYMENT_DAYS = 30  # an issued invoice's default term

INVOICE_ACTIONS: dict[str, tuple[tuple[InvoiceStatus, ...], InvoiceStatus]] = {
    "issue": ((InvoiceStatus.DRAFT,), InvoiceStatus.AWAITING_PAYMENT),
    "pay": ((InvoiceStatus.AWAITING_PAYMENT,), InvoiceStatus.PAID),
    "void": ((InvoiceStatus.DRAFT, InvoiceStatus.AWAITING_PAYMENT), InvoiceStatus.VOID),
}


@dataclass(frozen=True)
class InvoiceDoc:
    """An invoice's header as its edit page shows it."""

    id: int
    number: str
    status: InvoiceStatus
    issued_on: date | None
    due_on: date | None
    paid_on: date | None
    customer_po: str | None
    job_id: int | None
    tax_rate_bp: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int


@dataclass(frozen=True)
class InvoicePage:
    """An invoice with its lines, the status changes it allows and the site's jobs to
    link (``invoice`` None: a new draft on ``site``, starting with ``tax_rate_bp``)."""

    site: SiteRef
    invoice: InvoiceDoc | None
    lines: list[LineItem]
    actions: list[str]
    tax_rate_bp: int
    currency: str
    job_choices: list[Choice]


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
    values["job_id"] = job_on_site(session, tenant_id, site.id, form)
    form.rules(record_rules.invoice(values["issued_on"], values["due_on"]))
    lines, line_errors = read_lines(raw_lines)
    errors = {**form.errors, **line_errors}
    if errors:
        return None, errors
    values["number"] = number
    make = lambda: Invoice(tenant_id=tenant_id, site_id=site.id, status=InvoiceStatus.DRAFT)  # noqa: E731
    return store_doc(session, invoice, make, values, lines, tenant_id, staff_user_id, "invoice"), {}


def issue_invoice(
    session: Session, tenant_id: int, staff_user_id: int, invoice_id: object, *, now: datetime | None = None
) -> dict[str, str]:
    """Issue a draft (DRAFT -> AWAITING_PAYMENT); returns the errors."""
    editor(session, tenant_id, staff_user_id)
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return {"form": NOT_FOUND}
    if invoice.status not in INVOICE_ACTIONS["issue"][0]:
        return {"form": E_TRANSITION}
    if not lines_of(session, invoice):
        return {"form": E_NO_LINES}
    issued = invoice.issued_on or tenant_today(session, tenant_id, now)
    due = invoice.due_on or issued + timedelta(days=PAYMENT_DAYS)
    broken = record_rules.invoice(issued, due)
    if broken:
        return {broken[0].field: broken[0].key}
    if not transition(session, Invoice, invoice, INVOICE_ACTIONS, "issue", {"issued_on": issued, "due_on": due}):
        return {"form": E_TRANSITION}
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
    client_notify.announce(session, tenant_id, session.get(Site, invoice.site_id), "invoice_issued", invoice.number)
    return {}


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
    if not transition(session, Invoice, invoice, INVOICE_ACTIONS, "pay", {"paid_on": day}):
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
    if not transition(session, Invoice, invoice, INVOICE_ACTIONS, "void", {}):
        return {"form": E_TRANSITION}
    audit(session, "invoice.voided", tenant_id, staff_user_id, "invoice", invoice.id, number=invoice.number)
    return {}


def invoice_page(
    session: Session, tenant_id: int, staff_user_id: int, invoice_id: object, site_id: object = None
) -> InvoicePage | None:
    """The invoice ``invoice_id`` (or, without one, a new draft on the site
    ``site_id``); None when it (or the site) is not the tenant's."""
    editor(session, tenant_id, staff_user_id)
    if invoice_id is None:
        site = site_ref(session, tenant_id, site_id)
        if site is None:
            return None
        return InvoicePage(
            site,
            None,
            [],
            [],
            default_tax_rate(session, tenant_id),
            currency(session, tenant_id),
            job_choices(session, tenant_id, site.id),
        )
    invoice = owned(session, Invoice, tenant_id, invoice_id)
    if invoice is None:
        return None
    doc = InvoiceDoc(
        invoice.id,
        invoice.number,
        invoice.status,
        invoice.issued_on,
        invoice.due_on,
        invoice.paid_on,
        invoice.customer_po,
        invoice.job_id,
        invoice.tax_rate_bp,
        invoice.subtotal_cents,
        invoice.tax_cents,
        invoice.total_cents,
    )
    return InvoicePage(
        site_ref(session, tenant_id, invoice.site_id),
        doc,
        line_items(session, invoice),
        actions_from(INVOICE_ACTIONS, invoice.status),
        invoice.tax_rate_bp,
        currency(session, tenant_id),
        job_choices(session, tenant_id, invoice.site_id),
    )
