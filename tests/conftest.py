"""Shared fixtures: a migrated SQLite database, and a throw-away PostgreSQL 15 cluster
started on a free loopback port for the tests that need the second backend."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the 'postgres' user
    (created by Debian's postgresql package; made here if missing)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return ["runuser", "-u", "postgres", "--"]


class PgServer:
    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.datadir = base / "data"
        self.sockdir = base / "sock"
        self.log = base / "pg.log"
        self.prefix = _as_postgres_user()

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self) -> None:
        self.sockdir.mkdir(parents=True)
        if self.prefix:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.sockdir, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.datadir), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.datadir), "-l", str(self.log), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                        f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        deadline = time.monotonic() + 60
        while True:  # pg_ctl -w already waited; make sure TCP answers too
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(self.log.read_text())
                time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run([*self.prefix, _pg_bin("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def pg_server():
    if _pg_bin("initdb") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's initdb is missing: `make test` installs it")
        pytest.skip("PostgreSQL server binaries are not installed (make test installs them)")
    base = Path(tempfile.mkdtemp(prefix="pool-portal-pg-"))
    server = PgServer(base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the throw-away cluster, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """An empty database of each backend, by URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Settings from a clean environment with a private data dir."""
    from pool_portal import db, settings

    for var in ("REFLEX_DB_URL", "REFLEX_REDIS_URL", "PORTAL_SECRET_KEY", "PORTAL_PUBLIC_URL",
                "PORTAL_SMTP_URL", "CLOUDINARY_URL", "PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "var"))
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield tmp_path / "var"
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def db(any_db_url):
    """A session on a freshly migrated database, once on SQLite and once on PostgreSQL:
    the services' SQL must work on both."""
    from sqlmodel import Session

    from pool_portal import migrations
    from pool_portal.db import make_engine

    migrations.upgrade(any_db_url)
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()
