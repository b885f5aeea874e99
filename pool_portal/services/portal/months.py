"""Months as the dashboard and its listings count them: "YYYY-MM" keys, the twelve
months ending with today's, and the days a month spans."""

from __future__ import annotations

from datetime import date

from pool_portal.services.core.params import parse_int


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def last_months(today: date, count: int = 12) -> list[str]:
    """The ``count`` months ending with ``today``'s, oldest first, as "YYYY-MM"."""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def months_start(months: list[str]) -> date:
    """The first day of the first of ``months``."""
    y, m = months[0].split("-")
    return date(int(y), int(m), 1)


def month_range(month: str | None) -> tuple[date, date] | None:
    """ "YYYY-MM" (ASCII digits only) as [its first day, the next month's first day);
    None for anything else."""
    if not month or len(month) != 7 or month[4] != "-":
        return None
    y, mo = parse_int(month[:4], 1, 9999), parse_int(month[5:], 1, 12)
    if y is None or mo is None:
        return None
    return date(y, mo, 1), date(y + (mo == 12), mo % 12 + 1, 1)
