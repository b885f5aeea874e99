"""Money arithmetic of quotes and invoices, in integer cents, in one place: the staff
editor, the integration API and the CSV import all price lines with it.

A line's total is its quantity times its unit price, rounded half up to the cent; the
tax (VAT) is the rate in basis points (2100 = 21 %) of the subtotal, rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def line_total(quantity: Decimal, unit_price_cents: int) -> int:
    return int((Decimal(quantity) * unit_price_cents).to_integral_value(ROUND_HALF_UP))


def totals(line_totals: Iterable[int], tax_rate_bp: int) -> tuple[int, int, int]:
    """(subtotal, tax, total) in cents."""
    subtotal = sum(line_totals)
    tax = int((Decimal(subtotal) * tax_rate_bp / 10000).to_integral_value(ROUND_HALF_UP))
    return subtotal, tax, subtotal + tax
