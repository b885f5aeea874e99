"""Login and invitation tokens, server-side sessions, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, now_field, utcnow


class TokenPurpose(str, enum.Enum):
    MAGIC_LINK = "MAGIC_LINK"
    INVITATION = "INVITATION"
    PASSWORD_RESET = "PASSWORD_RESET"
    STAFF_INVITATION = "STAFF_INVITATION"


class AuthToken(SQLModel, table=True):
    """A single-use token: the signed link carries ``jti``; using it sets used_at."""

    __tablename__ = "auth_token"
    __table_args__ = (
        sa.CheckConstraint("(staff_user_id IS NULL) <> (portal_user_id IS NULL)", name="ck_auth_token_one_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    jti: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    purpose: TokenPurpose = Field(sa_type=enum_col(TokenPurpose))
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", index=True, ondelete="CASCADE")
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime = now_field()


class UserSession(SQLModel, table=True):
    """A server-side session. The browser only holds an opaque id; we store its hash."""

    __tablename__ = "user_session"
    __table_args__ = (
        sa.CheckConstraint("(staff_user_id IS NULL) <> (portal_user_id IS NULL)", name="ck_user_session_one_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", index=True, ondelete="CASCADE")
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    # The current view of a portal user: one client or a whole group.
    view_client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL")
    view_group_id: int | None = Field(default=None, foreign_key="client_group.id", ondelete="SET NULL")
    # A staff member viewing the portal as a client (read-only).
    impersonating_client_id: int | None = Field(default=None, foreign_key="client.id", ondelete="SET NULL")
    language: str | None = Field(default=None, max_length=5)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    created_at: datetime = now_field()
    last_seen_at: datetime = now_field()
    expires_at: datetime
    revoked_at: datetime | None = None


class SessionTab(SQLModel, table=True):
    """A browser tab (Reflex's client token) and the session it last made a guarded call
    with: whose tab states to wipe when that session ends, and which session a request
    naming the tab (``/_upload``) must carry. A tab token is not a secret."""

    __tablename__ = "session_tab"

    client_token: str = Field(primary_key=True, max_length=64)
    session_id: int = Field(foreign_key="user_session.id", index=True, ondelete="CASCADE")
    bound_at: datetime = now_field()


class LoginThrottle(SQLModel, table=True):
    """The sign-in throttle's counter for one account (``a:<account key>``) or one
    client IP (``ip:<address>``): the failures of the current window; for an account
    when the next attempt may be checked and the lease of the attempt being checked
    now; for an IP how many of its attempts are being checked. In the database, so
    every worker and host shares it (``services/identity/throttle.py``)."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=80)
    window_start: datetime = Field(default_factory=utcnow, index=True)
    failures: int = 0
    next_try_at: datetime | None = None  # an account: no attempt is checked before this
    busy_until: datetime | None = None  # an account: an attempt is being checked until then
    in_flight: int = 0  # an IP: attempts being checked now


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_tenant_created", "tenant_id", "created_at"),
        # Rate limits count recent events per target and per client IP.
        sa.Index("ix_audit_action_target_created", "action", "target_id", "created_at"),
        sa.Index("ix_audit_action_ip_created", "action", "ip", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int | None = Field(default=None, foreign_key="tenant.id", ondelete="CASCADE")
    actor_kind: str = Field(max_length=20)  # anonymous | portal | staff | system | api
    actor_id: int | None = None
    action: str = Field(max_length=80)
    target_type: str | None = Field(default=None, max_length=40)
    target_id: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, sa_type=sa.Text)
    ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = now_field()
