"""Migration 0008 encrypts what an existing database holds, on SQLite and PostgreSQL, and keeps the
rows that refer to the rebuilt tables (SQLite rebuilds them: foreign keys must not cascade)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pracha.assistant.models import Message
from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.exchange.models import MessageLog
from pracha.identity.models import User, WebSession
from pracha.migrate import upgrade
from pracha.services.models import Application
from pracha.vault import attach_keyring, forget_subject
from tests.pgserver import PostgresServer

THAI_ID = "3100600123452"
NOW = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"vault_migration_{id(request)}"
    yield server.create_database(name)
    server.drop_database(name)


def seed_0006(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("INSERT INTO users (id, role, national_id, first_name, last_name, birth_date, email, phone, "
                       "language, password_hash, created_at, address) VALUES (1, 'citizen', :nid, 'สมศรี', 'มีสุข', "
                       ":born, 'somsri@example.org', '0812345678', 'th', 'x', :now, :address)"),
                  {"nid": THAI_ID, "born": dt.date(1950, 2, 28), "now": NOW,
                   "address": json.dumps({"locality": "ลำพูน"})})
        c.execute(text("INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) "
                       "VALUES ('t', 1, :now, :now)"), {"now": NOW})
        c.execute(text("INSERT INTO applications (id, reference, service_id, agency, citizen_id, status, data, "
                       "created_at, updated_at, version) VALUES (1, 'R-1', 'elderly', 'dla', 1, 'draft', :data, "
                       ":now, :now, 1)"), {"data": json.dumps({"bank_account": "123-4-56789-0"}), "now": NOW})
        c.execute(text("INSERT INTO exchange_messages (reference, message_id, holds_id, client_id, service_id, "
                       "path, purpose, subject_user_id, categories, decision, status, created_at) VALUES "
                       "('m1', 'x', :t, 'c', 's', :path, 'p', 1, '[]', 'allowed', 200, :now)"),
                  {"path": f"{THAI_ID}/address", "now": NOW, "t": True})
        c.execute(text("INSERT INTO assistant_conversations (id, channel, created_at, updated_at) "
                       "VALUES ('c', 'web', :now, :now)"), {"now": NOW})
        c.execute(text("INSERT INTO assistant_messages (conversation_id, at, role, text, out_of_scope) "
                       "VALUES ('c', :now, 'user', 'สวัสดี', :f)"), {"now": NOW, "f": False})
    engine.dispose()


def test_0008_encrypts_existing_rows(empty_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=empty_url, var_dir=tmp_path / "var", secret_key="x")
    upgrade(empty_url, settings, revision="0006")
    seed_0006(empty_url)
    upgrade(empty_url, settings)
    engine = make_engine(empty_url)
    attach_keyring(engine, settings=settings)
    with Session(engine) as db:
        raw = db.execute(text("SELECT national_id, first_name FROM users")).one()
        assert THAI_ID.encode() not in bytes(raw[0]) and "สมศรี".encode() not in bytes(raw[1])
        path = bytes(db.execute(text("SELECT path FROM exchange_messages")).scalar_one())
        assert THAI_ID.encode() not in path
        user = db.scalar(select(User).where(User.national_id_index == "3-1006-00123-45-2"))
        assert user is not None and user.first_name == "สมศรี" and user.birth_date == dt.date(1950, 2, 28)
        assert user.address == {"locality": "ลำพูน"} and user.phone == "0812345678" and user.data_key
        assert db.scalar(select(WebSession.token_hash)) == "t"  # not cascaded away by the rebuild
        assert db.scalar(select(Application.data)) == {"bank_account": "123-4-56789-0"}
        assert db.scalar(select(MessageLog.path)) == f"{THAI_ID}/address"
        assert db.scalar(select(Message.text)) == "สวัสดี"
        forget_subject(db, user.id)  # the migrated rows are under the person's own key
        db.commit()
        assert db.scalar(select(Application.data)) == {} and db.scalar(select(MessageLog.path)) == "[erased]"
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        assert db.scalar(select(User.first_name)) == "[erased]"
    engine.dispose()
