"""The `portal` command: what a self-hoster types, and what goes wrong.

Every failure must be one line on stderr (no traceback) with exit code 1 (2 for usage
errors), and must leave nothing half-created."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session
from typer.testing import CliRunner

import pool_portal.models as m
from pool_portal import migrations
from pool_portal.cli import app, common
from pool_portal.db import make_engine
from pool_portal.services.identity.passwords import verify_password

PORTAL = Path(sys.executable).parent / "portal"
PASSWORD = "a long password"


@pytest.fixture
def cli(isolated_settings):
    """Run `portal ...` in-process with a private data dir (SQLite under it)."""
    runner = CliRunner()

    def run(*args, input=None, env=None):
        from pool_portal import db, settings

        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
        return runner.invoke(app, list(args), input=input, env=env)

    run.data_dir = isolated_settings
    run.db_path = isolated_settings.resolve() / "portal.db"
    run.engine = lambda: make_engine(f"sqlite:///{run.db_path}")
    return run


def one_error_line(result) -> str:
    """The single line a failure prints on stderr; nothing else, no traceback."""
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def counts(engine) -> dict[str, int]:
    with Session(engine) as db:
        out = {
            model.__name__: db.exec(select(func.count()).select_from(model)).scalar_one()
            for model in (m.Tenant, m.PortalSettings, m.StaffUser)
        }
    engine.dispose()
    return out


# -- the happy path --------------------------------------------------------------


def test_migrate_then_tenant_then_admin(cli):
    r = cli("migrate")
    assert r.exit_code == 0 and r.output.strip() == f"database at revision {migrations.head_revision()}"
    with sqlite3.connect(cli.db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cli("migrate").exit_code == 0  # safe to run again

    r = cli("create-tenant", "Acme Pools")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "created tenant Acme Pools (slug acme-pools)"
    r = cli("create-admin", "--tenant", "Acme Pools", "Boss@Acme.example", "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    engine = cli.engine()
    with Session(engine) as db:
        staff = db.exec(select(m.StaffUser)).scalar_one()
        assert staff.email == "boss@acme.example" and staff.role == m.StaffRole.ADMIN and staff.is_active
        assert verify_password(staff.password_hash, PASSWORD)
        assert not verify_password(staff.password_hash, PASSWORD + "x")
        tenant = db.exec(select(m.Tenant)).scalar_one()
        assert tenant.slug == "acme-pools" and staff.tenant_id == tenant.id
        assert db.exec(select(m.PortalSettings).where(m.PortalSettings.tenant_id == tenant.id)).scalar_one()
    engine.dispose()


def test_create_tenant_migrates_an_empty_database_first(cli):
    r = cli("create-tenant", "Ünïcode Piscinas S.L.")
    assert r.exit_code == 0, r.output
    assert "slug unicode-piscinas-s-l" in r.output
    assert counts(cli.engine()) == {"Tenant": 1, "PortalSettings": 1, "StaffUser": 0}


def test_admin_password_from_the_environment(cli):
    cli("create-tenant", "Acme Pools")
    r = cli(
        "create-admin",
        "--tenant",
        "acme-pools",
        "ops@acme.example",
        "--name",
        "Ops Desk",
        env={"PORTAL_ADMIN_PASSWORD": PASSWORD},
    )
    assert r.exit_code == 0, r.output
    with Session(engine := cli.engine()) as db:
        staff = db.exec(select(m.StaffUser)).scalar_one()
        assert staff.name == "Ops Desk" and verify_password(staff.password_hash, PASSWORD)
    engine.dispose()


def test_admin_password_prompt_asks_twice(cli, monkeypatch):
    cli("create-tenant", "Acme Pools")
    monkeypatch.setattr(common, "interactive", lambda: True)
    # First the two entries differ: asked again; then they match.
    r = cli(
        "create-admin",
        "--tenant",
        "Acme Pools",
        "a@acme.example",
        input=f"{PASSWORD}\n{PASSWORD}!\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    assert "do not match" in r.output and PASSWORD not in r.output  # hidden input
    with Session(engine := cli.engine()) as db:
        assert verify_password(db.exec(select(m.StaffUser)).scalar_one().password_hash, PASSWORD)
    engine.dispose()


# -- refusals, each leaving nothing behind -------------------------------------------


def test_duplicate_tenant_is_one_line(cli):
    assert cli("create-tenant", "Acme Pools").exit_code == 0
    r = cli("create-tenant", "Acme Pools")
    assert r.exit_code == 1 and "already exists" in one_error_line(r)
    r = cli("create-tenant", "ACME pools!")  # another name, the same slug
    assert r.exit_code == 1 and "already exists" in one_error_line(r)
    r = cli("create-tenant", "!!!")
    assert r.exit_code == 2 and "letters or digits" in one_error_line(r)
    assert counts(cli.engine()) == {"Tenant": 1, "PortalSettings": 1, "StaffUser": 0}


def test_create_admin_refusals_create_nothing(cli):
    cli("create-tenant", "Acme Pools")
    r = cli("create-admin", "--tenant", "Nope", "x@acme.example", "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 1 and "no tenant named 'Nope'" in one_error_line(r)
    r = cli("create-admin", "--tenant", "Acme Pools", "not-an-email", "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 2 and "not a valid email" in one_error_line(r)
    r = cli("create-admin", "--tenant", "Acme Pools", "x@acme.example", "--password-stdin", input="short\n")
    assert r.exit_code == 1 and "at least 8" in one_error_line(r)
    r = cli("create-admin", "--tenant", "Acme Pools", "x@acme.example")  # no terminal, no password given
    assert r.exit_code == 1 and "--password-stdin" in one_error_line(r)
    assert counts(cli.engine()) == {"Tenant": 1, "PortalSettings": 1, "StaffUser": 0}

    assert (
        cli(
            "create-admin", "--tenant", "Acme Pools", "x@acme.example", env={"PORTAL_ADMIN_PASSWORD": PASSWORD}
        ).exit_code
        == 0
    )
    r = cli("create-admin", "--tenant", "Acme Pools", "X@ACME.example", env={"PORTAL_ADMIN_PASSWORD": PASSWORD})
    assert r.exit_code == 1 and "already a staff user" in one_error_line(r)
    assert counts(cli.engine())["StaffUser"] == 1


def test_usage_errors_exit_2(cli):
    assert cli("create-admin", "x@acme.example").exit_code == 2  # --tenant missing
    assert cli("create-tenant").exit_code == 2
    assert cli("no-such-command").exit_code == 2
    assert cli("demo", "--scale", "huge").exit_code == 2


@pytest.mark.parametrize(
    "url,expected",
    [
        ("mysql://nope", "error: REFLEX_DB_URL: "),
        ("postgresql+asyncpg://u@127.0.0.1/x", "error: REFLEX_DB_URL: "),
        ("postgresql://u:p@127.0.0.1:1/x", "error: database: "),  # nothing listens on port 1
        ("sqlite:////proc/nonexistent/portal.db", "error: "),
    ],
)
def test_bad_database_url_is_one_line(cli, url, expected):
    r = cli("migrate", env={"REFLEX_DB_URL": url})
    assert r.exit_code == 1 and one_error_line(r).startswith(expected)
    assert "u:p@" not in r.output  # no password echoed


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_data_dir_is_one_line(cli, tmp_path, where):
    if where == "proc":
        bad = "/proc/nonexistent/pool-portal"
    else:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        bad = str(blocker / "var")
    for args in (["migrate"], ["create-tenant", "Acme"]):
        r = cli(*args, env={"PORTAL_DATA_DIR": bad})
        assert r.exit_code == 1 and one_error_line(r).startswith("error: PORTAL_DATA_DIR: ")


def test_bad_setting_is_one_line(cli):
    r = cli("create-tenant", "Acme", env={"PORTAL_PUBLIC_URL": "ftp://x"})
    assert r.exit_code == 1 and one_error_line(r) == "error: PORTAL_PUBLIC_URL: must be an http:// or https:// URL"
    assert not cli.db_path.exists()


def test_database_from_an_unknown_future_is_one_line(cli):
    cli("migrate")
    with sqlite3.connect(cli.db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'ffff'")
    r = cli("migrate")
    assert r.exit_code == 1 and one_error_line(r).startswith("error: migrations: ")


# -- portal check -------------------------------------------------------------------


def test_check_on_a_good_setup(cli):
    cli("migrate")
    r = cli("check")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "ok   settings",
        "ok   storage",
        "ok   database",
        "ok   redis",
        "ok   mail",
    ]
    assert "migrations at head" in lines[2] and "outbox at" in lines[4] and "stored locally" in lines[1]
    assert lines[3] == "ok   redis: not configured (single process)"


def test_check_with_cloudinary_and_a_listening_smtp_server(cli):
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        cli("migrate")
        r = cli(
            "check",
            env={
                "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
                "CLOUDINARY_URL": "cloudinary://key:secret@demo",
            },
        )
    finally:
        controller.stop()
    assert r.exit_code == 0, r.output
    assert "photos on Cloudinary" in r.output and f"127.0.0.1:{controller.port} answers" in r.output


@pytest.mark.parametrize(
    "setup,env,failing",
    [
        ("migrated", {"PORTAL_SMTP_URL": "smtp://127.0.0.1:1"}, "FAIL mail"),
        ("empty", {}, "FAIL database"),
        ("migrated", {"REFLEX_DB_URL": "postgresql://u:p@127.0.0.1:1/x"}, "FAIL database"),
        ("migrated", {"PORTAL_DATA_DIR": "/proc/nonexistent/x", "REFLEX_DB_URL": "{db}"}, "FAIL storage"),
        ("migrated", {"PORT": "abc"}, "FAIL settings: PORT: "),
        ("migrated", {"REFLEX_REDIS_URL": "redis://:s3cret@127.0.0.1:{free}/0"}, "FAIL redis"),
        ("migrated", {"REFLEX_REDIS_URL": "http://127.0.0.1/"}, "FAIL settings: REFLEX_REDIS_URL: "),
    ],
)
def test_check_says_what_is_wrong(cli, setup, env, failing):
    if setup == "migrated":
        cli("migrate")
    from tests.conftest import free_port

    env = {k: v.replace("{db}", f"sqlite:///{cli.db_path}").replace("{free}", str(free_port())) for k, v in env.items()}
    r = cli("check", env=env)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "s3cret" not in r.output
    assert [line for line in r.output.splitlines() if line.startswith("FAIL")] == [
        next(line for line in r.output.splitlines() if line.startswith(failing))
    ]
    if setup == "empty":
        assert "run `portal migrate`" in r.output


def test_check_with_a_reachable_redis(cli, redis_url):
    cli("migrate")
    r = cli("check", env={"REFLEX_REDIS_URL": redis_url})
    assert r.exit_code == 0, r.output
    assert any(line.startswith("ok   redis: ") and "answers" in line for line in r.output.splitlines())


# -- demo data ------------------------------------------------------------------------


def test_demo_loads_once_and_refuses_a_second_time(cli):
    r = cli("demo")
    assert r.exit_code == 0, r.output
    assert "site" in r.output
    before = counts(cli.engine())
    assert before["Tenant"] >= 1
    r = cli("demo")
    assert r.exit_code == 1 and "--reset" in one_error_line(r)
    r = cli("demo", "--if-empty")
    assert r.exit_code == 0 and "not loaded" in r.output
    assert counts(cli.engine()) == before
    r = cli("demo", "--reset")
    assert r.exit_code == 0, r.output
    assert counts(cli.engine()) == before


def test_make_run_loads_no_demo_data_into_a_database_named_by_the_environment(cli, any_db_url):
    """`make run` runs `portal demo --if-empty`: on a production database (REFLEX_DB_URL
    set, PostgreSQL or another SQLite file) it migrates and loads nothing, in one line;
    `portal demo` loads the demo there only when asked."""
    env = {"REFLEX_DB_URL": any_db_url}
    r = cli("demo", "--if-empty", env=env)
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "REFLEX_DB_URL is set: demo data not loaded (`portal demo` loads it on purpose)"
    engine = make_engine(any_db_url)
    assert migrations.current_revision(engine) == migrations.head_revision()
    assert counts(engine) == {"Tenant": 0, "PortalSettings": 0, "StaffUser": 0}
    assert not cli.db_path.exists()  # and nothing went to the embedded default either

    r = cli("demo", env=env)  # explicitly asked
    assert r.exit_code == 0, r.output
    assert counts(make_engine(any_db_url))["Tenant"] >= 1


def test_make_run_loads_the_demo_into_the_embedded_default(cli):
    r = cli("demo", "--if-empty")
    assert r.exit_code == 0 and "site" in r.output, r.output
    assert counts(cli.engine())["Tenant"] >= 1


# -- the real command, in its own process ------------------------------------------


def _run(args, env, input=None, cwd=None):
    return subprocess.run(args, check=False, env=env, input=input, capture_output=True, text=True, timeout=180, cwd=cwd)


def test_real_console_script_from_another_directory(isolated_settings, tmp_path):
    env = {**os.environ, "PORTAL_DATA_DIR": str(isolated_settings)}
    for args in (["migrate"], ["create-tenant", "Acme Pools"]):
        proc = _run([str(PORTAL), *args], env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    proc = _run(
        [
            sys.executable,
            "-m",
            "pool_portal.cli",
            "create-admin",
            "--tenant",
            "Acme Pools",
            "boss@acme.example",
            "--password-stdin",
        ],
        env,
        input=PASSWORD + "\n",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "created ADMIN boss@acme.example for Acme Pools"
    with Session(engine := make_engine(f"sqlite:///{isolated_settings / 'portal.db'}")) as db:
        assert verify_password(db.exec(select(m.StaffUser)).scalar_one().password_hash, PASSWORD)
    engine.dispose()
    proc = _run([str(PORTAL), "check"], env, cwd=tmp_path)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 5, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "env_change,prefix",
    [
        ({"PORT": "not-a-port"}, "error: PORT: "),
        ({"REFLEX_DB_URL": "mysql://x"}, "error: REFLEX_DB_URL: "),
        ({"PORTAL_DATA_DIR": "/proc/nonexistent/x"}, "error: PORTAL_DATA_DIR: "),
    ],
)
def test_real_console_script_fails_in_one_line(isolated_settings, env_change, prefix):
    env = {**os.environ, "PORTAL_DATA_DIR": str(isolated_settings), **env_change}
    proc = _run([str(PORTAL), "migrate"], env)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(prefix), proc.stderr
    assert proc.stdout == ""


# -- PostgreSQL ----------------------------------------------------------------------


def test_cli_on_postgresql_with_a_plain_url(cli, pg_url):
    # What a self-hoster writes: postgresql://, no driver name.
    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    env = {"REFLEX_DB_URL": url}
    assert cli("migrate", env=env).exit_code == 0
    assert cli("create-tenant", "Acme Pools", env=env).exit_code == 0
    r = cli("create-tenant", "Acme Pools", env=env)
    assert r.exit_code == 1 and "already exists" in one_error_line(r)
    r = cli("create-admin", "--tenant", "Nope", "a@acme.example", env={**env, "PORTAL_ADMIN_PASSWORD": PASSWORD})
    assert r.exit_code == 1 and "no tenant" in one_error_line(r)
    r = cli("create-admin", "--tenant", "Acme Pools", "a@acme.example", env={**env, "PORTAL_ADMIN_PASSWORD": PASSWORD})
    assert r.exit_code == 0, r.output
    assert cli("check", env=env).exit_code == 0
    engine = make_engine(pg_url)
    assert counts(engine) == {"Tenant": 1, "PortalSettings": 1, "StaffUser": 1}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migrations.head_revision()
    engine.dispose()


def test_migrate_and_create_on_the_test_database(cli, db_url):
    """db_url: SQLite, or a fresh database on PORTAL_TEST_DB_URL's server when set."""
    env = {"REFLEX_DB_URL": db_url}
    assert cli("migrate", env=env).exit_code == 0
    assert migrations.is_at_head(db_url)
    assert cli("create-tenant", "Acme Pools", env=env).exit_code == 0
    assert counts(make_engine(db_url)) == {"Tenant": 1, "PortalSettings": 1, "StaffUser": 0}
