"""Factories with sensible defaults: create_citizen(db, **overrides), create_staff(...), sign_in(...)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE
from pracha.identity import service as identity
from pracha.identity import thai_id
from pracha.identity.models import User
from pracha.identity.passwords import hash_password

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)
_ids = itertools.count(110170020000)


def new_national_id() -> str:
    return thai_id.make(str(next(_ids)))


def create_citizen(db: Session, **overrides: Any) -> User:
    values: dict[str, Any] = {
        "role": "citizen", "national_id": new_national_id(), "first_name": "สมชาย", "last_name": "ใจดี",
        "birth_date": dt.date(1955, 3, 14), "password_hash": _HASH, "language": "th",
        "email": "somchai@example.org",
    }
    values.update(overrides)
    user = User(**values)
    db.add(user)
    db.commit()
    return user


def create_staff(db: Session, role: str, agency: str | None = None, **overrides: Any) -> User:
    username = overrides.pop("username", f"{role}.{agency or 'all'}.{next(_ids)}")
    user = identity.create_staff(db, username=username, password="", password_hash=_HASH, role=role,
                                 first_name=overrides.pop("first_name", "เจ้าหน้าที่"),
                                 last_name=overrides.pop("last_name", role), agency=agency)
    db.commit()
    return user


def sign_in(db: Session, client: TestClient, user: User) -> str:
    """Give `client` a session for `user`; returns the CSRF token to send with unsafe calls."""
    token = identity.start_web_session(db, user, hours=1)
    db.commit()
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(client)


def csrf_token(client: TestClient) -> str:
    response = client.get("/api/v1/session")
    assert response.status_code == 200
    return str(response.json()["csrf_token"])
