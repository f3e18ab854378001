"""consent idempotency: a citizen's Idempotency-Key on a consent, unique per citizen, so a retried grant
returns the first consent instead of giving a second

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_consents") as batch:
        batch.add_column(sa.Column("client_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(batch.f("uq_exchange_consents_user_id"), ["user_id", "client_token"])


def downgrade() -> None:
    with op.batch_alter_table("exchange_consents") as batch:
        batch.drop_constraint(batch.f("uq_exchange_consents_user_id"), type_="unique")
        batch.drop_column("client_token")
