"""Portal settings: tenant defaults and per-client overrides (None = use default)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, now_field, tenant_fk
from pool_portal.models.work import JobStage

DEFAULT_ASSET_COLUMNS = "asset_code,asset_type,model,serial_number,last_test_date,next_service_due"


class PortalSettings(SQLModel, table=True):
    __tablename__ = "portal_settings"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    show_map: bool = True
    show_activity_report: bool = True
    show_spend_tracking: bool = True
    show_defect_analytics: bool = True
    show_routine_activities: bool = True
    show_service_calls: bool = True
    show_quotes: bool = True
    show_invoices: bool = True
    show_reports: bool = True
    incidents_enabled: bool = True
    asset_columns: str = Field(default=DEFAULT_ASSET_COLUMNS, max_length=500)
    asset_id_label: str = Field(default="Asset ID", max_length=40)
    payment_instructions: str | None = Field(default=None, max_length=2000)
    default_job_stage: JobStage = Field(default=JobStage.ON_HOLD, sa_type=enum_col(JobStage))
    updated_at: datetime = now_field()


class ClientPortalSettings(SQLModel, table=True):
    """The admin's "Customise" for one client: None keeps the tenant default."""

    __tablename__ = "client_portal_settings"

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    client_id: int = Field(foreign_key="client.id", ondelete="CASCADE", sa_column_kwargs={"unique": True})
    show_map: bool | None = None
    show_activity_report: bool | None = None
    show_spend_tracking: bool | None = None
    show_defect_analytics: bool | None = None
    show_routine_activities: bool | None = None
    show_service_calls: bool | None = None
    updated_at: datetime = now_field()
