"""Active sessions on /me/privacy: listed (created, expires, this device), each revocable with CSRF;
another citizen's session cannot be ended by its handle."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from tests.factories import create_citizen, sign_in


def test_citizen_lists_and_revokes_sessions(db: Session, make_client: Any) -> None:
    citizen, other = create_citizen(db), create_citizen(db, first_name="สมศรี")
    phone, laptop, stranger = make_client(), make_client(), make_client()
    csrf = sign_in(db, phone, citizen)
    sign_in(db, laptop, citizen)
    stranger_csrf = sign_in(db, stranger, other)
    sessions = phone.get("/api/v1/me/export").json()["sessions"]
    assert len(sessions) == 2 and sum(s["this_device"] for s in sessions) == 1
    page = phone.get("/me/privacy").text
    assert "อุปกรณ์นี้" in page or "This device" in page
    handles = re.findall(r"/me/privacy/sessions/([0-9a-f]{16})/revoke", page)
    assert len(handles) == 2
    laptop_handle = next(s["id"] for s in sessions if not s["this_device"])
    assert phone.post(f"/me/privacy/sessions/{laptop_handle}/revoke").status_code == 403  # CSRF
    # another citizen cannot end it
    assert stranger.post(f"/me/privacy/sessions/{laptop_handle}/revoke",
                         data={"csrf_token": stranger_csrf}).headers["location"].endswith("revoked=0#sessions")
    assert laptop.get("/api/v1/me/privacy-requests").status_code == 200
    response = phone.post(f"/me/privacy/sessions/{laptop_handle}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"].endswith("revoked=1#sessions")
    assert laptop.get("/api/v1/me/privacy-requests").status_code == 401
    assert phone.get("/api/v1/me/privacy-requests").status_code == 200
    assert phone.post("/me/privacy/sessions/not-a-handle/revoke", data={"csrf_token": csrf}).status_code == 422
