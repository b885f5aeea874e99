"""Reading a submitted staff form: each reader returns the clean value (or None) and
records a translation key for the field when the value is wrong, so a service can
check every field first and write nothing when any is wrong.

Plain Python, no Reflex. Used by the staff editing services (``services.staff``); the
values a form shows are written by ``presentation.staff_data``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pool_portal.services.core.params import parse_id, parse_int

REQUIRED = "data.error.required"
TOO_LONG = "data.error.too_long"
DATE = "data.error.date"
TIME = "data.error.time"
CHOICE = "data.error.choice"
NUMBER = "data.error.number"
MONEY = "data.error.money"
QUANTITY = "data.error.quantity"
PERCENT = "data.error.percent"
ON_OFF = "data.error.on_off"

MAX_MONEY_CENTS = 100_000_000_00  # 100 million in the tenant's currency
MAX_QUANTITY = Decimal("1000000")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


def _decimal(raw: str) -> Decimal | None:
    """ "1234.5" or "1234,5" (a comma as the decimal mark); no thousands separators."""
    raw = raw.strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class Fields:
    """One submitted form. ``errors`` maps a field to a translation key."""

    def __init__(self, data: Mapping | None, prefix: str = ""):
        self.data = dict(data or {}) if isinstance(data, Mapping) else {}
        self.errors: dict[str, str] = {}
        self.prefix = prefix  # error keys are prefix + field (line editors: "line.3.")

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(self.prefix + key, message)

    def rules(self, broken) -> None:
        """The cross-field rules broken (``services.core.record_rules``), each at its field,
        except where a field the rule read is already wrong."""
        for rule in broken:
            if not any(self.prefix + name in self.errors for name in rule.inputs):
                self.error(rule.field, rule.key)

    def _given(self, key: str, required: bool) -> str | None:
        """The raw value, or None when empty (an error when it is required)."""
        value = self.raw(key)
        if not value and required:
            self.error(key, REQUIRED)
        return value or None

    def raw(self, key: str) -> str:
        value = self.data.get(key)
        if value is None or isinstance(value, (dict, list, tuple, set)):
            return ""
        return str(value).strip()

    def text(self, key: str, max_len: int, *, required: bool = False, multiline: bool = False) -> str | None:
        value = self.raw(key)
        if not multiline:
            value = " ".join(value.split())
        else:
            value = "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n")).strip()
        if not value:
            if required:
                self.error(key, REQUIRED)
            return None
        if len(value) > max_len:
            self.error(key, TOO_LONG)
            return None
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self._given(key, required)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value[:10]) if len(value) <= 10 else None
        except ValueError:
            parsed = None
        if parsed is None or not (1900 <= parsed.year <= 2200):
            self.error(key, DATE)
            return None
        return parsed

    def clock(self, key: str) -> time | None:
        """ "HH:MM" (24 h), or None when empty."""
        value = self.raw(key)
        if not value:
            return None
        try:
            return datetime.strptime(value[:5], "%H:%M").time() if len(value) <= 5 else None
        except ValueError:
            self.error(key, TIME)
            return None

    def number(self, key: str, low: float, high: float, message: str, *, required: bool = False) -> float | None:
        value = self._given(key, required)
        if value is None:
            return None
        parsed = _decimal(value)
        if parsed is None or not (Decimal(str(low)) <= parsed <= Decimal(str(high))):
            self.error(key, message)
            return None
        return float(parsed)

    def integer(self, key: str, low: int, high: int, message: str, *, required: bool = False) -> int | None:
        value = self._given(key, required)
        if value is None:
            return None
        negative = value.startswith("-")
        number = parse_int(value[1:] if negative else value, 0, 10**12)
        number = -number if negative and number is not None else number
        if number is None or not low <= number <= high:
            self.error(key, message)
            return None
        return number

    def ident(self, key: str) -> int | None:
        """A row id from a select (None when empty or not a number; the service then
        checks that it is one of the tenant's)."""
        value = self.raw(key)
        return parse_id(value)

    def choice(self, key: str, enum_cls: type[enum.Enum], *, required: bool = True) -> enum.Enum | None:
        value = self._given(key, required)
        if value is None:
            return None
        try:
            return enum_cls(value)
        except ValueError:
            self.error(key, CHOICE)
            return None

    def flag(self, key: str) -> bool:
        """A checkbox: absent or empty is off."""
        value = self.data.get(key)
        if isinstance(value, bool):
            return value
        text = self.raw(key).lower()
        if text in _TRUE:
            return True
        if text not in _FALSE:
            self.error(key, ON_OFF)
        return False

    def money(self, key: str, *, required: bool = True) -> int | None:
        """An amount like "125.50" or "125,50" as integer cents (0 up to 100 million)."""
        value = self._given(key, required)
        if value is None:
            return None
        parsed = _decimal(value)
        if parsed is None or parsed < 0 or parsed != parsed.quantize(Decimal("0.01")) or parsed * 100 > MAX_MONEY_CENTS:
            self.error(key, MONEY)
            return None
        return int(parsed * 100)

    def quantity(self, key: str) -> Decimal | None:
        """More than 0, at most 1,000,000, up to 3 decimals."""
        value = self.raw(key)
        if not value:
            self.error(key, REQUIRED)
            return None
        parsed = _decimal(value)
        if parsed is None or parsed <= 0 or parsed > MAX_QUANTITY or parsed != parsed.quantize(Decimal("0.001")):
            self.error(key, QUANTITY)
            return None
        return parsed.quantize(Decimal("0.001"))

    def percent_bp(self, key: str) -> int | None:
        """A percentage 0 to 100 with up to 2 decimals, as basis points; empty is 0."""
        value = self.raw(key).rstrip("%").strip()
        if not value:
            return 0
        parsed = _decimal(value)
        if parsed is None or not (0 <= parsed <= 100) or parsed != parsed.quantize(Decimal("0.01")):
            self.error(key, PERCENT)
            return None
        return int((parsed * 100).to_integral_value(ROUND_HALF_UP))
