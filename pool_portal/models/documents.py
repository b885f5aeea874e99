"""Reports and shared documents. File bytes live in private storage, never public."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field, tenant_fk


class ReportStatus(str, enum.Enum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"


class Report(SQLModel, table=True):
    __table_args__ = (
        ext_unique("report"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_report_tenant_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    number: str = Field(max_length=30)
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True, ondelete="SET NULL")
    title: str = Field(max_length=200)
    summary: str | None = Field(default=None, max_length=8000)
    status: ReportStatus = Field(default=ReportStatus.DRAFT, sa_type=enum_col(ReportStatus))
    report_date: date
    approved_at: datetime | None = None
    created_at: datetime = now_field()


class Document(SQLModel, table=True):
    """A file shared on a property (published) or kept internal."""

    __table_args__ = (ext_unique("document"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int = 0
    storage_key: str = Field(max_length=500)
    is_published: bool = False
    uploaded_by_staff_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = now_field()
