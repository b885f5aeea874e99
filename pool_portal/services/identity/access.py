"""Getting in: magic sign-in links, invitations, password resets and changes.

Each function decides and records; it returns the mails to send (``Outgoing``) so
the caller sends them off the event loop. Answers never reveal whether an email
address is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from pool_portal.models import (
    Membership,
    PortalUser,
    StaffUser,
    Tenant,
    TokenPurpose,
    utcnow,
)
from pool_portal.services.core import audit
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import tokens
from pool_portal.services.identity.auth import account_key, end_all_sessions
from pool_portal.services.identity.passwords import hash_password, password_problem
from pool_portal.services.identity.ratelimit import count_recent
from pool_portal.settings import get_settings

LINK_WINDOW = timedelta(minutes=15)
LINKS_PER_ADDRESS = 5
LINKS_PER_IP = 20


@dataclass(frozen=True)
class Outgoing:
    """A mail to send: template kind, recipient, language and parameters."""

    kind: str
    to: str
    lang: str
    params: dict = field(default_factory=dict)


def normalise_email(raw: str) -> str | None:
    """The normalised address, or None when it is not a valid email."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except (EmailNotValidError, AttributeError):
        return None


def _link(path: str, token: str) -> str:
    return f"{get_settings().public_url}{path}?token={token}"


def _tenant_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Tenant.id, Tenant.name).where(col(Tenant.id).in_(ids))).all())


def _limited(session: Session, action: str, key: str, ip: str | None, now: datetime) -> str | None:
    if count_recent(session, action, window=LINK_WINDOW, target_id=key, now=now) >= LINKS_PER_ADDRESS:
        return "address"
    if ip and count_recent(session, action, window=LINK_WINDOW, ip=ip, now=now) >= LINKS_PER_IP:
        return "ip"
    return None


def _active_portal_users(session: Session, email: str) -> list[PortalUser]:
    return list(
        session.exec(
            select(PortalUser)
            .join(Tenant, Tenant.id == PortalUser.tenant_id)
            .where(
                PortalUser.email == email,
                PortalUser.is_active == True,
                Tenant.is_active == True,
            )
        ).all()
    )


