"""CSV import: one bad row changes nothing, a dry run says what a commit would do,
re-importing updates instead of duplicating, the file's own problems are named."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal import migrations
from pool_portal.db import make_engine
from pool_portal.services.core import record_rules
from pool_portal.services.core.scope import Viewer
from pool_portal.services.data_in import csv_import


@pytest.fixture
def world(db_url):
    migrations.upgrade(db_url)
    engine = make_engine(db_url)

    @contextmanager
    def factory():
        with Session(engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    with factory() as s:
        t, other = m.Tenant(name="T", slug="t"), m.Tenant(name="O", slug="o")
        s.add_all([t, other])
        s.flush()
        staff = m.StaffUser(tenant_id=t.id, email="office@t.test", name="Office", role=m.StaffRole.OFFICE)
        s.add(staff)
        s.add(m.Client(tenant_id=other.id, external_id="C-1", name="Other tenant's C-1"))
        s.flush()
        tenant_id, other_id, staff_id = t.id, other.id, staff.id

    def viewer(role=m.StaffRole.OFFICE, kind="staff"):
        return Viewer(
            kind=kind,
            tenant_id=tenant_id,
            user_id=staff_id,
            session_id=1,
            name="Office",
            email="office@t.test",
            role=role if kind == "staff" else None,
        )

    def count(model, tenant=tenant_id):
        with Session(engine) as s:
            return s.exec(select(func.count()).select_from(model).where(model.tenant_id == tenant)).one()

    def run(kind, text, commit, **kw):
        return csv_import.run(
            factory, kw.pop("viewer", None) or viewer(), kind, text.encode("utf-8-sig"), commit=commit, **kw
        )

    yield type(
        "World",
        (),
        dict(
            engine=engine,
            viewer=staticmethod(viewer),
            count=staticmethod(count),
            run=staticmethod(run),
            tenant=tenant_id,
            other=other_id,
        ),
    )
    engine.dispose()


CLIENTS = "external_id,name,email,phone\nC-1,Costa Azul,office@costa.example,+34 600\nC-2,Hotel Sol,,\n"


def test_a_file_with_one_bad_row_changes_nothing(world):
    bad = CLIENTS + "C-3,,not-an-email,\n"
    for commit in (False, True):
        result = world.run("clients", bad, commit)
        assert not result.ok and not result.committed
        assert {(e.line, e.field, e.code) for e in result.errors} == {
            (4, "name", "missing"),
            (4, "email", "value_error"),
        }
        assert (result.rows, result.created) == (3, 2)  # what the good rows would do
    assert world.count(m.Client) == 0
    assert world.count(m.Client, world.other) == 1  # the other tenant's C-1 untouched


def test_dry_run_then_commit_then_reimport_updates_without_duplicates(world):
    dry = world.run("clients", CLIENTS, False)
    assert dry.ok and (dry.created, dry.updated, dry.committed) == (2, 0, False)
    assert world.count(m.Client) == 0
    done = world.run("clients", CLIENTS, True)
    assert done.ok and done.committed and done.created == 2
    again = world.run("clients", CLIENTS.replace("Hotel Sol", "Hotel Sol & Spa"), True)
    assert (again.created, again.updated) == (0, 2)
    assert world.count(m.Client) == 2
    with Session(world.engine) as s:
        names = set(s.exec(select(m.Client.name).where(m.Client.tenant_id == world.tenant)).all())
    assert names == {"Costa Azul", "Hotel Sol & Spa"}
    with Session(world.engine) as s:
        assert len(s.exec(select(m.AuditEvent).where(m.AuditEvent.action == "import.clients")).all()) == 2


def test_sites_assets_and_remarks_reference_by_external_id(world):
    world.run("clients", CLIENTS, True)
    sites = "external_id;client_external_id;name;latitude;longitude\nS-1;C-1;Pool 1;38,3;-0.48\nS-2;C-9;Pool 2;;\n"
    result = world.run("sites", sites, True)
    # Semicolons (a Spanish spreadsheet), a decimal comma refused, an unknown client named.
    assert {(e.line, e.field, e.code) for e in result.errors} == {
        (2, "latitude", "float_parsing"),
        (3, "client_external_id", "unknown_reference"),
    }
    fixed = "external_id;client_external_id;name;latitude;longitude\nS-1;C-1;Pool 1;38.3;-0.48\nS-2;C-2;Pool 2;;\n"
    assert world.run("sites", fixed, True).committed
    assets = "external_id,site_external_id,asset_code,asset_type,last_test_date\nA-1,S-1,P-01,pump,2026-02-01\n"
    assert world.run("assets", assets, True).committed
    remarks = (
        "external_id,site_external_id,asset_external_id,severity,title,raised_on,is_published\n"
        "R-1,S-1,A-1,CRITICAL,Leak at the pump,2026-02-02,yes\n"
        "R-2,S-2,A-1,INFORMATION,Note,2026-02-02,no\n"
    )
    result = world.run("remarks", remarks, True)
    assert [(e.line, e.field, e.code) for e in result.errors] == [(3, "asset_external_id", "other_site")]
    assert world.run("remarks", remarks.rsplit("\n", 2)[0] + "\n", True).committed
    with Session(world.engine) as s:
        remark = s.exec(select(m.Remark)).one()
        assert remark.is_published and remark.severity == m.Severity.CRITICAL


def test_remark_rows_break_the_same_date_rules_as_staff_editing(world):
    """An open remark with a resolved date, or one resolved before it was raised: the
    report names the row and the field, with staff editing's message; nothing written."""
    world.run("clients", CLIENTS, True)
    assert world.run("sites", "external_id,client_external_id,name\nS-1,C-1,Pool 1\n", True).committed
    remarks = (
        "external_id,site_external_id,severity,title,status,raised_on,resolved_on\n"
        "R-1,S-1,RECOMMENDATION,Fine,RESOLVED,2026-02-02,2026-02-03\n"
        "R-2,S-1,RECOMMENDATION,Open but resolved,OPEN,2026-02-02,2026-02-03\n"
        "R-3,S-1,RECOMMENDATION,Back in time,RESOLVED,2026-02-02,2026-02-01\n"
    )
    for commit in (False, True):
        result = world.run("remarks", remarks, commit)
        assert not result.committed
        assert [(e.line, e.external_id, e.field, e.code) for e in result.errors] == [
            (3, "R-2", "resolved_on", "resolved_while_open"),
            (4, "R-3", "resolved_on", "resolved_before_raised"),
        ]
        assert result.errors[1].message == "It cannot be resolved before it was raised."
        assert csv_import.message_key(result.errors[0].code) == "data.error.resolved_open"
    assert world.count(m.Remark) == 0


