"""Personal data at rest: encrypted in the database, found by blind index, rotated without downtime,
and crypto-shredded by deleting a person's data key. Real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import stat

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import LargeBinary, func, select, text, type_coerce
from sqlalchemy.orm import Session

from pracha.assistant.models import Conversation, Message
from pracha.config import Settings
from pracha.identity.models import User
from pracha.models import Base
from pracha.vault import ERASED, data_key_path, forget_subject, keyring_for
from pracha.vault.keyring import describe
from pracha.vault.models import DataKey
from pracha.vault.rotation import reencrypt, rotate
from tests.factories import create_citizen, sign_in

THAI_ID = "1101700203450"


def raw(db: Session, table: str, column: str, key: int | str) -> bytes:
    value = db.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": key}).scalar_one()
    return bytes(value)


def test_personal_fields_are_ciphertext_in_the_table(db: Session, settings: Settings) -> None:
    user = create_citizen(db, national_id=THAI_ID, first_name="สมหญิง", email="somying@example.org",
                          birth_date=dt.date(1960, 2, 29), address={"locality": "เชียงใหม่"})
    for column, clear in (("national_id", THAI_ID), ("first_name", "สมหญิง"), ("email", "somying@example.org"),
                          ("birth_date", "1960-02-29"), ("address", "เชียงใหม่")):
        blob = raw(db, "users", column, user.id)
        assert clear.encode() not in blob and describe(blob) == ("personal", 1)
    db.expire_all()
    again = db.get(User, user.id)
    assert again is not None and again.first_name == "สมหญิง" and again.birth_date == dt.date(1960, 2, 29)
    assert again.address == {"locality": "เชียงใหม่"} and again.national_id == THAI_ID
    mode = data_key_path(settings).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_blind_index_finds_every_spelling(db: Session) -> None:
    user = create_citizen(db, national_id=THAI_ID)
    spellings = (THAI_ID, "1-1017-00203-45-0", "๑๑๐๑๗๐๐๒๐๓๔๕๐", "１１０１７００２０３４５０", " 1 1017 00203 45 0 ")
    for spelling in spellings:
        assert db.scalar(select(User.id).where(User.national_id_index == spelling)) == user.id, spelling
    assert THAI_ID not in str(db.scalar(select(User.national_id_index).where(User.id == user.id)))


def test_comparing_an_encrypted_column_fails_loudly() -> None:
    try:
        select(User.id).where(User.national_id == THAI_ID)
    except TypeError as error:
        assert "blind index" in str(error)
    else:
        raise AssertionError("an encrypted column compared with a value must raise")


def test_rotation_new_values_use_new_version_old_still_decrypt_and_reencrypt_moves_all(
        app: FastAPI, db: Session) -> None:
    old = create_citizen(db)
    db.add(Conversation(id="c1", channel="web", user_id=None,
                        messages=[Message(role="user", text=f"my id is {i}") for i in range(5)]))
    db.commit()
    keyring = keyring_for(db)
    assert rotate(keyring) == 2 and keyring.provider.versions() == [1, 2]
    new = create_citizen(db)
    db.add(Message(conversation_id="c1", role="user", text="after rotation"))
    db.commit()
    versions = {describe(bytes(b))[1] for b in db.scalars(select(type_coerce(Message.text, LargeBinary)))}
    assert versions == {1, 2}
    assert db.scalar(select(DataKey.key_version).where(DataKey.handle == new.data_key)) == 2
    db.expire_all()
    assert [m.text for m in db.scalars(select(Message).order_by(Message.id))][0] == "my id is 0"
    assert db.get(User, old.id).first_name == "สมชาย"  # type: ignore[union-attr]

    db.rollback()  # end this session's snapshot: the re-encryption runs in sessions of its own
    progress = reencrypt(app.state.pracha.db.sessions, Base.metadata, batch=2)  # several batches
    assert progress.values_reencrypted == 5 and progress.keys_rewrapped >= 1
    versions = {describe(bytes(b))[1] for b in db.scalars(select(type_coerce(Message.text, LargeBinary)))}
    assert versions == {2}
    assert db.scalar(select(func.count()).select_from(DataKey).where(DataKey.key_version != 2)) == 0
    db.expire_all()
    assert db.get(User, old.id).first_name == "สมชาย"  # type: ignore[union-attr]
    assert [m.text for m in db.scalars(select(Message).order_by(Message.id))][-1] == "after rotation"
    again = reencrypt(app.state.pracha.db.sessions, Base.metadata)  # resumable: a rerun finds nothing left
    assert again.values_reencrypted == 0 and again.keys_rewrapped == 0


def test_rotation_reaches_a_running_app_through_the_key_file(
        app: FastAPI, db: Session, make_settings: object) -> None:
    """Another process (`pracha keys rotate`) adds a version: this app's provider reloads the file."""
    from pracha.vault import KeyFileProvider, keyring_of

    keyring = keyring_of(app.state.pracha.db.engine.dialect)
    other = KeyFileProvider(keyring.provider.path)  # type: ignore[attr-defined]
    assert other.add_version() == 2
    keyring.provider._checked = 0.0  # type: ignore[attr-defined]  # skip the one-second stat throttle
    assert keyring.provider.current_version() == 2


def test_forget_subject_crypto_shreds_without_errors(db: Session, client: TestClient) -> None:
    user = create_citizen(db, national_id=THAI_ID, phone="0812345678")
    keep = create_citizen(db)
    blob = raw(db, "users", "first_name", user.id)
    assert forget_subject(db, user.id) is True
    db.commit()
    assert raw(db, "users", "first_name", user.id) == blob  # the ciphertext stays; its key is gone
    db.expire_all()
    gone = db.get(User, user.id)
    assert gone is not None and gone.first_name == ERASED and gone.national_id == ERASED and gone.phone is None
    assert gone.birth_date is None and gone.data_key is None
    assert db.get(User, keep.id).first_name == "สมชาย"  # type: ignore[union-attr]
    sign_in(db, client, gone)
    assert client.get("/me").status_code == 200
    assert forget_subject(db, user.id) is False
