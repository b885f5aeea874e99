"""The monthly activity report: per property of the viewer's view, the quotes and
invoices issued in the month (drafts, expired quotes and void invoices never appear,
nor a document type the tenant switched off), with per-property and overall totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Invoice, InvoiceStatus, Quote, QuoteStatus, Site, Tenant
from pool_portal.presentation.display import day, money
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.i18n import catalogue, normalise_language
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra.pdf.common import (
    LINES_STYLE,
    TITLE_WIDTH,
    cell,
    esc,
    heading,
    logo,
    render,
    title_style,
)
from pool_portal.services.portal.portal_settings import document_switches
from pool_portal.services.portal.visibility import issued_invoice, site_scope, visible_quote


@dataclass
class Line:
    number: str
    title: str
    issued: date
    status: str  # its QuoteStatus or InvoiceStatus value
    cents: int


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def monthly_lines(
    session: Session, viewer: Viewer, year: int, month: int, now: datetime | None = None
) -> dict[str, dict[str, list[Line]]]:
    """{property name: {"quotes": [...], "invoices": [...]}} for the month, in the view:
    the quotes and invoices the portal shows (``visibility``'s rules), and only the
    document types switched on."""
    start, end = _month_bounds(year, month)
    sites = dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(site_scope(viewer)))).all())
    out: dict[str, dict[str, list[Line]]] = {}
    if not sites:
        return out
    docs = document_switches(session, viewer.tenant_id)
    today = tenant_today(session, viewer.tenant_id, now)
    # The columns the report shows (no ORM objects), the view's sites as a subquery.
    quotes = (
        session.execute(
            select(Quote.site_id, Quote.number, Quote.title, Quote.issued_on, Quote.status, Quote.total_cents)
            .where(
                Quote.tenant_id == viewer.tenant_id,
                Quote.site_id.in_(site_scope(viewer)),
                visible_quote(today),
                Quote.issued_on >= start,
                Quote.issued_on < end,
            )
            .order_by(Quote.issued_on, Quote.number)
        )
        if docs["quotes"]
        else ()
    )
    for site_id, number, title, issued, status, cents in quotes:
        if site_id in sites:
            out.setdefault(sites[site_id], {"quotes": [], "invoices": []})["quotes"].append(
                Line(number, title, issued, QuoteStatus(status).value, cents)
            )
    invoices = (
        session.execute(
            select(Invoice.site_id, Invoice.number, Invoice.issued_on, Invoice.status, Invoice.total_cents)
            .where(
                Invoice.tenant_id == viewer.tenant_id,
                Invoice.site_id.in_(site_scope(viewer)),
                issued_invoice(),
                Invoice.issued_on >= start,
                Invoice.issued_on < end,
            )
            .order_by(Invoice.issued_on, Invoice.number)
        )
        if docs["invoices"]
        else ()
    )
    for site_id, number, issued, status, cents in invoices:
        if site_id in sites:
            out.setdefault(sites[site_id], {"quotes": [], "invoices": []})["invoices"].append(
                Line(number, "", issued, InvoiceStatus(status).value, cents)
            )
    return dict(sorted(out.items()))


def monthly_activity_report(
    session: Session, viewer: Viewer, year: int, month: int, lang: str = "en", now: datetime | None = None
) -> bytes:
    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, viewer.tenant_id)
    currency = tenant.currency
    switches = document_switches(session, viewer.tenant_id)
    lines = monthly_lines(session, viewer, year, month, now)
    styles = getSampleStyleSheet()
    h2, h4, body = styles["Heading2"], styles["Heading4"], styles["BodyText"]
    month_name = tr[f"month.long.{month}"]
    story = [
        *logo(session, tenant),
        Paragraph(f"{esc(tenant.name)} · {esc(tr['pdf.monthly.title'])}", title_style(styles, tenant)),
        Paragraph(f"{month_name} {year} · {esc(viewer.name)}", body),
        Spacer(1, 6 * mm),
    ]
    grand = {"quotes": 0, "invoices": 0}
    if not lines:
        story.append(Paragraph(esc(tr["pdf.monthly.empty"]), body))
    for site, docs in lines.items():
        block = [heading(site, h2)]
        for kind in ("quotes", "invoices"):
            rows = docs[kind]
            if not rows:
                continue
            total = sum(r.cents for r in rows)
            grand[kind] += total
            data = [
                [
                    tr["overlay.number"],
                    tr["overlay.date"],
                    tr["overlay.title"],
                    tr["overlay.status"],
                    tr["overlay.amount"],
                ]
            ]
            data += [
                [
                    r.number,
                    day(r.issued, lang),
                    cell(r.title, body),
                    tr.get(f"docstatus.{r.status}", r.status),
                    money(r.cents, currency, lang),
                ]
                for r in rows
            ]
            data.append(["", "", "", tr[f"pdf.monthly.total_{kind}"], money(total, currency, lang)])
            table = Table(data, colWidths=[28 * mm, 26 * mm, TITLE_WIDTH, 32 * mm, 32 * mm], repeatRows=1)
            table.setStyle(LINES_STYLE)
            block += [heading(tr[f"pdf.monthly.{kind}"], h4), table, Spacer(1, 3 * mm)]
        story.append(KeepTogether(block))
    story.append(Spacer(1, 6 * mm))
    story += [
        Paragraph(f"{esc(tr[f'pdf.monthly.total_{kind}'])}: {money(grand[kind], currency, lang)}", styles["Heading3"])
        for kind in ("quotes", "invoices")
        if switches[kind]
    ]
    return render(story, tenant, f"{tr['pdf.monthly.title']} {year}-{month:02d}", tr)
