"""Numbers from URLs, forms and event arguments, read in one place.

``str.isdigit()`` accepts "²" or "٣" (which ``int()`` then refuses or reads as another
digit) and any length (an id past the database's INTEGER makes the query fail): these
take ASCII digits only, a bounded length, and a value in range, and give None for
anything else, so a hand-edited URL or a hostile argument is "not found", never an error.
"""

from __future__ import annotations

# Row ids are INTEGER columns: 32-bit on PostgreSQL (SQLite's are wider), so no row has
# a larger id and a larger number would fail the query instead of finding nothing.
MAX_ID = 2**31 - 1
MAX_DIGITS = 18


def _digits(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    return value


def parse_int(value: object, low: int, high: int) -> int | None:
    """A whole number written in ASCII digits (no sign, at most 18 of them) between
    ``low`` and ``high`` inclusive; None otherwise."""
    digits = _digits(value)
    if digits is None:
        return None
    number = int(digits)
    return number if low <= number <= high else None


def parse_id(value: object) -> int | None:
    """A row id: ASCII digits, 1 to MAX_ID; None for anything else ("", "abc", "²",
    "-1", "0", a 30-digit number, a list...). Whether the row is the caller's is the
    service's question."""
    return parse_int(value, 1, MAX_ID)


MAX_PAGE = 1_000_000


def parse_page(value: object, default: int = 1) -> int:
    """A page number (1 to MAX_PAGE), ``default`` for anything else."""
    page = parse_int(value, 1, MAX_PAGE)
    return default if page is None else page


_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


def parse_bool(value: object) -> bool | None:
    """A form value as a bool (True/False, "on"/"off", "true"/"false", "1"/"0"...); None
    when it is none of those."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    return None
