"""ledger privacy: openings of format-2 entries; a `ledger.format` marker appended to a non-empty log

The log is append-only, so format-1 entries (see pracha.ledger.leaves for what they reveal) stay as
they are. When this runs on a log that already has entries, it appends one public entry, kind
`ledger.format`, object `format:2`: every entry after it is format 2. A fresh log is format 2 from
its first entry and gets no marker.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import rfc8785
import sqlalchemy as sa
from alembic import op

import pracha.db
from pracha.ledger import leaves

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_openings",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False,
                  nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["ledger_entries.id"],
                                name=op.f("fk_ledger_openings_entry_id_ledger_entries")),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_ledger_openings")),
    )
    with op.batch_alter_table("ledger_openings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_openings_subject"), ["subject"], unique=False)
    append_format_marker()


def append_format_marker() -> None:
    bind = op.get_bind()
    entries = sa.table("ledger_entries", sa.column("id", sa.BigInteger()), sa.column("kind", sa.String()),
                       sa.column("data", sa.LargeBinary()), sa.column("created_at", pracha.db.UTCDateTime()))
    if bind.scalar(sa.select(sa.func.count()).select_from(entries)) == 0:
        return
    now = dt.datetime.now(dt.UTC)
    digest = "sha256:" + hashlib.sha256(rfc8785.dumps({"format": leaves.VERSION})).hexdigest()
    body = leaves.statement(leaves.FORMAT_KIND, actor="system", obj=f"format:{leaves.VERSION}", digest=digest,
                            subject=None, time=now)
    salt = secrets.token_bytes(32)
    data = leaves.public_leaf(leaves.FORMAT_KIND, f"format:{leaves.VERSION}", salt=salt, body=body, time=now)
    bind.execute(sa.insert(entries).values(kind=leaves.FORMAT_KIND, data=data, created_at=now))
    entry_id = bind.scalar(sa.select(sa.func.max(entries.c.id)))
    openings = sa.table("ledger_openings", sa.column("entry_id", sa.BigInteger()),
                        sa.column("subject", sa.String()), sa.column("salt", sa.LargeBinary()),
                        sa.column("body", sa.LargeBinary()))
    bind.execute(sa.insert(openings).values(entry_id=entry_id, subject=None, salt=salt, body=body))


def downgrade() -> None:
    # The marker entry stays: the log is append-only (its trigger refuses the delete).
    with op.batch_alter_table("ledger_openings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_openings_subject"))
    op.drop_table("ledger_openings")
