"""documents: each certificate's holder, service, printed number, validity and certified facts (under
the holder's own key)

Existing certificates get their holder and service from their application; they keep no number, no
validity (no expiry) and no facts (they were issued before documents had any).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pracha.vault import EncryptedJSON

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citizen_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("service_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("facts", EncryptedJSON(erased=dict), nullable=True))
        batch_op.create_index(batch_op.f("ix_certificates_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_certificates_number"), ["number"])
        batch_op.create_foreign_key(batch_op.f("fk_certificates_citizen_id_users"), "users", ["citizen_id"], ["id"])
    applications = sa.table("applications", sa.column("id"), sa.column("citizen_id"), sa.column("service_id"))
    certificates = sa.table("certificates", sa.column("application_id"), sa.column("citizen_id"),
                            sa.column("service_id"))
    of_application = applications.c.id == certificates.c.application_id
    op.execute(certificates.update().values(
        citizen_id=sa.select(applications.c.citizen_id).where(of_application).scalar_subquery(),
        service_id=sa.select(applications.c.service_id).where(of_application).scalar_subquery()))


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificates_citizen_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_certificates_number"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_certificates_citizen_id"))
        for column in ("facts", "valid_until", "number", "service_id", "citizen_id"):
            batch_op.drop_column(column)
