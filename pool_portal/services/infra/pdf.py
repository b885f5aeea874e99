"""PDFs made with reportlab: tenant branding, page numbers, totals that add up.

The monthly activity report lists, per property of the viewer's view, the quotes and
invoices issued in the month (drafts, expired quotes and void invoices never appear,
nor a document type the tenant switched off), with per-property and overall totals.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Preformatted, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Invoice, Quote, Site, Tenant
from pool_portal.presentation.display import day, money
from pool_portal.services.core.clock import tenant_today
from pool_portal.services.core.i18n import catalogue, normalise_language
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.portal_settings import document_switches, portal_settings
from pool_portal.services.portal.visibility import issued_invoice, site_scope, visible_quote


@dataclass
class Line:
    number: str
    title: str
    issued: date
    status: str
    cents: int


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def monthly_lines(
    session: Session, viewer: Viewer, year: int, month: int, now: datetime | None = None
) -> dict[str, dict[str, list[Line]]]:
    """{property name: {"quotes": [...], "invoices": [...]}} for the month, in the view:
    the quotes and invoices the portal shows (services.dashboard's rules), and only
    the document types switched on."""
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
                Line(number, title, issued, _value(status), cents)
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
                Line(number, "", issued, _value(status), cents)
            )
    return dict(sorted(out.items()))


def _value(v) -> str:
    return v.value if hasattr(v, "value") else str(v)


class _NumberedCanvas:
    """'Page X of Y' on every page: draw after the whole document is laid out."""

    @staticmethod
    def make(label: str, brand: str, tenant: str):
        from reportlab.pdfgen import canvas as rl_canvas

        class NumberedCanvas(rl_canvas.Canvas):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._saved = []

            def showPage(self):  # noqa: N802 - reportlab's name
                self._saved.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._saved)
                for state in self._saved:
                    self.__dict__.update(state)
                    self.setFillColor(colors.HexColor(brand))
                    self.rect(0, A4[1] - 8 * mm, A4[0], 8 * mm, stroke=0, fill=1)
                    self.setFillColor(colors.grey)
                    self.setFont("Helvetica", 8)
                    self.drawString(15 * mm, 10 * mm, tenant)
                    self.drawRightString(A4[0] - 15 * mm, 10 * mm, label.format(page=self._pageNumber, pages=total))
                    super().showPage()
                super().save()

        return NumberedCanvas


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
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], textColor=colors.HexColor(tenant.brand_colour))
    h2, h4, body = styles["Heading2"], styles["Heading4"], styles["BodyText"]
    month_name = tr[f"month.long.{month}"]
    story = [
        *_logo(session, tenant),
        Paragraph(f"{_esc(tenant.name)} · {_esc(tr['pdf.monthly.title'])}", h1),
        Paragraph(f"{month_name} {year} · {_esc(viewer.name)}", body),
        Spacer(1, 6 * mm),
    ]
    grand = {"quotes": 0, "invoices": 0}
    if not lines:
        story.append(Paragraph(_esc(tr["pdf.monthly.empty"]), body))
    for site, docs in lines.items():
        block = [_heading(site, h2)]
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
                    _cell(r.title, body),
                    tr.get(f"docstatus.{r.status}", r.status),
                    money(r.cents, currency, lang),
                ]
                for r in rows
            ]
            data.append(["", "", "", tr[f"pdf.monthly.total_{kind}"], money(total, currency, lang)])
            table = Table(data, colWidths=[28 * mm, 26 * mm, TITLE_WIDTH, 32 * mm, 32 * mm], repeatRows=1)
            table.setStyle(LINES_STYLE)
            block += [_heading(tr[f"pdf.monthly.{kind}"], h4), table, Spacer(1, 3 * mm)]
        story.append(KeepTogether(block))
    story.append(Spacer(1, 6 * mm))
    story += [
        Paragraph(f"{_esc(tr[f'pdf.monthly.total_{kind}'])}: {money(grand[kind], currency, lang)}", styles["Heading3"])
        for kind in ("quotes", "invoices")
        if switches[kind]
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{tr['pdf.monthly.title']} {year}-{month:02d}",
        author=tenant.name,
    )
    doc.build(story, canvasmaker=_NumberedCanvas.make(tr["pdf.page"], tenant.brand_colour, tenant.name))
    return buffer.getvalue()


LOGO_MAX = (50 * mm, 16 * mm)  # width, height


def _logo(session: Session, tenant: Tenant) -> list:
    """The tenant's logo (checked as an image when it was uploaded) at the top left of
    the first page, at most 50 x 16 mm, keeping its proportions; nothing without one."""
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    from pool_portal.services.portal.branding import logo_bytes

    found = logo_bytes(session, tenant.id)
    if found is None:
        return []
    try:
        width, height = ImageReader(io.BytesIO(found[0])).getSize()
    except Exception:  # an image reportlab cannot read: the document goes out without it
        return []
    scale = min(LOGO_MAX[0] / width, LOGO_MAX[1] / height)
    image = Image(io.BytesIO(found[0]), width=width * scale, height=height * scale, hAlign="LEFT")
    return [image, Spacer(1, 3 * mm)]


TITLE_WIDTH = 62 * mm
FRAME_WIDTH = A4[0] - 30 * mm
LINES_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
CELL_PADDING = 12  # points: a table cell's default left + right padding, and some room


def _cell(text: str, style: ParagraphStyle):
    """A table cell's text: a plain string when it fits on one line (drawn as it is, no
    markup, several times cheaper to lay out), a wrapping Paragraph when it does not."""
    text = text or ""
    if "\n" not in text and stringWidth(text, "Helvetica", 9) <= TITLE_WIDTH - CELL_PADDING:
        return text
    return Paragraph(_esc(text), style)


def _heading(text: str, style: ParagraphStyle):
    """A one-line heading as preformatted text (no markup to parse: a report has one
    per property); a Paragraph, which wraps, when it is longer than the page is wide."""
    text = " ".join((text or "").split())
    if stringWidth(text, style.fontName, style.fontSize) <= FRAME_WIDTH:
        return Preformatted(text, style)
    return Paragraph(_esc(text), style)


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def simple_document(tenant_name: str, brand: str, title: str, paragraphs: list[str]) -> bytes:
    """A short branded document (used for the demo's shared certificates)."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, title=title, author=tenant_name
    )
    story = [
        Paragraph(_esc(tenant_name), ParagraphStyle("t", parent=styles["Heading1"], textColor=colors.HexColor(brand))),
        Paragraph(_esc(title), styles["Heading2"]),
    ]
    story += [Paragraph(_esc(p), styles["BodyText"]) for p in paragraphs]
    doc.build(story)
    return buffer.getvalue()


