"""payments: pay an invoice online (Stripe Checkout or Mollie)

Revision ID: 0007_payments
Revises: 0006_login_throttle

- ``payment_settings``: per tenant, off by default; the provider, its secret key and
  webhook signing secret sealed with a key derived from PORTAL_SECRET_KEY (Fernet
  tokens; only their last four characters in clear), the methods offered, whether
  several invoices may be paid at once, and the last problem with the provider.
- ``checkout_attempt`` and ``checkout_invoice``: one provider session for one or
  several invoices, with its idempotency key; ``checkout_invoice.open_invoice_id`` is
  unique and set only while the attempt is open, so an invoice has one open attempt.
- ``payment``: what a provider took for an invoice (unique per provider reference and
  invoice), its refunds, disputes and flags.
- ``payment_event``: every verified provider event, once (provider + event id unique).
- ``notification.kind`` gains PAYMENT_RECEIVED and PAYMENT_FLAGGED: stored as short
  strings of at most 24 characters, no schema change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_payments"
down_revision: str | None = "0006_login_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum("STRIPE", "MOLLIE", name="paymentprovider", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("secret_key_sealed", sa.Text(), nullable=True),
        sa.Column("secret_key_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("webhook_secret_sealed", sa.Text(), nullable=True),
        sa.Column("webhook_secret_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("methods", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("allow_multiple", sa.Boolean(), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("problem_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("keys_rejected", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_payment_settings_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_payment_settings_tenant_id")),
    )
    op.create_table(
        "checkout_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum("STRIPE", "MOLLIE", name="paymentprovider", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("provider_ref", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("checkout_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "CREATING",
                "OPEN",
                "PROCESSING",
                "COMPLETED",
                "EXPIRED",
                "FAILED",
                "SUPERSEDED",
                name="checkoutstatus",
                native_enum=False,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("portal_user_id", sa.Integer(), nullable=True),
        sa.Column("payer_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("payer_language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_user.id"],
            name=op.f("fk_checkout_attempt_portal_user_id_portal_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checkout_attempt_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_attempt")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_checkout_attempt_idempotency_key")),
        sa.UniqueConstraint("provider", "provider_ref", name="uq_checkout_attempt_provider_ref"),
    )
    with op.batch_alter_table("checkout_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkout_attempt_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_checkout_attempt_tenant_status", ["tenant_id", "status"], unique=False)

    op.create_table(
        "checkout_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("open_invoice_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["checkout_attempt.id"],
            name=op.f("fk_checkout_invoice_attempt_id_checkout_attempt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_checkout_invoice_invoice_id_invoice"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_checkout_invoice_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_invoice")),
        sa.UniqueConstraint("open_invoice_id", name=op.f("uq_checkout_invoice_open_invoice_id")),
    )
    with op.batch_alter_table("checkout_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkout_invoice_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkout_invoice_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkout_invoice_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column(
            "provider",
            sa.Enum("STRIPE", "MOLLIE", name="paymentprovider", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("provider_ref", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "CONFIRMED",
                "REFUNDED",
                "DISPUTED",
                "DUPLICATE",
                "REFUSED",
                name="paymentstatus",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("refunded_cents", sa.Integer(), nullable=False),
        sa.Column("settled_invoice", sa.Boolean(), nullable=False),
        sa.Column("flag", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("paid_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["checkout_attempt.id"],
            name=op.f("fk_payment_attempt_id_checkout_attempt"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_invoice_id_invoice"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_payment_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("provider", "provider_ref", "invoice_id", name="uq_payment_provider_ref_invoice"),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_payment_tenant_updated", ["tenant_id", "updated_at", "id"], unique=False)

    op.create_table(
        "payment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column(
            "provider",
            sa.Enum("STRIPE", "MOLLIE", name="paymentprovider", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_payment_event_invoice_id_invoice"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_payment_event_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_event")),
        sa.UniqueConstraint("provider", "event_id", name="uq_payment_event_provider_event"),
    )
    with op.batch_alter_table("payment_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_event_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_event_tenant_id"))

    op.drop_table("payment_event")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_tenant_updated")
        batch_op.drop_index(batch_op.f("ix_payment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_payment_invoice_id"))

    op.drop_table("payment")
    with op.batch_alter_table("checkout_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkout_invoice_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_checkout_invoice_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_checkout_invoice_attempt_id"))

    op.drop_table("checkout_invoice")
    with op.batch_alter_table("checkout_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_checkout_attempt_tenant_status")
        batch_op.drop_index(batch_op.f("ix_checkout_attempt_tenant_id"))

    op.drop_table("checkout_attempt")
    op.drop_table("payment_settings")
