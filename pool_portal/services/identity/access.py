"""Getting in: magic sign-in links, password links (a contact's invitation or reset, a
staff member's invitation) and password changes.

Each function decides and records in the caller's unit of work; the mails it sends
(``outgoing.Outgoing``) go out only after that unit has committed. Answers never
reveal whether an email address is known. Staff managing their contacts' access
(invitations, disabling, a first password) is ``identity.contacts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from pool_portal.models import PortalUser, StaffUser, Tenant, TokenPurpose, utcnow
from pool_portal.services.core import audit
from pool_portal.services.identity import tokens
from pool_portal.services.identity.auth import account_key, end_all_sessions, end_other_sessions
from pool_portal.services.identity.outgoing import Outgoing, link, page_link, send_after_commit
from pool_portal.services.identity.passwords import hash_password, password_problem, verify_password
from pool_portal.services.identity.ratelimit import count_recent

LINK_WINDOW = timedelta(minutes=15)
LINKS_PER_ADDRESS = 5
LINKS_PER_IP = 20


def normalise_email(raw: str) -> str | None:
    """The normalised address, or None when it is not a valid email."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except (EmailNotValidError, AttributeError):
        return None


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
) -> str:
    """A sign-in link (MAGIC_LINK) or a set-your-password link (PASSWORD_RESET) for
    every active portal account with this email, mailed after the commit. The outcome:
    "sent" (also when the email is unknown), "invalid_email" or "rate_limited"."""
    now = now or utcnow()
    email = normalise_email(raw_email)
    if email is None:
        return "invalid_email"
    action = "link.requested" if purpose == TokenPurpose.MAGIC_LINK else "reset.requested"
    key = account_key("portal", email)
    limited = _limited(session, action, key, ip, now)
    if limited:
        audit.record(session, f"{action}.limited", ip=ip, target_type="account", target_id=key, by=limited)
        return "rate_limited"
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
            params = {"link": link("/portal/magic", token), "minutes": 10}
            kind = "magic_link"
        else:
            params = {"link": link("/portal/set-password", token), "days": 3}
            kind = "password_reset"
        mails.append(Outgoing(kind, user.email, user.language, {"tenant_name": names[user.tenant_id], **params}))
    send_after_commit(session, mails)
    return "sent"


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


def link_is_valid(session: Session, purposes: Iterable[TokenPurpose], token: str) -> bool:
    """Whether ``token`` is a live link of one of ``purposes`` (opening its page uses
    nothing up)."""
    return bool(token) and any(peek_link(session, p, token) for p in purposes)


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
    if row.purpose == TokenPurpose.PASSWORD_RESET:
        _mail_password_changed(session, user)
    audit.record(
        session,
        "invitation.accepted" if row.purpose == TokenPurpose.INVITATION else "password.reset",
        tenant_id=user.tenant_id,
        actor_kind="portal",
        actor_id=user.id,
        ip=ip,
    )
    return user, None


@dataclass(frozen=True)
class PasswordChange:
    """What ``change_password`` did: ``error`` a message key (nothing changed) or None;
    ``current_ok`` whether the current password was right (a wrong one counts for the
    sign-in throttle); ``signed_out`` how many other devices were signed out."""

    error: str | None
    current_ok: bool
    signed_out: int = 0


def change_password(
    session: Session,
    user: PortalUser | StaffUser,
    current: str,
    password: str,
    confirm: str,
    *,
    keep_session_id: int | None,
    ip: str | None = None,
) -> PasswordChange:
    """A signed-in user sets a new password (required at first sign-in after a staff-set
    one): the current password first, then a new one that is not the same. Every other
    session of the user ends (the one of ``keep_session_id`` stays signed in) and the
    user is mailed that the password changed, once this unit of work commits."""
    kind = "portal" if isinstance(user, PortalUser) else "staff"
    if not verify_password(user.password_hash, current):
        audit.record(
            session,
            "password.change_refused",
            tenant_id=user.tenant_id,
            actor_kind=kind,
            actor_id=user.id,
            target_type="account",
            target_id=account_key(kind, user.email),
            ip=ip,
            reason="current_wrong",
        )
        return PasswordChange("password.wrong_current", current_ok=False)
    problem = password_problem(password)
    if problem:
        return PasswordChange(problem, current_ok=True)
    if password != confirm:
        return PasswordChange("password.mismatch", current_ok=True)
    if password == current:
        return PasswordChange("password.same_as_current", current_ok=True)
    user.password_hash = hash_password(password)
    user.must_change_password = False
    session.add(user)
    signed_out = end_other_sessions(session, user, keep_session_id)
    audit.record(
        session,
        "password.changed",
        tenant_id=user.tenant_id,
        actor_kind=kind,
        actor_id=user.id,
        ip=ip,
        signed_out=signed_out,
    )
    _mail_password_changed(session, user)
    return PasswordChange(None, current_ok=True, signed_out=signed_out)


def _mail_password_changed(session: Session, user: PortalUser | StaffUser) -> None:
    """Tell the user their password changed (never the password), after the commit."""
    tenant = session.get(Tenant, user.tenant_id)
    staff = isinstance(user, StaffUser)
    mail = Outgoing(
        "staff_password_changed" if staff else "password_changed",
        user.email,
        user.language,
        {"tenant_name": tenant.name if tenant else "", "link": page_link("/admin/login" if staff else "/portal/login")},
    )
    send_after_commit(session, [mail])


def accept_staff_invitation(
    session: Session, token: str, password: str, confirm: str, *, ip: str | None = None
) -> tuple[StaffUser | None, str | None]:
    """Set the invited staff member's password (Admin → Staff users invited them):
    (user, None) or (None, message key). A rejected password leaves the link usable; a
    link works once."""
    problem = password_problem(password)
    if problem:
        return None, problem
    if password != confirm:
        return None, "password.mismatch"
    row = tokens.consume(session, TokenPurpose.STAFF_INVITATION, token)
    user = session.get(StaffUser, row.staff_user_id) if row and row.staff_user_id else None
    if user is None or not user.is_active:
        audit.record(session, "admin.staff.invitation_refused", ip=ip)
        return None, "link.invalid"
    user.password_hash = hash_password(password)
    user.must_change_password = False
    session.add(user)
    audit.record(
        session,
        "admin.staff.invitation_accepted",
        tenant_id=user.tenant_id,
        actor_kind="staff",
        actor_id=user.id,
        ip=ip,
    )
    return user, None
