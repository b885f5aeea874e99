"""Staff notifications end to end: a client requests a job → the first admin's bell
counts it → the bell opens the unread notifications → Open marks it read and lands on
the job → mark all read empties the unread list."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.identity import auth
from pool_portal.services.portal import jobs
from tests.e2e.event_client import sign_in as http_sign_in
from tests.e2e.test_shell_journey import DEMO_PASSWORD, sign_in


def test_a_job_request_reaches_the_admin_through_the_bell(app_server, browser):
    token = http_sign_in(app_server, "client@aquademo.example.com", DEMO_PASSWORD)
    with Session(app_server.engine()) as db:
        client = auth.resolve_viewer(db, token)
        site = db.exec(
            select(m.Site).where(m.Site.client_id.in_(sorted(client.client_ids))).order_by(m.Site.id)
        ).first()
        number, errors = jobs.request_job(
            db, client, site.id, "SERVICE_CALL", "The skimmer lid is cracked, please look"
        )
        assert errors == {}
        db.commit()
        job_id = db.exec(select(m.Job.id).where(m.Job.number == number)).one()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, app_server, "/admin/login", "admin@aquademo.example.com")
        expect(page).to_have_url(re.compile(r"/admin/?$"))
        expect(page.locator("#bell-count")).to_be_visible()
        page.locator("#bell").click()
        expect(page).to_have_url(re.compile(r"/admin/notifications\?unread=1$"))
        item = page.locator(".notification", has_text=f"Job requested: {number}")
        expect(item).to_be_visible()
        expect(item).to_contain_text("The skimmer lid is cracked")
        unread_before = int(re.search(r"\((\d+)\)", page.locator("#notifications-unread").inner_text()).group(1))

        item.get_by_role("button", name="Open").click()
        expect(page).to_have_url(re.compile(rf"/admin/job\?id={job_id}$"))
        expect(page.get_by_text(number).first).to_be_visible()

        page.goto(f"{app_server}/admin/notifications?unread=1")
        expect(page.locator("#notifications-unread")).to_contain_text(f"({unread_before - 1})")
        expect(page.locator(".notification", has_text=f"Job requested: {number}")).to_have_count(0)
        page.goto(f"{app_server}/admin/notifications")
        expect(page.locator(".notification", has_text=f"Job requested: {number}")).to_be_visible()

        if unread_before - 1 > 0:
            page.locator("#notifications-mark-all").click()
            expect(page.locator("#notifications-unread")).to_contain_text("(0)")
        expect(page.locator("#bell-count")).to_have_count(0)
    finally:
        ctx.close()
