"""What every PDF shares (reportlab): the tenant's branding (its logo at the top left,
a band of its colour and its name on every page), "Page X of Y", the page layout, the
styles of the lines tables, and cheap one-line cells and headings."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Image, Paragraph, Preformatted, SimpleDocTemplate, Spacer, TableStyle
from sqlalchemy.orm import Session

from pool_portal.models import Tenant
from pool_portal.services.portal.branding import logo_bytes

LOGO_MAX = (50 * mm, 16 * mm)  # width, height
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


def numbered_canvas(label: str, brand: str, tenant: str) -> type[rl_canvas.Canvas]:
    """A canvas drawing 'Page X of Y' (``label``), the brand band and the tenant's name
    on every page: drawn after the whole document is laid out."""

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


def title_style(styles, tenant: Tenant) -> ParagraphStyle:
    """The document's first heading (``styles``' Heading1), in the tenant's colour."""
    return ParagraphStyle("h1", parent=styles["Heading1"], textColor=colors.HexColor(tenant.brand_colour))


def render(story: list, tenant: Tenant, title: str, tr: dict[str, str]) -> bytes:
    """The branded, numbered A4 document of ``story``."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=tenant.name,
    )
    doc.build(story, canvasmaker=numbered_canvas(tr["pdf.page"], tenant.brand_colour, tenant.name))
    return buffer.getvalue()


def logo(session: Session, tenant: Tenant) -> list:
    """The tenant's logo (checked as an image when it was uploaded) at the top left of
    the first page, at most 50 x 16 mm, keeping its proportions; nothing without one."""
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


def cell(text: str, style: ParagraphStyle):
    """A table cell's text: a plain string when it fits on one line (drawn as it is, no
    markup, several times cheaper to lay out), a wrapping Paragraph when it does not."""
    text = text or ""
    if "\n" not in text and stringWidth(text, "Helvetica", 9) <= TITLE_WIDTH - CELL_PADDING:
        return text
    return Paragraph(esc(text), style)


def heading(text: str, style: ParagraphStyle):
    """A one-line heading as preformatted text (no markup to parse: a report has one
    per property); a Paragraph, which wraps, when it is longer than the page is wide."""
    text = " ".join((text or "").split())
    if stringWidth(text, style.fontName, style.fontSize) <= FRAME_WIDTH:
        return Preformatted(text, style)
    return Paragraph(esc(text), style)


def esc(text: str) -> str:
    return escape(text or "")


def simple_document(tenant_name: str, brand: str, title: str, paragraphs: list[str]) -> bytes:
    """A short branded document (used for the demo's shared certificates)."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, title=title, author=tenant_name
    )
    story = [
        Paragraph(esc(tenant_name), ParagraphStyle("t", parent=styles["Heading1"], textColor=colors.HexColor(brand))),
        Paragraph(esc(title), styles["Heading2"]),
    ]
    story += [Paragraph(esc(p), styles["BodyText"]) for p in paragraphs]
    doc.build(story)
    return buffer.getvalue()
