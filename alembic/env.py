"""Alembic environment: the models' metadata; the database from the settings object.

The URL is, in order: a connection handed over by ``pool_portal.migrations``
(``config.attributes["connection"]``), ``sqlalchemy.url`` set on the Config, or
``get_settings().db_url`` (REFLEX_DB_URL, else SQLite under PORTAL_DATA_DIR).
SQLite runs in batch mode (it cannot ALTER most things in place); types are
compared so autogenerate and ``alembic check`` see length and type changes.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import pool_portal.models  # noqa: F401  (registers every table on SQLModel.metadata)
from pool_portal.db import make_engine
from pool_portal.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().db_url


def _configure(**kwargs) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, **kwargs)


def run_migrations_offline() -> None:
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # The caller owns the connection and its transaction (see migrations.upgrade).
        _run(connection)
        return
    engine = make_engine(_url())  # SQLite: WAL, busy timeout, foreign keys
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
