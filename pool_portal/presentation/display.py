"""Numbers, money, dates and times as text, in the viewer's language (babel) and, for
instants, the tenant's time zone. The one place a figure becomes a string."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency as _babel_currency

from pool_portal.services.core.clock import local
from pool_portal.services.core.i18n import DEFAULT_LANGUAGE
from pool_portal.services.core.i18n import locale as _locale


# Cached: a report of a few thousand lines formats the same days and amounts over and
# over, and babel's formatting is most of a line's cost.
@lru_cache(maxsize=4096)
def money(cents: int, currency: str = "EUR", lang: str = DEFAULT_LANGUAGE) -> str:
    return _babel_currency(cents / 100, currency, locale=_locale(lang))


@lru_cache(maxsize=4096)
def day(value: date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    return _babel_date(value, format="medium", locale=_locale(lang)) if value else ""


def moment(when: datetime | None, tz: ZoneInfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """An instant as a date and time in the zone ``tz`` ("5 Mar 2026, 14:05")."""
    if when is None:
        return ""
    return _babel_datetime(local(when, tz), format="medium", locale=_locale(lang))
