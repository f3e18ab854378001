"""vault erasures: the data keys deleted in the last minutes, read by every process's keyring

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("erased_at", pracha.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_erasures")),
    )
    with op.batch_alter_table("vault_erasures") as batch:
        batch.create_index(batch.f("ix_vault_erasures_erased_at"), ["erased_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vault_erasures") as batch:
        batch.drop_index(batch.f("ix_vault_erasures_erased_at"))
    op.drop_table("vault_erasures")
