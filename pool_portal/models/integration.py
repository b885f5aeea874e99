"""The integration API's keys (one tenant each) and their per-minute request counts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from pool_portal.models.base import now_field, tenant_fk


class ApiKey(SQLModel, table=True):
    """A key an ERP uses to push a tenant's data. The key itself is shown once, when it
    is made; only its SHA-256 is stored (see services/api_keys.py)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    name: str = Field(max_length=100)
    key_prefix: str = Field(max_length=16)  # the first characters, to recognise a key in lists
    key_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = now_field()
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiRateWindow(SQLModel, table=True):
    """How many requests a key made in one minute (``minute``: minutes since the epoch). Counted in
    the database, so every worker and host shares the limit."""

    __tablename__ = "api_rate_window"

    api_key_id: int = Field(foreign_key="api_key.id", primary_key=True, ondelete="CASCADE")
    minute: int = Field(primary_key=True)
    requests: int = 0
