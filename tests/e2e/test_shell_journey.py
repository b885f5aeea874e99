"""A person opens the portal, signs in, sees their properties, switches language and
signs out; a staff member signs in to the admin side."""

from __future__ import annotations

import re

from playwright.sync_api import expect

DEMO_PASSWORD = "demo-portal-2026"


def sign_in(page, base: str, path: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}{path}")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(password)
    page.locator("#login-submit").click()


def test_login_page_loads(app_server, page):
    page.goto(f"{app_server}/portal/login")
    expect(page.get_by_role("heading", name="Sign in to your customer portal")).to_be_visible()
    expect(page.locator("#login-email")).to_be_visible()
    expect(page).to_have_title("Sign in | Pool Portal")


def test_wrong_password_says_so_and_keeps_you_out(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com", "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("email or password is not right")
    page.goto(f"{app_server}/portal")
    expect(page).to_have_url(re.compile(r"/portal/login"))


def test_client_sees_only_own_properties_then_signs_out(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    table = page.locator("#properties-table")
    expect(table).to_be_visible()
    expect(page.locator("#tenant-name")).to_have_text("AquaDemo")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_contain_text("Costa Azul")
    # The session id lives in an HttpOnly cookie: scripts cannot read it.
    assert "pp_session" not in page.evaluate("document.cookie")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["pp_session"]["httpOnly"] is True
    assert cookies["pp_session"]["sameSite"] == "Lax"
    old_cookie = cookies["pp_session"]["value"]

    # Spanish from the language switch.
    expect(page).to_have_title("Home | Pool Portal")
    page.locator("#language-switch").select_option("es")
    expect(page.get_by_role("heading", name="Tus propiedades", exact=True)).to_be_visible()
    expect(page).to_have_title("Inicio | Pool Portal")  # the page title follows the language too
    page.locator("#language-switch").select_option("en")
    expect(page.get_by_role("heading", name="Your properties", exact=True)).to_be_visible()

    page.locator("#sign-out").click()
    expect(page).to_have_url(re.compile(r"/portal/login"))
    # The old session id is dead server-side, even if someone kept it.
    page.context.add_cookies([{**cookies["pp_session"], "value": old_cookie}])
    page.goto(f"{app_server}/portal")
    expect(page).to_have_url(re.compile(r"/portal/login"))


def test_group_user_sees_the_whole_group(app_server, page):
    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    rows = page.locator("#properties-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    expect(page.locator("#properties-table")).not_to_contain_text("Costa Azul")


def test_staff_admin_sees_clients_on_phone_width(app_server, phone_page):
    sign_in(phone_page, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(phone_page).to_have_url(re.compile(r"/admin/?$"))
    table = phone_page.locator("#clients-table")
    expect(table).to_contain_text("Costa Azul Residences")
    expect(table).not_to_contain_text("BlueWave")
    # Nothing wider than the phone's screen but the scrollable table.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_portal_user_cannot_open_admin(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    expect(page.locator("#properties-table")).to_be_visible()
    page.goto(f"{app_server}/admin")
    expect(page).to_have_url(re.compile(r"/admin/login"))
