"""Programmatic alembic: upgrade to head, current and head revisions.

Works from any working directory: ``alembic.ini`` and ``alembic/`` are found at the
project root of a checkout, or inside an installed package (pool_portal/resources.py). Used by ``portal migrate``, the tests and the bench.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from pool_portal import resources
from pool_portal.db import make_engine
from pool_portal.settings import get_settings

ALEMBIC_INI = resources.alembic_ini()
SCRIPT_LOCATION = resources.alembic_dir()

# Any constant: PostgreSQL advisory lock held while migrating, so two processes
# started together (two containers, `portal migrate` twice) run one after the other.
_PG_MIGRATION_LOCK = 7_305_120_260


def alembic_config(url: str | None = None) -> Config:
    """The project's alembic Config; ``url`` (optional) overrides the settings' URL."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _engine_of(engine_or_url: Engine | str | None) -> tuple[Engine, bool]:
    """(engine, whether we made it and must dispose of it)."""
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url or get_settings().db_url), True


def _run(engine_or_url: Engine | str | None, fn) -> None:
    engine, owned = _engine_of(engine_or_url)
    try:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            with engine.connect() as conn:  # make_engine does this too; any engine gets it
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            cfg = alembic_config(engine.url.render_as_string(hide_password=False))
            cfg.attributes["connection"] = conn
            fn(cfg)
        if engine.dialect.name == "sqlite":
            # Keep the planner's statistics current (cheap; SQLite decides what to analyse).
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
    finally:
        if owned:
            engine.dispose()


class NewerSchemaError(CommandError):
    """The database was migrated by a newer Pool Portal: this one does not know its revision."""


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def refuse_newer_schema(current: str | None) -> None:
    """Raise NewerSchemaError when ``current`` is a revision this package does not ship."""
    if current is not None and current not in known_revisions():
        raise NewerSchemaError(
            f"the database is at schema revision {current}, newer than this Pool Portal knows"
            f" (its newest is {head_revision()}): run the newer version, or restore the backup"
            " taken before it migrated"
        )


def upgrade(engine_or_url: Engine | str | None = None, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (default: head) on the database given
    by an engine, a URL, or (None) the settings. A database of a newer schema (an
    unknown revision) is refused with NewerSchemaError, untouched."""

    def run(cfg: Config) -> None:
        refuse_newer_schema(MigrationContext.configure(cfg.attributes["connection"]).get_current_revision())
        command.upgrade(cfg, revision)

    _run(engine_or_url, run)


def downgrade(engine_or_url: Engine | str | None = None, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (default: base, an empty database)."""
    _run(engine_or_url, lambda cfg: command.downgrade(cfg, revision))


def head_revision() -> str | None:
    """The newest revision in alembic/versions."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine_or_url: Engine | str | None = None) -> str | None:
    """The database's revision (None when it was never migrated)."""
    engine, owned = _engine_of(engine_or_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def is_at_head(engine_or_url: Engine | str | None = None) -> bool:
    return current_revision(engine_or_url) == head_revision()


__all__ = [
    "NewerSchemaError",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_at_head",
    "known_revisions",
    "refuse_newer_schema",
    "upgrade",
]
