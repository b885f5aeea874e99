"""Remarks (defects), jobs (tasks) and visits."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field, tenant_fk


class Severity(str, enum.Enum):
    """Ordered from most to least severe (see SEVERITY_ORDER)."""

    CRITICAL = "CRITICAL"
    NON_CONFORMANCE = "NON_CONFORMANCE"
    NON_CRITICAL = "NON_CRITICAL"
    RECOMMENDATION = "RECOMMENDATION"
    INFORMATION = "INFORMATION"


SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}  # 0 = most severe


class RemarkStatus(str, enum.Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class JobKind(str, enum.Enum):
    ROUTINE = "ROUTINE"
    SERVICE_CALL = "SERVICE_CALL"  # reactive
    DEFECT_REPAIR = "DEFECT_REPAIR"
    FIXED_PRICE = "FIXED_PRICE"


class JobStage(str, enum.Enum):
    ON_HOLD = "ON_HOLD"
    READY = "READY"
    IN_PROGRESS = "IN_PROGRESS"
    PERFORMED = "PERFORMED"
    COMPLETE = "COMPLETE"


class VisitStatus(str, enum.Enum):
    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class Remark(SQLModel, table=True):
    """A defect or other remark on a site or on one of its assets."""

    __table_args__ = (
        ext_unique("remark"),
        # Covering indexes (every column the dashboard's and the defects list's
        # aggregates read is in the index, so no table row is visited; see
        # alembic 0003_dashboard_indexes): per site and status, and by day raised.
        sa.Index(
            "ix_remark_site_status_cover",
            "site_id",
            "status",
            "severity",
            "is_published",
            "report_id",
            "asset_id",
            "tenant_id",
            "raised_on",
        ),
        sa.Index(
            "ix_remark_tenant_raised",
            "tenant_id",
            "raised_on",
            "status",
            "severity",
            "site_id",
            "is_published",
            "report_id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True, ondelete="SET NULL")
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True, ondelete="SET NULL")
    severity: Severity = Field(sa_type=enum_col(Severity))
    status: RemarkStatus = Field(default=RemarkStatus.OPEN, sa_type=enum_col(RemarkStatus))
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    raised_on: date
    resolved_on: date | None = None
    is_published: bool = False
    created_at: datetime = now_field()


class Job(SQLModel, table=True):
    """A job/task: routine maintenance, a service call, a defect repair..."""

    __table_args__ = (
        ext_unique("job"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_job_tenant_number"),
        # Covering for the dashboard's service calls and routine activities.
        sa.Index("ix_job_site_kind_created", "site_id", "kind", "created_at", "stage", "tenant_id"),
        sa.Index("ix_job_site_kind_due", "site_id", "kind", "due_date", "completed_on", "tolerance_days", "tenant_id"),
        # Routine jobs counted per (due, completed, tolerance) in this index's order: no sort.
        sa.Index(
            "ix_job_tenant_kind_due", "tenant_id", "kind", "due_date", "completed_on", "tolerance_days", "site_id"
        ),
        # Covering for the jobs list's count and order (its date is scheduled, else due).
        sa.Index("ix_job_site_scheduled", "site_id", "scheduled_date", "due_date", "kind", "stage", "tenant_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    number: str = Field(max_length=30)
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True, ondelete="SET NULL")
    kind: JobKind = Field(sa_type=enum_col(JobKind))
    stage: JobStage = Field(default=JobStage.READY, sa_type=enum_col(JobStage))
    description: str = Field(max_length=4000)
    notes: str | None = Field(default=None, max_length=4000)
    customer_po: str | None = Field(default=None, max_length=60)
    scheduled_date: date | None = None
    technician_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL")
    # Routine jobs: when they are due and how many days either side still counts.
    due_date: date | None = None
    tolerance_days: int | None = Field(default=None, ge=0)
    completed_on: date | None = None
    requested_by_portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", ondelete="SET NULL")
    created_at: datetime = now_field()


class Visit(SQLModel, table=True):
    __table_args__ = (ext_unique("visit"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True, ondelete="CASCADE")
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True, ondelete="CASCADE")
    status: VisitStatus = Field(default=VisitStatus.PENDING, sa_type=enum_col(VisitStatus))
    scheduled_for: datetime | None = None
    technician_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL")
    notes: str | None = Field(default=None, max_length=4000)
    created_at: datetime = now_field()
