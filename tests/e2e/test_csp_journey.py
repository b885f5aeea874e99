"""Every page of both sides, signed in, in a real browser under the real
Content-Security-Policy: no violation is reported, and each page renders its main
content (its data comes over the websocket, which the policy must allow). Pages are
discovered from the app, one browser context per side."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import Session, select

import pool_portal.pool_portal as portal_app
from pool_portal.models import (
    Client,
    ClientGroup,
    Incident,
    Invoice,
    Job,
    Membership,
    PortalUser,
    Quote,
    Report,
    Site,
    Tenant,
)
from pool_portal.services.portal.visibility import visible_invoice
from tests.e2e.event_client import sign_in

DEMO_PASSWORD = "demo-portal-2026"
# Reported to the console, where the test reads it, whatever the browser prints itself.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}: ${e.sample}`));"""
RECORDS = {
    "client": Client,
    "group": ClientGroup,
    "site": Site,
    "job": Job,
    "quote": Quote,
    "invoice": Invoice,
    "report": Report,
    "incident": Incident,
}
# What a page shows once its data has come: more than its heading.
SHOWS = {"/portal": ".js-plotly-plot", "/admin/clients": "table tbody tr"}


def _ids(app_server) -> dict[str, dict[str, int]]:
    """An id of each kind of record for the admin's pages (AquaDemo's) and the portal's
    (the demo client's own incident and invoice, when it has them)."""
    with Session(app_server.engine()) as db:
        aqua = db.exec(select(Tenant).where(Tenant.slug == "aquademo")).one()
        admin = {
            name: db.exec(select(model.id).where(model.tenant_id == aqua.id).order_by(model.id)).first()
            for name, model in RECORDS.items()
        }
        client_id = db.exec(
            select(Membership.client_id)
            .join(PortalUser, PortalUser.id == Membership.portal_user_id)
            .where(PortalUser.email == "client@aquademo.example.com")
        ).first()
        portal = {
            "incident": db.exec(select(Incident.id).where(Incident.client_id == client_id)).first(),
            "invoice": db.exec(
                select(Invoice.id)
                .join(Site, Site.id == Invoice.site_id)
                .where(Site.client_id == client_id, visible_invoice())
                .order_by(Invoice.id)
            ).first(),
        }
    return {"admin": {k: v for k, v in admin.items() if v}, "portal": {k: v for k, v in portal.items() if v}}


def _urls(side: str, ids: dict[str, int]) -> list[str]:
    urls = []
    for route in sorted(portal_app.app._unevaluated_pages):
        path = "/" if route == "index" else f"/{route}"
        if (side == "admin") != path.startswith("/admin"):
            continue
        record = path.rsplit("/", 1)[-1]
        urls.append(f"{path}?id={ids[record]}" if record in ids else path)
    return urls


def _walk(browser, app_server, email: str, kind: str, urls: list[str], then=None) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        token = sign_in(app_server, email, DEMO_PASSWORD, kind)
        context.add_cookies(
            [{"name": "pp_session", "value": token, "url": str(app_server), "httpOnly": True, "sameSite": "Lax"}]
        )
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(30_000)
        problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                problems.append(f"{page.url}: {m.text}")
                if re.search(r"Content.Security.Policy|CSP violation|EvalError|Permissions.Policy", m.text)
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        for url in urls:
            page.goto(f"{app_server}{url}")
            if page.locator("header #tenant-name").count():  # a page in the shell: its data came
                expect(page.locator("header #tenant-name")).to_have_text("AquaDemo")
                expect(page.locator("main h1").first).to_be_visible()
            else:  # a card before or beside sign-in (or "/", on its way to /portal)
                expect(page.locator("main :is(h1, h2)").first).to_be_visible()
            if url in SHOWS:
                expect(page.locator(SHOWS[url]).first).to_be_visible()
            assert problems == [], problems
        if then is not None:
            then(page)
        assert problems == [], problems
    finally:
        context.close()


def test_every_portal_page_runs_under_the_policy(browser, app_server):
    urls = _urls("portal", _ids(app_server)["portal"])
    assert "/portal" in urls and "/portal/incidents/new" in urls
    assert any(u.startswith("/portal/invoice?id=") for u in urls)
    _walk(browser, app_server, "client@aquademo.example.com", "portal", urls)


def test_every_admin_page_runs_under_the_policy(browser, app_server):
    urls = _urls("admin", _ids(app_server)["admin"])
    assert "/admin" in urls and any(u.startswith("/admin/client?id=") for u in urls)

    def filter_submits_itself(page):
        # A page seen before (the browser revalidates its cached copy: a 304), and a
        # filter that submits its form on change: a script compiled into the page, not a
        # string eval()'d (which the policy refuses).
        page.goto(f"{app_server}/admin/incidents")
        expect(page.locator("header #tenant-name")).to_have_text("AquaDemo")
        page.locator("#admin-incidents-category").select_option("WATER")
        expect(page).to_have_url(re.compile(r"/admin/incidents\?.*category=WATER"))

    _walk(browser, app_server, "admin@aquademo.example.com", "staff", urls, then=filter_submits_itself)
