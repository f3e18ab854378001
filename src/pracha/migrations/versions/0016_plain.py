"""notices and timeline in each reader's language: inbox messages keep a phrase key and its parameters,
timeline steps keep a system's message in both languages

Existing rows keep their text (key and system_message NULL) and are shown as written.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("system_message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_column("system_message")
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("key")
