"""Sign-up and sign-in through the real pages and API: validation messages in both languages,
cookies, CSRF, throttling and locking."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE
from pracha.identity.models import User
from tests.factories import PASSWORD, create_citizen, create_staff, csrf_token, new_national_id, totp_code


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def signup(client: TestClient, **fields: str) -> object:
    data = {"national_id": new_national_id(), "first_name": "สมศรี", "last_name": "มีสุข",
            "birth_date": "1950-01-31", "password": "a long enough password"}
    data.update(fields)
    data["csrf_token"] = form_token(client, "/signup")
    return client.post("/signup", data=data)


@pytest.mark.parametrize(("national_id", "message"), [
    ("12345", "เลขประจำตัวประชาชนต้องมี 13 หลัก"),
    ("1101700203451", "หลักตรวจสอบไม่ตรง"),
    ("11017OO203450", "ต้องเป็นตัวเลขเท่านั้น"),
])
def test_signup_explains_a_wrong_id(client: TestClient, db: Session, national_id: str, message: str) -> None:
    response = signup(client, national_id=national_id)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text and 'id="error-national_id"' in response.text
    assert db.scalar(select(func.count(User.id))) == 0


def test_signup_in_english(client: TestClient) -> None:
    client.get("/?lang=en")
    response = signup(client, national_id="12345", password="short")
    assert response.status_code == 422
    assert "The national ID must have 13 digits." in response.text
    assert "at least 8 characters" in response.text
    assert '<html lang="en">' in response.text


def test_signup_signs_in_with_safe_cookie(client: TestClient, db: Session) -> None:
    response = signup(client, national_id="1-1017-00203-45-0", birth_date="2493-01-31")  # B.E. year typed
    assert response.status_code == 303 and response.headers["location"].startswith("/me")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("pracha_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
    user = db.scalar(select(User).where(User.national_id_index == "1101700203450"))
    assert user is not None and user.birth_date is not None and user.birth_date.year == 1950
    assert user.password_hash.startswith("$argon2id$")
    me = client.get("/me")
    assert me.status_code == 200 and "สมศรี" in me.text


def test_cookies_are_secure_behind_tls(make_client: Callable[..., TestClient]) -> None:
    client = make_client(base_url="https://testserver")
    response = signup(client)
    assert response.status_code == 303
    for cookie in response.headers.get_list("set-cookie"):
        assert "Secure" in cookie
    assert "max-age" in response.headers["strict-transport-security"]


def test_second_signup_with_same_id(client: TestClient, db: Session) -> None:
    citizen = create_citizen(db)
    assert citizen.national_id is not None
    response = signup(client, national_id=citizen.national_id)
    assert response.status_code == 409 and "มีบัญชีอยู่แล้ว" in response.text


def test_forms_need_csrf(client: TestClient, db: Session) -> None:
    data = {"national_id": new_national_id(), "first_name": "ก", "last_name": "ข", "birth_date": "1990-01-01",
            "password": "a long enough password"}
    missing = client.post("/signup", data=data)
    assert missing.status_code == 403 and "แบบฟอร์มหมดอายุ" in missing.text
    forged = client.post("/signup", data={**data, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    client.cookies.set(SESSION_COOKIE, "a-session-cookie")  # ambient credentials: now JSON needs the token too
    api = client.post("/api/v1/citizens", json={**data, "birth_date": "1990-01-01"})
    assert api.status_code == 403 and api.json()["error"] == "csrf_failed"
    assert db.scalar(select(func.count(User.id))) == 0


def test_signin_page_and_api(client: TestClient, db: Session) -> None:
    citizen = create_citizen(db)
    token = form_token(client, "/signin")
    wrong = client.post("/signin", data={"national_id": citizen.national_id, "password": "nope",
                                         "csrf_token": token})
    assert wrong.status_code == 401 and "รหัสผ่านไม่ถูกต้อง" in wrong.text
    ok = client.post("/signin", data={"national_id": citizen.national_id, "password": PASSWORD,
                                      "csrf_token": form_token(client, "/signin"), "next": "//evil.example"})
    assert ok.status_code == 303 and ok.headers["location"] == "/me"  # no open redirect
    session = client.get("/api/v1/session").json()
    assert session["user"]["role"] == "citizen"
    out = client.delete("/api/v1/session", headers={"X-CSRF-Token": session["csrf_token"]})
    assert out.status_code == 204
    assert client.get("/me").status_code == 401


def test_signin_with_a_malformed_id_says_why(client: TestClient) -> None:
    response = client.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(client)},
                           json={"national_id": "123", "password": "x"})
    assert response.status_code == 401
    assert response.json()["message"] == "เลขประจำตัวประชาชนต้องมี 13 หลัก"


def test_repeated_failures_slow_down_then_lock(client: TestClient, db: Session, app: FastAPI) -> None:
    # a wait long enough that a loaded machine cannot outlast it between two requests
    app.state.pracha.settings = app.state.pracha.settings.model_copy(update={"signin_slowdown_seconds": 60.0})
    citizen = create_citizen(db)
    headers = {"X-CSRF-Token": csrf_token(client)}

    def attempt(password: str) -> object:
        return client.post("/api/v1/session", headers=headers,
                           json={"national_id": citizen.national_id, "password": password})

    for _ in range(3):
        assert attempt("wrong").status_code == 401  # type: ignore[attr-defined]
    throttled = attempt(PASSWORD)  # even the right password waits now
    assert throttled.status_code == 429  # type: ignore[attr-defined]
    assert 1 < int(throttled.headers["retry-after"]) <= 61  # type: ignore[attr-defined]
    assert throttled.json()["error"] == "signin_throttled"  # type: ignore[attr-defined]


def test_lock_after_many_failures(db: Session, app: object) -> None:
    import datetime as dt

    from pracha.identity import service
    from pracha.identity.errors import SignInFailed, SignInThrottled

    citizen = create_citizen(db)
    policy = service.ThrottlePolicy(slowdown_after=3, lock_after=5, lock_minutes=15)
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    for i in range(5):  # each attempt waits out the slow-down before the next
        with pytest.raises(SignInFailed):
            service.authenticate(db, citizen.national_id or "", "wrong", staff=False, policy=policy,
                                 client="10.0.0.1", secret=b"s", now=now + dt.timedelta(minutes=i))
    with pytest.raises(SignInThrottled) as locked:
        service.authenticate(db, citizen.national_id or "", PASSWORD, staff=False, policy=policy,
                             client="10.0.0.1", secret=b"s", now=now + dt.timedelta(minutes=10))
    assert locked.value.details["reason"] == "locked" and "กรุณาลองใหม่ในอีก" in locked.value.message_th
    user = service.authenticate(db, citizen.national_id or "", PASSWORD, staff=False, policy=policy,
                                client="10.0.0.1", secret=b"s", now=now + dt.timedelta(minutes=20))
    assert user.id == citizen.id


def test_staff_sign_in_separately(client: TestClient, db: Session) -> None:
    officer = create_staff(db, "officer", "cm-elderly-welfare", username="officer.test")
    citizen = create_citizen(db)
    staff_page_token = form_token(client, "/staff/signin")
    # a citizen cannot use the staff door, nor staff the citizen door
    no = client.post("/staff/signin", data={"username": citizen.national_id, "password": PASSWORD,
                                            "csrf_token": staff_page_token})
    assert no.status_code == 401
    yes = client.post("/staff/signin", data={"username": "OFFICER.test", "password": PASSWORD,
                                             "csrf_token": form_token(client, "/staff/signin")})
    assert yes.status_code == 303 and yes.headers["location"] == "/staff/factor?next=%2Fofficer%2Fqueue"
    assert client.get("/officer/queue").status_code == 403  # the password alone opens nothing
    code = client.post("/staff/factor", data={"code": totp_code("officer.test"), "next": "/officer/queue",
                                              "csrf_token": form_token(client, yes.headers["location"])})
    assert code.status_code == 303 and code.headers["location"] == "/officer/queue"
    assert client.get("/officer/queue").status_code == 200
    assert officer.username == "officer.test"
