"""Key rotation without downtime. `rotate` adds a key version: new values use it at once (servers
reload the key file), old versions keep decrypting. `reencrypt` then moves old rows to the current
version in batches, each its own transaction: personal data keys are rewrapped (their values need no
change) and values under an old shared key are encrypted again. Interrupted, it simply runs again:
rows already current are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import LargeBinary, MetaData, Table, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from pracha.db import begin_write
from pracha.vault.keyring import SHARED, Keyring, keyring_of
from pracha.vault.models import DataKey
from pracha.vault.types import _EncryptedBase


@dataclass
class Progress:
    keys_rewrapped: int = 0
    values_reencrypted: int = 0
    columns: dict[str, int] = field(default_factory=dict)


def rotate(keyring: Keyring) -> int:
    """Add a key version and make it current; returns its number."""
    return keyring.provider.add_version()


def encrypted_columns(metadata: MetaData) -> Iterator[tuple[Table, str]]:
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, _EncryptedBase):
                yield table, column.name


def _rewrap_keys(sessions: sessionmaker[Session], batch: int, progress: Progress) -> None:
    while True:
        with sessions() as session:
            keyring = keyring_of(session.get_bind().dialect)
            current = keyring.provider.current_version()
            begin_write(session)
            rows = session.scalars(select(DataKey).where(DataKey.key_version != current)
                                   .order_by(DataKey.handle).limit(batch)).all()
            for row in rows:
                raw = keyring.provider.unwrap(row.key_version, row.wrapped)
                row.key_version, row.wrapped = keyring.provider.wrap(raw)
            session.commit()
        progress.keys_rewrapped += len(rows)
        if len(rows) < batch:
            return


def _reencrypt_column(sessions: sessionmaker[Session], table: Table, name: str, batch: int,
                      progress: Progress) -> None:
    pk = next(iter(table.primary_key.columns))
    raw = type_coerce(table.c[name], LargeBinary)
    last = None
    while True:
        with sessions() as session:
            keyring = keyring_of(session.get_bind().dialect)
            current = keyring.provider.current_version()
            begin_write(session)
            query = select(pk, raw).where(table.c[name].is_not(None)).order_by(pk).limit(batch)
            rows = session.execute(query if last is None else query.where(pk > last)).all()
            changed = 0
            for key, blob in rows:
                blob = bytes(blob)
                if blob[1:2] != SHARED or int.from_bytes(blob[2:4], "big") == current:
                    continue
                plain = keyring.decrypt(blob)
                if plain is None:
                    continue
                session.execute(update(table).where(pk == key)
                                .values({name: type_coerce(keyring.encrypt(plain), LargeBinary)}))
                changed += 1
            session.commit()
        progress.values_reencrypted += changed
        progress.columns[f"{table.name}.{name}"] = progress.columns.get(f"{table.name}.{name}", 0) + changed
        if len(rows) < batch:
            return
        last = rows[-1][0]


def reencrypt(sessions: sessionmaker[Session], metadata: MetaData, batch: int = 500) -> Progress:
    """Bring every wrapped key and shared-key value to the current key version."""
    progress = Progress()
    _rewrap_keys(sessions, batch, progress)
    for table, name in encrypted_columns(metadata):
        _reencrypt_column(sessions, table, name, batch, progress)
    return progress
