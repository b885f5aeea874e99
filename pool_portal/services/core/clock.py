"""The tenant's clock: its time zone, its today, and instants read in its zone. Every
rule that depends on "today" ("overdue", "expired", "a visit still to come") and every
time shown to a person goes through here, so both agree on the date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from pool_portal.models import Tenant, utcnow

DEFAULT_ZONE = "UTC"


def zone(name: str | None) -> ZoneInfo:
    """A time zone by name; an unknown or empty name is UTC."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def tenant_zone(db: Session, tenant_id: int) -> ZoneInfo:
    """The tenant's time zone (UTC for an unknown tenant)."""
    return zone(db.execute(select(Tenant.timezone).where(Tenant.id == tenant_id)).scalar_one_or_none())


def aware(when: datetime) -> datetime:
    """An instant with its zone: rows stored without one (SQLite) are UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def local(when: datetime | None, tz: ZoneInfo) -> datetime | None:
    """``when`` in the zone ``tz`` (None stays None)."""
    return aware(when).astimezone(tz) if when is not None else None


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    return aware(now or utcnow()).astimezone(tz).date()


def tenant_today(db: Session, tenant_id: int, now: datetime | None = None) -> date:
    """Today's date in the tenant's time zone (what "overdue" is measured against)."""
    return today_in(tenant_zone(db, tenant_id), now)


def start_of_today(db: Session, tenant_id: int, now: datetime | None = None) -> datetime:
    """The start of today in the tenant's time zone, as a UTC instant."""
    tz = tenant_zone(db, tenant_id)
    return datetime.combine(today_in(tz, now), time.min, tzinfo=tz).astimezone(UTC)
