"""The admin control panel end to end: Customise one client's panels (and reset), view
the portal as a client (read-only, in the browser and straight over the websocket), a
disabled contact's open session, the customer portal settings and the logo, bulk
invitations from the filtered list, and a staff invitation with roles.

Every test leaves the shared demo data as it found it (settings, panels, logo), so the
other journeys see the demo as loaded."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

import pool_portal.models as m
from tests.e2e.event_client import EventClient, redirects
from tests.e2e.event_client import sign_in as http_sign_in
from tests.e2e.test_incidents_journey import png
from tests.e2e.test_shell_journey import DEMO_PASSWORD, sign_in

ADMIN = "admin@aquademo.example.com"
COSTA = "Costa Azul Residences"


def _context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    return ctx, pg


def _ids(app_server) -> dict[str, int]:
    with Session(app_server.engine()) as db:
        tenant = db.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        costa = db.exec(select(m.Client).where(m.Client.tenant_id == tenant.id, m.Client.name == COSTA)).one()
        admin = db.exec(select(m.StaffUser).where(m.StaffUser.email == ADMIN)).one()
        return {"tenant": tenant.id, "costa": costa.id, "admin": admin.id}


def _reset_costa(app_server) -> None:
    from pool_portal.services.staff import portal_admin

    ids = _ids(app_server)
    with Session(app_server.engine()) as db:
        portal_admin.reset_client_overrides(db, ids["tenant"], ids["admin"], ids["costa"])
        db.commit()


def _link_in(mailbox, msg) -> str:
    found = re.search(r"https?://\S+token=[\w.\-]+", mailbox.text_of(msg))
    assert found, mailbox.text_of(msg)
    return found.group(0)


def _set_password(page, link: str, password: str) -> None:
    """Follow an invitation link and choose the password."""
    page.goto(link)
    page.locator("#pw-password").fill(password)
    page.locator("#pw-confirm").fill(password)
    page.locator("#password-submit").click()


def test_admin_hides_service_calls_for_one_client_and_reset_restores_it(app_server, browser, page):
    client_ctx, client = _context(browser)
    group_ctx, group = _context(browser)
    try:
        # The client has the dashboard open before the admin changes anything.
        sign_in(client, app_server, "/portal/login", "client@aquademo.example.com")
        expect(client.locator("#panel-calls")).to_be_visible()

        sign_in(page, app_server, "/admin/login", ADMIN)
        expect(page).to_have_url(re.compile(r"/admin/?$"))
        page.get_by_role("link", name="Clients", exact=True).click()
        page.locator("#clients-q").fill("costa azul")
        page.locator("#clients-go").click()
        expect(page).to_have_url(re.compile(r"q=costa"))
        rows = page.locator("#admin-clients-table tbody tr")
        expect(rows).to_have_count(1)
        rows.get_by_role("link", name=COSTA).click()
        expect(page.locator("#client-name")).to_have_text(COSTA)
        expect(page.locator("#customise-state-service_calls")).to_have_text("Shown")

        page.locator("#customise-service_calls").select_option("hide")
        page.locator("#customise-save").click()
        expect(page.locator("#admin-notice")).to_contain_text("panels are saved")
        expect(page.locator("#customise-state-service_calls")).to_have_text("Hidden")
        expect(page.locator("#customise-service_calls")).to_have_value("hide")

        # The client's next navigation: no Service calls panel; the others are still there.
        client.get_by_role("link", name="Jobs", exact=True).click()
        expect(client).to_have_url(re.compile(r"/portal/jobs"))
        client.get_by_role("link", name="Home", exact=True).click()
        expect(client.locator("#panel-activity")).to_be_visible()
        expect(client.locator("#panel-calls")).to_have_count(0)
        # The group user (whose group does not include Costa Azul) still has it.
        sign_in(group, app_server, "/portal/login", "group@aquademo.example.com")
        expect(group.locator("#panel-calls")).to_be_visible()

        page.locator("#customise-reset").click()
        expect(page.locator("#admin-notice")).to_contain_text("follows the defaults again")
        expect(page.locator("#customise-state-service_calls")).to_have_text("Shown")
        expect(page.locator("#customise-service_calls")).to_have_value("default")
        client.goto(f"{app_server}/portal")
        expect(client.locator("#panel-calls")).to_be_visible()
    finally:
        _reset_costa(app_server)
        client_ctx.close()
        group_ctx.close()


def test_view_the_portal_as_a_client_in_the_browser(app_server, page):
    ids = _ids(app_server)
    with Session(app_server.engine()) as db:
        jobs_before = db.exec(select(func.count(m.Job.id))).one()
    sign_in(page, app_server, "/admin/login", ADMIN)
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.goto(f"{app_server}/admin/client?id={ids['costa']}")
    page.locator("#view-as").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.locator("#view-as-banner")).to_contain_text(COSTA)
    rows = page.locator("#properties-table tbody tr")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("Costa Azul")

    # A write is refused by the server, whatever the page offers.
    page.get_by_role("link", name="Request a job", exact=True).click()
    expect(page.locator("#job-site option").first).to_be_attached()
    page.locator("#job-description").fill("Please check the pump, it is noisy.")
    page.locator("#job-submit").click()
    expect(page.get_by_text("read-only view of the portal")).to_be_visible()
    expect(page.locator("#job-created")).to_have_count(0)
    with Session(app_server.engine()) as db:
        assert db.exec(select(func.count(m.Job.id))).one() == jobs_before

    page.locator("#end-view-as").click()
    expect(page).to_have_url(re.compile(rf"/admin/client\?id={ids['costa']}"))
    page.goto(f"{app_server}/portal")
    expect(page).to_have_url(re.compile(r"/portal/login"))


def _portal_write_handlers() -> dict[str, str]:
    """ "State.handler" -> full event name of every portal handler declared as a write."""
    from tests.e2e.test_authorization_matrix import _handlers

    return {
        short: full
        for short, (full, rule) in _handlers().items()
        if rule is not None and rule.kind == "portal" and not rule.allow_read_only
    }


def test_viewing_as_a_client_refuses_every_write_over_the_websocket(app_server):
    """A hostile browser of a staff member viewing as a client calls every portal write
    handler directly: each is refused (audited, nothing written), reads work, and the
    client's documents download; after End viewing the portal is closed again."""
    from tests.e2e.test_authorization_matrix import CALLS, _handlers

    ids = _ids(app_server)
    handlers = _handlers()
    writes = _portal_write_handlers()
    assert {
        "RequestJobState.submit_request",
        "QuotesState.submit_action",
        "ReportFaultState.submit_report",
        "IncidentState.post_message",
    } <= set(writes)
    cookie = http_sign_in(app_server, ADMIN, DEMO_PASSWORD, "staff")
    engine = app_server.engine()

    def counts() -> tuple:
        with Session(engine) as db:
            return tuple(
                db.exec(select(func.count(model.id))).one()
                for model in (m.Job, m.Incident, m.IncidentMessage, m.Notification)
            )

    with Session(engine) as db:
        quote = db.exec(
            select(m.Quote)
            .join(m.Site, m.Site.id == m.Quote.site_id)
            .where(m.Site.client_id == ids["costa"], m.Quote.status == m.QuoteStatus.AWAITING_ACCEPTANCE)
        ).first()
    client = EventClient(app_server, cookie)
    try:
        before = counts()
        client.call(handlers["ClientState.load_client"][0], {}, path=f"/admin/client?id={ids['costa']}")
        result = client.call(handlers["ClientState.view_as"][0], {}, path=f"/admin/client?id={ids['costa']}")
        assert redirects(result) == ["/portal"]
        home = client.call(handlers["PortalHomeState.load_home"][0], {}, path="/portal")
        delta = {k: v for d in home["delta"].values() for k, v in d.items()}
        assert delta.get("viewing_as_rx_state_") == COSTA, (redirects(home), home["events"][:3], sorted(delta)[:20])
        assert [p["name"][:10] for p in delta["properties_rx_state_"]] == ["Costa Azul"] * 3
        if quote is not None:  # reads include the client's PDFs
            r = requests.get(f"{app_server}/files/quote/{quote.id}", cookies={"pp_session": cookie}, timeout=30)
            assert r.status_code == 200 and r.content[:4] == b"%PDF"
            client.call(handlers["QuotesState.load_quotes"][0], {}, path="/portal/quotes")
            client.call(
                handlers["QuotesState.open_action"][0],
                {"quote_id": str(quote.id), "action": "approve"},
                path="/portal/quotes",
            )
        with Session(engine) as db:
            refused_before = db.exec(
                select(func.count(m.AuditEvent.id)).where(
                    m.AuditEvent.action == "call.refused", m.AuditEvent.detail.contains("read-only")
                )
            ).one()
        for short, full in sorted(writes.items()):
            result = client.call(full, CALLS[short], path="/portal")
            assert not [p for p in redirects(result) if p.endswith("/login")], short
            # The page says why (a message in the page: a toast would be a script to eval).
            said = [d.get("refused_write_rx_state_", "") for d in result["delta"].values()]
            assert any("read-only view of the portal" in s for s in said), f"{short}: no read-only message"
        assert counts() == before
        with Session(engine) as db:
            refused = db.exec(
                select(m.AuditEvent)
                .where(m.AuditEvent.action == "call.refused", m.AuditEvent.detail.contains("read-only"))
                .order_by(m.AuditEvent.id)
            ).all()
            assert len(refused) == refused_before + len(writes)
            assert all(f'"acting_staff_id": {ids["admin"]}' in e.detail for e in refused[-len(writes) :])
            if quote is not None:
                assert db.get(m.Quote, quote.id).status == m.QuoteStatus.AWAITING_ACCEPTANCE
            assert db.exec(
                select(m.AuditEvent).where(
                    m.AuditEvent.action == "admin.view_as", m.AuditEvent.target_id == str(ids["costa"])
                )
            ).first()

        result = client.call(handlers["PortalState.end_view_as"][0], {}, path="/portal")
        assert redirects(result) == [f"/admin/client?id={ids['costa']}"]
        result = client.call(handlers["PortalHomeState.load_home"][0], {}, path="/portal")
        assert any(p.endswith("/portal/login") for p in redirects(result))
        # (The quote's PDF still downloads for this ADMIN after End viewing: staff editors
        # preview their tenant's documents, Admin -> Data; see tests/test_pdf_files.py.)
    finally:
        client.close()


