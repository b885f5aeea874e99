"""API keys: made by `portal api-key create` (shown once, stored hashed), listed,
revoked; the per-minute limit counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.identity import api_keys
from tests.test_cli import cli, one_error_line  # noqa: F401  (the fixture)


def test_create_prints_the_key_on_its_last_line_and_stores_only_its_hash(cli):
    assert cli("create-tenant", "Acme Pools").exit_code == 0
    r = cli("api-key", "create", "--tenant", "Acme Pools", "--name", "Our ERP")
    assert r.exit_code == 0, r.output
    key = r.output.strip().splitlines()[-1]
    assert key.startswith("ppk_") and len(key) >= 40
    engine = cli.engine()
    with Session(engine) as db:
        row = db.exec(select(m.ApiKey)).one()
        assert row.name == "Our ERP" and row.key_hash == api_keys.hash_key(key)
        assert key not in (row.key_hash, row.key_prefix) and key.startswith(row.key_prefix)
        caller = api_keys.authenticate(db, key)
        assert caller is not None and caller.tenant_id == row.tenant_id
        db.commit()
        assert db.get(m.ApiKey, row.id).last_used_at is not None
    # Only the prefix shows in the list, never the key.
    r = cli("api-key", "list", "--tenant", "acme-pools")
    assert r.exit_code == 0 and "Our ERP" in r.output and "active" in r.output and key not in r.output
    r = cli("api-key", "revoke", "--tenant", "Acme Pools", str(row.id))
    assert r.exit_code == 0, r.output
    assert "revoked" in cli("api-key", "list", "--tenant", "Acme Pools").output
    with Session(engine) as db:
        assert api_keys.authenticate(db, key) is None
    engine.dispose()


def test_bad_arguments_are_one_line_and_change_nothing(cli):
    assert cli("create-tenant", "Acme Pools").exit_code == 0
    assert cli("create-tenant", "Other Co").exit_code == 0
    r = cli("api-key", "create", "--tenant", "Nobody", "--name", "x")
    assert r.exit_code == 1 and "no tenant named 'Nobody'" in one_error_line(r)
    r = cli("api-key", "create", "--tenant", "Acme Pools", "--name", "  ")
    assert r.exit_code == 1 and "name" in one_error_line(r)
    key = cli("api-key", "create", "--tenant", "Acme Pools", "--name", "ERP").output.strip().splitlines()[-1]
    engine = cli.engine()
    with Session(engine) as db:
        key_id = db.exec(select(m.ApiKey.id)).one()
    # Another tenant cannot revoke it.
    r = cli("api-key", "revoke", "--tenant", "Other Co", str(key_id))
    assert r.exit_code == 1 and "no API key" in one_error_line(r)
    with Session(engine) as db:
        assert api_keys.authenticate(db, key) is not None
        assert db.exec(select(m.ApiKey)).one().revoked_at is None
    engine.dispose()


def test_unknown_or_malformed_keys_and_inactive_tenants_are_refused(db):
    t = m.Tenant(name="T", slug="t")
    db.add(t)
    db.flush()
    _, raw = api_keys.create_key(db, t.id, "ERP")
    for bad in (None, "", "ppk_", raw[:-1], raw + "x", "Bearer " + raw, "x" * 500):
        assert api_keys.authenticate(db, bad) is None
    assert api_keys.authenticate(db, raw) is not None
    t.is_active = False
    db.add(t)
    db.flush()
    assert api_keys.authenticate(db, raw) is None


def test_the_limit_counts_per_key_and_per_minute(db):
    t = m.Tenant(name="T", slug="t")
    db.add(t)
    db.flush()
    a, _ = api_keys.create_key(db, t.id, "A")
    b, _ = api_keys.create_key(db, t.id, "B")
    now = datetime(2026, 3, 1, 10, 0, 15, tzinfo=UTC)
    assert [api_keys.hit(db, a.id, 3, now)[0] for _ in range(4)] == [True, True, True, False]
    allowed, retry_after = api_keys.hit(db, a.id, 3, now)
    assert not allowed and retry_after == 45  # the next minute starts in 45 s
    assert api_keys.hit(db, b.id, 3, now)[0]  # another key has its own count
    later = now + timedelta(minutes=1)
    assert api_keys.hit(db, a.id, 3, later)[0]  # a new minute
    # Only the current minute's row is kept.
    assert len(db.exec(select(m.ApiRateWindow).where(m.ApiRateWindow.api_key_id == a.id)).all()) == 1
