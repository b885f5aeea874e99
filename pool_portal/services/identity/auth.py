"""Sign-in with a password and server-side sessions.

The browser holds only an opaque random id (HttpOnly cookie); the database stores
its SHA-256, so a leaked database does not leak live sessions. Sessions expire after
an idle period and at an absolute limit, and can be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from http.cookies import CookieError, SimpleCookie

from sqlalchemy import update
from sqlmodel import Session, col, select

from pool_portal.models import PortalUser, Site, StaffUser, Tenant, UserSession, utcnow
from pool_portal.services.core import audit
from pool_portal.services.core.clock import aware
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.scope import Viewer, clients_in_view, portal_client_ids, view_options
from pool_portal.services.identity import tabs
from pool_portal.services.identity.passwords import verify_password
from pool_portal.services.identity.view_as import view_as_viewer
from pool_portal.settings import get_settings

SESSION_COOKIE = "pp_session"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_key(kind: str, email: str) -> str:
    """The key failures are counted under: the same whether or not the email exists."""
    return hash_token(f"{kind}:{email.strip().lower()}")[:32]


def authenticate(
    session: Session, kind: str, email: str, password: str, ip: str | None = None
) -> PortalUser | StaffUser | None:
    """The active user of ``kind`` ("portal"/"staff") with this email and password."""
    model = PortalUser if kind == "portal" else StaffUser
    email = email.strip().lower()
    candidates = session.exec(
        select(model)
        .join(Tenant, Tenant.id == model.tenant_id)
        .where(model.email == email, model.is_active == True, Tenant.is_active == True)
        .order_by(model.id)
    ).all()
    for user in candidates:
        if verify_password(user.password_hash, password):
            return user
    if not candidates:
        verify_password(None, password)  # same work whether or not the email is known
    audit.record(
        session,
        "login.failed",
        tenant_id=candidates[0].tenant_id if candidates else None,
        actor_kind=kind,
        target_type="account",
        target_id=account_key(kind, email),
        ip=ip,
    )
    return None


def start_session(
    session: Session,
    user: PortalUser | StaffUser,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    now: datetime | None = None,
) -> str:
    """Create a session record for ``user``; return the opaque token for the cookie."""
    now = now or utcnow()
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    record = UserSession(
        tenant_id=user.tenant_id,
        token_hash=hash_token(token),
        portal_user_id=user.id if isinstance(user, PortalUser) else None,
        staff_user_id=user.id if isinstance(user, StaffUser) else None,
        language=user.language,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_hours),
    )
    session.add(record)
    user.last_login_at = now
    session.add(user)
    audit.record(
        session,
        "login.succeeded",
        tenant_id=user.tenant_id,
        actor_kind="portal" if isinstance(user, PortalUser) else "staff",
        actor_id=user.id,
        ip=ip,
    )
    return token


def _live_session(session: Session, token: str | None, now: datetime) -> UserSession | None:
    if not token or len(token) > 200:
        return None
    record = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if record.last_seen_at + idle <= now:
        return None
    return record


def resolve_viewer(
    session: Session, token: str | None, now: datetime | None = None, *, portal_side: bool = False, touch: bool = True
) -> Viewer | None:
    """The viewer behind a session token, or None when it is missing, expired or revoked.

    Refreshes the idle timer. The user's and tenant's current state are re-read every
    time, so disabling a user or a membership takes effect at once.

    ``portal_side``: the caller serves the portal (a portal handler or download). A
    staff session that is viewing the portal as a client (admin "view as") then
    resolves to that client's read-only portal Viewer (``identity.view_as.view_as_viewer``);
    any other staff session stays a staff Viewer (which the portal refuses).

    ``touch=False``: only check, leave the idle timer alone (a page's live watcher asks
    every few seconds; an open tab is not activity, its session still goes idle).
    """
    now = now or utcnow()
    record = _live_session(session, token, now)
    if record is None:
        return None
    tenant = session.get(Tenant, record.tenant_id)
    if tenant is None or not tenant.is_active:
        return None
    if record.portal_user_id is not None:
        user = session.get(PortalUser, record.portal_user_id)
        if user is None or not user.is_active or user.tenant_id != tenant.id:
            return None
        view = _view_key(record)
        clients = frozenset(clients_in_view(session, tenant.id, user.id, view))
        viewer = Viewer(
            kind="portal",
            tenant_id=tenant.id,
            user_id=user.id,
            session_id=record.id,
            name=user.name,
            email=user.email,
            language=normalise_language(record.language or user.language),
            client_ids=clients,
            view=view,
            must_change_password=user.must_change_password,
            tenant_logo=logo_stamp(tenant),
        )
    else:
        staff = session.get(StaffUser, record.staff_user_id)
        if staff is None or not staff.is_active or staff.tenant_id != tenant.id:
            return None
        viewer = Viewer(
            kind="staff",
            tenant_id=tenant.id,
            user_id=staff.id,
            session_id=record.id,
            name=staff.name,
            email=staff.email,
            language=normalise_language(record.language or staff.language),
            role=staff.role,
            must_change_password=staff.must_change_password,
            tenant_logo=logo_stamp(tenant),
        )
    if touch and (now - record.last_seen_at).total_seconds() > 60:  # avoid a write per event
        record.last_seen_at = now
        session.add(record)
    if portal_side and viewer.is_staff and record.impersonating_client_id is not None:
        return view_as_viewer(session, viewer) or viewer
    return viewer


def logo_stamp(tenant: Tenant) -> str:
    """A short stamp that changes with the tenant's logo ("" when it has none): the
    logo's URL carries it, so browsers may cache a logo until it is replaced."""
    return hash_token(tenant.logo_path)[:12] if tenant.logo_path else ""


