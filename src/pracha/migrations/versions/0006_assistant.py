"""assistant: conversation logs (30-day retention, IDs masked)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_conversations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", pracha.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_assistant_conversations_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_conversations")),
    )
    op.create_index(op.f("ix_assistant_conversations_user_id"), "assistant_conversations", ["user_id"])
    op.create_index(op.f("ix_assistant_conversations_updated_at"), "assistant_conversations", ["updated_at"])
    op.create_table(
        "assistant_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("out_of_scope", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["assistant_conversations.id"],
                                name=op.f("fk_assistant_messages_conversation_id_assistant_conversations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_messages")),
    )
    op.create_index(op.f("ix_assistant_messages_conversation_id"), "assistant_messages", ["conversation_id"])
    op.create_index(op.f("ix_assistant_messages_at"), "assistant_messages", ["at"])


def downgrade() -> None:
    op.drop_table("assistant_messages")
    op.drop_table("assistant_conversations")