def test_a_disabled_contacts_open_session_stops_working(app_server, browser, page, mailbox):
    with Session(app_server.engine()) as db:
        tenant = db.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        with_contacts = select(m.Membership.client_id).where(m.Membership.client_id.is_not(None))
        target = db.exec(
            select(m.Client)
            .join(m.Site, m.Site.client_id == m.Client.id)
            .where(m.Client.tenant_id == tenant.id, m.Client.id.not_in(with_contacts))
            .order_by(m.Client.name)
        ).first()
    email = "dana.e2e@example.com"
    contact_ctx, contact = _context(browser)
    try:
        sign_in(page, app_server, "/admin/login", ADMIN)
        expect(page).to_have_url(re.compile(r"/admin/?$"))
        page.goto(f"{app_server}/admin/client?id={target.id}")
        expect(page.locator("#client-name")).to_have_text(target.name)
        expect(page.locator("#client-no-contacts")).to_be_visible()
        # A wrong email is reported next to the field, and nothing is created.
        page.locator("#contact-name").fill("Dana Ortiz")
        page.locator("#contact-email").fill("dana at example")
        page.locator("#contact-add").click()
        expect(page.locator("#error-email")).to_contain_text("valid email")
        page.locator("#contact-email").fill(email)
        page.locator("#contact-add").click()
        expect(page.locator("#admin-notice")).to_contain_text("invitation sent")
        row = page.locator("#client-contacts tbody tr", has_text=email)
        expect(row).to_contain_text("Invitation sent")

        # The contact accepts the invitation and is signed in.
        msg = mailbox.wait_for(lambda mm: mm["To"] == email and "/portal/set-password" in mailbox.text_of(mm))
        _set_password(contact, _link_in(mailbox, msg), "a long new passphrase")
        expect(contact).to_have_url(re.compile(r"/portal/?$"))
        expect(contact.locator("#properties-table tbody tr").first).to_contain_text(target.name.split()[0])
        cookie = next(c["value"] for c in contact.context.cookies() if c["name"] == "pp_session")
        page.reload()
        expect(row).to_contain_text("Signed up")

        # The admin disables the contact: the open page stops working at its next step.
        row.get_by_role("button", name=f"Disable {email}").click()
        expect(page.locator("#admin-notice")).to_contain_text("sessions have ended")
        expect(row).to_contain_text("Disabled")
        contact.get_by_role("link", name="Jobs", exact=True).click()
        expect(contact).to_have_url(re.compile(r"/portal/login"))
        # The same cookie, straight over the websocket and on a download: refused.
        from tests.e2e.test_authorization_matrix import _handlers

        ws = EventClient(app_server, cookie)
        try:
            result = ws.call(_handlers()["PortalHomeState.load_home"][0], {}, path="/portal")
            assert any(p.endswith("/portal/login") for p in redirects(result))
        finally:
            ws.close()
        r = requests.get(f"{app_server}/files/export/jobs.csv", cookies={"pp_session": cookie}, timeout=30)
        assert r.status_code == 401
    finally:
        contact_ctx.close()


