"""services: cases assigned to an officer of the agency, and internal case notes (staff only,
encrypted under the citizen's key)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pracha.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_applications_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_applications_assignee_id_users"), "users", ["assignee_id"],
                                    ["id"], ondelete="SET NULL")
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("at", pracha.db.UTCDateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_case_notes_application_id_applications"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["citizen_id"], ["users.id"], name=op.f("fk_case_notes_citizen_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_case_notes_assignee_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_application_id"), "case_notes", ["application_id"])
    op.create_index(op.f("ix_case_notes_citizen_id"), "case_notes", ["citizen_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_notes_citizen_id"), table_name="case_notes")
    op.drop_index(op.f("ix_case_notes_application_id"), table_name="case_notes")
    op.drop_table("case_notes")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_applications_assignee_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_applications_assignee_id"))
        batch_op.drop_column("assignee_id")
