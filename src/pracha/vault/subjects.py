"""Whose key: values of a model that declares `__vault_subject__` are encrypted with the person's own
data key, so that `forget_subject` (deleting that key) makes them unreadable — crypto-shredding.

`__vault_subject__` is "self" on the people table (`users`, whose `data_key` column names the person's
key) or `(user_id_attribute, relationship_attribute)` on a model about one person, e.g.
`("citizen_id", "citizen")`. A person gets a key when first stored.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, delete, event, inspect, select, update
from sqlalchemy.orm import Mapper, Session

from pracha.db import utcnow
from pracha.vault.keyring import CACHE_SECONDS, Keyring, keyring_of
from pracha.vault.models import DataKey, Erasure
from pracha.vault.types import _EncryptedBase, handle_of, tag

_PEOPLE = Table("users", MetaData(), Column("id"), Column("data_key", String(32)))


def keyring_for(session: Session) -> Keyring:
    return keyring_of(session.get_bind().dialect)


@cache
def encrypted_attributes(cls: type) -> tuple[str, ...]:
    mapper: Mapper[Any] = inspect(cls)
    return tuple(attr.key for attr in mapper.column_attrs
                 if any(isinstance(col.type, _EncryptedBase) for col in attr.columns))


def ensure_person_key(session: Session, person: Any) -> str:
    """The handle of `person`'s data key (a `users` row object), made now if they have none."""
    if person.data_key is None:
        key = keyring_for(session).new_personal_key()
        session.add(key)
        person.data_key = key.handle
    return str(person.data_key)


def _handle_for(session: Session, obj: Any, spec: Any, found: dict[int, str | None]) -> str | None:
    if spec == "self":
        return ensure_person_key(session, obj)
    id_attr, relation = spec
    person = inspect(obj).dict.get(relation)  # only if loaded or assigned: never a lazy load here
    if person is not None:
        return ensure_person_key(session, person)
    user_id = getattr(obj, id_attr)
    if user_id is None:
        return None
    if user_id not in found:
        found[user_id] = session.scalar(select(_PEOPLE.c.data_key).where(_PEOPLE.c.id == user_id))
    return found[user_id]


@event.listens_for(Session, "before_flush")
def _mark_personal_values(session: Session, _context: Any, _instances: Any) -> None:
    found: dict[int, str | None] = {}
    for obj in [*session.new, *session.dirty]:
        spec = getattr(type(obj), "__vault_subject__", None)
        if spec is None:
            continue
        state = inspect(obj)
        handle = _handle_for(session, obj, spec, found)
        if handle is None:
            continue
        for key in encrypted_attributes(obj.__class__):
            value = state.dict.get(key)
            if value is None or handle_of(value) == handle:
                continue
            if state.pending or state.attrs[key].history.has_changes():
                setattr(obj, key, tag(value, handle))


def forget_subject(session: Session, user_id: int) -> bool:
    """Crypto-shred a person: delete their data key, so every value stored under it (their profile,
    applications' form data, exchange log paths about them) reads as erased from now on. In the
    caller's transaction (commit to make it final); flushes and expires the session's objects so
    they reload as erased. Every other process reads it as erased within `ERASURE_CHECK_SECONDS` of the
    commit (`Keyring.catch_up_erasures`). False if the person had no key."""
    session.flush()
    handle = session.scalar(select(_PEOPLE.c.data_key).where(_PEOPLE.c.id == user_id))
    if handle is None:
        return False
    session.execute(delete(DataKey).where(DataKey.handle == handle))
    session.execute(update(_PEOPLE).where(_PEOPLE.c.id == user_id).values(data_key=None))
    now = utcnow()  # other processes' keyrings drop the key they cache when they read this row
    session.execute(delete(Erasure).where(Erasure.erased_at < now - dt.timedelta(seconds=2 * CACHE_SECONDS)))
    session.add(Erasure(handle=handle, erased_at=now))
    keyring = keyring_for(session)
    keyring.forget(handle, tombstone=True)  # this process at once, even before the commit
    event.listen(session, "after_rollback", lambda _s: keyring.unforget(handle), once=True)
    session.expire_all()
    return True