MAX_RANGE_DAYS = 731


def routine_activity_report(session: Session, viewer: Viewer, start: date, end: date, lang: str = "en") -> bytes:
    """Routine jobs due between ``start`` and ``end`` (inclusive), per property, with
    their status (on time, within tolerance, late, missed, pending) and a summary."""
    from pool_portal.models import Job, JobKind
    from pool_portal.services.core.clock import tenant_today
    from pool_portal.services.portal.dashboard import ROUTINE_STATUSES, routine_status

    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, viewer.tenant_id)
    today = tenant_today(session, viewer.tenant_id)
    sites = dict(session.execute(select(Site.id, Site.name).where(Site.id.in_(site_scope(viewer)))).all())
    jobs = (
        session.execute(
            select(Job)
            .where(
                Job.tenant_id == viewer.tenant_id,
                Job.site_id.in_(list(sites) or [-1]),
                Job.kind == JobKind.ROUTINE,
                Job.due_date >= start,
                Job.due_date <= end,
            )
            .order_by(Job.due_date, Job.number)
        )
        .scalars()
        .all()
        if sites
        else []
    )
    per_site: dict[str, list] = {}
    totals = {s: 0 for s in ROUTINE_STATUSES}
    for j in jobs:
        status = routine_status(j.due_date, j.completed_on, j.tolerance_days or 0, today)
        totals[status] += 1
        per_site.setdefault(sites[j.site_id], []).append((j, status))
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], textColor=colors.HexColor(tenant.brand_colour))
    body = styles["BodyText"]
    story = [
        *_logo(session, tenant),
        Paragraph(f"{_esc(tenant.name)} · {_esc(tr['pdf.routine.title'])}", h1),
        Paragraph(f"{day(start, lang)} – {day(end, lang)} · {_esc(viewer.name)}", body),
        Spacer(1, 4 * mm),
    ]
    summary = [
        [tr[f"routine.{s}"] for s in ROUTINE_STATUSES] + [tr["pdf.routine.total"]],
        [str(totals[s]) for s in ROUTINE_STATUSES] + [str(len(jobs))],
    ]
    table = Table(summary)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, 1), "Helvetica", 10),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    if not jobs:
        story.append(Paragraph(_esc(tr["pdf.routine.empty"]), body))
    for site, rows in sorted(per_site.items()):
        data = [[tr["overlay.number"], tr["pdf.routine.due"], tr["pdf.routine.done"], tr["overlay.status"]]]
        data += [
            [j.number, day(j.due_date, lang), day(j.completed_on, lang), tr[f"routine.{status}"]] for j, status in rows
        ]
        t = Table(data, colWidths=[35 * mm, 35 * mm, 35 * mm, 45 * mm], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ]
            )
        )
        story.append(KeepTogether([Paragraph(_esc(site), styles["Heading3"]), t, Spacer(1, 3 * mm)]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=tr["pdf.routine.title"],
        author=tenant.name,
    )
    doc.build(story, canvasmaker=_NumberedCanvas.make(tr["pdf.page"], tenant.brand_colour, tenant.name))
    return buffer.getvalue()


def _customer_and_property(session: Session, site, tr: dict[str, str], body: ParagraphStyle) -> list:
    """The header's "Customer: <client> · <billing address>" and "Property: <site> ·
    <address>" lines of a quote, an invoice or a report."""
    from pool_portal.models import Client

    client = session.get(Client, site.client_id)
    customer = ", ".join(p for p in ((client.name if client else ""), (client.billing_address if client else "")) if p)
    place = " · ".join(p for p in (site.name, ", ".join(p for p in (site.address, site.city) if p)) if p)
    return [
        Paragraph(f"<b>{_esc(tr['pdf.customer'])}:</b> {_esc(customer)}", body),
        Paragraph(f"<b>{_esc(tr['pdf.property'])}:</b> {_esc(place)}", body),
    ]


def quote_or_invoice(session: Session, doc, lang: str = "en") -> bytes:
    """A quote or an invoice: branding, its lines, subtotal, tax and total (the lines
    add up to the subtotal shown), payment instructions on invoices."""
    from pool_portal.models import Invoice, Site
    from pool_portal.services.portal.records import lines_of

    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, doc.tenant_id)
    site = session.get(Site, doc.site_id)
    is_invoice = isinstance(doc, Invoice)
    kind = "invoice" if is_invoice else "quote"
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], textColor=colors.HexColor(tenant.brand_colour))
    body = styles["BodyText"]
    cur = tenant.currency
    status = doc.status.value if hasattr(doc.status, "value") else str(doc.status)
    story = [
        *_logo(session, tenant),
        Paragraph(_esc(tenant.name), h1),
        Paragraph(f"{_esc(tr[f'pdf.{kind}.title'])} {_esc(doc.number)}", styles["Heading2"]),
        *_customer_and_property(session, site, tr, body),
    ]
    if not is_invoice:
        story.append(Paragraph(_esc(doc.title), body))
    dates = [(tr["pdf.issued"], day(doc.issued_on, lang))]
    dates.append(
        (tr["pdf.due"], day(doc.due_on, lang)) if is_invoice else (tr["pdf.expires"], day(doc.expires_on, lang))
    )
    dates.append((tr["overlay.status"], tr.get(f"docstatus.{status}", status)))
    story += [Paragraph(" · ".join(f"{_esc(k)}: {_esc(v)}" for k, v in dates if v), body), Spacer(1, 5 * mm)]
    lines = lines_of(session, doc)
    data = [[tr["pdf.line.description"], tr["pdf.line.quantity"], tr["pdf.line.unit"], tr["overlay.amount"]]]
    data += [
        [
            Paragraph(_esc(line.description), body),
            f"{line.quantity.normalize():f}",
            money(line.unit_price_cents, cur, lang),
            money(line.total_cents, cur, lang),
        ]
        for line in lines
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
                Paragraph(_esc(tr["invoices.payment"]), styles["Heading4"]),
                Paragraph(_esc(instructions), body),
            ]
    buffer = io.BytesIO()
    doc_template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{tr[f'pdf.{kind}.title']} {doc.number}",
        author=tenant.name,
    )
    doc_template.build(story, canvasmaker=_NumberedCanvas.make(tr["pdf.page"], tenant.brand_colour, tenant.name))
    return buffer.getvalue()


