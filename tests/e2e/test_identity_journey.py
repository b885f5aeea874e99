"""Signing in with a mailed link, for real: a real SMTP server receives the mail, a
real browser follows the link, signs in, changes view and signs out."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect


def _link_in(mailbox, msg) -> str:
    match = re.search(r"https?://\S+token=[\w.\-]+", mailbox.text_of(msg))
    assert match, mailbox.text_of(msg)
    return match.group(0)


def _request_link(page, base: str, email: str) -> None:
    page.goto(f"{base}/portal/login")
    page.locator("#link-email").fill(email)
    page.locator("#link-submit").click()
    expect(page.locator("#link-status")).to_contain_text("sign-in link is on its way")


def test_magic_link_sign_in_view_switch_and_sign_out(app_server, mailbox, page):
    _request_link(page, app_server, "group@aquademo.example.com")
    msg = mailbox.wait_for(lambda m: m["To"] == "group@aquademo.example.com" and "/portal/magic" in mailbox.text_of(m))
    link = _link_in(mailbox, msg)

    # A mail scanner fetching the link does not use it up.
    assert requests.get(link, timeout=30).status_code == 200

    page.goto(link)
    page.locator("#magic-submit").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    rows = page.locator("#properties-table tbody tr")
    expect(rows.first).to_be_visible()
    whole_group = rows.count()
    assert whole_group >= 10
    assert "pp_session" not in page.evaluate("document.cookie")

    # The group user narrows the view to one client, then goes back to the group.
    switch = page.locator("#view-switch")
    options = switch.locator("option")
    client_option = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if options.nth(i).get_attribute("value").startswith("client:")
    )
    switch.select_option(client_option)
    expect(rows).not_to_have_count(whole_group)
    one_client = rows.count()
    assert 1 <= one_client < whole_group
    # The nested regional group shows fewer pools; the whole group shows them all again.
    switch.select_option(label="Costa Blanca Hotels")
    expect(rows).not_to_have_count(one_client)
    assert 1 <= rows.count() < whole_group
    switch.select_option(label="Mediterranean Hotels Group")
    expect(rows).to_have_count(whole_group)

    cookie = next(c for c in page.context.cookies() if c["name"] == "pp_session")
    page.locator("#sign-out").click()
    expect(page).to_have_url(re.compile(r"/portal/login"))
    page.context.add_cookies([cookie])
    page.goto(f"{app_server}/portal")
    expect(page).to_have_url(re.compile(r"/portal/login"))

    # The link worked once: opening it again says so.
    page.goto(link)
    expect(page.locator("#link-invalid")).to_be_visible()


def test_unknown_email_gets_the_same_answer_and_no_mail(app_server, mailbox, page):
    before = len(mailbox.messages)
    _request_link(page, app_server, "nobody-here@example.com")
    assert all(m["To"] != "nobody-here@example.com" for m in mailbox.messages[before:])


def test_deep_link_to_another_view_switches_to_it(app_server, page):
    from sqlmodel import Session, select

    import pool_portal.models as m
    from tests.e2e.test_shell_journey import sign_in

    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    switch = page.locator("#view-switch")
    expect(switch).to_be_visible()
    switch.select_option(label="Hotel Altamar")
    expect(page.locator("#properties-table tbody tr").first).to_contain_text("Hotel Altamar")
    with Session(app_server.engine()) as db:
        site = db.exec(select(m.Site).join(m.Client).where(m.Client.name == "Hotel Marina Sol")).first()
    page.goto(f"{app_server}/portal?show=property&site={site.id}")
    expect(page.locator("#overlay")).to_contain_text(site.name)
    expect(switch).to_have_value(re.compile(r"^group:"))
