"""Factories with sensible defaults: create_citizen(db, **overrides), create_staff(...), sign_in(...)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE
from pracha.identity import factors, thai_id
from pracha.identity import service as identity
from pracha.identity.models import User
from pracha.identity.passwords import hash_password

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)
_ids = itertools.count(110170020000)
TEST_SECRET = b"test-secret"  # the app secret of `make_settings`; seals the staff's TOTP secrets
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # every test staff member's authenticator
_used_steps: dict[str, int] = {}


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


def create_staff(db: Session, role: str, agency: str | None = None, *, app_secret: bytes | None = TEST_SECRET,
                 **overrides: Any) -> User:
    """A staff member whose authenticator holds `TOTP_SECRET` (sealed with `app_secret`, the secret of
    the app that will check it); `app_secret=None`: no second factor yet (enrols at first sign-in)."""
    username = overrides.pop("username", f"{role}.{agency or 'all'}.{next(_ids)}")
    user = identity.create_staff(db, username=username, password="", password_hash=_HASH, role=role,
                                 first_name=overrides.pop("first_name", "เจ้าหน้าที่"),
                                 last_name=overrides.pop("last_name", role), agency=agency)
    if app_secret is not None:
        factors.set_totp(db, user, app_secret, TOTP_SECRET)
    db.commit()
    return user


def totp_code(username: str, secret: str = TOTP_SECRET) -> str:
    """A code the server accepts now for `username`. A code counts once, so a second sign-in within
    the same 30 s uses the next step (the server allows one step of clock drift), a third waits."""
    totp = pyotp.TOTP(secret)
    step = max(totp.timecode(dt.datetime.now()), _used_steps.get(username, -1) + 1)
    while totp.timecode(dt.datetime.now()) + 1 < step:
        time.sleep(0.2)  # the condition: the clock reaches the step before this one
    _used_steps[username] = step
    return str(totp.generate_otp(step))


def sign_in(db: Session, client: TestClient, user: User) -> str:
    """Give `client` a session for `user` (staff: one that passed the second factor, as if the
    password and the code had been given); returns the CSRF token to send with unsafe calls."""
    token = identity.start_web_session(db, user, hours=1, amr="pwd otp" if user.is_staff else "pwd")
    db.commit()
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token(client)


class SignedIn:
    """A signed-in person's client that sends the CSRF token with every unsafe call (as a header on API
    calls, as the form field on form posts). Packages' tests add their own steps in a subclass."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.request(method, path, headers={"X-CSRF-Token": self.csrf}, **kw)

    def form(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)


def csrf_token(client: TestClient) -> str:
    response = client.get("/api/v1/session")
    assert response.status_code == 200
    return str(response.json()["csrf_token"])
