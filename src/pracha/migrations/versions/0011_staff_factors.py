"""identity: staff second factor (TOTP, recovery codes), session amr, sign-in throttles keyed by HMAC
per client, random public OIDC subjects

The old `signin_throttles` rows (national IDs in clear, one lock per account) are dropped, not moved:
they are short-lived counters and could not be keyed by client. Every existing user gets a random
public subject; clients with public subjects that stored the old `u<number>` values see new ones.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amr", sa.String(length=32), server_default="pwd", nullable=False))
    op.drop_table("signin_throttles")
    op.create_table(
        "signin_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_after", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("updated_at", pracha.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signin_throttles")),
    )
    op.create_index(op.f("ix_signin_throttles_updated_at"), "signin_throttles", ["updated_at"], unique=False)
    op.create_table(
        "signin_probes",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("seen_at", pracha.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client", "identifier", name=op.f("pk_signin_probes")),
    )
    op.create_index(op.f("ix_signin_probes_seen_at"), "signin_probes", ["seen_at"], unique=False)
    op.create_table(
        "staff_totp",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", pracha.db.UTCDateTime(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_staff_totp_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_totp")),
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("used_at", pracha.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_staff_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_recovery_codes_code_hash")),
    )
    op.create_index(op.f("ix_staff_recovery_codes_user_id"), "staff_recovery_codes", ["user_id"], unique=False)
    subjects = op.create_table(
        "oidc_public_subjects",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=43), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_oidc_public_subjects_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_oidc_public_subjects")),
        sa.UniqueConstraint("subject", name=op.f("uq_oidc_public_subjects_subject")),
    )
    users = op.get_bind().execute(sa.text("SELECT id FROM users")).scalars().all()
    if users:
        op.bulk_insert(subjects, [{"user_id": uid, "subject": secrets.token_urlsafe(24)} for uid in users])


def downgrade() -> None:
    op.drop_table("oidc_public_subjects")
    op.drop_index(op.f("ix_staff_recovery_codes_user_id"), table_name="staff_recovery_codes")
    op.drop_table("staff_recovery_codes")
    op.drop_table("staff_totp")
    op.drop_index(op.f("ix_signin_probes_seen_at"), table_name="signin_probes")
    op.drop_table("signin_probes")
    op.drop_index(op.f("ix_signin_throttles_updated_at"), table_name="signin_throttles")
    op.drop_table("signin_throttles")
    op.create_table(
        "signin_throttles",
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_after", pracha.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("identifier", name=op.f("pk_signin_throttles")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_column("amr")
