"""In-app notifications for staff and portal users (mail follows preferences)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pool_portal.models.base import enum_col, now_field, tenant_fk


class NotificationKind(str, enum.Enum):
    MANUAL_INCIDENT = "MANUAL_INCIDENT"
    INCIDENT_MESSAGE = "INCIDENT_MESSAGE"
    INCIDENT_REPLY = "INCIDENT_REPLY"
    INCIDENT_SOLVED = "INCIDENT_SOLVED"
    JOB_REQUESTED = "JOB_REQUESTED"
    JOB_SCHEDULED = "JOB_SCHEDULED"
    QUOTE_SENT = "QUOTE_SENT"
    QUOTE_DECIDED = "QUOTE_DECIDED"
    INVOICE_ISSUED = "INVOICE_ISSUED"
    REPORT_APPROVED = "REPORT_APPROVED"
    PAYMENT_RECEIVED = "PAYMENT_RECEIVED"  # names stay within 16 characters: the column is 24 long
    PAYMENT_FLAGGED = "PAYMENT_FLAGGED"


class Notification(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint(
            "(staff_user_id IS NULL) <> (portal_user_id IS NULL)",
            name="ck_notification_one_recipient",
        ),
        sa.Index("ix_notification_staff_unread", "staff_user_id", "is_read"),
        sa.Index("ix_notification_portal_unread", "portal_user_id", "is_read"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    kind: NotificationKind = Field(sa_type=enum_col(NotificationKind))
    staff_user_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="CASCADE")
    portal_user_id: int | None = Field(default=None, foreign_key="portal_user.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    body: str | None = Field(default=None, max_length=2000)
    link: str | None = Field(default=None, max_length=300)
    incident_id: int | None = Field(default=None, foreign_key="incident.id", ondelete="CASCADE")
    is_read: bool = False
    emailed_at: datetime | None = None
    created_at: datetime = now_field()
