"""GET /_health: for load balancers and uptime checks. Public, and tells nothing secret:
which parts answer and how fast, never a URL or an error text.

200 when every configured part answers, 503 otherwise. Redis is ``null`` when
REFLEX_REDIS_URL is not set (one process, no Redis needed). ``version`` is the
package's, ``schema`` the alembic revision the database is at (``null`` when it cannot
be read)."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pool_portal.db import get_engine
from pool_portal.services.infra import health
from pool_portal.settings import get_settings
from pool_portal.version import package_version

log = logging.getLogger(__name__)


async def _probe(fn, *args) -> health.Probe:
    """Run a blocking probe off the event loop, giving up after the timeout."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout=health.TIMEOUT_S)
    except TimeoutError:
        return health.Probe(False, health.TIMEOUT_S * 1000, "timed out")


async def _revision(engine) -> str | None:
    try:
        return await asyncio.wait_for(asyncio.to_thread(health.schema_revision, engine), timeout=health.TIMEOUT_S)
    except TimeoutError:
        return None


async def health_check(request: Request) -> JSONResponse:
    database, redis, schema = await asyncio.gather(
        _probe(health.probe_database, get_engine()),
        _probe(health.probe_redis, get_settings().redis_url, health.TIMEOUT_S / 2),
        _revision(get_engine()),
    )
    for name, probe in (("database", database), ("redis", redis)):
        if probe.ok is False:
            log.warning("health: %s is not OK: %s", name, probe.error)
    ok = database.ok is True and redis.ok is not False
    body = {
        "status": "ok" if ok else "degraded",
        "version": package_version(),
        "schema": schema,
        "database": {"ok": database.ok, "ms": database.ms},
        "redis": {"ok": redis.ok, "ms": redis.ms},
    }
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


routes = [Route("/_health", health_check, methods=["GET"])]
