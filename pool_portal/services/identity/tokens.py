"""Single-use signed tokens for links: magic sign-in links, invitations, resets.

The link carries an itsdangerous signature (a salt per purpose, a maximum age) over a
random id; the database row for that id makes it single-use and revocable. Consuming
is one conditional UPDATE, so two clicks racing each other cannot both succeed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlmodel import Session, select

from pool_portal.models import AuthToken, PortalUser, StaffUser, TokenPurpose, utcnow
from pool_portal.settings import get_settings

LIFETIMES: dict[TokenPurpose, timedelta] = {
    TokenPurpose.MAGIC_LINK: timedelta(minutes=10),
    TokenPurpose.INVITATION: timedelta(days=3),
    TokenPurpose.PASSWORD_RESET: timedelta(days=3),
    TokenPurpose.STAFF_INVITATION: timedelta(days=3),
}


def _serializer(purpose: TokenPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().get_secret_key(), salt=f"pool-portal/{purpose.value}")


def issue(
    session: Session,
    purpose: TokenPurpose,
    user: PortalUser | StaffUser,
    *,
    now: datetime | None = None,
    revoke_older: bool = False,
) -> str:
    """A new signed token for ``user``; with ``revoke_older`` earlier unused tokens of
    the same purpose stop working (resending an invitation)."""
    now = now or utcnow()
    is_portal = isinstance(user, PortalUser)
    if revoke_older:
        owner = AuthToken.portal_user_id if is_portal else AuthToken.staff_user_id
        session.execute(
            update(AuthToken)
            .where(
                owner == user.id,
                AuthToken.purpose == purpose,
                AuthToken.used_at.is_(None),
                AuthToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
    jti = secrets.token_urlsafe(24)
    session.add(
        AuthToken(
            tenant_id=user.tenant_id,
            jti=jti,
            purpose=purpose,
            portal_user_id=user.id if is_portal else None,
            staff_user_id=None if is_portal else user.id,
            expires_at=now + LIFETIMES[purpose],
            created_at=now,
        )
    )
    return _serializer(purpose).dumps({"j": jti})


def _jti(purpose: TokenPurpose, token: str) -> str | None:
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except BadSignature:  # also SignatureExpired
        return None
    jti = data.get("j") if isinstance(data, dict) else None
    return jti if isinstance(jti, str) else None


def peek(session: Session, purpose: TokenPurpose, token: str, now: datetime | None = None) -> AuthToken | None:
    """The token's row if it is valid now, without using it up."""
    jti = _jti(purpose, token)
    if jti is None:
        return None
    row = session.exec(select(AuthToken).where(AuthToken.jti == jti)).first()
    now = now or utcnow()
    if row is None or row.purpose != purpose or row.used_at or row.revoked_at or row.expires_at <= now:
        return None
    return row


def consume(session: Session, purpose: TokenPurpose, token: str, now: datetime | None = None) -> AuthToken | None:
    """Use the token up; returns its row only for the one caller that succeeded."""
    jti = _jti(purpose, token)
    if jti is None:
        return None
    now = now or utcnow()
    result = session.execute(
        update(AuthToken)
        .where(
            AuthToken.jti == jti,
            AuthToken.purpose == purpose,
            AuthToken.used_at.is_(None),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    return session.exec(select(AuthToken).where(AuthToken.jti == jti)).one()
