"""encryption at rest: personal fields encrypted (pracha.vault), the national ID's blind index, and
each person's wrapped data key; existing rows are encrypted in place.

The key file is the one of the settings that run the migration (PRACHA_DATA_KEY_FILE or
PRACHA_VAR_DIR/data.key); it is created on first use. Each encrypted column is rebuilt as
`<name>__new` (binary), filled, and renamed over the old one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

import pracha.db
from pracha.vault import Encrypted, EncryptedDate, EncryptedJSON, keyring_of
from pracha.vault.types import BlindIndex, tag

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table → (key column, person's id column or None, {column: (old type, nullable, new type)})
TEXT, JSON_, DATE = Encrypted(), EncryptedJSON(), EncryptedDate()
PLAN: dict[str, tuple[str, str | None, dict[str, tuple[Any, bool, Any]]]] = {
    "users": ("id", "id", {
        "national_id": (sa.String(13), True, TEXT), "first_name": (sa.String(100), False, TEXT),
        "last_name": (sa.String(100), False, TEXT), "birth_date": (sa.Date(), True, DATE),
        "email": (sa.String(254), True, TEXT), "phone": (sa.String(20), True, TEXT),
        "first_name_en": (sa.String(100), True, TEXT), "last_name_en": (sa.String(100), True, TEXT),
        "address": (sa.JSON(), True, JSON_)}),
    "applications": ("id", "citizen_id", {"data": (sa.JSON(), False, JSON_)}),
    "exchange_messages": ("id", "subject_user_id", {"path": (sa.String(500), False, TEXT)}),
    "outbox_messages": ("id", "user_id", {"recipient": (sa.String(254), False, TEXT)}),
    "bot_decisions": ("id", None, {"findings": (sa.JSON(), False, JSON_)}),
    "assistant_messages": ("id", None, {"text": (sa.Text(), False, TEXT)}),
}


def _rows(bind: Any, name: str, columns: dict[str, Any]) -> list[Any]:
    table = sa.table(name, *(sa.column(c, t) for c, t in columns.items()))
    return list(bind.execute(sa.select(table)).mappings())


def _people_keys(bind: Any) -> dict[int, str]:
    """A data key for every person (users.data_key), made here; {user id: handle}."""
    ids = [row.id for row in bind.execute(sa.text("SELECT id FROM users"))]
    if not ids:
        return {}
    keyring = keyring_of(bind.dialect)
    keys = sa.table("vault_data_keys", sa.column("handle"), sa.column("key_version"),
                    sa.column("wrapped", sa.LargeBinary), sa.column("created_at", pracha.db.UTCDateTime()))
    users = sa.table("users", sa.column("id"), sa.column("data_key"))
    handles = {}
    now = dt.datetime.now(dt.UTC)
    for user_id in ids:
        key = keyring.new_personal_key()
        bind.execute(sa.insert(keys).values(handle=key.handle, key_version=key.key_version, wrapped=key.wrapped,
                                            created_at=now))
        bind.execute(sa.update(users).where(users.c.id == user_id).values(data_key=key.handle))
        handles[user_id] = key.handle
    return handles


def _encrypt_table(bind: Any, name: str, handles: dict[int, str]) -> None:
    key, person, columns = PLAN[name]
    with op.batch_alter_table(name) as batch:
        for column in columns:
            batch.add_column(sa.Column(f"{column}__new", sa.LargeBinary(), nullable=True))
    read = {key: sa.Integer(), **({person: sa.Integer()} if person and person != key else {}),
            **{c: old for c, (old, _, _) in columns.items()}}
    target = sa.table(name, sa.column(key), *(sa.column(f"{c}__new", sa.LargeBinary()) for c in columns))
    for row in _rows(bind, name, read):
        handle = handles.get(row[person]) if person else None
        values = {}
        for column, (_, _, kind) in columns.items():
            value = row[column]
            if value is not None:
                values[f"{column}__new"] = kind.process_bind_param(tag(value, handle) if handle else value,
                                                                   bind.dialect)
        if values:
            bind.execute(sa.update(target).where(target.c[key] == row[key]).values(values))
    with op.batch_alter_table(name) as batch:
        if name == "users":
            batch.drop_constraint("uq_users_national_id", type_="unique")
        for column, (_, nullable, _) in columns.items():
            batch.drop_column(column)
            batch.alter_column(f"{column}__new", new_column_name=column, nullable=nullable,
                               existing_type=sa.LargeBinary())


def upgrade() -> None:
    op.create_table(
        "vault_data_keys",
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", pracha.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("handle", name=op.f("pk_vault_data_keys")),
    )
    with op.batch_alter_table("vault_data_keys") as batch:
        batch.create_index(batch.f("ix_vault_data_keys_key_version"), ["key_version"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("national_id_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("data_key", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    index = BlindIndex()
    users = sa.table("users", sa.column("id"), sa.column("national_id"), sa.column("national_id_index"))
    for row in list(bind.execute(sa.select(users.c.id, users.c.national_id).where(users.c.national_id.is_not(None)))):
        bind.execute(sa.update(users).where(users.c.id == row.id)
                     .values(national_id_index=index.process_bind_param(row.national_id, bind.dialect)))
    handles = _people_keys(bind)
    for name in PLAN:
        _encrypt_table(bind, name, handles)
    with op.batch_alter_table("users") as batch:
        batch.create_unique_constraint(batch.f("uq_users_national_id_index"), ["national_id_index"])


def downgrade() -> None:
    """Decrypts every value back into its old column (the key file must still be there)."""
    bind = op.get_bind()
    for name, (key, _, columns) in PLAN.items():
        with op.batch_alter_table(name) as batch:
            for column, (old, _, _) in columns.items():
                batch.add_column(sa.Column(f"{column}__old", old, nullable=True))
        read = {key: sa.Integer(), **{c: sa.LargeBinary() for c in columns}}
        target = sa.table(name, sa.column(key), *(sa.column(f"{c}__old", old) for c, (old, _, _) in columns.items()))
        for row in _rows(bind, name, read):
            values = {f"{c}__old": kind.process_result_value(row[c], bind.dialect)
                      for c, (_, _, kind) in columns.items() if row[c] is not None}
            if values:
                bind.execute(sa.update(target).where(target.c[key] == row[key]).values(values))
        with op.batch_alter_table(name) as batch:
            if name == "users":
                batch.drop_constraint("uq_users_national_id_index", type_="unique")
            for column, (old, nullable, _) in columns.items():
                batch.drop_column(column)
                batch.alter_column(f"{column}__old", new_column_name=column, nullable=nullable, existing_type=old)
        if name == "users":
            with op.batch_alter_table("users") as batch:
                batch.drop_column("national_id_index")
                batch.drop_column("data_key")
                batch.create_unique_constraint("uq_users_national_id", ["national_id"])
    op.drop_table("vault_data_keys")
