"""GET /_health on a tiny Starlette app holding just that route (Reflex is not started)."""

from __future__ import annotations

import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from pool_portal.api import health
from tests.conftest import free_port


@pytest.fixture
def client(isolated_settings, monkeypatch):
    """A client for /_health; ``client(redis_url=...)`` sets REFLEX_REDIS_URL first."""

    def make(redis_url: str | None = None, db_url: str | None = None) -> TestClient:
        from pool_portal import db, settings

        if redis_url:
            monkeypatch.setenv("REFLEX_REDIS_URL", redis_url)
        if db_url:
            monkeypatch.setenv("REFLEX_DB_URL", db_url)
        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
        return TestClient(Starlette(routes=health.routes))

    yield make
    from pool_portal import db

    db.get_engine().dispose()


def _no_secrets(body: dict, *secrets: str) -> None:
    assert set(body) == {"status", "version", "schema", "database", "redis"}
    text = str(body)
    for secret in secrets:
        assert secret not in text


def test_sqlite_ok_and_redis_not_configured(client):
    r = client().get("/_health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"]["ok"] is True and body["database"]["ms"] >= 0
    assert body["redis"] == {"ok": None, "ms": None}
    assert r.headers["cache-control"] == "no-store"
    _no_secrets(body, "sqlite", "portal.db")


def test_database_unreachable_is_503(client):
    r = client(db_url="postgresql://user:hunter2secret@127.0.0.1:1/x").get("/_health")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded" and body["database"]["ok"] is False
    _no_secrets(body, "hunter2secret", "127.0.0.1", "user")


def test_redis_configured_but_unreachable_is_503(client):
    port = free_port()  # nothing listens there
    started = time.monotonic()
    r = client(redis_url=f"redis://:topsecret@127.0.0.1:{port}/0").get("/_health")
    assert time.monotonic() - started < 5
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded" and body["database"]["ok"] is True and body["redis"]["ok"] is False
    _no_secrets(body, "topsecret", str(port))


def test_redis_reachable_is_ok(client, redis_url):
    r = client(redis_url=redis_url).get("/_health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["redis"]["ok"] is True and body["redis"]["ms"] >= 0
    _no_secrets(body, redis_url)
