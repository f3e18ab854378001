"""accountability: staff views of applications, retention runs, legal holds, the breach register

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_role", sa.String(length=20), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=True),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["users.id"], name=op.f("fk_staff_views_citizen_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_staff_views_application_id_applications"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["users.id"], name=op.f("fk_staff_views_staff_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_views")),
    )
    op.create_index("ix_staff_views_citizen_at", "staff_views", ["citizen_id", "at"])
    op.create_index(op.f("ix_staff_views_application_id"), "staff_views", ["application_id"])
    op.create_table(
        "privacy_retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("cutoff", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("started_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_retention_runs")),
    )
    op.create_index("ix_privacy_retention_runs_run", "privacy_retention_runs", ["run_id"])
    op.create_table(
        "privacy_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("released_at", pracha.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_privacy_holds_application_id_applications"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_holds_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_holds")),
    )
    op.create_index(op.f("ix_privacy_holds_application_id"), "privacy_holds", ["application_id"])
    op.create_index(op.f("ix_privacy_holds_user_id"), "privacy_holds", ["user_id"])
    op.create_table(
        "privacy_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("discovered_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("affected_people", sa.Integer(), nullable=False),
        sa.Column("affected_records", sa.Integer(), nullable=False),
        sa.Column("high_risk", sa.Boolean(), nullable=False),
        sa.Column("regulator_notified_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("people_notified_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("overdue_at", pracha.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_privacy_breaches_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_breaches")),
        sa.UniqueConstraint("reference", name=op.f("uq_privacy_breaches_reference")),
    )
    op.create_table(
        "privacy_breach_subjects",
        sa.Column("breach_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("notified_at", pracha.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["breach_id"], ["privacy_breaches.id"],
                                name=op.f("fk_privacy_breach_subjects_breach_id_privacy_breaches"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_breach_subjects_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("breach_id", "user_id", name=op.f("pk_privacy_breach_subjects")),
    )
    op.create_index(op.f("ix_privacy_breach_subjects_user_id"), "privacy_breach_subjects", ["user_id"])


def downgrade() -> None:
    op.drop_table("privacy_breach_subjects")
    op.drop_table("privacy_breaches")
    op.drop_table("privacy_holds")
    op.drop_table("privacy_retention_runs")
    op.drop_table("staff_views")