def test_portal_settings_and_logo_apply_on_the_next_navigation(app_server, browser, page):
    from pool_portal.services.staff import portal_admin

    ids = _ids(app_server)
    client_ctx, client = _context(browser)
    try:
        sign_in(client, app_server, "/portal/login", "client@aquademo.example.com")
        expect(client.get_by_role("link", name="Incidents", exact=True)).to_be_visible()

        sign_in(page, app_server, "/admin/login", ADMIN)
        expect(page).to_have_url(re.compile(r"/admin/?$"))
        page.get_by_role("link", name="Customer portal", exact=True).click()
        expect(page.locator("#set-incidents_enabled")).to_be_checked()
        # A bad colour: the message is next to the field and nothing is saved.
        page.locator("#set-incidents_enabled").uncheck()
        page.locator("#set-brand_colour").fill("blue")
        page.locator("#settings-save").click()
        expect(page.locator("#error-brand_colour")).to_contain_text("#RRGGBB")
        expect(page.locator("#settings-notice")).to_have_count(0)
        with Session(app_server.engine()) as db:
            assert portal_admin.get_portal_settings(db, ids["tenant"])["incidents_enabled"] is True
        client.get_by_role("link", name="Jobs", exact=True).click()
        expect(client.get_by_role("link", name="Incidents", exact=True)).to_be_visible()

        page.locator("#set-brand_colour").fill("#AA3300")
        page.locator("#settings-save").click()
        expect(page.locator("#settings-notice")).to_contain_text("Settings saved")
        expect(page.locator("#error-brand_colour")).to_have_count(0)
        expect(page.locator("#set-incidents_enabled")).not_to_be_checked()
        client.get_by_role("link", name="Home", exact=True).click()
        expect(client.locator("#properties-table")).to_be_visible()
        expect(client.get_by_role("link", name="Incidents", exact=True)).to_have_count(0)
        expect(client.locator("header")).to_have_css("border-bottom-color", "rgb(170, 51, 0)")

        # The logo: a file that is not an image is refused by its content, whatever its name.
        upload = page.locator("#logo-upload input[type=file]")
        upload.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"<svg onload=1>"}])
        expect(page.locator("#logo-upload-selected")).to_contain_text("logo.png")
        page.locator("#logo-save").click()
        expect(page.locator("#error-logo")).to_contain_text("PNG, JPEG or WebP")
        upload.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png(120, 40)}])
        page.locator("#logo-save").click()
        expect(page.locator("#settings-notice")).to_contain_text("Logo saved")
        expect(page.locator("#settings-logo")).to_be_visible()
        client.get_by_role("link", name="Jobs", exact=True).click()
        logo = client.locator("#tenant-logo")
        expect(logo).to_be_visible()
        client.wait_for_function(
            "() => { const i = document.querySelector('#tenant-logo'); "
            "return i && i.complete && i.naturalWidth === 120; }"
        )
        # The logo route answers only a signed-in user of the tenant.
        src = logo.get_attribute("src")
        assert requests.get(f"{app_server}{src}", timeout=30).status_code == 401
        bluewave = http_sign_in(app_server, "client@bluewave.example.com", DEMO_PASSWORD)
        assert requests.get(f"{app_server}{src}", cookies={"pp_session": bluewave}, timeout=30).status_code == 404
    finally:
        with Session(app_server.engine()) as db:
            portal_admin.update_portal_settings(
                db, ids["tenant"], ids["admin"], {"incidents_enabled": True, "brand_colour": "#0e7490"}
            )
            portal_admin.remove_logo(db, ids["tenant"], ids["admin"])
            db.commit()
        client_ctx.close()