def request_link(
    session: Session,
    raw_email: str,
    purpose: TokenPurpose,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> tuple[str, list[Outgoing]]:
    """A sign-in link (MAGIC_LINK) or a set-your-password link (PASSWORD_RESET) for
    every active portal account with this email. Returns (outcome, mails) where
    outcome is "sent" (also when the email is unknown), "invalid_email" or
    "rate_limited"."""
    now = now or utcnow()
    email = normalise_email(raw_email)
    if email is None:
        return "invalid_email", []
    action = "link.requested" if purpose == TokenPurpose.MAGIC_LINK else "reset.requested"
    key = account_key("portal", email)
    limited = _limited(session, action, key, ip, now)
    if limited:
        audit.record(session, f"{action}.limited", ip=ip, target_type="account", target_id=key, by=limited)
        return "rate_limited", []
    users = _active_portal_users(session, email)
    audit.record(
        session,
        action,
        tenant_id=users[0].tenant_id if len(users) == 1 else None,
        ip=ip,
        target_type="account",
        target_id=key,
    )
    names = _tenant_names(session, {u.tenant_id for u in users})
    mails = []
    for user in users:
        token = tokens.issue(session, purpose, user, now=now, revoke_older=purpose != TokenPurpose.MAGIC_LINK)
        if purpose == TokenPurpose.MAGIC_LINK:
            params = {"link": _link("/portal/magic", token), "minutes": 10}
            kind = "magic_link"
        else:
            params = {"link": _link("/portal/set-password", token), "days": 3}
            kind = "password_reset"
        mails.append(Outgoing(kind, user.email, user.language, {"tenant_name": names[user.tenant_id], **params}))
    return "sent", mails


def use_magic_link(session: Session, token: str, *, ip: str | None = None) -> PortalUser | None:
    """Consume a sign-in link; the user it signs in, or None (used, expired, forged)."""
    row = tokens.consume(session, TokenPurpose.MAGIC_LINK, token)
    user = session.get(PortalUser, row.portal_user_id) if row and row.portal_user_id else None
    if user is None or not user.is_active:
        audit.record(session, "link.refused", ip=ip)
        return None
    audit.record(session, "link.used", tenant_id=user.tenant_id, actor_kind="portal", actor_id=user.id, ip=ip)
    return user


def peek_link(session: Session, purpose: TokenPurpose, token: str) -> bool:
    return tokens.peek(session, purpose, token) is not None


SET_PASSWORD_PURPOSES = (TokenPurpose.INVITATION, TokenPurpose.PASSWORD_RESET)


def set_password_with_link(
    session: Session, token: str, password: str, confirm: str, *, ip: str | None = None
) -> tuple[PortalUser | None, str | None]:
    """Accept an invitation or a reset link: (user, None) or (None, message key).
    A rejected password leaves the link usable; a link works once."""
    problem = password_problem(password)
    if problem:
        return None, problem
    if password != confirm:
        return None, "password.mismatch"
    row = None
    for purpose in SET_PASSWORD_PURPOSES:
        row = tokens.consume(session, purpose, token)
        if row is not None:
            break
    user = session.get(PortalUser, row.portal_user_id) if row and row.portal_user_id else None
    if user is None or not user.is_active:
        audit.record(session, "invitation.refused", ip=ip)
        return None, "link.invalid"
    user.password_hash = hash_password(password)
    user.must_change_password = False
    session.add(user)
    end_all_sessions(session, user)  # a new password signs out every other browser
    audit.record(
        session,
        "invitation.accepted" if row.purpose == TokenPurpose.INVITATION else "password.reset",
        tenant_id=user.tenant_id,
        actor_kind="portal",
        actor_id=user.id,
        ip=ip,
    )
    return user, None


def change_password(session: Session, user: PortalUser | StaffUser, password: str, confirm: str) -> str | None:
    """Set a new password for a signed-in user (first sign-in with a staff-set one)."""
    problem = password_problem(password)
    if problem:
        return problem
    if password != confirm:
        return "password.mismatch"
    user.password_hash = hash_password(password)
    user.must_change_password = False
    session.add(user)
    audit.record(
        session,
        "password.changed",
        tenant_id=user.tenant_id,
        actor_kind="portal" if isinstance(user, PortalUser) else "staff",
        actor_id=user.id,
    )
    return None


# -- staff side --------------------------------------------------------------


def invite_contacts(
    session: Session, staff: Viewer, portal_user_ids: list[int], now: datetime | None = None
) -> list[Outgoing]:
    """Invite (or re-invite: older links stop working) contacts of the staff member's
    own tenant. Ids of another tenant or disabled contacts are skipped."""
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        raise PermissionError("only ADMIN and OFFICE staff invite contacts")
    now = now or utcnow()
    users = session.exec(
        select(PortalUser).where(
            PortalUser.tenant_id == staff.tenant_id,
            col(PortalUser.id).in_(portal_user_ids),
            PortalUser.is_active == True,
        )
    ).all()
    tenant_name = _tenant_names(session, {staff.tenant_id}).get(staff.tenant_id, "")
    mails = []
    for user in users:
        token = tokens.issue(session, TokenPurpose.INVITATION, user, now=now, revoke_older=True)
        audit.record(
            session,
            "invitation.sent",
            tenant_id=staff.tenant_id,
            actor_kind="staff",
            actor_id=staff.user_id,
            target_type="portal_user",
            target_id=user.id,
        )
        mails.append(
            Outgoing(
                "invitation",
                user.email,
                user.language,
                {
                    "tenant_name": tenant_name,
                    "link": _link("/portal/set-password", token),
                    "days": 3,
                    "inviter_name": staff.name,
                },
            )
        )
    return mails


def contacts_with_access(session: Session, tenant_id: int) -> list[PortalUser]:
    return list(
        session.exec(
            select(PortalUser)
            .where(PortalUser.tenant_id == tenant_id)
            .where(col(PortalUser.id).in_(select(Membership.portal_user_id).where(Membership.tenant_id == tenant_id)))
            .order_by(PortalUser.name)
        ).all()
    )


def send(mails: list[Outgoing]) -> None:
    """Queue the mails; they go out on the mail service's worker threads with retries."""
    from pool_portal.services.infra import mail

    for m in mails:
        subject, text, html = mail.render(m.kind, m.lang, **m.params)
        mail.send_in_background(mail.build_message(m.to, subject, text, html, m.lang))


def contact_rows(session: Session, staff: Viewer, now: datetime | None = None) -> list[dict[str, str]]:
    """The tenant's portal contacts with their clients and portal access status:
    "active" (has a password), "invited" (a live invitation), "expired", "none";
    "disabled" when switched off."""
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        raise PermissionError("only ADMIN and OFFICE staff manage portal access")
    from pool_portal.models import AuthToken, Client, ClientGroup

    now = now or utcnow()
    users = session.exec(
        select(PortalUser).where(PortalUser.tenant_id == staff.tenant_id).order_by(PortalUser.name, PortalUser.id)
    ).all()
    ids = [u.id for u in users]
    if not ids:
        return []
    memberships = session.exec(
        select(Membership.portal_user_id, Client.name, ClientGroup.name)
        .outerjoin(Client, Client.id == Membership.client_id)
        .outerjoin(ClientGroup, ClientGroup.id == Membership.group_id)
        .where(Membership.tenant_id == staff.tenant_id, col(Membership.portal_user_id).in_(ids))
    ).all()
    access_to: dict[int, list[str]] = {}
    for uid, client_name, group_name in memberships:
        access_to.setdefault(uid, []).append(client_name or group_name or "")
    latest: dict[int, AuthToken] = {}
    for tok in session.exec(
        select(AuthToken)
        .where(
            AuthToken.tenant_id == staff.tenant_id,
            col(AuthToken.portal_user_id).in_(ids),
            col(AuthToken.purpose).in_(SET_PASSWORD_PURPOSES),
        )
        .order_by(AuthToken.created_at)
    ).all():
        latest[tok.portal_user_id] = tok
    rows = []
    for u in users:
        tok = latest.get(u.id)
        if not u.is_active:
            status = "disabled"
        elif u.password_hash:
            status = "active"
        elif tok and tok.used_at is None and tok.revoked_at is None and tok.expires_at > now:
            status = "invited"
        elif tok:
            status = "expired"
        else:
            status = "none"
        rows.append(
            {
                "id": str(u.id),
                "name": u.name,
                "email": u.email,
                "access": ", ".join(sorted(access_to.get(u.id, []))),
                "status": status,
                "last_login": u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "",
            }
        )
    return rows


def set_contact_active(session: Session, staff: Viewer, portal_user_id: int, active: bool) -> bool:
    """Disable (ending every session at once) or re-enable a contact of the tenant."""
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        raise PermissionError("only ADMIN and OFFICE staff manage portal access")
    user = session.get(PortalUser, portal_user_id)
    if user is None or user.tenant_id != staff.tenant_id:
        return False
    user.is_active = active
    session.add(user)
    if not active:
        end_all_sessions(session, user)
    audit.record(
        session,
        "contact.enabled" if active else "contact.disabled",
        tenant_id=staff.tenant_id,
        actor_kind="staff",
        actor_id=staff.user_id,
        target_type="portal_user",
        target_id=user.id,
    )
    return True


def set_initial_password(session: Session, staff: Viewer, portal_user_id: int, password: str) -> str | None:
    """Staff set a contact's first password (for contacts without email access); the
    contact must choose their own at the next sign-in. Returns a message key or None."""
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        raise PermissionError("only ADMIN and OFFICE staff manage portal access")
    user = session.get(PortalUser, portal_user_id)
    if user is None or user.tenant_id != staff.tenant_id:
        return "contacts.notice.not_found"
    problem = password_problem(password)
    if problem:
        return problem
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.add(user)
    end_all_sessions(session, user)
    audit.record(
        session,
        "password.set_by_staff",
        tenant_id=staff.tenant_id,
        actor_kind="staff",
        actor_id=staff.user_id,
        target_type="portal_user",
        target_id=user.id,
    )
    return None