def _view_key(record: UserSession) -> str:
    if record.view_group_id is not None:
        return f"group:{record.view_group_id}"
    if record.view_client_id is not None:
        return f"client:{record.view_client_id}"
    return "all"


def set_view(session: Session, token: str | None, view: str) -> bool:
    """Switch the session's portal view; refused (False) unless it is one of the
    user's own options."""
    record = _live_session(session, token, utcnow())
    if record is None or record.portal_user_id is None:
        return False
    allowed = {k for k, _ in view_options(session, record.tenant_id, record.portal_user_id)}
    if view not in allowed and view != "all":
        return False
    kind, _, raw_id = view.partition(":")
    record.view_group_id = int(raw_id) if kind == "group" else None
    record.view_client_id = int(raw_id) if kind == "client" else None
    session.add(record)
    audit.record(
        session,
        "view.changed",
        tenant_id=record.tenant_id,
        actor_kind="portal",
        actor_id=record.portal_user_id,
        target_type="view",
        target_id=view,
    )
    return True


def widen_view_for_site(session: Session, token: str | None, site_id: int) -> bool:
    """A deep link to a property outside the current view: when the user may see it,
    switch to their default view (which covers everything they may see). True when
    the view changed."""
    record = _live_session(session, token, utcnow())
    if record is None or record.portal_user_id is None:
        return False
    site = session.get(Site, site_id)
    if site is None or site.tenant_id != record.tenant_id:
        return False
    if site.client_id not in portal_client_ids(session, record.tenant_id, record.portal_user_id):
        return False
    options = view_options(session, record.tenant_id, record.portal_user_id)
    default = options[0][0] if options else "all"
    if _view_key(record) == default:
        return False
    return set_view(session, token, default)


def end_all_sessions(session: Session, user: PortalUser | StaffUser, now: datetime | None = None) -> int:
    """Revoke every live session of ``user`` (sign out everywhere, disable)."""
    return end_other_sessions(session, user, None, now)


def end_other_sessions(
    session: Session, user: PortalUser | StaffUser, keep_session_id: int | None, now: datetime | None = None
) -> int:
    """Revoke every session of ``user`` but ``keep_session_id`` (a password change keeps
    the browser that made it signed in); their tabs' stored state is wiped once the
    unit of work commits (``tabs.sessions_ended``). Returns how many of them were still
    alive (not expired nor idle): the devices the user was signed out on."""
    now = now or utcnow()
    owner = UserSession.portal_user_id if isinstance(user, PortalUser) else UserSession.staff_user_id
    query = select(UserSession.id, UserSession.expires_at, UserSession.last_seen_at).where(
        owner == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    rows = session.exec(query).all()
    if not rows:
        return 0
    ended = [row[0] for row in rows]
    session.execute(update(UserSession).where(col(UserSession.id).in_(ended)).values(revoked_at=now))
    tabs.sessions_ended(session, ended)
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    return sum(1 for _, expires, seen in rows if aware(expires) > now and aware(seen) + idle > now)


def end_session(session: Session, token: str | None, now: datetime | None = None) -> bool:
    """Revoke the session behind ``token``; True when there was one."""
    if not token:
        return False
    record = session.exec(select(UserSession).where(UserSession.token_hash == hash_token(token))).first()
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = now or utcnow()
    session.add(record)
    tabs.sessions_ended(session, [record.id])
    audit.record(
        session,
        "logout",
        tenant_id=record.tenant_id,
        actor_kind="portal" if record.portal_user_id else "staff",
        actor_id=record.portal_user_id or record.staff_user_id,
    )
    return True


def set_session_language(session: Session, token: str | None, lang: str) -> None:
    record = _live_session(session, token, utcnow())
    if record is not None:
        record.language = normalise_language(lang)
        session.add(record)


def token_from_cookie_header(cookie_header: str | None) -> str | None:
    """The session token from a raw ``Cookie:`` header."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None
