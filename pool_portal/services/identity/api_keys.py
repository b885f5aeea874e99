"""API keys of the integration API: made, listed, revoked, checked, rate-limited.

A key is ``ppk_`` followed by 43 random URL-safe characters (32 bytes from
``secrets``, 256 bits). It is shown once, when it is made; the database keeps only
its SHA-256. A slow password hash (argon2) is for secrets people choose and might
reuse; a key with 256 bits of entropy cannot be guessed or brute-forced from its
hash, so one fast SHA-256 is enough, and it lets every request find its key with one
indexed lookup. A leaked database does not leak usable keys.

Rate limits are counted per key and per minute in ``api_rate_window`` with one
atomic upsert, so every worker and host sees the same count.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from pool_portal.models import ApiKey, ApiRateWindow, Tenant, utcnow
from pool_portal.services.core import audit
from pool_portal.services.core.clock import aware

KEY_PREFIX = "ppk_"
MAX_NAME = 100
LAST_USED_PRECISION = timedelta(minutes=1)  # last_used_at is written at most this often


class ApiKeyError(ValueError):
    """A refused key operation, with a one-line reason."""


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API: a live key of an active tenant."""

    tenant_id: int
    key_id: int
    key_name: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def find_tenant(db: Session, name_or_slug: str) -> Tenant | None:
    return db.exec(select(Tenant).where(or_(Tenant.name == name_or_slug, Tenant.slug == name_or_slug))).first()


def create_key(db: Session, tenant_id: int, name: str) -> tuple[ApiKey, str]:
    """A new key for the tenant: (the row, the key itself, to show once)."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise ApiKeyError(f"the key needs a name of 1 to {MAX_NAME} characters")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(tenant_id=tenant_id, name=name, key_prefix=raw[:12], key_hash=hash_key(raw))
    db.add(row)
    db.flush()
    audit.record(
        db,
        "api_key.created",
        tenant_id=tenant_id,
        actor_kind="system",
        target_type="api_key",
        target_id=row.id,
        name=name,
    )
    return row, raw


def list_keys(db: Session, tenant_id: int) -> list[ApiKey]:
    return list(db.exec(select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.id)).all())


def revoke_key(db: Session, tenant_id: int, key_id: int, now: datetime | None = None) -> ApiKey:
    """Revoke one of the tenant's keys (at once: the next request with it gets 401)."""
    row = db.get(ApiKey, key_id)
    if row is None or row.tenant_id != tenant_id:
        raise ApiKeyError(f"the tenant has no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        db.add(row)
        audit.record(
            db, "api_key.revoked", tenant_id=tenant_id, actor_kind="system", target_type="api_key", target_id=row.id
        )
    return row


def authenticate(db: Session, raw: str | None, now: datetime | None = None) -> ApiCaller | None:
    """The caller behind a key, or None for a missing, unknown or revoked key (or an
    inactive tenant). Notes when the key was last used."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    now = now or utcnow()
    found = db.exec(
        select(ApiKey, Tenant.is_active)
        .join(Tenant, Tenant.id == ApiKey.tenant_id)
        .where(ApiKey.key_hash == hash_key(raw))
    ).first()
    if found is None:
        return None
    key, tenant_active = found
    if key.revoked_at is not None or not tenant_active:
        return None
    if key.last_used_at is None or aware(key.last_used_at) < now - LAST_USED_PRECISION:
        db.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
    return ApiCaller(tenant_id=key.tenant_id, key_id=key.id, key_name=key.name)


def hit(db: Session, key_id: int, limit_per_minute: int, now: datetime | None = None) -> tuple[bool, int]:
    """Count one request of the key in the current minute. (allowed, seconds until the
    next minute starts: the Retry-After when not allowed)."""
    now = now or utcnow()
    epoch = int(now.timestamp())
    minute, retry_after = epoch // 60, 60 - epoch % 60
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(ApiRateWindow)
        .values(api_key_id=key_id, minute=minute, requests=1)
        .on_conflict_do_update(index_elements=["api_key_id", "minute"], set_={"requests": ApiRateWindow.requests + 1})
        .returning(ApiRateWindow.requests)
    )
    count = db.execute(stmt).scalar_one()
    if count == 1:  # a new minute: forget the older ones of this key
        db.execute(delete(ApiRateWindow).where(ApiRateWindow.api_key_id == key_id, ApiRateWindow.minute < minute))
    return count <= limit_per_minute, retry_after
