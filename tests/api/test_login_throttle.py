"""The password throttle and the password change, through the real backend routes
(/auth/login, /auth/change-password, /auth/set-password) on a migrated database: SQLite,
or PostgreSQL in the postgres pass. The throttle's clock is driven by the test where a
delay must pass; the parallel test runs in real time, its threads against the route."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal import db as dbmod
from pool_portal import migrations
from pool_portal import settings as settingsmod
from pool_portal.api import session_routes
from pool_portal.models import TokenPurpose, utcnow
from pool_portal.services.identity import auth, throttle, tokens
from pool_portal.services.identity.passwords import hash_password, verify_password
from pool_portal.services.infra import mail

PASSWORD = "a good long password"
WRONG = "not the password"
OFFICE_IP = "203.0.113.10"


class Clock:
    """The throttle's clock, moved by the test."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def app(db_url, tmp_path, monkeypatch):
    """The session routes on a migrated database with a portal user (Spanish) and a
    staff member; mail goes to the outbox folder. ``app.client(ip)`` is a browser."""
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "http://portal.test")
    for var in ("PORTAL_SMTP_URL", "PORTAL_BACKEND_URL", "PORTAL_LOGIN_IP_FAILURES"):
        monkeypatch.delenv(var, raising=False)
    settingsmod.get_settings.cache_clear()
    dbmod.get_engine.cache_clear()
    migrations.upgrade(db_url)
    engine = dbmod.get_engine()
    with Session(engine) as s:
        tenant = m.Tenant(name="Blue Pools", slug="blue")
        s.add(tenant)
        s.flush()
        pw = hash_password(PASSWORD)
        s.add(m.PortalUser(tenant_id=tenant.id, email="u@t.test", name="U", password_hash=pw, language="es"))
        s.add(m.StaffUser(tenant_id=tenant.id, email="s@t.test", name="S", role=m.StaffRole.OFFICE, password_hash=pw))
        s.commit()
        tenant_id = tenant.id
    routes = Starlette(routes=session_routes.routes)
    clients: list[TestClient] = []

    class App:
        def client(self, ip: str = OFFICE_IP) -> TestClient:
            c = TestClient(routes, base_url="http://portal.test", follow_redirects=False, client=(ip, 50000))
            c.__enter__()
            clients.append(c)
            return c

        def add_portal_users(self, emails) -> None:
            with Session(engine) as s:
                pw = hash_password(PASSWORD)
                s.add_all(m.PortalUser(tenant_id=tenant_id, email=e, name=e, password_hash=pw) for e in emails)
                s.commit()

    App.engine = engine
    yield App()
    for c in clients:
        c.__exit__(None, None, None)
    mail.wait_idle(30)
    engine.dispose()
    settingsmod.get_settings.cache_clear()
    dbmod.get_engine.cache_clear()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(throttle, "utcnow", c)
    return c


def _login(client, email="u@t.test", password=PASSWORD, kind="portal"):
    return client.post("/auth/login", data={"kind": kind, "email": email, "password": password})


def _error(response) -> str:
    """The sign-in's answer: "" when signed in, else the error the page is sent."""
    location = response.headers["location"]
    return parse_qs(urlsplit(location).query).get("error", [""])[0]


def _signed_in(response) -> bool:
    return response.status_code == 303 and _error(response) == "" and "set-cookie" in response.headers


def _audit(engine, action: str) -> list[m.AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(m.AuditEvent).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)))


# -- the sign-in throttle ------------------------------------------------------------------------