def service_report(session: Session, report, lang: str = "en") -> bytes:
    """An approved service report: branding, the property, its summary, and the
    defects recorded on it (published or carried by the approved report) by severity."""
    from pool_portal.models import Asset, Remark, Site
    from pool_portal.services.portal.visibility import severity_rank

    lang = normalise_language(lang)
    tr = catalogue(lang)
    tenant = session.get(Tenant, report.tenant_id)
    site = session.get(Site, report.site_id)
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], textColor=colors.HexColor(tenant.brand_colour))
    body = styles["BodyText"]
    story = [
        *_logo(session, tenant),
        Paragraph(_esc(tenant.name), h1),
        Paragraph(f"{_esc(tr['pdf.report.title'])} {_esc(report.number)}", styles["Heading2"]),
        *_customer_and_property(session, site, tr, body),
        Paragraph(f"{_esc(report.title)} · {_esc(tr['overlay.date'])}: {_esc(day(report.report_date, lang))}", body),
        Spacer(1, 4 * mm),
    ]
    if report.summary:
        story += [Paragraph(_esc(tr["reports.summary"]), styles["Heading4"]), Paragraph(_esc(report.summary), body)]
    remarks = session.execute(
        select(Remark, Asset.asset_code)
        .outerjoin(Asset, Asset.id == Remark.asset_id)
        .where(Remark.report_id == report.id, Remark.tenant_id == report.tenant_id)
        .order_by(severity_rank(), Remark.id)
    ).all()
    story += [Spacer(1, 4 * mm), Paragraph(_esc(tr["pdf.report.defects"]), styles["Heading4"])]
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
            sev = r.severity.value if hasattr(r.severity, "value") else str(r.severity)
            st = r.status.value if hasattr(r.status, "value") else str(r.status)
            data.append(
                [
                    f"D-{r.id}",
                    tr.get(f"severity.{sev}", sev),
                    code or "",
                    Paragraph(_esc(r.title), body),
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
        story.append(Paragraph(_esc(tr["pdf.report.no_defects"]), body))
    story.append(Paragraph(f"{_esc(tr['pdf.report.count'])}: {len(remarks)}", body))
    buffer = io.BytesIO()
    doc_template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{tr['pdf.report.title']} {report.number}",
        author=tenant.name,
    )
    doc_template.build(story, canvasmaker=_NumberedCanvas.make(tr["pdf.page"], tenant.brand_colour, tenant.name))
    return buffer.getvalue()
