"""Is the database answering, is Redis answering, which schema revision is the database at:
shared by `/_health`, `portal check` and `portal --version`."""

from __future__ import annotations

import time
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine

TIMEOUT_S = 2.0


@dataclass
class Probe:
    ok: bool | None  # None: not configured
    ms: float | None
    error: str = ""  # for the CLI and logs; never sent to a browser


def _one_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def probe_database(engine: Engine) -> Probe:
    """``SELECT 1`` on a pooled connection."""
    start = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - any failure means "not OK"
        return Probe(False, _ms(start), _one_line(exc))
    return Probe(True, _ms(start))


def schema_revision(engine: Engine) -> str | None:
    """The alembic revision the database is at (None: never migrated, or unreachable)."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except Exception:  # noqa: BLE001 - the database probe reports the failure
        return None


def probe_redis(url: str | None, timeout: float = TIMEOUT_S) -> Probe:
    """PING the Redis at ``url`` with short timeouts; ok None when there is no URL."""
    if not url:
        return Probe(None, None)
    import redis  # lazy: the Redis client only when REFLEX_REDIS_URL is set (the CLI's check, /_health)

    start = time.perf_counter()
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not OK"
        return Probe(False, _ms(start), _one_line(exc))
    return Probe(True, _ms(start))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
