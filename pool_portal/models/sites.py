"""Sites (properties: a pool installation) and the assets on them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import ext_unique, external_id, now_field, tenant_fk


class Site(SQLModel, table=True):
    __table_args__ = (ext_unique("site"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    client_id: int = Field(foreign_key="client.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)
    city: str = Field(default="", max_length=120)
    postcode: str = Field(default="", max_length=20)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    notes: str | None = Field(default=None, max_length=2000)
    is_active: bool = True
    created_at: datetime = now_field()


class Asset(SQLModel, table=True):
    __table_args__ = (
        ext_unique("asset"),
        sa.Index("ix_asset_site_type", "site_id", "asset_type"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    asset_code: str = Field(max_length=60)  # the "Asset ID" the tenant may rename
    asset_type: str = Field(max_length=60)  # pump, filter, heater, chlorinator...
    model: str | None = Field(default=None, max_length=120)
    serial_number: str | None = Field(default=None, max_length=120)
    customer_ref: str | None = Field(default=None, max_length=120)
    location: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    last_test_number: str | None = Field(default=None, max_length=60)
    last_test_date: date | None = None
    next_service_due: date | None = None
    is_active: bool = True
    created_at: datetime = now_field()
