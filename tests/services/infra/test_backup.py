"""`portal backup` / `portal restore`: a round trip gives back every row and file, on
SQLite and PostgreSQL; anything that is not a Pool Portal backup is refused in one line
and changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session
from typer.testing import CliRunner

import pool_portal.models as m
from pool_portal import demo, migrations
from pool_portal.cli import app
from pool_portal.db import make_engine
from pool_portal.services.infra import backup, pg_tools

TODAY = date(2026, 11, 23)


@pytest.fixture(params=["sqlite", "postgresql"])
def portal(request, isolated_settings, monkeypatch):
    """The demo loaded into a database of each kind; ``portal.run(...)`` runs the CLI."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        monkeypatch.setenv("REFLEX_DB_URL", url)
    else:
        url = f"sqlite:///{isolated_settings.resolve() / 'portal.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    demo.load_demo(engine, today=TODAY)
    runner = CliRunner()

    def run(*args):
        from pool_portal import db, settings

        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
        return runner.invoke(app, list(args))

    class Portal:
        pass

    p = Portal()
    p.run, p.engine, p.kind, p.url = run, engine, request.param, url
    p.files = isolated_settings / "files"
    yield p
    engine.dispose()


def snapshot(engine) -> tuple[dict[str, int], str]:
    """Per-table row counts, and a sha256 over every table's rows ordered by primary key."""
    digest = hashlib.sha256()
    counts = {}
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in sorted(insp.get_table_names()):
            keys = insp.get_pk_constraint(table)["constrained_columns"] or [c["name"] for c in insp.get_columns(table)]
            rows = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {", ".join(keys)}')).all()
            counts[table] = len(rows)
            digest.update(table.encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return counts, digest.hexdigest()


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def one_error_line(result) -> str:
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_round_trip(portal, tmp_path):
    before = snapshot(portal.engine)
    files_before = files_of(portal.files)
    assert before[0]["job"] > 100 and len(files_before) >= 10

    target = tmp_path / "backup.tar"
    r = portal.run("backup", str(target))
    assert r.exit_code == 0, r.output
    assert f"backed up {portal.kind} database" in r.output
    with tarfile.open(target) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["format"] == "pool-portal-backup" and manifest["database"] == portal.kind
    assert manifest["schema_revision"] == migrations.head_revision()
    assert manifest["row_counts"] == before[0] and manifest["files"] == len(files_before)
    assert ("db.sqlite" if portal.kind == "sqlite" else "db.dump") in names
    assert target.stat().st_mode & 0o077 == 0

    # Change and delete data and files.
    with portal.engine.begin() as conn:
        conn.execute(text("DELETE FROM invoice_line"))
        conn.execute(text("UPDATE tenant SET name = name || ' changed'"))
        conn.execute(text("DELETE FROM notification"))
    victim = min(portal.files.rglob("*.pdf"))
    victim.unlink()
    (portal.files / "documents" / "extra.pdf").write_bytes(b"%PDF new")
    assert snapshot(portal.engine) != before

    r = portal.run("restore", "--yes", str(target))
    assert r.exit_code == 0, r.output
    assert "restored" in r.output
    assert snapshot(portal.engine) == before
    assert files_of(portal.files) == files_before

    # The restored database is usable: ids carry on after the restored ones.
    with Session(portal.engine) as db:
        db.add(m.Tenant(name="New", slug="new"))
        db.commit()
    assert snapshot(portal.engine)[0]["tenant"] == before[0]["tenant"] + 1


def test_backup_refuses_to_overwrite_without_force(portal, tmp_path):
    target = tmp_path / "b.tar"
    target.write_text("keep")
    r = portal.run("backup", str(target))
    assert r.exit_code == 1 and "--force" in one_error_line(r)
    assert target.read_text() == "keep"
    assert portal.run("backup", "--force", str(target)).exit_code == 0
    assert tarfile.is_tarfile(target)


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(**changes) -> bytes:
    data = {
        "format": "pool-portal-backup",
        "version": 1,
        "database": "sqlite",
        "created_at": "2026-11-23T00:00:00Z",
        "schema_revision": migrations.head_revision(),
        "row_counts": {},
        "files": 0,
        **changes,
    }
    return json.dumps(data).encode()


def _sqlite_bytes(tmp_path: Path, *sql: str) -> bytes:
    path = tmp_path / "made.sqlite"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as conn:
        for statement in sql:
            conn.execute(statement)
    conn.close()
    return path.read_bytes()


@pytest.fixture
def sqlite_portal(isolated_settings):
    from pool_portal.services.infra import storage  # noqa: F401 - files under isolated_settings

    url = f"sqlite:///{isolated_settings.resolve() / 'portal.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    demo.load_demo(engine, today=TODAY)
    yield engine
    engine.dispose()


NOT_A_BACKUP = {
    "text": lambda tmp: (tmp / "x.txt").write_text("hello") and tmp / "x.txt",
    "sqlite file": lambda tmp: (tmp / "x.db").write_bytes(_sqlite_bytes(tmp, "CREATE TABLE t (x)")) and tmp / "x.db",
    "tar without manifest": lambda tmp: _tar(tmp / "x.tar", {"db.sqlite": b"x"}),
    "foreign manifest": lambda tmp: _tar(tmp / "x.tar", {"manifest.json": b'{"format": "other"}'}),
    "db not sqlite": lambda tmp: _tar(tmp / "x.tar", {"manifest.json": _manifest(), "db.sqlite": b"not sqlite" * 100}),
    "no alembic_version": lambda tmp: _tar(
        tmp / "x.tar", {"manifest.json": _manifest(), "db.sqlite": _sqlite_bytes(tmp, "CREATE TABLE tenant (id)")}
    ),
    "path escape": lambda tmp: _tar(
        tmp / "x.tar", {"manifest.json": _manifest(), "db.sqlite": b"", "files/../../evil": b"x"}
    ),
    "newer schema": lambda tmp: _tar(
        tmp / "x.tar",
        {
            "manifest.json": _manifest(schema_revision="ffff"),
            "db.sqlite": _sqlite_bytes(
                tmp,
                "CREATE TABLE alembic_version (version_num VARCHAR(32))",
                "INSERT INTO alembic_version VALUES ('ffff')",
            ),
        },
    ),
    "postgresql backup": lambda tmp: _tar(
        tmp / "x.tar", {"manifest.json": _manifest(database="postgresql"), "db.dump": b"PGDMP"}
    ),
}


@pytest.mark.parametrize("case", list(NOT_A_BACKUP))
def test_restore_refuses_what_is_not_a_backup(sqlite_portal, isolated_settings, tmp_path, case):
    before, files_before = snapshot(sqlite_portal), files_of(isolated_settings / "files")
    bad = NOT_A_BACKUP[case](tmp_path)
    r = CliRunner().invoke(app, ["restore", "--yes", str(bad)])
    assert r.exit_code == 1, r.output
    line = one_error_line(r)
    expected = {"newer schema": "newer than this Pool Portal knows", "postgresql backup": "is a sqlite database"}
    assert expected.get(case, "not a Pool Portal backup") in line, line
    assert snapshot(sqlite_portal) == before
    assert files_of(isolated_settings / "files") == files_before
    assert not (tmp_path.parent / "evil").exists()
    assert not list((isolated_settings).glob(".portal-restore-*"))


def test_restore_without_yes_outside_a_terminal_is_a_usage_error(sqlite_portal, tmp_path):
    target = tmp_path / "b.tar"
    assert CliRunner().invoke(app, ["backup", str(target)]).exit_code == 0
    r = CliRunner().invoke(app, ["restore", str(target)])
    assert r.exit_code == 2 and "--yes" in one_error_line(r)


def test_restore_of_an_older_revision_migrates_to_head(sqlite_portal, isolated_settings, tmp_path, monkeypatch):
    target = tmp_path / "b.tar"
    assert CliRunner().invoke(app, ["backup", str(target)]).exit_code == 0
    before = snapshot(sqlite_portal)
    with sqlite_portal.begin() as conn:
        conn.execute(text("DELETE FROM quote_line"))
    monkeypatch.setattr(migrations, "upgrade", calls := _Recorder(migrations.upgrade))
    r = CliRunner().invoke(app, ["restore", "--yes", str(target)])
    assert r.exit_code == 0, r.output
    assert calls.count == 1 and snapshot(sqlite_portal) == before


class _Recorder:
    def __init__(self, fn):
        self.fn, self.count = fn, 0

    def __call__(self, *args, **kwargs):
        self.count += 1
        return self.fn(*args, **kwargs)


def test_backup_while_another_thread_writes_is_consistent(sqlite_portal, isolated_settings, tmp_path):
    """Each writer transaction adds two rows; the backup holds whole transactions only."""
    db_path = isolated_settings.resolve() / "portal.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE pairs (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL)")
    stop = threading.Event()
    written = [0]

    def writer():
        conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO pairs (batch) VALUES (?)", (written[0],))
            conn.execute("INSERT INTO pairs (batch) VALUES (?)", (written[0],))
            conn.execute("COMMIT")
            written[0] += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:
            stop.wait(0.01)
        r = CliRunner().invoke(app, ["backup", str(tmp_path / "b.tar")])
    finally:
        stop.set()
        thread.join()
    assert r.exit_code == 0, r.output
    with tarfile.open(tmp_path / "b.tar") as tar:
        counts = json.loads(tar.extractfile("manifest.json").read())["row_counts"]
        tar.extract("db.sqlite", tmp_path, filter="data")
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        rows = conn.execute("SELECT batch, COUNT(*) FROM pairs GROUP BY batch").fetchall()
    conn.close()
    assert rows and all(n == 2 for _, n in rows) and counts["pairs"] == 2 * len(rows) >= 100


