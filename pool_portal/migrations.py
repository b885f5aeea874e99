"""Programmatic alembic: upgrade to head, current and head revisions."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from pool_portal.db import make_engine
from pool_portal.settings import PROJECT_ROOT, get_settings

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["configure_logging"] = False
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _url_of(target: Engine | str | None) -> str:
    if target is None:
        return get_settings().db_url
    if isinstance(target, Engine):
        return target.url.render_as_string(hide_password=False)
    return target


def upgrade(target: Engine | str | None = None, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` on the database (default: settings)."""
    url = _url_of(target)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    if url.startswith("sqlite"):
        # Keep the planner's statistics current (cheap; SQLite decides what to analyse).
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA optimize")
        finally:
            engine.dispose()


def downgrade(target: Engine | str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(_url_of(target)), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(target: Engine | str | None = None) -> str | None:
    engine = target if isinstance(target, Engine) else make_engine(_url_of(target))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if not isinstance(target, Engine):
            engine.dispose()
