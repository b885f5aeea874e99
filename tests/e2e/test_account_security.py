"""The account: changing the password (the current one first, never the same again, the
other devices signed out at once, a mail) and a sign-in throttle that holds on the real
app (in the postgres pass two workers share it through the database).

Every test uses contacts of its own: changing or throttling them touches no demo
account other tests sign in with."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
import requests
from playwright.sync_api import expect
from sqlmodel import Session, delete, select

import pool_portal.models as m
import pool_portal.pool_portal  # noqa: F401  (registers every state)
from pool_portal.services.identity import throttle
from pool_portal.services.identity.passwords import hash_password
from pool_portal.states.portal.home import PortalHomeState
from tests.e2e.event_client import EventClient, handler_name, redirects, sign_in, state_vars

PASSWORD = "a staff-set password"
LOAD_HOME = handler_name(PortalHomeState, "load_home")


@pytest.fixture
def contact(app_server):
    """A fresh contact of Costa Azul Residences: (email, language "es")."""
    email = f"account-{uuid.uuid4().hex[:8]}@example.com"
    with Session(app_server.engine()) as db:
        costa = db.exec(select(m.Client).where(m.Client.name == "Costa Azul Residences")).one()
        user = m.PortalUser(
            tenant_id=costa.tenant_id, email=email, name="Ana", password_hash=hash_password(PASSWORD), language="es"
        )
        db.add(user)
        db.flush()
        db.add(m.Membership(tenant_id=costa.tenant_id, portal_user_id=user.id, client_id=costa.id))
        db.commit()
    yield email
    # Every test signs in from 127.0.0.1: forget this module's failures of that address,
    # so that the address's limit is not used up for the tests that follow.
    with Session(app_server.engine()) as db:
        db.exec(delete(m.LoginThrottle).where(m.LoginThrottle.key == throttle.ip_row_key("127.0.0.1")))
        db.commit()


def _must_change(app_server, email: str) -> None:
    with Session(app_server.engine()) as db:
        user = db.exec(select(m.PortalUser).where(m.PortalUser.email == email)).one()
        user.must_change_password = True
        db.add(user)
        db.commit()


def _change(app_server, cookie: str, current: str, new: str) -> str:
    r = requests.post(
        f"{app_server}/auth/change-password",
        data={"current": current, "password": new, "confirm": new},
        cookies={"pp_session": cookie},
        allow_redirects=False,
        timeout=60,
    )
    assert r.status_code == 303
    return r.headers["location"]


def test_a_password_change_refuses_the_other_devices_events_at_once_and_mails_the_user(app_server, contact, mailbox):
    this, other = sign_in(app_server, contact, PASSWORD), sign_in(app_server, contact, PASSWORD)
    here, there = EventClient(app_server, this), EventClient(app_server, other)
    try:
        for tab in (here, there):  # both devices see the dashboard
            assert state_vars(tab.call(LOAD_HOME, {}, path="/portal"), PortalHomeState).get("properties")
        assert _change(app_server, this, "wrong current password", "a new password 1").endswith(
            "error=password.wrong_current"
        )
        assert _change(app_server, this, PASSWORD, PASSWORD).endswith("error=password.same_as_current")
        assert state_vars(there.call(LOAD_HOME, {}, path="/portal"), PortalHomeState).get("properties")

        assert _change(app_server, this, PASSWORD, "a new password 1") == "/portal/password?changed=1"
        # The other device's open connection: its next event is refused and its tab wiped.
        refused = there.call(LOAD_HOME, {}, path="/portal")
        assert "/portal/login" in redirects(refused)
        assert not state_vars(refused, PortalHomeState).get("properties")
        # This device goes on.
        assert state_vars(here.call(LOAD_HOME, {}, path="/portal"), PortalHomeState).get("properties")
    finally:
        here.close()
        there.close()
    sent = mailbox.wait_for(lambda msg: msg["To"] == contact)
    assert sent["Subject"] == "Se ha cambiado tu contraseña del portal de AquaDemo"
    text = mailbox.text_of(sent)
    assert "a new password 1" not in text and PASSWORD not in text and "/portal/login" in text


def test_the_first_sign_in_after_a_staff_set_password_changes_it_on_the_page(app_server, contact, browser):
    _must_change(app_server, contact)
    elsewhere = sign_in(app_server, contact, PASSWORD)  # a device signed in before
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_server}/portal/login")
        page.locator("#login-email").fill(contact)
        page.locator("#login-password").fill(PASSWORD)
        page.locator("#login-submit").click()
        expect(page).to_have_url(re.compile(r"/portal/password$"))
        expect(page.get_by_text(re.compile("Your password was set by our team|Nuestro equipo creó"))).to_be_visible()

        def submit(current: str, new: str) -> None:
            page.locator("#pw-current").fill(current)
            page.locator("#pw-password").fill(new)
            page.locator("#pw-confirm").fill(new)
            page.locator("#password-submit").click()

        submit(PASSWORD, PASSWORD)  # "changed" to itself: refused
        expect(page.locator("#password-error")).to_have_text(
            re.compile("must be different from the current one|debe ser distinta de la actual")
        )
        submit("not my password", "my very own password")
        expect(page.locator("#password-error")).to_have_text(
            re.compile("current password is not right|contraseña actual no es correcta")
        )
        submit(PASSWORD, "my very own password")
        expect(page.locator("#password-changed")).to_be_visible()
        expect(page.locator("#password-signed-out")).to_have_text(
            re.compile("signed out on 1 other device|Se ha cerrado tu sesión en otro dispositivo")
        )
        page.locator("#password-continue").click()
        expect(page).to_have_url(re.compile(r"/portal/?$"))
        expect(page.locator("#properties-table")).to_contain_text("Costa Azul")
    finally:
        context.close()
    gone = EventClient(app_server, elsewhere)
    try:
        assert "/portal/login" in redirects(gone.call(LOAD_HOME, {}, path="/portal"))
    finally:
        gone.close()


def test_parallel_wrong_guesses_are_checked_one_by_one_on_every_worker(app_server, contact):
    """Eight threads guess one contact's password at once against the running app (two
    workers in the postgres pass) until seven guesses were checked: each only after the
    back-off of the one before (1 s after the fifth, 2 s after the sixth)."""
    goal = 7
    answers: list[str] = []
    lock = threading.Lock()

    def guesser() -> None:
        with requests.Session() as http:
            while True:
                with lock:
                    if answers.count("invalid") >= goal:
                        return
                r = http.post(
                    f"{app_server}/auth/login",
                    data={"kind": "portal", "email": contact, "password": "a wrong guess"},
                    allow_redirects=False,
                    timeout=60,
                )
                error = re.search(r"error=(\w+)", r.headers.get("location", ""))
                with lock:
                    answers.append(error.group(1) if error else "signed in")

    started = time.monotonic()
    threads = [threading.Thread(target=guesser) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - started
    assert set(answers) == {"invalid", "throttled"} and answers.count("invalid") == goal
    key = throttle.account_row_key("portal", contact)[2:]
    with Session(app_server.engine()) as db:
        checked = db.exec(
            select(m.AuditEvent.created_at)
            .where(m.AuditEvent.action == "login.failed", m.AuditEvent.target_id == key)
            .order_by(m.AuditEvent.created_at)
        ).all()
    assert len(checked) == goal
    delays = [throttle.delay_after(n) for n in range(1, goal)]
    gaps = [(b - a).total_seconds() for a, b in zip(checked, checked[1:], strict=False)]
    assert all(gap >= delay for gap, delay in zip(gaps, delays, strict=True)), (gaps, delays)
    assert elapsed >= sum(delays)
    # During the back-off the right password is refused too.
    r = requests.post(
        f"{app_server}/auth/login",
        data={"kind": "portal", "email": contact, "password": PASSWORD},
        allow_redirects=False,
        timeout=60,
    )
    assert r.headers["location"].endswith("error=throttled") and "pp_session" not in r.cookies
