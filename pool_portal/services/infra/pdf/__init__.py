"""PDFs made with reportlab: tenant branding, page numbers, totals that add up.

- ``common``: the branding, "Page X of Y", the layout and table styles every PDF shares
- ``documents``: a quote, an invoice, a service report
- ``monthly``: the monthly activity report of the view (the quotes and invoices issued)
- ``routine``: the Routine Activity Report of the view

The names below are the package's interface (``pdf.monthly_activity_report(...)``).
"""

from __future__ import annotations

from pool_portal.services.infra.pdf.common import simple_document
from pool_portal.services.infra.pdf.documents import lines_of, quote_or_invoice, service_report
from pool_portal.services.infra.pdf.monthly import Line, monthly_activity_report, monthly_lines
from pool_portal.services.infra.pdf.routine import MAX_RANGE_DAYS, routine_activity_report

__all__ = [
    "MAX_RANGE_DAYS",
    "Line",
    "lines_of",
    "monthly_activity_report",
    "monthly_lines",
    "quote_or_invoice",
    "routine_activity_report",
    "service_report",
    "simple_document",
]
