"""Admin → Data as text: the typed read models of the staff editing services
(``services.staff.sites``, ``site_records``, ``documents``, ``jobs``, ``reports``,
``quotes``, ``invoices``) turned into the {key: text} dicts the edit pages show and
their forms submit back.

A form's values are the text its fields hold: dates as YYYY-MM-DD, enums as their
code, ids as digits, a checkbox "1" (on) or "" (off), an amount as "12.50", a
quantity without trailing zeros and a VAT rate as a percentage ("21", "10.5").
Amounts shown (not edited) are money in the tenant's currency and the viewer's
language (``display.money``). The lists are in ``presentation.staff_lists``.
"""

from __future__ import annotations

import enum
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

from pool_portal.presentation.display import money
from pool_portal.services.staff.billing import Figures, LineItem
from pool_portal.services.staff.documents import DocumentItem
from pool_portal.services.staff.editing import Choice, SiteRef
from pool_portal.services.staff.invoices import InvoicePage
from pool_portal.services.staff.jobs import JobPage, VisitForm
from pool_portal.services.staff.quotes import QuotePage
from pool_portal.services.staff.reports import ReportPage
from pool_portal.services.staff.sites import SitePage

# What a new record's form starts with.
NEW_SITE = {"is_active": "1"}
NEW_ASSET = {"id": "", "is_active": "1"}
NEW_REMARK = {"id": "", "severity": "NON_CRITICAL", "status": "OPEN"}
NEW_VISIT = {"id": "", "status": "SCHEDULED"}
BLANK_LINE = {"description": "", "quantity": "1", "unit_price": ""}


def text(value: object) -> str:
    """One value as the text a page shows or a field holds ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def values(record) -> dict[str, str]:
    """Every field of a read model (a dataclass) as text, by field name."""
    return {f.name: text(getattr(record, f.name)) for f in fields(record)}


def choices(items: list[Choice]) -> list[list[str]]:
    """[id, label] pairs for a select."""
    return [[str(c.id), c.label] for c in items]


def cents_text(cents: int | None) -> str:
    """Integer cents as the text a staff form shows (1250 -> "12.50")."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def quantity_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    figure = f"{Decimal(value):f}"
    return figure.rstrip("0").rstrip(".") if "." in figure else figure


def percent_text(bp: int | None) -> str:
    """Basis points as a percentage (2100 -> "21", 1050 -> "10.5")."""
    return quantity_text(Decimal(bp or 0) / 100)


def _on_site(site: SiteRef) -> dict[str, str]:
    return {"site_id": str(site.id), "site": site.name}


# -- a site and its sections ----------------------------------------------------------------------------
def site_values(page: SitePage) -> dict[str, str]:
    return {**values(page.site), "client": page.client, "external_id": page.external_id}


def _document(d: DocumentItem) -> dict[str, str]:
    return {
        "id": str(d.id),
        "title": d.title,
        "filename": d.filename,
        "type": d.content_type,
        "size": f"{max(d.size_bytes // 1024, 1)} KB",
        "published": text(d.is_published),
        "created": d.created_at.date().isoformat(),
    }


def site_sections(page: SitePage, lang: str) -> dict[str, list[dict[str, str]]]:
    """The site page's sections by name (assets, remarks, documents, jobs, quotes,
    invoices, reports), amounts in the tenant's currency."""
    cur = page.currency
    return {
        "assets": [values(a) for a in page.assets],
        "remarks": [{**values(r.remark), "number": r.remark.number, "asset": r.asset_code} for r in page.remarks],
        "documents": [_document(d) for d in page.documents],
        "jobs": [
            {
                "id": str(j.id),
                "number": j.number,
                "kind": text(j.kind),
                "stage": text(j.stage),
                "date": text(j.date),
                "description": j.description[:120],
            }
            for j in page.jobs
        ],
        "quotes": [
            {
                "id": str(q.id),
                "number": q.number,
                "title": q.title,
                "status": text(q.status),
                "total_cents": str(q.total_cents),
                "amount": money(q.total_cents, cur, lang),
            }
            for q in page.quotes
        ],
        "invoices": [
            {
                "id": str(i.id),
                "number": i.number,
                "status": text(i.status),
                "total_cents": str(i.total_cents),
                "amount": money(i.total_cents, cur, lang),
            }
            for i in page.invoices
        ],
        "reports": [
            {
                "id": str(r.id),
                "number": r.number,
                "title": r.title,
                "status": text(r.status),
                "date": text(r.report_date),
            }
            for r in page.reports
        ],
    }