def test_during_the_back_off_the_right_password_is_refused_then_accepted_after_the_delay(app, clock):
    browser = app.client()
    for _ in range(5):  # the free failures
        assert _error(_login(browser, password=WRONG)) == "invalid"
    # The 5th failure starts a 1 s back-off: the right password is refused, unchecked.
    refused = _login(browser)
    assert _error(refused) == "throttled" and "set-cookie" not in refused.headers
    clock.advance(0.99)
    assert _error(_login(browser)) == "throttled"
    clock.advance(0.01)
    assert _error(_login(browser, password=WRONG)) == "invalid"  # the 6th failure: 2 s
    clock.advance(2)
    assert _error(_login(browser, password=WRONG)) == "invalid"  # the 7th: 4 s
    clock.advance(3.99)
    assert _error(_login(browser)) == "throttled"
    assert len(_audit(app.engine, "login.failed")) == 7  # the refused tries were never checked
    assert _audit(app.engine, "login.succeeded") == []
    clock.advance(0.01)
    assert _signed_in(_login(browser))
    # Refusals are audited; the staff account of the same address is another account.
    assert len(_audit(app.engine, "login.throttled")) == 3
    assert _signed_in(_login(browser, "s@t.test", kind="staff"))


def test_parallel_wrong_attempts_on_one_account_take_at_least_the_sum_of_their_delays(app):
    """Eight threads guess at once, as fast as the route answers, until seven guesses
    were checked: five free ones, then one after the 1 s and one after the 2 s back-off.
    Each guess is checked only after the back-off of the one before."""
    browser = app.client()
    goal = 7
    answers: list[str] = []
    lock = threading.Lock()

    def guesser() -> None:
        while True:
            with lock:
                if answers.count("invalid") >= goal:
                    return
            error = _error(_login(browser, password=WRONG))
            with lock:
                answers.append(error)

    started = time.monotonic()
    threads = [threading.Thread(target=guesser) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - started
    assert set(answers) == {"invalid", "throttled"}
    assert answers.count("invalid") == goal  # no guess slipped through in parallel
    checked = [e.created_at for e in _audit(app.engine, "login.failed")]
    assert len(checked) == goal
    delays = [throttle.delay_after(n) for n in range(1, goal)]
    gaps = [(b - a).total_seconds() for a, b in zip(checked, checked[1:], strict=False)]
    assert all(gap >= delay for gap, delay in zip(gaps, delays, strict=True)), (gaps, delays)
    assert elapsed >= sum(delays) == 3


def test_failures_from_one_address_are_limited_across_accounts_successes_are_not(app, monkeypatch):
    monkeypatch.setenv("PORTAL_LOGIN_IP_FAILURES", "3")
    settingsmod.get_settings.cache_clear()
    colleagues = [f"colleague{n}@t.test" for n in range(12)]
    app.add_portal_users(colleagues)
    office = app.client(OFFICE_IP)
    for n in range(2):  # two failures, each on another account
        assert _error(_login(office, f"nobody{n}@t.test", WRONG)) == "invalid"
    # Twelve people of the office sign in at once, one failure short of the limit: all do.
    results: dict[str, bool] = {}

    def sign_in(email: str) -> None:
        results[email] = _signed_in(_login(app.client(OFFICE_IP), email))

    threads = [threading.Thread(target=sign_in, args=(e,)) for e in colleagues]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == dict.fromkeys(colleagues, True)
    assert _error(_login(office, "nobody2@t.test", WRONG)) == "invalid"  # the third failure
    # Now every account is refused from that address, with the right password too...
    assert _error(_login(office, "colleague0@t.test")) == "throttled"
    assert _error(_login(office, "u@t.test")) == "throttled"
    assert [e.ip for e in _audit(app.engine, "login.throttled")] == [OFFICE_IP, OFFICE_IP]
    # ...but not from another address.
    assert _signed_in(_login(app.client("198.51.100.7"), "colleague0@t.test"))


# -- changing the password ------------------------------------------------------------------------


def _change(client, current: str, new: str, confirm: str | None = None):
    data = {"current": current, "password": new, "confirm": new if confirm is None else confirm}
    return client.post("/auth/change-password", data=data)


def _query(response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def _alive(engine, client) -> bool:
    with Session(engine) as s:
        return auth.resolve_viewer(s, client.cookies.get(auth.SESSION_COOKIE), touch=False) is not None


def _mails(to: str) -> list:
    mail.wait_idle(30)
    folder = settingsmod.get_settings().outbox_dir
    found = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]
    return [msg for msg in found if msg["To"] == to]


def _password_is(engine, password: str, model=m.PortalUser, email="u@t.test") -> bool:
    with Session(engine) as s:
        user = s.exec(select(model).where(model.email == email)).one()
        return verify_password(user.password_hash, password)


def test_changing_the_password_needs_the_current_one_and_a_wrong_one_counts_for_the_throttle(app, clock):
    phone, laptop = app.client(), app.client()
    assert _signed_in(_login(phone)) and _signed_in(_login(laptop))
    # Without the current password nothing changes, and the page says why.
    assert _query(_change(laptop, "", "my new password 1")) == {"error": "password.wrong_current"}
    for _ in range(4):
        assert _query(_change(laptop, WRONG, "my new password 1")) == {"error": "password.wrong_current"}
    assert _password_is(app.engine, PASSWORD) and _alive(app.engine, phone)
    # Five wrong current passwords: the account's back-off holds the right one too.
    assert _query(_change(laptop, PASSWORD, "my new password 1")) == {"error": "password.throttled"}
    assert _error(_login(app.client(), password=PASSWORD)) == "throttled"  # and sign-in
    clock.advance(1)
    # A staff-set or any password cannot be "changed" to itself.
    assert _query(_change(laptop, PASSWORD, PASSWORD)) == {"error": "password.same_as_current"}
    assert _query(_change(laptop, PASSWORD, "my new password 1", "typo")) == {"error": "password.mismatch"}
    assert _password_is(app.engine, PASSWORD) and _mails("u@t.test") == []


def test_a_changed_password_signs_out_the_other_devices_keeps_this_one_and_mails_the_user(app):
    phone, tablet, laptop = app.client(), app.client(), app.client()
    for browser in (phone, tablet, laptop):
        assert _signed_in(_login(browser))
    done = _change(laptop, PASSWORD, "my new password 1")
    assert done.headers["location"] == "/portal/password?changed=2"  # "signed out on 2 other devices"
    assert not _alive(app.engine, phone) and not _alive(app.engine, tablet)
    assert _alive(app.engine, laptop)
    assert _error(_login(app.client(), password=PASSWORD)) == "invalid"
    assert _signed_in(_login(app.client(), password="my new password 1"))
    # The user is told, in their language (Spanish), never with the password.
    (sent,) = _mails("u@t.test")
    assert sent["Subject"] == "Se ha cambiado tu contraseña del portal de Blue Pools"
    body = sent.get_body(preferencelist=("plain",)).get_content()
    assert "http://portal.test/portal/login" in body and "my new password 1" not in body


def test_staff_change_their_password_the_same_way(app):
    desk, home = app.client(), app.client()
    assert _signed_in(_login(desk, "s@t.test", kind="staff")) and _signed_in(_login(home, "s@t.test", kind="staff"))
    assert _query(_change(desk, WRONG, "my new password 1")) == {"error": "password.wrong_current"}
    assert _change(desk, PASSWORD, "my new password 1").headers["location"] == "/admin/password?changed=1"
    assert _alive(app.engine, desk) and not _alive(app.engine, home)
    assert _password_is(app.engine, "my new password 1", m.StaffUser, "s@t.test")
    (sent,) = _mails("s@t.test")
    assert sent["Subject"] == "Your Blue Pools staff password has been changed"


def test_a_reset_link_signs_out_everywhere_and_mails_the_user(app):
    old_device = app.client()
    assert _signed_in(_login(old_device))
    with Session(app.engine) as s:
        link = tokens.issue(s, TokenPurpose.PASSWORD_RESET, s.exec(select(m.PortalUser)).one())
        s.commit()
    browser = app.client()
    r = browser.post(
        "/auth/set-password", data={"token": link, "password": "reset password 1", "confirm": "reset password 1"}
    )
    assert _signed_in(r) and r.headers["location"] == "/portal"
    assert not _alive(app.engine, old_device) and _alive(app.engine, browser)
    (sent,) = _mails("u@t.test")
    assert "Blue Pools" in sent["Subject"] and "reset password 1" not in sent.get_body().get_content()
