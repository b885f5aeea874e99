"""The admin Data lists as text: the typed rows of ``services.staff.lists`` as the
{column: text} dicts the list pages show (ids as digits, dates as YYYY-MM-DD, a visit's
time as "YYYY-MM-DD HH:MM", codes for enums, "1" or "" for yes and no, amounts as money
in the tenant's currency and the viewer's language), and the links of a list's pages.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pool_portal.presentation.display import money
from pool_portal.presentation.staff_data import values
from pool_portal.services.staff.list_queries import Query, query_params
from pool_portal.services.staff.lists import InvoiceRow, RemarkRow, Row


def row_values(row: Row, currency: str, lang: str) -> dict[str, str]:
    """One row of a list as the page shows it."""
    out = values(row)
    if isinstance(row, InvoiceRow):
        out.pop("overdue")
        if row.overdue:
            out["status"] = "OVERDUE"
    if isinstance(row, RemarkRow):
        out["number"] = row.number
    if "total_cents" in out:
        out["amount"] = money(row.total_cents, currency, lang)
    return out


def rows_values(rows: list[Row], currency: str, lang: str) -> list[dict[str, str]]:
    return [row_values(r, currency, lang) for r in rows]


def counts_text(counts: dict[str, int]) -> dict[str, str]:
    """How many rows each list has (the Data index), as text."""
    return {kind: str(n) for kind, n in counts.items()}


def list_href(query: Query, **changes: object) -> str:
    """The URL of list ``query.kind`` for ``query`` with ``changes`` (e.g. ``page=2``)."""
    params = query_params(query, **changes)
    return f"/admin/{query.kind}" + ("?" + urlencode(params) if params else "")