def _flaky_upsert(monkeypatch, fail_on_call: int):
    """integration.upsert as it is, but the nth call meets SQLite's "database is locked"."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    real, calls = csv_import.upserts.upsert, []

    def upsert(*args, **kwargs):
        calls.append(1)
        if len(calls) == fail_on_call:
            raise OperationalError("INSERT INTO client ...", {}, sqlite3.OperationalError("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(csv_import.upserts, "upsert", upsert)
    return calls


@pytest.mark.parametrize("commit", [False, True])
def test_a_database_error_midway_is_reported_and_nothing_is_written(world, monkeypatch, commit):
    """The first row is already written in the transaction when the second meets a locked
    database: the import says so (file error "database"), and the first row is gone too."""
    calls = _flaky_upsert(monkeypatch, fail_on_call=2)
    result = world.run("clients", CLIENTS, commit)
    assert len(calls) == 2
    assert result.file_error == "database" and not result.committed
    assert world.count(m.Client) == 0
    monkeypatch.undo()  # the database answers again: the same file goes in
    assert world.run("clients", CLIENTS, True).committed and world.count(m.Client) == 2


def test_after_a_database_error_the_tab_is_not_stuck(world, monkeypatch):
    """The import tab (ImportState): a commit that met the error goes back to its dry run
    with the translated message and may be committed again; a check that met it goes back
    to choosing a file. Neither stays at checking/committing."""
    from pool_portal.services.core.i18n import catalogue
    from pool_portal.states.data_in.imports import ImportState

    tab = ImportState(_reflex_internal_init=True)
    dry = world.run("clients", CLIENTS, False)
    key = csv_import.stash(CLIENTS.encode())
    tab._file_key, tab.phase = key, "checking"
    tab._show(dry, "en")
    assert tab.phase == "checked" and tab._can_commit()

    tab.phase = "committing"
    calls = _flaky_upsert(monkeypatch, fail_on_call=1)
    tab._show(world.run("clients", CLIENTS, True), "es", commit=True)
    assert (tab.phase, tab.file_error, tab.created, tab._file_key) == ("checked", "import.file.database", 2, key)
    assert "ocupada" in catalogue("es")[tab.file_error]
    assert tab._can_commit()  # Commit again, the same file

    tab.phase = "checking"
    calls.clear()
    tab._show(world.run("clients", CLIENTS, False), "en", commit=False)
    assert (tab.phase, tab.file_error, tab._file_key, tab.rows) == ("", "import.file.database", "", 0)
    assert csv_import.unstash(key) is None  # the kept file is discarded: upload it again
    assert world.count(m.Client) == 0


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty"),
        (b"\xff\xfe n\x00a\x00m\x00e\x00", "encoding"),
        (b"external_id,name,colour\nC-1,A,red\n", "unknown_columns"),
        (b"external_id,email\nC-1,a@b.example\n", "missing_columns"),
        (b"name\nA\n", "missing_columns"),
        (b"external_id,name,name\nC-1,A,B\n", "duplicate_columns"),
    ],
)
def test_a_file_that_cannot_be_read_is_named_and_changes_nothing(world, data, code):
    result = csv_import.run(
        lambda: pytest.fail("no session for an unreadable file"), world.viewer(), "clients", data, commit=True
    )
    assert result.file_error == code and not result.committed


def test_row_problems_duplicates_and_extra_cells(world):
    text = "external_id,name\nC-1,A\nC-1,B\n,C\nC-4,D,extra\n"
    result = world.run("clients", text, True)
    assert [(e.line, e.code) for e in result.errors] == [(3, "duplicate_in_file"), (4, "missing"), (5, "extra_cells")]
    assert world.count(m.Client) == 0


def test_only_admin_and_office_staff_import(world):
    for who in (world.viewer(m.StaffRole.TECHNICIAN), world.viewer(kind="portal")):
        with pytest.raises(PermissionError):
            world.run("clients", CLIENTS, True, viewer=who)
    with pytest.raises(ValueError):
        world.run("invoices", CLIENTS, True)
    assert world.run("clients", CLIENTS, True, viewer=world.viewer(m.StaffRole.ADMIN)).committed


def test_progress_is_reported_and_a_large_file_imports(world):
    lines = ["external_id,name"] + [f"C-{n},Client {n}" for n in range(1200)]
    seen = []
    result = world.run("clients", "\n".join(lines), True, progress=lambda done, total: seen.append((done, total)))
    assert result.committed and result.created == 1200
    assert seen[-1] == (1200, 1200) and len(seen) == 1200 // csv_import.PROGRESS_EVERY
    assert world.count(m.Client) == 1200


def test_every_error_the_import_can_give_has_a_message_in_both_languages():
    import json
    from pathlib import Path

    root = Path(csv_import.__file__).resolve().parents[2] / "translations"
    for lang in ("en", "es"):
        catalogue = json.loads((root / f"{lang}.json").read_text(encoding="utf-8"))
        codes = [f"import.file.{c}" for c in (*csv_import.FILE_ERRORS, "none", "gone", "failed")]
        codes += [
            f"import.error.{c}"
            for c in (
                *csv_import.ROW_ERRORS,
                "invalid",
                "enum",
                "string_too_long",
                "date_from_datetime_parsing",
                "bool_parsing",
                "float_parsing",
            )
        ]
        codes += [f"import.kind.{k}" for k in csv_import.IMPORT_KINDS]
        codes += [csv_import.message_key(c) for c in record_rules.KEYS]
        assert [c for c in codes if c not in catalogue] == [], lang
