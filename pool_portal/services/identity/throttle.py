"""The password throttle: per account and per client IP, counted in the database
(``login_throttle``), so every worker and host shares it. Sign-in and the current
password of a password change both go through it.

- **An account** (``kind`` and email: the same key whether or not the email exists):
  the first ``FREE_FAILURES`` failures are free; after the n-th failure (n >= 5) no
  attempt is checked for min(2 ** (n - 5), 30) seconds: 1, 2, 4, 8, 16, 30, 30... Every
  attempt in that time, right or wrong, is refused unchecked with the same answer. At
  ``MAX_FAILURES`` failures within the hour that began with the first one, the account
  is refused until that hour is over. A success clears the account.
- **One attempt per account at a time**: an attempt takes the account's row (a lease,
  ``busy_until``, with one conditional UPDATE: atomic on PostgreSQL and SQLite alike)
  before its password is checked and gives it back with the result. Another attempt on
  the same account meanwhile is told ``BUSY`` and waits its turn (the caller polls), so
  parallel tries are checked one after another, each after the back-off of the one
  before. A lease a crashed worker never gave back runs out after ``LEASE``.
- **A client IP**, across accounts: at most ``settings.login_ip_failures`` failures in
  a window of ``settings.login_ip_window_minutes`` (from its first attempt). Successful
  sign-ins never count (an office behind one address). Once the failures reach the
  limit every attempt from the address is refused until the window is over. Attempts
  being checked are counted too (``in_flight``): when failures and attempts in flight
  together reach the limit, a new attempt waits for those to finish (``BUSY``), so
  parallel tries on many accounts cannot overshoot the limit.

Each function is one step in the caller's unit of work (services never commit): the
caller commits ``enter`` before checking the password, then checks it and calls
``finish`` in one unit, so the result and the count are committed together. Every
refusal is audited (``login.throttled``, ``by`` account or ip); failures are audited by
whoever checked the password (``login.failed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from pool_portal.models import LoginThrottle, utcnow
from pool_portal.services.core import audit
from pool_portal.services.core.clock import aware
from pool_portal.services.identity.auth import account_key
from pool_portal.settings import get_settings

FREE_FAILURES = 5
MAX_DELAY_S = 30.0
MAX_FAILURES = 100  # per account and hour (ASVS 2.2.1)
ACCOUNT_WINDOW = timedelta(hours=1)
LEASE = timedelta(seconds=20)
PRUNE_BATCH = 500

OPEN, BUSY, THROTTLED = "open", "busy", "throttled"


@dataclass(frozen=True)
class Gate:
    """The answer of ``enter``: ``OPEN`` (the caller holds the account and, when there
    is an IP, counts as one of its attempts in flight), ``BUSY`` (another attempt holds
    the account, or the IP's attempts in flight fill its limit: try again shortly) or
    ``THROTTLED`` (refused, audited; ``by`` says which limit)."""

    outcome: str
    account: str
    ip_key: str | None = None
    ip_window: datetime | None = None  # the IP's window the attempt was counted in
    by: str | None = None  # "account" | "ip" when throttled


def delay_after(failures: int) -> float:
    """Seconds after the ``failures``-th failure before the next attempt is checked."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_DELAY_S)


def account_row_key(kind: str, email: str) -> str:
    return "a:" + account_key(kind, email)


def ip_row_key(ip: str) -> str:
    return "ip:" + ip[:64]


def _ip_window() -> timedelta:
    return timedelta(minutes=get_settings().login_ip_window_minutes)


def _ensure(db: Session, key: str, now: datetime) -> None:
    """The row of ``key`` exists; making a new one also drops some rows that are over
    (on PostgreSQL skipping rows another attempt holds: never a wait, nor a deadlock)."""
    postgresql = db.get_bind().dialect.name == "postgresql"
    insert = postgresql_insert if postgresql else sqlite_insert
    made = db.execute(
        insert(LoginThrottle)
        .values(key=key, window_start=now, failures=0, in_flight=0)
        .on_conflict_do_nothing(index_elements=["key"])
    ).rowcount
    if not made:
        return
    stale = (
        select(LoginThrottle.key)
        .where(
            LoginThrottle.window_start < now - max(ACCOUNT_WINDOW, _ip_window()),
            LoginThrottle.key != key,
            or_(LoginThrottle.next_try_at.is_(None), LoginThrottle.next_try_at < now),
            or_(LoginThrottle.busy_until.is_(None), LoginThrottle.busy_until < now),
        )
        .limit(PRUNE_BATCH)
    )
    if postgresql:
        stale = stale.with_for_update(skip_locked=True)
    db.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale.scalar_subquery())))


