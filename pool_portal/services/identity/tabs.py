"""Browser tabs and the sessions they belong to.

Reflex keeps each browser tab's state on the server under the tab's client token. That
token is not a secret (it travels in the websocket URL, in a header of ``/_upload``, in
sessionStorage), so it is never a credential: the guard binds a tab to the session that
made its first guarded call (``bind``), a request that names a tab must carry that same
session (``tab_session``), and when a session ends its tabs' stored state is wiped.

Ending a session (sign-out, password change, a disabled user or membership, staff
ending it) calls ``sessions_ended`` inside the unit of work; the listeners registered
with ``on_sessions_ended`` (the Reflex side, which wipes the tabs' state) run after the
commit. Sessions that simply expire are found by ``ended_with_tabs`` (a sweep).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, or_, select

from pool_portal.models import SessionTab, UserSession, utcnow
from pool_portal.services.core import uow
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

MAX_TOKEN = 64  # Reflex's tokens are UUIDs (36 characters)
_listeners: list[Callable[[list[int]], object]] = []


def valid_token(client_token: object) -> bool:
    return isinstance(client_token, str) and 0 < len(client_token) <= MAX_TOKEN


def bind(db: Session, client_token: str, session_id: int, now: datetime | None = None) -> None:
    """The tab ``client_token`` now belongs to session ``session_id`` (its latest)."""
    if not valid_token(client_token):
        raise ValueError("not a tab token")
    row = db.get(SessionTab, client_token)
    if row is None:
        db.add(SessionTab(client_token=client_token, session_id=session_id, bound_at=now or utcnow()))
    elif row.session_id != session_id:
        row.session_id, row.bound_at = session_id, now or utcnow()
        db.add(row)


def tab_session(db: Session, client_token: str) -> int | None:
    """The session the tab belongs to (None: not bound, or not a token)."""
    if not valid_token(client_token):
        return None
    row = db.get(SessionTab, client_token)
    return row.session_id if row is not None else None


def tabs_of(db: Session, session_ids: Iterable[int]) -> list[str]:
    ids = sorted(set(session_ids))
    if not ids:
        return []
    return list(db.exec(select(SessionTab.client_token).where(col(SessionTab.session_id).in_(ids))).all())


def forget(db: Session, client_tokens: Iterable[str]) -> None:
    """Those tabs no longer belong to any session (their state was wiped)."""
    tokens = sorted(set(client_tokens))
    if tokens:
        db.execute(delete(SessionTab).where(col(SessionTab.client_token).in_(tokens)))


def ended_with_tabs(db: Session, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Sessions that are over (revoked, past their age, idle too long) and still have
    tabs whose state holds what they showed."""
    now = now or utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    query = (
        select(UserSession.id)
        .join(SessionTab, SessionTab.session_id == UserSession.id)
        .where(
            or_(
                UserSession.revoked_at.is_not(None),
                UserSession.expires_at <= now,
                UserSession.last_seen_at <= now - idle,
            )
        )
        .distinct()
        .limit(limit)
    )
    return list(db.exec(query).all())


def on_sessions_ended(listener: Callable[[list[int]], object]) -> None:
    """``listener(session_ids)`` runs after the commit of every unit of work that ended
    sessions (in the thread that ran it)."""
    if listener not in _listeners:
        _listeners.append(listener)


def sessions_ended(db: Session, session_ids: Iterable[int]) -> None:
    """Within a unit of work that ends these sessions: tell the listeners once it commits."""
    ids = sorted(set(session_ids))
    if ids:
        uow.after_commit(db, lambda: _notify(ids))


def _notify(ids: list[int]) -> None:
    for listener in list(_listeners):
        try:
            listener(ids)
        except Exception:  # a listener's failure never undoes the sign-out
            log.exception("session-ended listener %r failed", listener)
