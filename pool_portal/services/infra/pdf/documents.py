"""The PDF of one record: a quote or an invoice (its lines, subtotal, tax and total,
the lines adding up to the subtotal shown; payment instructions on invoices), and an
approved service report (its summary and the defects recorded on it by severity)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import (
    Asset,
    Client,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Quote,
    QuoteLine,
    QuoteStatus,
    Remark,
    RemarkStatus,
    Report,
    Severity,
    Site,
    Tenant,
)
from pool_portal.presentation.display import day, money
from pool_portal.services.core.i18n import catalogue, normalise_language
from pool_portal.services.infra.pdf.common import esc, logo, render, title_style
from pool_portal.services.portal.portal_settings import portal_settings
from pool_portal.services.portal.visibility import severity_rank


def lines_of(session: Session, doc: Quote | Invoice) -> list[QuoteLine] | list[InvoiceLine]:
    """The lines of a quote or an invoice, in their order."""
    if isinstance(doc, Quote):
        q = select(QuoteLine).where(QuoteLine.quote_id == doc.id).order_by(QuoteLine.position, QuoteLine.id)
    else:
        q = select(InvoiceLine).where(InvoiceLine.invoice_id == doc.id).order_by(InvoiceLine.position, InvoiceLine.id)
    return list(session.execute(q).scalars())


def _customer_and_property(session: Session, site: Site, tr: dict[str, str], body: ParagraphStyle) -> list:
    """The header's "Customer: <client> · <billing address>" and "Property: <site> ·
    <address>" lines of a quote, an invoice or a report."""
    client = session.get(Client, site.client_id)
    customer = ", ".join(p for p in ((client.name if client else ""), (client.billing_address if client else "")) if p)
    place = " · ".join(p for p in (site.name, ", ".join(p for p in (site.address, site.city) if p)) if p)
    return [
        Paragraph(f"<b>{esc(tr['pdf.customer'])}:</b> {esc(customer)}", body),
        Paragraph(f"<b>{esc(tr['pdf.property'])}:</b> {esc(place)}", body),
    ]


def quote_or_invoice(session: Session, doc: Quote | Invoice, lang: str = "en") -> bytes:
    """A quote or an invoice: branding, its lines, subtotal, tax and total (the lines
    add up to the subtotal shown), payment instructions on invoices."""
    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, doc.tenant_id)
    site = session.get(Site, doc.site_id)
    is_invoice = isinstance(doc, Invoice)
    kind = "invoice" if is_invoice else "quote"
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    cur = tenant.currency
    status = (InvoiceStatus if is_invoice else QuoteStatus)(doc.status).value
    story = [
        *logo(session, tenant),
        Paragraph(esc(tenant.name), title_style(styles, tenant)),
        Paragraph(f"{esc(tr[f'pdf.{kind}.title'])} {esc(doc.number)}", styles["Heading2"]),
        *_customer_and_property(session, site, tr, body),
    ]
    if not is_invoice:
        story.append(Paragraph(esc(doc.title), body))
    dates = [(tr["pdf.issued"], day(doc.issued_on, lang))]
    dates.append(
        (tr["pdf.due"], day(doc.due_on, lang)) if is_invoice else (tr["pdf.expires"], day(doc.expires_on, lang))
    )
    dates.append((tr["overlay.status"], tr.get(f"docstatus.{status}", status)))
    story += [Paragraph(" · ".join(f"{esc(k)}: {esc(v)}" for k, v in dates if v), body), Spacer(1, 5 * mm)]
    data = [[tr["pdf.line.description"], tr["pdf.line.quantity"], tr["pdf.line.unit"], tr["overlay.amount"]]]
    data += [
        [
            Paragraph(esc(line.description), body),
            f"{line.quantity.normalize():f}",
            money(line.unit_price_cents, cur, lang),
            money(line.total_cents, cur, lang),
        ]
        for line in lines_of(session, doc)
    ]
    data += [
        ["", "", tr["pdf.subtotal"], money(doc.subtotal_cents, cur, lang)],
        ["", "", tr["pdf.tax"], money(doc.tax_cents, cur, lang)],
        ["", "", tr["pdf.total"], money(doc.total_cents, cur, lang)],
    ]
    table = Table(data, colWidths=[85 * mm, 20 * mm, 35 * mm, 35 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 10),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("LINEABOVE", (0, -3), (-1, -3), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    if is_invoice:
        instructions = portal_settings(session, tenant.id).payment_instructions
        if instructions:
            story += [
                Spacer(1, 6 * mm),
                Paragraph(esc(tr["invoices.payment"]), styles["Heading4"]),
                Paragraph(esc(instructions), body),
            ]
    return render(story, tenant, f"{tr[f'pdf.{kind}.title']} {doc.number}", tr)


def service_report(session: Session, report: Report, lang: str = "en") -> bytes:
    """An approved service report: branding, the property, its summary, and the
    defects recorded on it (published or carried by the approved report) by severity."""
    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, report.tenant_id)
    site = session.get(Site, report.site_id)
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story = [
        *logo(session, tenant),
        Paragraph(esc(tenant.name), title_style(styles, tenant)),
        Paragraph(f"{esc(tr['pdf.report.title'])} {esc(report.number)}", styles["Heading2"]),
        *_customer_and_property(session, site, tr, body),
        Paragraph(f"{esc(report.title)} · {esc(tr['overlay.date'])}: {esc(day(report.report_date, lang))}", body),
        Spacer(1, 4 * mm),
    ]
    if report.summary:
        story += [Paragraph(esc(tr["reports.summary"]), styles["Heading4"]), Paragraph(esc(report.summary), body)]
    remarks = session.execute(
        select(Remark, Asset.asset_code)
        .outerjoin(Asset, Asset.id == Remark.asset_id)
        .where(Remark.report_id == report.id, Remark.tenant_id == report.tenant_id)
        .order_by(severity_rank(), Remark.id)
    ).all()
    story += [Spacer(1, 4 * mm), Paragraph(esc(tr["pdf.report.defects"]), styles["Heading4"])]
    if remarks:
        data = [
            [
                tr["overlay.number"],
                tr["defects.severity"],
                tr["assets.asset_code"],
                tr["overlay.title"],
                tr["overlay.status"],
            ]
        ]
        for r, code in remarks:
            sev, st = Severity(r.severity).value, RemarkStatus(r.status).value
            data.append(
                [
                    f"D-{r.id}",
                    tr.get(f"severity.{sev}", sev),
                    code or "",
                    Paragraph(esc(r.title), body),
                    tr.get(f"remark.{st}", st),
                ]
            )
        table = Table(data, colWidths=[18 * mm, 30 * mm, 25 * mm, 80 * mm, 25 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph(esc(tr["pdf.report.no_defects"]), body))
    story.append(Paragraph(f"{esc(tr['pdf.report.count'])}: {len(remarks)}", body))
    return render(story, tenant, f"{tr['pdf.report.title']} {report.number}", tr)
