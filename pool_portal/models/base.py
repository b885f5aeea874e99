"""Shared column helpers: tenant ownership, external ids, UTC timestamps, enums."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Stable constraint names on both backends, the ones the migrations use (see
# alembic/versions/0001_initial_schema.py); set before any table is defined.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_col(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Enums are stored as short strings (no native PostgreSQL enum types)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=max(len(m.name) for m in enum_cls) + 8,
        validate_strings=True,
    )


def tenant_fk() -> int:
    return Field(foreign_key="tenant.id", index=True, ondelete="CASCADE")


def external_id() -> str | None:
    """An optional id from the tenant's ERP; unique per tenant (see ext_unique)."""
    return Field(default=None, max_length=100)


def now_field() -> datetime:
    return Field(default_factory=utcnow)


def ext_unique(table: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint("tenant_id", "external_id", name=f"uq_{table}_tenant_external_id")
