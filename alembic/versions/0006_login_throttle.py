"""login throttle: the sign-in throttle's counters, one row per account and per client IP

Revision ID: 0006_login_throttle
Revises: 0005_session_tabs

- ``login_throttle``: for one account (``a:<account key>``, the same key whether or not
  the email exists) or one client IP (``ip:<address>``), the failures of the current
  window; for an account when the next attempt may be checked (the back-off) and until
  when an attempt is being checked (a lease: attempts on one account are checked one at
  a time, on every worker); for an IP how many of its attempts are being checked (so
  parallel tries cannot overshoot its limit). Before this the throttle counted failures in the audit log, which
  could not hold a right guess during the back-off, nor serialise parallel tries. The
  audit log still records every failure and refusal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_login_throttle"
down_revision: str | None = "0005_session_tabs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), primary_key=True),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("busy_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("in_flight", sa.Integer(), nullable=False),
    )
    op.create_index("ix_login_throttle_window_start", "login_throttle", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_window_start", table_name="login_throttle")
    op.drop_table("login_throttle")