def _row(db: Session, key: str) -> LoginThrottle:
    return db.exec(
        select(LoginThrottle).where(LoginThrottle.key == key).execution_options(populate_existing=True)
    ).one()


def _account_refusal(row: LoginThrottle, now: datetime) -> bool:
    """Whether the account's back-off (or its block for the rest of the hour) holds."""
    return row.next_try_at is not None and aware(row.next_try_at) > now


def _refused(db: Session, kind: str, account: str, ip: str | None, by: str) -> Gate:
    audit.record(db, "login.throttled", actor_kind=kind, ip=ip, target_type="account", target_id=account[2:], by=by)
    return Gate(THROTTLED, account, by=by)


def enter(
    db: Session, kind: str, email: str, ip: str | None, *, give_up: bool = False, now: datetime | None = None
) -> Gate:
    """Ask to check a password of account (``kind``, ``email``) from ``ip``.

    ``give_up``: the caller has waited long enough; a ``BUSY`` account is refused."""
    now = now or utcnow()
    account = account_row_key(kind, email)
    _ensure(db, account, now)
    took = db.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == account,
            or_(LoginThrottle.busy_until.is_(None), LoginThrottle.busy_until <= now),
        )
        .values(busy_until=now + LEASE)
    ).rowcount
    row = _row(db, account)
    if _account_refusal(row, now):
        if took:
            row.busy_until = None
            db.add(row)
        return _refused(db, kind, account, ip, "account")
    if not took:
        return _refused(db, kind, account, ip, "account") if give_up else Gate(BUSY, account)
    if not ip:
        return Gate(OPEN, account)
    gate = _reserve_ip(db, account, ip, now)
    if gate is None or gate.outcome != OPEN:
        row.busy_until = None  # the account is given back untouched
        db.add(row)
    if gate is None:
        return _refused(db, kind, account, ip, "ip") if give_up else Gate(BUSY, account)
    return _refused(db, kind, account, ip, "ip") if gate.outcome == THROTTLED else gate


def _reserve_ip(db: Session, account: str, ip: str, now: datetime) -> Gate | None:
    """Count one attempt of ``ip`` in flight: ``OPEN`` when its failures and attempts
    in flight stay under the limit, ``THROTTLED`` when its failures reached it, None
    when only attempts in flight fill it (wait: they may yet succeed)."""
    key = ip_row_key(ip)
    _ensure(db, key, now)
    limit = get_settings().login_ip_failures
    new_window = LoginThrottle.window_start <= now - _ip_window()
    reserved = db.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, or_(new_window, LoginThrottle.failures + LoginThrottle.in_flight < limit))
        .values(
            failures=case((new_window, 0), else_=LoginThrottle.failures),
            in_flight=case((new_window, 1), else_=LoginThrottle.in_flight + 1),
            window_start=case((new_window, now), else_=LoginThrottle.window_start),
        )
    ).rowcount
    row = _row(db, key)
    if reserved:
        return Gate(OPEN, account, key, aware(row.window_start))
    return Gate(THROTTLED, account, by="ip") if row.failures >= limit else None


def finish(db: Session, gate: Gate, ok: bool, now: datetime | None = None) -> None:
    """The checked attempt of an ``OPEN`` gate was right (``ok``) or wrong: clear the
    account, or count the failure (account and IP) and start the account's back-off;
    give the account back."""
    if gate.outcome != OPEN:
        return
    now = now or utcnow()
    row = _row(db, gate.account)
    if ok:
        row.failures, row.next_try_at, row.window_start = 0, None, now
    else:
        if aware(row.window_start) + ACCOUNT_WINDOW <= now:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.next_try_at = aware(row.window_start) + ACCOUNT_WINDOW
        else:
            row.next_try_at = now + timedelta(seconds=delay_after(row.failures))
    row.busy_until = None
    db.add(row)
    _ip_done(db, gate, failed=not ok)


def release(db: Session, gate: Gate) -> None:
    """Give an ``OPEN`` gate back without a result (no password was checked)."""
    if gate.outcome != OPEN:
        return
    db.execute(update(LoginThrottle).where(LoginThrottle.key == gate.account).values(busy_until=None))
    _ip_done(db, gate, failed=False)


def _ip_done(db: Session, gate: Gate, *, failed: bool) -> None:
    if gate.ip_key is None:
        return
    db.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key == gate.ip_key,
            LoginThrottle.window_start == gate.ip_window,  # a new window forgot it already
            LoginThrottle.in_flight > 0,
        )
        .values(in_flight=LoginThrottle.in_flight - 1)
    )
    if failed:
        db.execute(
            update(LoginThrottle).where(LoginThrottle.key == gate.ip_key).values(failures=LoginThrottle.failures + 1)
        )
