"""Incidents (faults reported from the portal), their tasks, messages and photos."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, ext_unique, external_id, now_field, tenant_fk


class IncidentCategory(str, enum.Enum):
    WATER = "WATER"
    ENGINE = "ENGINE"
    LEAK = "LEAK"
    CLEANING = "CLEANING"
    ELECTRICAL = "ELECTRICAL"
    OTHER = "OTHER"


class Priority(str, enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class IncidentState(str, enum.Enum):
    """Internal state; the customer-facing status is derived (services.incidents)."""

    OPEN = "OPEN"
    SOLVED = "SOLVED"


class MessageAuthor(str, enum.Enum):
    CLIENT = "CLIENT"
    STAFF = "STAFF"
    SYSTEM = "SYSTEM"


class Incident(SQLModel, table=True):
    __table_args__ = (
        ext_unique("incident"),
        sa.Index("ix_incident_tenant_state_created", "tenant_id", "state", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    reference: str = Field(max_length=20, sa_column_kwargs={"unique": True})  # INC-2026-AB12CD
    client_id: int = Field(foreign_key="client.id", index=True, ondelete="CASCADE")
    site_id: int = Field(foreign_key="site.id", index=True, ondelete="CASCADE")
    category: IncidentCategory = Field(sa_type=enum_col(IncidentCategory))
    priority: Priority = Field(default=Priority.HIGH, sa_type=enum_col(Priority))
    description: str = Field(max_length=5000)
    state: IncidentState = Field(default=IncidentState.OPEN, sa_type=enum_col(IncidentState))
    resolution_note: str | None = Field(default=None, max_length=5000)
    solved_at: datetime | None = None
    reported_by_portal_user_id: int | None = Field(
        default=None, foreign_key="portal_user.id", index=True, ondelete="SET NULL"
    )
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True, ondelete="SET NULL")
    created_at: datetime = now_field()
    updated_at: datetime = now_field()


class IncidentTask(SQLModel, table=True):
    """An internal task on an incident (never shown to the customer)."""

    __tablename__ = "incident_task"
    __table_args__ = (ext_unique("incident_task"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    is_done: bool = False
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = now_field()
    done_at: datetime | None = None


class IncidentMessage(SQLModel, table=True):
    """A message on an incident's thread. Internal notes (is_internal) are staff-only."""

    __tablename__ = "incident_message"
    __table_args__ = (
        ext_unique("incident_message"),
        sa.Index("ix_incident_message_thread", "incident_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    incident_id: int = Field(foreign_key="incident.id", ondelete="CASCADE")
    author_kind: MessageAuthor = Field(sa_type=enum_col(MessageAuthor))
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", ondelete="SET NULL")
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text)
    is_internal: bool = False
    created_at: datetime = now_field()


class IncidentAttachment(SQLModel, table=True):
    __tablename__ = "incident_attachment"
    __table_args__ = (ext_unique("incident_attachment"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    external_id: str | None = external_id()
    incident_id: int = Field(foreign_key="incident.id", index=True, ondelete="CASCADE")
    message_id: int | None = Field(default=None, foreign_key="incident_message.id", index=True, ondelete="CASCADE")
    storage_backend: str = Field(default="local", max_length=20)  # local | cloudinary
    storage_key: str = Field(max_length=500)
    content_type: str = Field(max_length=100)
    size_bytes: int = 0
    original_name: str = Field(default="", max_length=255)
    created_at: datetime = now_field()
