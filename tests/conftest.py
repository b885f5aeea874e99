"""Shared fixtures: migrated and empty SQLite databases, and PostgreSQL 15.

PostgreSQL comes from one of two places:

- ``PORTAL_TEST_DB_URL=postgresql://user:pw@host:port/db`` (a server you run, e.g. a CI
  service container; the user needs CREATEDB): each test gets a fresh database on it.
- otherwise a throw-away cluster the session starts itself: ``initdb`` into a temporary
  directory, ``pg_ctl start`` on a free loopback port (trust auth, no fsync), stopped
  and deleted at the end. PostgreSQL refuses to run as root, so when the tests run as
  root the server runs as the ``postgres`` OS user, which is created
  (``useradd --system``) on a fresh machine that lacks it.

Without ``initdb`` the PostgreSQL tests are skipped, except under ``CI=true``, where
they fail: CI must really test the second backend. Tests that use PostgreSQL get the
``postgres`` marker (``-m "not postgres"`` leaves them out).

``PORTAL_TEST_BACKEND`` picks the pass (``make test`` runs both):

- ``sqlite`` (the default): the app the e2e tests start runs as ``make run`` does, on
  SQLite with one worker and Reflex's in-memory state.
- ``postgres``: the app runs on a fresh database of the PostgreSQL server above, with
  its state in a throw-away ``redis-server`` on loopback and two Granian workers (the
  scaled-out deployment of the README); ``db_url`` is a PostgreSQL database too.
"""

from __future__ import annotations

import contextlib
import glob
import grp
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
PG_OS_USER = "postgres"
PG_START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BACKENDS = ("sqlite", "postgres")


def selected_backend() -> str:
    """The pass being run: PORTAL_TEST_BACKEND, "sqlite" (default) or "postgres"."""
    value = os.environ.get("PORTAL_TEST_BACKEND", "").strip().lower() or "sqlite"
    if value in ("postgresql", "pg"):
        value = "postgres"
    if value not in BACKENDS:
        raise pytest.UsageError(f"PORTAL_TEST_BACKEND must be one of {', '.join(BACKENDS)}, not {value!r}")
    return value


def _backend_line() -> str:
    if selected_backend() == "postgres":
        return (
            "Pool Portal test backend: postgres (app on PostgreSQL 15 + Redis, 2 workers; PORTAL_TEST_BACKEND=postgres)"
        )
    return "Pool Portal test backend: sqlite (app on SQLite, 1 worker, in-memory state; the default)"


def pytest_report_header(config):
    return _backend_line()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    terminalreporter.write_sep("-", _backend_line())


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _external_pg_url() -> str | None:
    url = os.environ.get("PORTAL_TEST_DB_URL", "").strip()
    return url if url.startswith(("postgresql", "postgres:")) else None


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


# -- PostgreSQL -------------------------------------------------------------------


class PgServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(self, host: str, port: int, user: str, password: str | None = None, admin_db: str = "postgres"):
        self.host, self.port, self.user, self.password, self.admin_db = host, port, user, password, admin_db

    def url(self, database: str | None = None) -> str:
        """A SQLAlchemy URL (psycopg 3) for ``database`` (default: the admin database)."""
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            database=database or self.admin_db,
        ).render_as_string(hide_password=False)

    def admin_connect(self):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.admin_db,
            autocommit=True,
            connect_timeout=10,
        )

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Nothing to stop for a server someone else runs."""


class ThrowAwayPgServer(PgServer):
    """initdb + pg_ctl in a temporary directory; as root, run as the postgres OS user."""

    def __init__(self, base: Path):
        super().__init__("127.0.0.1", 0, "postgres")
        self.base = base
        self.datadir = base / "data"
        self.sockdir = base / "sock"
        self.log = base / "server.log"
        self.initdb, self.pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        self.as_user = _server_os_user()

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        kwargs = {}
        if self.as_user is not None:
            uid, gid = self.as_user
            kwargs = {"user": uid, "group": gid, "extra_groups": []}
        proc = subprocess.run(  # noqa: PLW1510 - the return code is checked below
            list(args),
            cwd=self.base,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=PG_START_TIMEOUT_S * 2,
            **kwargs,
        )
        if check and proc.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}):\n{proc.stdout}\n{log}")
        return proc

    def start(self) -> None:
        self.sockdir.mkdir(parents=True)
        if self.as_user is not None:
            uid, gid = self.as_user
            for path in (self.base, self.sockdir):
                os.chown(path, uid, gid)
        self._run(
            self.initdb,
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        for attempt in range(3):  # the free port may be taken between choosing and binding it
            self.port = free_port()
            proc = self._run(
                self.pg_ctl,
                "-D",
                str(self.datadir),
                "-l",
                str(self.log),
                "-w",
                "-t",
                str(PG_START_TIMEOUT_S),
                "start",
                "-o",
                f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                check=attempt == 2,
            )
            if proc.returncode == 0:
                break
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        """pg_ctl -w waited for the server; poll a real connection too, with a deadline."""
        import psycopg

        deadline = time.monotonic() + PG_START_TIMEOUT_S
        while True:
            try:
                with self.admin_connect() as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not accept connections: {exc}\n{self.log.read_text()}") from exc
                time.sleep(0.1)  # polling interval, bounded by the deadline

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(self.pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "-t", "30", "stop", check=False)


def _server_os_user() -> tuple[int, int] | None:
    """None when not root. As root: (uid, gid) of the postgres OS user, created as a
    system user (no home, no login) when this machine has none."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(PG_OS_USER)
    except KeyError:
        cmd = [
            "useradd",
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            "PostgreSQL for the Pool Portal tests",
        ]
        try:
            grp.getgrnam(PG_OS_USER)
            cmd += ["--gid", PG_OS_USER]  # the group exists (a package made it): join it
        except KeyError:
            cmd += ["--user-group"]
        subprocess.run([*cmd, PG_OS_USER], check=True, capture_output=True, text=True)
        entry = pwd.getpwnam(PG_OS_USER)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL 15 server for the session: PORTAL_TEST_DB_URL's, or a throw-away one."""
    external = _external_pg_url()
    if external:
        from sqlalchemy.engine import make_url

        u = make_url(external)
        yield PgServer(
            u.host or "127.0.0.1", u.port or 5432, u.username or "postgres", u.password, u.database or "postgres"
        )
        return
    if _pg_bin("initdb") is None or _pg_bin("pg_ctl") is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed: `make test` installs them"
        if _in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    # Under /tmp: short enough for the socket path, and reachable by the postgres user.
    base = Path(tempfile.mkdtemp(prefix="pool-portal-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
    server = ThrowAwayPgServer(base)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the PostgreSQL server, dropped afterwards."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


def pytest_collection_modifyitems(items):
    external = _external_pg_url() is not None
    for item in items:
        names = getattr(item, "fixturenames", ())
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get("any_db_url") if callspec else None
        on_pg = external or selected_backend() == "postgres"
        if "pg_server" in names or param == "postgresql" or ("db_url" in names and on_pg):
            item.add_marker(pytest.mark.postgres)


# -- SQLite and "either" ------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path):
    """A SQLite file database, migrated to head."""
    from pool_portal import migrations

    url = f"sqlite:///{tmp_path / 'portal.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    """An empty (not migrated) database of each backend, by URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db_url(request, tmp_path):
    """An empty database: a fresh one on the PostgreSQL server in the postgres pass or
    when PORTAL_TEST_DB_URL is set, else a SQLite file."""
    if _external_pg_url() or selected_backend() == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'empty.db'}"


# -- Redis ---------------------------------------------------------------------------


@contextlib.contextmanager
def start_redis(directory: Path):
    """A throw-away redis-server (no persistence) on a free loopback port, yielding its
    URL; skipped without redis-server, except under CI=true, where that fails."""
    binary = shutil.which("redis-server")
    if binary is None:
        if _in_ci():
            pytest.fail("CI=true and redis-server is not installed: `make test` installs it", pytrace=False)
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)  # polling interval, bounded by the deadline
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away redis-server for one test."""
    with start_redis(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A throw-away redis-server for the session (the apps the e2e tests start)."""
    with start_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


# -- settings ------------------------------------------------------------------------

_SETTINGS_VARS = ("PORT", "REFLEX_DB_URL", "REFLEX_REDIS_URL", "CLOUDINARY_URL")


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """Settings from a clean environment with a private data dir (returned)."""
    from pool_portal import db, settings

    for var in list(os.environ):
        if var in _SETTINGS_VARS or (var.startswith("PORTAL_") and not var.startswith("PORTAL_TEST_")):
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
