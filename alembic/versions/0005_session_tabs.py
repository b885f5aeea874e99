"""session tabs: which browser tab last used which session

Revision ID: 0005_session_tabs
Revises: 0004_staff_editing

- ``session_tab``: a Reflex client token (a browser tab) and the session it last made
  a guarded call with. When a session ends (sign-out, password change, disabled user,
  expiry) the stored state of its tabs is wiped; a request that names a tab (an upload
  to ``/_upload``) must carry that tab's session.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_session_tabs"
down_revision: str | None = "0004_staff_editing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_tab",
        sa.Column("client_token", sqlmodel.sql.sqltypes.AutoString(length=64), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("user_session.id", ondelete="CASCADE"), nullable=False),
        sa.Column("bound_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_session_tab_session_id", "session_tab", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_session_tab_session_id", table_name="session_tab")
    op.drop_table("session_tab")
