"""Backups of the database and the private files, and restoring them (`portal backup`,
`portal restore`).

A backup is ONE uncompressed tar file (the PDFs and photos in it are compressed already)::

    manifest.json   {"format": "pool-portal-backup", "version": 1, "created_at": "...Z",
                     "database": "sqlite" | "postgresql", "schema_revision": "0001",
                     "row_counts": {"tenant": 2, ...}, "files": 12}
    db.sqlite       SQLite: a copy made with SQLite's online backup API
    db.dump         PostgreSQL: ``pg_dump --format=custom``
    files/...       PORTAL_DATA_DIR/files, the private files

Taking a backup is safe while the app runs: SQLite's backup API copies one consistent
snapshot, and on PostgreSQL the row counts and pg_dump share one exported snapshot.
Files written during the backup may or may not be in it (a file is only ever added
after its row; a row whose file is missing shows as "not found", never as a crash).

Restoring checks the whole backup first and then replaces, each in one step: the
SQLite file is written and checked next to the database, then copied into it with the
backup API in one transaction (``os.replace`` only when there is no database yet);
PostgreSQL is restored by psql in one transaction that drops the live tables and runs
the dump (``pg_tools.restore_dump``: a backup of an older schema restores over a newer
one, whose extra tables would stop ``pg_restore --clean``);
the files folder is swapped by renames. A backup of an older schema is migrated to head
after restoring; one from a newer schema (unknown revision) is refused. Stopping the
app while restoring is still wise: sign-ins and pages open during it see a mix.
PostgreSQL's client programs are found and run by ``pg_tools``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine

from pool_portal import migrations
from pool_portal.services.infra.pg_tools import BackupError, pg_bin, restore_dump, run_pg

FORMAT = "pool-portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "db.sqlite", "postgresql": "db.dump"}
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # created_at in the manifest, UTC


@dataclass
class Manifest:
    database: str
    schema_revision: str
    created_at: datetime  # UTC, to the second
    row_counts: dict[str, int]
    files: int

    def to_json(self) -> bytes:
        data = {"format": FORMAT, "version": VERSION, **self.__dict__, "created_at": self.created_at.strftime(STAMP)}
        return json.dumps(data, indent=2, sort_keys=True).encode()


# -- helpers ------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database).expanduser().resolve()


def _counts(conn) -> dict[str, int]:
    quote = conn.dialect.identifier_preparer.quote
    names = sorted(inspect(conn).get_table_names())
    return {n: conn.execute(text(f"SELECT COUNT(*) FROM {quote(n)}")).scalar_one() for n in names}


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(migrations.alembic_config()).walk_revisions()}


def _revision_of(conn) -> str:
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        raise BackupError("the database was never migrated: nothing to back up (run `portal migrate`)")
    return revision


# -- backup -------------------------------------------------------------------------------


def backup(engine: Engine, files_dir: Path, path: Path, *, overwrite: bool = False) -> Manifest:
    """Write a backup of ``engine``'s database and ``files_dir`` to ``path`` (one tar
    file; format in the module docstring). Written to a temporary file next to ``path``
    and moved into place: a failed backup never leaves a partial file behind."""
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a directory: give a file name, e.g. {path / 'portal-backup.tar'}")
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists: choose another name or pass --force to overwrite it")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    kind = engine.dialect.name
    if kind not in DB_MEMBER:
        raise BackupError(f"cannot back up a {kind} database")

    with tempfile.TemporaryDirectory(prefix=".portal-backup-", dir=path.parent) as work:
        db_file = Path(work) / DB_MEMBER[kind]
        if kind == "sqlite":
            revision, counts = _dump_sqlite(engine, db_file)
        else:
            revision, counts = _dump_postgresql(engine, db_file)
        files = sorted(p for p in files_dir.rglob("*") if p.is_file()) if files_dir.is_dir() else []
        manifest = Manifest(kind, revision, datetime.now(UTC).replace(microsecond=0), counts, len(files))
        tmp = Path(work) / "backup.tar"
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, DB_MEMBER[kind], recursive=False)
            for f in files:
                with contextlib.suppress(FileNotFoundError):  # removed while we were copying
                    tar.add(f, f"files/{f.relative_to(files_dir).as_posix()}", recursive=False)
        os.chmod(tmp, 0o600)  # the backup holds password hashes and private documents
        os.replace(tmp, path)
    return manifest


def _dump_sqlite(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    source = _sqlite_path(engine.url)
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one consistent snapshot, even while the app writes
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()
    copy = create_engine(f"sqlite:///{target}")
    try:
        with copy.connect() as conn:
            return _revision_of(conn), _counts(conn)
    finally:
        copy.dispose()


def _dump_postgresql(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    """pg_dump and the row counts read one snapshot, exported from a repeatable-read
    transaction that stays open while pg_dump runs."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, counts = _revision_of(conn), _counts(conn)
            run_pg([pg_bin("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], engine.url)
    return revision, counts


# -- restore ------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        member = tar.getmember(MANIFEST)
        data = json.loads(tar.extractfile(member).read())
        if data.get("format") != FORMAT:
            raise ValueError
        if data.get("version") != VERSION:
            raise BackupError(f"backup format version {data.get('version')} is not supported by this Pool Portal")
        return Manifest(
            data["database"],
            data["schema_revision"],
            datetime.strptime(data["created_at"], STAMP).replace(tzinfo=UTC),
            dict(data["row_counts"]),
            int(data["files"]),
        )
    except (KeyError, ValueError, TypeError, AttributeError, tarfile.TarError) as exc:
        raise BackupError("not a Pool Portal backup (no valid manifest.json)") from exc


def _check_members(tar: tarfile.TarFile, kind: str) -> list[tarfile.TarInfo]:
    """The members, refusing anything that could land outside the restore folders."""
    members = tar.getmembers()
    for m in members:
        p = PurePosixPath(m.name)
        ok = (
            (m.isfile() or m.isdir())
            and not p.is_absolute()
            and ".." not in p.parts
            and (
                m.name in (MANIFEST, DB_MEMBER[kind])
                or (p.parts[0] == "files" and len(p.parts) > 1)
                or m.name == "files"
            )
        )
        if not ok:
            raise BackupError(f"not a Pool Portal backup (unexpected entry {m.name!r})")
    if DB_MEMBER[kind] not in {m.name for m in members}:
        raise BackupError(f"not a Pool Portal backup (no {DB_MEMBER[kind]})")
    return members


def restore(engine: Engine, files_dir: Path, path: Path) -> Manifest:
    """Restore a backup written by ``backup`` over ``engine``'s database and ``files_dir``.

    Everything is checked before anything is touched: the tar and its manifest, that
    the backup is of this kind of database, that its schema revision is one this code
    knows, and (SQLite) that the database file is SQLite with that revision in its
    ``alembic_version``. An older revision is migrated to head afterwards."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by `with tar` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a Pool Portal backup (not a tar file)") from exc
    with tar:
        manifest = read_manifest(tar)
        kind = engine.dialect.name
        if manifest.database not in DB_MEMBER:
            raise BackupError(f"not a Pool Portal backup (unknown database kind {manifest.database!r})")
        if manifest.database != kind:
            raise BackupError(f"this is a {manifest.database} backup but REFLEX_DB_URL is a {kind} database")
        if manifest.schema_revision not in _known_revisions():
            raise BackupError(
                f"the backup has schema revision {manifest.schema_revision}, newer than this Pool"
                " Portal knows: upgrade Pool Portal first"
            )
        members = _check_members(tar, kind)
        if kind == "sqlite":
            live = _sqlite_path(engine.url)
            live.parent.mkdir(parents=True, exist_ok=True)
            work_parent = live.parent
        else:
            work_parent = files_dir.parent
        work_parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".portal-restore-", dir=work_parent) as work:
            work = Path(work)
            db_file = work / DB_MEMBER[kind]
            with tar.extractfile(DB_MEMBER[kind]) as src, open(db_file, "wb") as dst:
                shutil.copyfileobj(src, dst)
            if kind == "sqlite":
                _check_sqlite_file(db_file, manifest.schema_revision)
            else:
                _check_pg_dump(db_file)
            new_files = work / "files"
            new_files.mkdir()
            for m in members:
                if m.isfile() and m.name.startswith("files/"):
                    tar.extract(m, work, filter="data")
            # Checked; now replace, database first (the files only add to it).
            if kind == "sqlite":
                _replace_sqlite(db_file, live)
            else:
                with engine.connect() as conn:
                    live_tables = inspect(conn).get_table_names()
                restore_dump(engine.url, db_file, live_tables, work)
            _swap_dirs(new_files, files_dir)
    engine.dispose()  # pooled connections may point at the replaced file
    migrations.upgrade(engine)
    return manifest


def _check_sqlite_file(db_file: Path, revision: str) -> None:
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the database in the backup is damaged (quick_check failed)")
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # not a database, or no alembic_version table
        raise BackupError(f"not a Pool Portal backup ({DB_MEMBER['sqlite']}: {exc})") from exc
    if not found or found[0] != revision:
        raise BackupError("not a Pool Portal backup (its database and manifest disagree on the schema revision)")


def _check_pg_dump(db_file: Path) -> None:
    proc = subprocess.run(
        [pg_bin("pg_restore"), "--list", str(db_file)],  # noqa: PLW1510
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise BackupError(f"not a Pool Portal backup ({DB_MEMBER['postgresql']} is not a pg_dump archive)")
    if not any(" TABLE DATA " in line and " alembic_version " in line for line in proc.stdout.splitlines()):
        raise BackupError("not a Pool Portal backup (its dump has no alembic_version table)")


def _replace_sqlite(db_file: Path, live: Path) -> None:
    """Put the checked ``db_file`` in place of ``live``, all or nothing.

    Normally SQLite's backup API copies it INTO the live database in one write
    transaction: processes that have it open (a running app, pooled connections) see
    the restored data at once, and a crash half-way rolls back. Only when there is no
    live database, or its page size differs (WAL cannot change it), is the file moved
    over it with ``os.replace`` after emptying the live WAL: then the app must be stopped."""
    if live.exists():
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        dst = sqlite3.connect(live, timeout=30)
        try:
            if src.execute("PRAGMA page_size").fetchone() == dst.execute("PRAGMA page_size").fetchone():
                src.backup(dst)
                dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            src.close()
            dst.close()
        wal = live.with_name(live.name + "-wal")
        if wal.exists() and wal.stat().st_size == 0:
            wal.unlink(missing_ok=True)
    os.chmod(db_file, 0o600)
    os.replace(db_file, live)


def _swap_dirs(new: Path, current: Path) -> None:
    """Put ``new`` where ``current`` is, by renames (same filesystem)."""
    current.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if current.exists():
        old = current.with_name(f".{current.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(current, old)
    if new.parent.stat().st_dev == current.parent.stat().st_dev:
        os.replace(new, current)
    else:
        shutil.copytree(new, current)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
