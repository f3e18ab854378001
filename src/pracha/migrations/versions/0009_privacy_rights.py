"""privacy: PDPA requests with their deadlines, privacy events for the data tracker, restriction flag

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("registry", sa.String(length=20), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("forwarded_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("decided_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("overdue_at", pracha.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_requests_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_privacy_requests_decided_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_privacy_requests_reference")),
    )
    op.create_index(op.f("ix_privacy_requests_user_id"), "privacy_requests", ["user_id"])
    op.create_index("ix_privacy_requests_status_due", "privacy_requests", ["status", "due_on"])
    op.create_table(
        "privacy_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_events_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ledger_entry_id"], ["ledger_entries.id"],
                                name=op.f("fk_privacy_events_ledger_entry_id_ledger_entries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_events")),
        sa.UniqueConstraint("reference", name=op.f("uq_privacy_events_reference")),
    )
    op.create_index("ix_privacy_events_user_time", "privacy_events", ["user_id", "created_at"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("processing_restricted_at", pracha.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("processing_restricted_at")
    op.drop_index("ix_privacy_events_user_time", table_name="privacy_events")
    op.drop_table("privacy_events")
    op.drop_index("ix_privacy_requests_status_due", table_name="privacy_requests")
    op.drop_index(op.f("ix_privacy_requests_user_id"), table_name="privacy_requests")
    op.drop_table("privacy_requests")