def test_libpq_env_keeps_the_password_off_the_command_line():
    env = pg_tools.libpq_env("postgresql+psycopg://u:p%40ss@db.example:5433/portal?sslmode=require")
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.example",
        "5433",
        "u",
        "p@ss",
        "portal",
        "require",
    )


def test_restore_onto_a_fresh_machine(sqlite_portal, isolated_settings, tmp_path):
    """No database and no files yet: the backup's file is moved into place."""
    import shutil

    target = tmp_path / "b.tar"
    before = snapshot(sqlite_portal)
    files_before = files_of(isolated_settings / "files")
    assert CliRunner().invoke(app, ["backup", str(target)]).exit_code == 0
    shutil.rmtree(isolated_settings)
    r = CliRunner().invoke(app, ["restore", "--yes", str(target)])
    assert r.exit_code == 0, r.output
    assert snapshot(sqlite_portal) == before and files_of(isolated_settings / "files") == files_before


def test_a_backup_taken_before_a_migration_restores_over_the_migrated_database(any_db_url, isolated_settings, tmp_path):
    """Rolling back an upgrade: the backup of the oldest schema restores over a database
    migrated to head since (on PostgreSQL the newer tables depend on the old ones, which
    `pg_restore --clean` alone could not drop), and is migrated to head again."""
    engine = make_engine(any_db_url)
    try:
        migrations.upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO tenant (id, name, slug, timezone, currency, default_language, brand_colour,"
                    " is_active, created_at) VALUES (1, 'Old', 'old', 'UTC', 'EUR', 'en', '#000000', true,"
                    " '2026-01-01 00:00:00')"
                )
            )
        target = tmp_path / "before.tar"
        manifest = backup.backup(engine, isolated_settings / "files", target)
        assert manifest.schema_revision == "0001"
        migrations.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO tenant (id, name, slug, timezone, currency, default_language,"
                    " brand_colour, is_active, created_at) VALUES (2, 'New', 'new', 'UTC', 'EUR', 'en',"
                    " '#000000', true, '2026-02-01 00:00:00')"
                )
            )
        backup.restore(engine, isolated_settings / "files", target)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM tenant ORDER BY id")).scalars().all() == ["Old"]
        assert migrations.current_revision(engine) == migrations.head_revision()
    finally:
        engine.dispose()
