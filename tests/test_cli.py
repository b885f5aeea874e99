"""The `portal` command: what a self-hoster types, and what goes wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

import pool_portal.models as m
from pool_portal.cli import app
from pool_portal.db import make_engine
from pool_portal.services.passwords import verify_password

PORTAL = Path(sys.executable).parent / "portal"


@pytest.fixture
def cli(isolated_settings):
    runner = CliRunner()

    def run(*args, input=None, env=None):
        from pool_portal import db, settings

        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
        return runner.invoke(app, list(args), input=input, env=env)

    run.data_dir = isolated_settings
    run.engine = lambda: make_engine(f"sqlite:///{isolated_settings.resolve() / 'portal.db'}")
    return run


def _one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_migrate_then_tenant_then_admin(cli):
    assert cli("migrate").exit_code == 0
    r = cli("create-tenant", "Acme Pools")
    assert r.exit_code == 0, r.output
    r = cli("create-admin", "Boss@Acme.example", "--tenant", "Acme Pools", "--password-stdin", input="a long password\n")
    assert r.exit_code == 0, r.output
    with Session(cli.engine()) as db:
        staff = db.exec(select(m.StaffUser)).scalar_one()
        assert staff.email == "boss@acme.example" and staff.role == m.StaffRole.ADMIN
        assert verify_password(staff.password_hash, "a long password")
        tenant = db.exec(select(m.Tenant)).scalar_one()
        assert tenant.slug == "acme-pools"
        assert db.exec(select(m.PortalSettings).where(m.PortalSettings.tenant_id == tenant.id)).scalar_one()


def test_duplicate_tenant_and_unknown_tenant_fail_cleanly(cli):
    cli("create-tenant", "Acme Pools")
    assert "already exists" in _one_error_line(r := cli("create-tenant", "Acme Pools")) and r.exit_code == 1
    r = cli("create-admin", "x@acme.example", "--tenant", "Nope", "--password-stdin", input="a long password\n")
    assert r.exit_code == 1 and "no tenant" in _one_error_line(r)
    r = cli("create-admin", "not-an-email", "--tenant", "Acme Pools", "--password-stdin", input="a long password\n")
    assert r.exit_code == 2 and "not a valid email" in _one_error_line(r)
    r = cli("create-admin", "x@acme.example", "--tenant", "Acme Pools", "--password-stdin", input="short\n")
    assert r.exit_code == 1 and "at least 8" in _one_error_line(r)
    with Session(cli.engine()) as db:
        assert db.exec(select(func.count()).select_from(m.StaffUser)).scalar_one() == 0
        assert db.exec(select(func.count()).select_from(m.Tenant)).scalar_one() == 1


def test_bad_database_url_and_unwritable_data_dir(cli, tmp_path):
    r = cli("migrate", env={"REFLEX_DB_URL": "mysql://nope"})
    assert r.exit_code == 1 and _one_error_line(r).startswith("error: REFLEX_DB_URL")
    r = cli("migrate", env={"REFLEX_DB_URL": "postgresql+psycopg://u:p@127.0.0.1:1/x"})
    assert r.exit_code == 1 and "database" in _one_error_line(r)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli("migrate", env={"PORTAL_DATA_DIR": str(blocker / "var")})
    assert r.exit_code == 1 and "PORTAL_DATA_DIR" in _one_error_line(r)


def test_demo_loads_once_and_if_empty_is_quiet(cli):
    r = cli("demo")
    assert r.exit_code == 0 and "site" in r.output
    r = cli("demo")
    assert r.exit_code == 1 and "--reset" in _one_error_line(r)
    r = cli("demo", "--if-empty")
    assert r.exit_code == 0 and "not loaded" in r.output
    assert cli("demo", "--scale", "huge").exit_code == 2


def test_check_says_what_is_wrong(cli):
    cli("migrate")
    r = cli("check")
    assert r.exit_code == 0, r.output
    assert [line.split()[0] for line in r.output.splitlines()] == ["ok"] * 4
    r = cli("check", env={"PORTAL_SMTP_URL": "smtp://127.0.0.1:1"})
    assert r.exit_code == 1 and "FAIL mail" in r.output


def test_real_console_script_exits_non_zero_with_one_line(isolated_settings):
    env = {**os.environ, "PORTAL_DATA_DIR": str(isolated_settings), "PORT": "not-a-port"}
    proc = subprocess.run([str(PORTAL), "migrate"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and proc.stderr.startswith("error: PORT:")
