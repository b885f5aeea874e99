"""staff editing: a VAT rate on quotes and invoices, a report preference for contacts

Revision ID: 0004_staff_editing
Revises: 0003_dashboard_indexes

- ``quote.tax_rate_bp`` and ``invoice.tax_rate_bp``: the VAT rate in basis points
  (2100 = 21 %) that staff editing applies to the subtotal of the lines. Existing rows
  get the rate their own figures imply (tax / subtotal, rounded), so editing a draft
  that came from an ERP keeps its tax.
- ``portal_user.notify_on_report``: email when a service report on one of the
  contact's properties is approved (on by default, like the other preferences).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_staff_editing"
down_revision: str | None = "0003_dashboard_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = (
    "UPDATE {table} SET tax_rate_bp = CASE WHEN subtotal_cents > 0 "
    "THEN CAST(ROUND(tax_cents * 10000.0 / subtotal_cents) AS INTEGER) ELSE 0 END"
)


def upgrade() -> None:
    for table in ("quote", "invoice"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tax_rate_bp", sa.Integer(), nullable=False, server_default="0"))
        op.execute(_BACKFILL.format(table=table) + " WHERE tax_rate_bp = 0")
        op.execute(f"UPDATE {table} SET tax_rate_bp = 10000 WHERE tax_rate_bp > 10000")
    with op.batch_alter_table("portal_user") as batch:
        batch.add_column(sa.Column("notify_on_report", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("portal_user") as batch:
        batch.drop_column("notify_on_report")
    for table in ("invoice", "quote"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tax_rate_bp")
