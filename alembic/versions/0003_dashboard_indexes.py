"""dashboard indexes: covering indexes for the dashboard's aggregates and the lists

Revision ID: 0003_dashboard_indexes
Revises: 0002_api_keys

The dashboard's figures for a large view are aggregates over every open remark,
every remark of the last 12 months, every outstanding invoice... With the 0001
indexes each aggregate found its rows through an index and then read each table row
for the columns the index lacked; these indexes carry those columns, so the
aggregates read the (much smaller, ordered) index only. Grouping by the index's
leading columns also spares SQLite a sort. Measured on the large demo (100,000
remarks): see the README's "Performance" section.

- remark: ix_remark_site_pub_status (site_id, is_published, status, severity) becomes
  ix_remark_site_status_cover (site_id, status, severity, is_published, report_id,
  asset_id, tenant_id, raised_on); ix_remark_tenant_raised (tenant_id, raised_on)
  gains status, severity, site_id, is_published, report_id.
- invoice: ix_invoice_site_status_due gains issued_on, total_cents, tenant_id;
  ix_invoice_tenant_issued gains status, site_id, total_cents, due_on.
- quote: ix_quote_site_status gains expires_on, total_cents, tenant_id.
- job: ix_job_site_kind_created gains stage, tenant_id; ix_job_site_kind_due gains
  completed_on, tolerance_days, tenant_id; ix_job_site_scheduled (the jobs list's
  count and order by date) gains due_date, kind, stage, tenant_id; a new
  ix_job_tenant_kind_due (tenant_id, kind, due_date, completed_on, tolerance_days,
  site_id) lets routine jobs be counted per (due, completed, tolerance) in its order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_dashboard_indexes"
down_revision: str | None = "0002_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = [
    ("job", "ix_job_tenant_kind_due", ["tenant_id", "kind", "due_date", "completed_on", "tolerance_days", "site_id"])
]

# (table, old name, old columns, new name, new columns)
CHANGES = [
    (
        "remark",
        "ix_remark_site_pub_status",
        ["site_id", "is_published", "status", "severity"],
        "ix_remark_site_status_cover",
        ["site_id", "status", "severity", "is_published", "report_id", "asset_id", "tenant_id", "raised_on"],
    ),
    (
        "remark",
        "ix_remark_tenant_raised",
        ["tenant_id", "raised_on"],
        "ix_remark_tenant_raised",
        ["tenant_id", "raised_on", "status", "severity", "site_id", "is_published", "report_id"],
    ),
    (
        "invoice",
        "ix_invoice_site_status_due",
        ["site_id", "status", "due_on"],
        "ix_invoice_site_status_due",
        ["site_id", "status", "due_on", "issued_on", "total_cents", "tenant_id"],
    ),
    (
        "invoice",
        "ix_invoice_tenant_issued",
        ["tenant_id", "issued_on"],
        "ix_invoice_tenant_issued",
        ["tenant_id", "issued_on", "status", "site_id", "total_cents", "due_on"],
    ),
    (
        "quote",
        "ix_quote_site_status",
        ["site_id", "status", "kind"],
        "ix_quote_site_status",
        ["site_id", "status", "kind", "expires_on", "total_cents", "tenant_id"],
    ),
    (
        "job",
        "ix_job_site_kind_created",
        ["site_id", "kind", "created_at"],
        "ix_job_site_kind_created",
        ["site_id", "kind", "created_at", "stage", "tenant_id"],
    ),
    (
        "job",
        "ix_job_site_kind_due",
        ["site_id", "kind", "due_date"],
        "ix_job_site_kind_due",
        ["site_id", "kind", "due_date", "completed_on", "tolerance_days", "tenant_id"],
    ),
    (
        "job",
        "ix_job_site_scheduled",
        ["site_id", "scheduled_date"],
        "ix_job_site_scheduled",
        ["site_id", "scheduled_date", "due_date", "kind", "stage", "tenant_id"],
    ),
]


def upgrade() -> None:
    # Plain DROP/CREATE INDEX on both backends (no batch mode: SQLite changes an index
    # without copying its table).
    for table, old, _old_cols, new, new_cols in CHANGES:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, new_cols, unique=False)
    for table, name, cols in NEW:
        op.create_index(name, table, cols, unique=False)
    # Fresh statistics for the new indexes, or SQLite's planner ignores them.
    for table in dict.fromkeys(change[0] for change in CHANGES):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for table, name, _cols in NEW:
        op.drop_index(name, table_name=table)
    for table, old, old_cols, new, _new_cols in reversed(CHANGES):
        op.drop_index(new, table_name=table)
        op.create_index(old, table, old_cols, unique=False)
