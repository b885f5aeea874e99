"""Tenants (service companies) and their staff users."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field


class StaffRole(str, enum.Enum):
    ADMIN = "ADMIN"  # everything
    OFFICE = "OFFICE"  # clients, documents, incidents
    TECHNICIAN = "TECHNICIAN"  # incidents and visits assigned


class Tenant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    slug: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    timezone: str = Field(default="Europe/Madrid", max_length=64)
    currency: str = Field(default="EUR", max_length=3)
    default_language: str = Field(default="en", max_length=5)
    brand_colour: str = Field(default="#0e7490", max_length=7)
    logo_path: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    created_at: datetime = now_field()


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "email", name="uq_staff_user_tenant_email"),
        ext_unique("staff_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")
    external_id: str | None = external_id()
    email: str = Field(max_length=254)
    name: str = Field(max_length=120)
    role: StaffRole = Field(sa_type=enum_col(StaffRole))
    password_hash: str | None = Field(default=None, max_length=255)
    must_change_password: bool = False
    is_active: bool = True
    language: str = Field(default="en", max_length=5)
    phone: str | None = Field(default=None, max_length=40)
    last_login_at: datetime | None = None
    created_at: datetime = now_field()
