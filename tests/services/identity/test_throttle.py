"""The password throttle's rules, step by step on a real database (SQLite and
PostgreSQL), with the clock passed in. The routes that use it are tested in
tests/api/test_login_throttle.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

import pool_portal.models  # noqa: F401  (registers the tables)
from pool_portal.models import AuditEvent, LoginThrottle, utcnow
from pool_portal.services.identity import throttle
from pool_portal.settings import get_settings

EMAIL = "someone@a.test"
IP = "203.0.113.9"


def _try(db, ok: bool, now, email: str = EMAIL, ip: str | None = IP, kind: str = "portal") -> str:
    """One attempt as the sign-in route makes it: enter (committed), then the result."""
    gate = throttle.enter(db, kind, email, ip, now=now)
    db.commit()
    if gate.outcome == throttle.OPEN:
        throttle.finish(db, gate, ok=ok, now=now)
        db.commit()
    return gate.outcome


def _refusals(db, by: str) -> int:
    return db.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "login.throttled", AuditEvent.detail.contains(f'"by": "{by}"'))
    ).one()


def test_the_delays_grow_from_the_sixth_failure_up_to_30_seconds():
    assert [throttle.delay_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30]


def test_during_the_back_off_every_attempt_is_refused_unchecked_then_one_is_checked(db):
    now = utcnow()
    for _ in range(5):  # the free failures: each is checked, no wait between them
        assert _try(db, False, now) == throttle.OPEN
    # The 5th failure started a 1 s back-off: a right password changes nothing.
    assert _try(db, True, now + timedelta(seconds=0.5)) == throttle.THROTTLED
    assert _refusals(db, "account") == 1
    assert _try(db, False, now + timedelta(seconds=1)) == throttle.OPEN  # the 6th failure: 2 s
    assert _try(db, True, now + timedelta(seconds=2.9)) == throttle.THROTTLED
    assert _try(db, True, now + timedelta(seconds=3)) == throttle.OPEN  # right, after the delay
    # A success clears the account: the next failures are free again.
    assert db.get(LoginThrottle, throttle.account_row_key("portal", EMAIL)).failures == 0
    assert _try(db, False, now + timedelta(seconds=3)) == throttle.OPEN


def test_an_unknown_email_and_the_spelling_of_the_email_count_the_same(db):
    now = utcnow()
    for _ in range(5):
        _try(db, False, now, email="Ghost@A.test ")
    assert _try(db, True, now, email="ghost@a.test") == throttle.THROTTLED
    assert _try(db, True, now, email="ghost@a.test", kind="staff") == throttle.OPEN  # another account


def test_one_attempt_per_account_at_a_time(db):
    now = utcnow()
    first = throttle.enter(db, "portal", EMAIL, IP, now=now)
    db.commit()
    assert first.outcome == throttle.OPEN
    # Another attempt on the same account waits (BUSY), or is refused once it gave up.
    assert throttle.enter(db, "portal", EMAIL, IP, now=now).outcome == throttle.BUSY
    assert throttle.enter(db, "portal", EMAIL, IP, now=now, give_up=True).outcome == throttle.THROTTLED
    # Another account is not held up.
    assert throttle.enter(db, "portal", "other@a.test", IP, now=now).outcome == throttle.OPEN
    db.commit()
    throttle.finish(db, first, ok=False, now=now)
    db.commit()
    assert throttle.enter(db, "portal", EMAIL, IP, now=now).outcome == throttle.OPEN
    db.rollback()
    # A lease a crashed worker never gave back runs out.
    throttle.enter(db, "portal", "crash@a.test", IP, now=now)
    db.commit()
    assert throttle.enter(db, "portal", "crash@a.test", IP, now=now + throttle.LEASE).outcome == throttle.OPEN


def test_100_failures_in_the_hour_block_the_account_until_the_hour_is_over(db):
    start = utcnow()
    now = start
    for n in range(1, throttle.MAX_FAILURES + 1):
        assert _try(db, False, now, ip=None) == throttle.OPEN, n
        now += timedelta(seconds=throttle.delay_after(n))
    assert now - start < throttle.ACCOUNT_WINDOW  # the delays alone let 100 fit in the hour
    assert _try(db, True, start + throttle.ACCOUNT_WINDOW - timedelta(seconds=1), ip=None) == throttle.THROTTLED
    assert _try(db, True, start + throttle.ACCOUNT_WINDOW, ip=None) == throttle.OPEN


def test_failures_from_one_ip_across_accounts_are_limited_successes_never_count(db, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_ip_failures", 3)
    now = utcnow()
    for n in range(10):  # many people behind one office address sign in
        assert _try(db, True, now, email=f"colleague{n}@a.test") == throttle.OPEN
    for n in range(3):
        assert _try(db, False, now, email=f"victim{n}@a.test") == throttle.OPEN
    # The limit is reached: every account is refused from that address, right or wrong...
    assert _try(db, True, now, email="colleague0@a.test") == throttle.THROTTLED
    assert _refusals(db, "ip") == 1
    # ...not from another address, and not once the window is over.
    assert _try(db, True, now, email="colleague0@a.test", ip="198.51.100.7") == throttle.OPEN
    later = now + timedelta(minutes=get_settings().login_ip_window_minutes)
    assert _try(db, True, later, email="colleague0@a.test") == throttle.OPEN


def test_attempts_in_flight_from_one_ip_fill_its_limit_until_they_finish(db, monkeypatch):
    monkeypatch.setattr(get_settings(), "login_ip_failures", 3)
    now = utcnow()
    assert _try(db, False, now, email="v0@a.test") == throttle.OPEN
    gates = [throttle.enter(db, "portal", f"v{n}@a.test", IP, now=now) for n in (1, 2)]
    db.commit()
    assert [g.outcome for g in gates] == [throttle.OPEN, throttle.OPEN]
    # One failure and two attempts being checked: a fourth waits, it is not refused yet.
    assert throttle.enter(db, "portal", "v3@a.test", IP, now=now).outcome == throttle.BUSY
    db.commit()
    throttle.finish(db, gates[0], ok=True, now=now)  # a success frees its place
    db.commit()
    assert _try(db, False, now, email="v3@a.test") == throttle.OPEN
    throttle.finish(db, gates[1], ok=False, now=now)
    db.commit()
    assert _try(db, True, now, email="v4@a.test") == throttle.THROTTLED  # three failures


def test_rows_that_are_over_are_dropped_when_a_new_one_is_made(db):
    old = utcnow() - timedelta(hours=2)
    for n in range(3):
        _try(db, False, old, email=f"old{n}@a.test")
    assert db.exec(select(func.count()).select_from(LoginThrottle)).one() == 4  # three accounts, one IP
    _try(db, False, utcnow(), email="new@a.test", ip=None)
    keys = db.exec(select(LoginThrottle.key)).all()
    assert keys == [throttle.account_row_key("portal", "new@a.test")]


@pytest.mark.parametrize("ok", [True, False])
def test_release_gives_everything_back(db, monkeypatch, ok):
    monkeypatch.setattr(get_settings(), "login_ip_failures", 1)
    gate = throttle.enter(db, "portal", EMAIL, IP, now=utcnow())
    db.commit()
    throttle.release(db, gate)
    db.commit()
    assert _try(db, ok, utcnow()) == throttle.OPEN
