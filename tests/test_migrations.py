"""Migrations from empty to head, and back, on SQLite and PostgreSQL; the models and
the migrations agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import pool_portal.models  # noqa: F401
from pool_portal import migrations
from pool_portal.db import make_engine


def test_upgrade_to_head_matches_the_models_and_downgrades(any_db_url):
    migrations.upgrade(any_db_url)
    engine = make_engine(any_db_url)
    try:
        assert migrations.current_revision(engine) == migrations.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        with engine.connect() as conn:
            diffs = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
            )
        assert diffs == []
        # Running it again changes nothing.
        migrations.upgrade(engine)
        assert migrations.current_revision(engine) == migrations.head_revision()
        migrations.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_is_in_wal_with_a_busy_timeout(sqlite_url):
    migrations.upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
