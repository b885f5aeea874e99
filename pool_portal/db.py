"""Database engine and sessions, shared by services, the CLI and the app.

SQLite (the embedded default) runs in WAL mode with a busy timeout and foreign keys
on; PostgreSQL is used as configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from pool_portal.services.core import uow
from pool_portal.settings import get_settings

R = TypeVar("R")

SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL: a power cut may lose the last transactions, never corrupts.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url``; SQLite gets WAL, busy timeout and foreign keys."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(sa_url, connect_args={"check_same_thread": False, "timeout": 5}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(sa_url, **kwargs)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().db_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """The unit of work: a session that commits once on success, then runs the effects
    registered with ``services.core.uow.after_commit``; on any error it rolls back, runs
    the ``on_rollback`` effects instead and re-raises. Services never commit."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            uow.rolled_back(session)
            raise
    uow.committed(session)


def in_unit_of_work(fn: Callable[..., R], *args: object, **kwargs: object) -> R:
    """``fn(db, *args, **kwargs)`` in one unit of work (``session_scope``): its answer,
    once committed and the after-commit effects have run. What ``states.shell.call``
    and the guard run off the event loop, so states never open a session themselves."""
    with session_scope() as db:
        return fn(db, *args, **kwargs)
