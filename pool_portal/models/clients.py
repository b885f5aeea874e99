"""Clients (account customers), client groups and portal users (contacts)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field, tenant_fk


class MembershipRole(str, enum.Enum):
    MANAGER = "MANAGER"
    BILLING = "BILLING"
    SITE = "SITE"


class Client(SQLModel, table=True):
    __table_args__ = (ext_unique("client"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    billing_address: str | None = Field(default=None, max_length=400)
    is_active: bool = True
    created_at: datetime = now_field()


class ClientGroup(SQLModel, table=True):
    """Several clients; groups nest (a regional group inside a national one)."""

    __tablename__ = "client_group"
    __table_args__ = (ext_unique("client_group"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    name: str = Field(max_length=200)
    parent_id: int | None = Field(default=None, foreign_key="client_group.id", index=True, ondelete="SET NULL")
    created_at: datetime = now_field()


class ClientGroupMember(SQLModel, table=True):
    __tablename__ = "client_group_member"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "client_id", name="uq_client_group_member"),
        ext_unique("client_group_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    group_id: int = Field(foreign_key="client_group.id", index=True, ondelete="CASCADE")
    client_id: int = Field(foreign_key="client.id", index=True, ondelete="CASCADE")


class PortalUser(SQLModel, table=True):
    """A contact person who signs in to the portal."""

    __tablename__ = "portal_user"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "email", name="uq_portal_user_tenant_email"),
        ext_unique("portal_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    email: str = Field(max_length=254)
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    password_hash: str | None = Field(default=None, max_length=255)
    must_change_password: bool = False
    is_active: bool = True
    language: str = Field(default="en", max_length=5)
    notify_on_reply: bool = True
    notify_on_invoice: bool = True
    notify_on_quote: bool = True
    notify_on_job_scheduled: bool = True
    notify_on_report: bool = True  # a service report approved on one of their properties
    last_login_at: datetime | None = None
    created_at: datetime = now_field()


class Membership(SQLModel, table=True):
    """A portal user's access to one client or to one client group, with a role."""

    __table_args__ = (
        sa.CheckConstraint("(client_id IS NULL) <> (group_id IS NULL)", name="ck_membership_client_xor_group"),
        # One membership per user and client, and per user and group. Partial indexes:
        # a unique over all three columns never fires, one of them is always NULL.
        sa.Index(
            "uq_membership_user_client",
            "portal_user_id",
            "client_id",
            unique=True,
            sqlite_where=sa.text("client_id IS NOT NULL"),
            postgresql_where=sa.text("client_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_membership_user_group",
            "portal_user_id",
            "group_id",
            unique=True,
            sqlite_where=sa.text("group_id IS NOT NULL"),
            postgresql_where=sa.text("group_id IS NOT NULL"),
        ),
        ext_unique("membership"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    portal_user_id: int = Field(foreign_key="portal_user.id", index=True, ondelete="CASCADE")
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True, ondelete="CASCADE")
    group_id: int | None = Field(default=None, foreign_key="client_group.id", index=True, ondelete="CASCADE")
    role: MembershipRole = Field(default=MembershipRole.MANAGER, sa_type=enum_col(MembershipRole))
    is_active: bool = True
    created_at: datetime = now_field()
