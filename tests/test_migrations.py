"""Migrations from empty to head, and back, on SQLite and PostgreSQL; the models and
the migrations agree; the schema is what we meant (named constraints, enums as plain
strings, working CHECKs); SQLite ends up in WAL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import pool_portal.models  # noqa: F401
from pool_portal import migrations
from pool_portal.db import SQLITE_BUSY_TIMEOUT_MS, make_engine
from tests.conftest import ROOT


@pytest.fixture
def engine(any_db_url):
    eng = make_engine(any_db_url)
    yield eng
    eng.dispose()


def test_one_linear_history_ending_at_the_head():
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert script.get_heads() == [migrations.head_revision()]
    assert [rev.revision for rev in script.walk_revisions()][-1] == "0001"


def test_empty_to_head_matches_the_models_then_back_to_base(engine, any_db_url):
    assert migrations.current_revision(engine) is None
    migrations.upgrade(any_db_url)
    assert migrations.current_revision(engine) == migrations.head_revision()
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())

    # `alembic check`, in code: no difference between the models and the database...
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diffs == []
    # ...and through alembic's own command, with env.py's settings (compare_type=True).
    command.check(migrations.alembic_config(any_db_url))

    migrations.upgrade(engine)  # again: nothing to do
    assert migrations.is_at_head(engine)

    migrations.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrations.current_revision(engine) is None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            left = conn.execute(
                text(
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                    " AND relname <> 'alembic_version' AND relname <> 'alembic_version_pkc'"
                )
            )
            assert left.scalar_one() == 0
    migrations.upgrade(engine)  # and up again from base
    assert migrations.is_at_head(engine)


def test_constraints_are_named_and_enums_are_plain_strings(engine, any_db_url):
    migrations.upgrade(engine)
    insp = inspect(engine)
    role = {c["name"]: c for c in insp.get_columns("staff_user")}["role"]
    assert "CHAR" in str(role["type"]).upper()  # VARCHAR(n), not a native enum type
    for table in SQLModel.metadata.tables:
        for fk in insp.get_foreign_keys(table):
            assert fk["name"] and fk["name"].startswith("fk_"), (table, fk)
        for uq in insp.get_unique_constraints(table):
            assert uq["name"] and uq["name"].startswith("uq_"), (table, uq)
        for ix in insp.get_indexes(table):
            if "duplicates_constraint" not in ix:  # PostgreSQL lists a unique constraint's index too
                # ix_ for plain indexes; uq_ for unique (partial) indexes named by hand.
                assert ix["name"].startswith("uq_" if ix["unique"] else "ix_"), (table, ix)
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        # No enum types; and no name PostgreSQL made up (tenant_name_key, client_tenant_id_fkey, ...).
        assert conn.execute(text("SELECT count(*) FROM pg_type WHERE typtype = 'e'")).scalar_one() == 0
        names = conn.execute(
            text(
                "SELECT conrelid::regclass::text, conname, contype FROM pg_constraint"
                " WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'"
            )
        ).all()
    prefix = {"p": "pk_", "u": "uq_", "f": "fk_", "c": "ck_"}
    wrong = [(table, name) for table, name, kind in names if not name.startswith(prefix[kind])]
    assert names and wrong == []


def test_every_constraint_of_the_models_has_a_name():
    """Unnamed constraints get a name from the convention in models/base.py, except
    CHECKs, which must be named by hand (no "ck" convention: ck_* names are explicit)."""
    unnamed = [
        (table.name, type(c).__name__)
        for table in SQLModel.metadata.sorted_tables
        for c in table.constraints
        if not c.name
    ]
    assert unnamed == []


def test_check_constraints_hold_on_both_backends(engine, any_db_url):
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenant (name, slug, timezone, currency, default_language, brand_colour,"
                " is_active, created_at) VALUES ('T', 't', 'UTC', 'EUR', 'en', '#000000', true,"
                " CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO portal_user (tenant_id, email, name, must_change_password, is_active,"
                " language, notify_on_reply, notify_on_invoice, notify_on_quote, notify_on_job_scheduled,"
                " created_at) VALUES (1, 'a@b.example', 'A', false, true, 'en', true, true, true, true,"
                " CURRENT_TIMESTAMP)"
            )
        )
    # A membership must name a client or a group, not neither.
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO membership (tenant_id, portal_user_id, role, is_active, created_at)"
                " VALUES (1, 1, 'MANAGER', true, CURRENT_TIMESTAMP)"
            )
        )
    # Foreign keys are enforced (SQLite only with PRAGMA foreign_keys=ON, which make_engine sets).
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO client (tenant_id, name, is_active, created_at) VALUES (999, 'X', true, CURRENT_TIMESTAMP)"
            )
        )


def test_sqlite_is_in_wal_with_a_busy_timeout(sqlite_url):
    # sqlite_url is migrated by the fixture; a plain sqlite3 connection sees WAL because
    # the journal mode is stored in the database file.
    import sqlite3

    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS > 0
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert migrations.is_at_head(sqlite_url)


def test_upgrade_works_from_another_working_directory(tmp_path, monkeypatch, isolated_settings):
    monkeypatch.chdir(tmp_path)
    migrations.upgrade()  # the settings' database: SQLite under PORTAL_DATA_DIR
    assert migrations.current_revision() == migrations.head_revision()
    assert (isolated_settings / "portal.db").exists()
    # And in a fresh interpreter started elsewhere, as a deployment script would.
    url = f"sqlite:///{tmp_path / 'other.db'}"
    code = (
        "from pool_portal import migrations as m; import sys; m.upgrade(sys.argv[1]);"
        " print(m.current_revision(sys.argv[1]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url],
        check=False,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == migrations.head_revision()


def test_two_processes_migrating_at_once_on_postgresql(pg_url):
    """Two containers starting together: the advisory lock makes one wait for the other."""
    code = "from pool_portal import migrations as m; import sys; m.upgrade(sys.argv[1])"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, pg_url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert [rc for rc, _ in results] == [0, 0], results
    assert migrations.is_at_head(pg_url)