def opened(raw: str, form, new: dict[str, str]) -> dict[str, str]:
    """The form a URL parameter opens on a page: ``new`` for "new", the record's values
    when there is one, else {} (closed)."""
    if raw == "new":
        return dict(new)
    return values(form) if form is not None else {}


# -- a job and its visits --------------------------------------------------------------------------------
def visit_values(visit: VisitForm) -> dict[str, str]:
    when = visit.scheduled_for
    return {
        "id": str(visit.id),
        "status": text(visit.status),
        "date": when.date().isoformat() if when else "",
        "time": when.strftime("%H:%M") if when else "",
        "technician_id": text(visit.technician_id),
        "notes": visit.notes or "",
    }


def job_values(page: JobPage) -> dict[str, str]:
    if page.job is None:
        return {"id": "", **_on_site(page.site), "stage": "READY", "kind": "SERVICE_CALL"}
    return {**values(page.job), **_on_site(page.site)}


def visit_rows(page: JobPage) -> list[dict[str, str]]:
    return [{**visit_values(v.visit), "technician": v.technician} for v in page.visits]


def job_visit(page: JobPage, raw: str) -> dict[str, str]:
    """The visit form the job page opens (``raw``: a visit id or "new"; only on a job)."""
    if page.job is None:
        return {}
    if raw == "new":
        return dict(NEW_VISIT)
    return visit_values(page.visit) if page.visit is not None else {}


# -- a report ---------------------------------------------------------------------------------------------
def report_values(page: ReportPage) -> dict[str, str]:
    if page.report is None:
        return {"id": "", **_on_site(page.site), "status": "DRAFT"}
    return {**values(page.report), **_on_site(page.site)}


# -- a quote or an invoice ---------------------------------------------------------------------------------
def line_values(line: LineItem) -> dict[str, str]:
    return {
        "id": str(line.id),
        "description": line.description,
        "quantity": quantity_text(line.quantity),
        "unit_price": cents_text(line.unit_price_cents),
    }


def _doc_header(doc, site: SiteRef, currency: str, lang: str) -> dict[str, str]:
    return {
        "id": str(doc.id),
        "number": doc.number,
        "status": text(doc.status),
        **_on_site(site),
        "issued_on": text(doc.issued_on),
        "tax_rate": percent_text(doc.tax_rate_bp),
        **{f"{k}_cents": str(getattr(doc, f"{k}_cents")) for k in ("subtotal", "tax", "total")},
        **{f"{k}_text": money(getattr(doc, f"{k}_cents"), currency, lang) for k in ("subtotal", "tax", "total")},
    }


def _new_doc(site: SiteRef, tax_rate_bp: int, **defaults: str) -> dict[str, str]:
    return {
        "id": "",
        **_on_site(site),
        "status": "DRAFT",
        "number": "",
        **defaults,
        "tax_rate": percent_text(tax_rate_bp),
    }


def quote_doc(page: QuotePage, lang: str) -> dict[str, str]:
    q = page.quote
    if q is None:
        return _new_doc(page.site, page.tax_rate_bp, kind="SERVICE", title="")
    return {
        **_doc_header(q, page.site, page.currency, lang),
        "kind": text(q.kind),
        "title": q.title,
        "expires_on": text(q.expires_on),
        "approver": q.approver or "",
        "reference": q.reference or "",
        "comment": q.comment or "",
    }


def invoice_doc(page: InvoicePage, lang: str) -> dict[str, str]:
    i = page.invoice
    if i is None:
        return _new_doc(page.site, page.tax_rate_bp)
    return {
        **_doc_header(i, page.site, page.currency, lang),
        "due_on": text(i.due_on),
        "paid_on": text(i.paid_on),
        "customer_po": i.customer_po or "",
        "job_id": text(i.job_id),
    }


def figures_text(figures: Figures, currency: str, lang: str) -> tuple[list[str], dict[str, str]]:
    """A line editor's live figures: each row's total ("" while it is not valid) and
    the subtotal, VAT and total."""
    totals = ["" if c is None else money(c, currency, lang) for c in figures.lines]
    return totals, {k: money(getattr(figures, k), currency, lang) for k in ("subtotal", "tax", "total")}