def test_bulk_invitation_from_the_filtered_list_shows_progress(app_server, page, mailbox):
    from pool_portal.services.staff import invitations

    ids = _ids(app_server)
    with Session(app_server.engine()) as db:
        expected = invitations.invitable_contacts(db, ids["tenant"], ids["admin"], access="without_portal")
        emails = {db.get(m.PortalUser, uid).email for uid in expected}
    assert expected, "the demo has contacts that were never invited"
    sign_in(page, app_server, "/admin/login", ADMIN)
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.goto(f"{app_server}/admin/clients")
    page.locator("#clients-access").select_option("without_portal")
    expect(page).to_have_url(re.compile(r"access=without_portal"))
    expect(page.locator("#admin-clients-table tbody tr").first).to_be_visible()
    page.locator("#bulk-invite").click()
    expect(page.locator("#bulk-done")).to_contain_text(str(len(expected)))
    expect(page.locator("#bulk-count")).to_have_text(f"{len(expected)} / {len(expected)}")
    for address in emails:
        mailbox.wait_for(lambda mm, a=address: mm["To"] == a and "/portal/set-password" in mailbox.text_of(mm))
    with Session(app_server.engine()) as db:
        assert invitations.invitable_contacts(db, ids["tenant"], ids["admin"], access="without_portal") == []


