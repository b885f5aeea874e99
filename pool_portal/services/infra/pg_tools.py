"""PostgreSQL's client programs for backups (``pg_dump``, ``pg_restore``, ``psql``): found on
PATH or in the newest /usr/lib/postgresql/*/bin, run with the connection in libpq's
environment variables so the password never appears on a command line."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_TIMEOUT_S = 3600


class BackupError(Exception):
    """A backup or restore that cannot go ahead, in one line."""


def pg_bin(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if not candidates:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return candidates[-1]


def _version_key(path: str) -> tuple:
    part = Path(path).parts[-3]
    return tuple(int(x) if x.isdigit() else 0 for x in part.split("."))


_LIBPQ_PARAMS = {  # URL query parameters libpq also reads from the environment
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
}


def libpq_env(url: str | URL) -> dict[str, str]:
    """The environment for pg_dump/pg_restore from a SQLAlchemy URL: the password never
    appears on a command line (visible in ``ps``)."""
    u = make_url(url) if isinstance(url, str) else url
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for var, value in (
        ("PGHOST", u.host),
        ("PGPORT", u.port),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value not in (None, ""):
            env[var] = str(value)
    for key, value in u.query.items():
        if key == "host" and "PGHOST" not in env:  # postgresql:///db?host=/run/postgresql
            env["PGHOST"] = value if isinstance(value, str) else value[0]
        elif key in _LIBPQ_PARAMS:
            env[_LIBPQ_PARAMS[key]] = value if isinstance(value, str) else value[0]
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def run_pg(args: list[str], url: URL) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, env=libpq_env(url), capture_output=True, text=True, timeout=PG_TIMEOUT_S)  # noqa: PLW1510
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(args[0]).name} failed: {lines[0] if lines else f'exit {proc.returncode}'}")
    return proc


def restore_dump(url: URL, dump: Path, live_tables: list[str], work: Path) -> None:
    """Replace the database's tables with a ``pg_dump --format=custom`` file, all or
    nothing: one psql transaction drops every live table (CASCADE: a newer schema's
    tables and constraints that depend on the old ones go too) and runs the dump as SQL.
    ``pg_restore --clean`` alone drops only what the dump has, so a backup taken before
    a migration could not restore over the migrated database (rolling back an upgrade)."""
    script = work / "restore.sql"
    run_pg([pg_bin("pg_restore"), "--no-owner", f"--file={script}", str(dump)], url)
    drops = work / "drop.sql"
    quoted = ", ".join('"' + name.replace('"', '""') + '"' for name in live_tables)
    drops.write_text(f"DROP TABLE IF EXISTS {quoted} CASCADE;\n" if live_tables else "")
    run_pg(
        [
            pg_bin("psql"),
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            f"--dbname={url.database}",
            f"--file={drops}",
            f"--file={script}",
        ],
        url,
    )
