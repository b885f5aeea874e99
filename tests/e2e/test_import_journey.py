"""CSV import in the browser: an admin uploads a file of properties with a bad row, the
dry run lists the error and saves nothing, the fixed file checks clean and commits;
the same file again updates instead of duplicating."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

import pool_portal.models as m
from tests.e2e.test_shell_journey import sign_in

HEADER = "external_id,client_external_id,name,address,city,latitude,longitude\n"


def _sites(app_server, prefix: str) -> int:
    with Session(app_server.engine()) as db:
        return db.exec(select(func.count()).select_from(m.Site).where(m.Site.external_id.startswith(prefix))).one()


def _upload(page, name: str, text: str) -> None:
    page.locator("#import-file input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": ("\ufeff" + text).encode()}]
    )
    expect(page.locator("#import-file-selected")).to_contain_text(name)
    page.locator("#import-check").click()


def test_upload_dry_run_fix_commit(app_server, page):
    with Session(app_server.engine()) as db:
        aqua = db.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        client = db.exec(
            select(m.Client.external_id).where(m.Client.tenant_id == aqua.id, m.Client.external_id.is_not(None))
        ).first()
    good = f"IMP-S-1,{client},Imported pool 1,Calle Mayor 1,Alicante,38.34,-0.49\n"
    bad = HEADER + good + "IMP-S-2,NO-SUCH-CLIENT,Imported pool 2,,Elche,,\n"

    sign_in(page, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/import$"))
    page.locator("#import-kind").select_option("sites")
    expect(page.locator("#import-columns")).to_contain_text("client_external_id")

    # A file with one bad row: the dry run names it and nothing is saved.
    _upload(page, "sites.csv", bad)
    expect(page.locator("#import-has-errors")).to_be_visible()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("IMP-S-2")
    expect(errors).to_contain_text("client_external_id")
    expect(errors).to_contain_text("No record has this external id")
    expect(page.locator("#import-rows")).to_have_text("2")
    expect(page.locator("#import-created")).to_have_text("1")
    expect(page.locator("#import-commit")).to_have_count(0)
    assert _sites(app_server, "IMP-S-") == 0

    # Fixed: a clean dry run, still nothing saved, then Commit saves both rows.
    fixed = bad.replace("NO-SUCH-CLIENT", client)
    _upload(page, "sites-fixed.csv", fixed)
    expect(page.locator("#import-commit")).to_be_visible()
    expect(page.locator("#import-error-count")).to_have_text("0")
    expect(page.locator("#import-created")).to_have_text("2")
    assert _sites(app_server, "IMP-S-") == 0
    page.locator("#import-commit").click()
    expect(page.locator("#import-committed")).to_be_visible()
    assert _sites(app_server, "IMP-S-") == 2

    # The same file again: updates, no duplicates.
    page.locator("#import-start-over").click()
    _upload(page, "sites-fixed.csv", fixed.replace("Imported pool 2", "Imported pool two"))
    expect(page.locator("#import-updated")).to_have_text("2")
    expect(page.locator("#import-created")).to_have_text("0")
    page.locator("#import-commit").click()
    expect(page.locator("#import-committed")).to_be_visible()
    assert _sites(app_server, "IMP-S-") == 2
    with Session(app_server.engine()) as db:
        assert db.exec(select(m.Site.name).where(m.Site.external_id == "IMP-S-2")).one() == "Imported pool two"