def test_staff_invitation_roles_and_deactivation(app_server, browser, page, mailbox):
    email = "olivia.e2e@example.com"
    staff_ctx, staff = _context(browser)
    try:
        sign_in(page, app_server, "/admin/login", ADMIN)
        expect(page).to_have_url(re.compile(r"/admin/?$"))
        page.get_by_role("link", name="Staff", exact=True).click()
        expect(page.locator("#staff-table")).to_contain_text(ADMIN)
        page.locator("#staff-name").fill("Olivia Sanz")
        page.locator("#staff-email").fill("olivia at example")
        page.locator("#staff-invite").click()
        expect(page.locator("#error-email")).to_contain_text("valid email")
        page.locator("#staff-email").fill(email)
        page.locator("#staff-new-role").select_option("OFFICE")
        page.locator("#staff-invite").click()
        expect(page.locator("#admin-notice")).to_contain_text("Invitation sent")
        row = page.locator("#staff-table tbody tr", has_text=email)
        expect(row).to_contain_text("Invited")

        msg = mailbox.wait_for(lambda mm: mm["To"] == email and "/admin/set-password" in mailbox.text_of(mm))
        _set_password(staff, _link_in(mailbox, msg), "office passphrase 2026")
        expect(staff).to_have_url(re.compile(r"/admin/?$"))
        # OFFICE: clients and groups, not the portal settings nor the staff.
        expect(staff.get_by_role("link", name="Clients", exact=True)).to_be_visible()
        expect(staff.get_by_role("link", name="Client groups", exact=True)).to_be_visible()
        expect(staff.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
        expect(staff.get_by_role("link", name="Customer portal", exact=True)).to_have_count(0)
        staff.goto(f"{app_server}/admin/settings")
        expect(staff).to_have_url(re.compile(r"/admin/login"))

        # The tenant's only administrator cannot give themselves another role.
        own = page.locator("#staff-table tbody tr", has_text=ADMIN)
        own.locator("select").select_option("OFFICE")
        expect(own).to_contain_text("last active administrator")
        expect(own.locator("select")).to_have_value("ADMIN")

        # Deactivated: the new colleague's open session ends.
        staff.goto(f"{app_server}/admin")
        expect(staff.get_by_role("link", name="Clients", exact=True)).to_be_visible()
        row.get_by_role("button", name=f"Deactivate {email}").click()
        expect(row).to_contain_text("Deactivated")
        staff.get_by_role("link", name="Clients", exact=True).click()
        expect(staff).to_have_url(re.compile(r"/admin/login"))
    finally:
        staff_ctx.close()


def test_the_admin_pages_fit_a_phone(app_server, phone_page):
    ids = _ids(app_server)
    with Session(app_server.engine()) as db:
        group = db.exec(select(m.ClientGroup).where(m.ClientGroup.name == "Mediterranean Hotels Group")).one()
    sign_in(phone_page, app_server, "/admin/login", ADMIN)
    expect(phone_page).to_have_url(re.compile(r"/admin/?$"))
    for path, ready in (
        (f"/admin/client?id={ids['costa']}", "#customise-save"),
        ("/admin/settings", "#settings-save"),
        ("/admin/clients", "#admin-clients-table"),
        ("/admin/groups", "#groups-table"),
        ("/admin/staff", "#staff-table"),
        (f"/admin/group?id={group.id}", "#group-clients"),
    ):
        phone_page.goto(f"{app_server}{path}")
        expect(phone_page.locator(ready)).to_be_visible()
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_client_groups_nest_members_and_access(app_server, page):
    from pool_portal.services.staff import group_members
    from pool_portal.services.staff import groups as client_groups

    ids = _ids(app_server)
    sign_in(page, app_server, "/admin/login", ADMIN)
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    try:
        page.get_by_role("link", name="Client groups", exact=True).click()
        expect(page.locator("#groups-table")).to_contain_text("Mediterranean Hotels Group")
        page.locator("#group-create").click()
        expect(page.locator("#error-name")).to_contain_text("Enter a name")
        page.locator("#group-name").fill("E2E Riviera")
        page.locator("#group-create").click()
        expect(page.locator("#group-title")).to_have_text("E2E Riviera")
        page.get_by_role("link", name="Client groups").first.click()
        expect(page.locator("#groups-table")).to_contain_text("E2E Riviera")
        page.locator("#group-name").fill("E2E Sub")
        page.locator("#group-parent").select_option(label="E2E Riviera")
        page.locator("#group-create").click()
        expect(page.locator("#group-title")).to_have_text("E2E Sub")
        expect(page.locator("main")).to_contain_text("E2E Riviera ›")

        page.locator("#group-add-client").select_option(label=COSTA)
        page.locator("#group-add-client-save").click()
        expect(page.locator("#group-clients")).to_contain_text(COSTA)
        page.locator("#group-grant-user").select_option(label="Carla Pérez <client@aquademo.example.com>")
        page.locator("#group-grant-role").select_option("BILLING")
        page.locator("#group-grant-user-save").click()
        expect(page.locator("#group-contacts")).to_contain_text("client@aquademo.example.com")
        expect(page.locator("#group-contacts")).to_contain_text("Billing")

        # The parent cannot go inside its own sub-group, and is not empty.
        page.goto(f"{app_server}/admin/groups")
        page.get_by_role("link", name="E2E Riviera", exact=True).click()
        expect(page.locator("#group-title")).to_have_text("E2E Riviera")
        expect(page.locator("#group-move option", has_text="E2E Sub")).to_have_count(0)  # not offered
        page.locator("#group-delete").click()
        expect(page.locator("#error-group_id")).to_contain_text("only an empty group")

        page.get_by_role("link", name="E2E Sub").click()
        expect(page.locator("#group-title")).to_have_text("E2E Sub")
        page.get_by_role("button", name="Remove access client@aquademo.example.com").click()
        expect(page.locator("#group-contacts")).to_have_count(0)
        page.get_by_role("button", name=f"Remove {COSTA}").click()
        expect(page.locator("#group-clients")).to_have_count(0)
        page.locator("#group-delete").click()
        expect(page).to_have_url(re.compile(r"/admin/groups"))
        expect(page.locator("#groups-table")).not_to_contain_text("E2E Sub")
    finally:
        with Session(app_server.engine()) as db:  # leave the demo as it was, whatever happened above
            for g in sorted(client_groups.list_groups(db, ids["tenant"], ids["admin"]), key=lambda g: -g.depth):
                if g.name.startswith("E2E "):
                    detail = client_groups.group_detail(db, ids["tenant"], ids["admin"], g.id)
                    for u in detail.contacts:
                        group_members.revoke_group_access(db, ids["tenant"], ids["admin"], g.id, u.id)
                    for c in detail.clients:
                        group_members.remove_group_client(db, ids["tenant"], ids["admin"], g.id, c.id)
                    client_groups.delete_group(db, ids["tenant"], ids["admin"], g.id)
            db.commit()
