"""Issue 13 item 5: every staff role gives a second factor (TOTP) after the password; enrolment at
first sign-in with a QR code, one-time recovery codes, and nothing reachable before the factor."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import STAFF_ROLES, RecoveryCode, TotpFactor, WebSession
from tests.factories import PASSWORD, TOTP_SECRET, create_staff, csrf_token, totp_code
from tests.identity.test_signup_signin import form_token


def password_step(client: TestClient, username: str) -> str:
    response = client.post("/staff/signin", data={"username": username, "password": PASSWORD,
                                                  "csrf_token": form_token(client, "/staff/signin")})
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/factor")
    return str(response.headers["location"])


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_needs_the_second_factor(client: TestClient, db: Session, role: str) -> None:
    agency = "cm-elderly-welfare" if role in ("officer", "agency_admin", "finance_officer", "inspector") else None
    user = create_staff(db, role, agency)
    step = password_step(client, user.username or "")
    session = client.get("/api/v1/session").json()
    assert session["user"] is None and session["second_factor"] == "required"
    for path in ("/officer/queue", "/admin/tokens", "/api/v1/tokens", "/api/v1/applications"):
        assert client.get(path).status_code == 403, path
    page = client.get(step)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    wrong = client.post("/staff/factor", data={"code": "000000", "csrf_token": form_token(client, step)})
    assert wrong.status_code == 401 and "รหัสยืนยันไม่ถูกต้อง" in wrong.text
    pending_cookie = client.cookies.get("pracha_session")
    ok = client.post("/staff/factor", data={"code": totp_code(user.username or ""), "next": "/api/v1/session",
                                            "csrf_token": form_token(client, step)})
    assert ok.status_code == 303
    assert client.cookies.get("pracha_session") != pending_cookie  # a new session token after the factor
    assert client.get("/api/v1/session").json()["user"]["role"] == role
    web = db.scalars(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert web.amr == "pwd otp"


def test_a_code_counts_once_and_the_secret_is_sealed(make_client: object, db: Session) -> None:
    user = create_staff(db, "auditor")
    factor = db.get(TotpFactor, user.id)
    assert factor is not None and TOTP_SECRET not in factor.secret_sealed
    assert TOTP_SECRET.encode() not in base64.urlsafe_b64decode(factor.secret_sealed[3:])
    code = pyotp.TOTP(TOTP_SECRET).now()
    one, two = make_client(), make_client()  # type: ignore[operator]
    for client, status in ((one, 200), (two, 401)):
        password_step(client, user.username or "")
        response = client.post("/api/v1/session/factor", json={"code": code},
                               headers={"X-CSRF-Token": csrf_token(client)})
        assert response.status_code == status, response.text


def test_enrolment_on_first_sign_in_with_recovery_codes(make_client: object, db: Session) -> None:
    user = create_staff(db, "officer", "cm-elderly-welfare", app_secret=None)
    client = make_client()  # type: ignore[operator]
    step = password_step(client, user.username or "")
    assert client.post("/api/v1/session", headers={"X-CSRF-Token": csrf_token(client)},
                       json={"username": user.username, "password": PASSWORD}).json()["second_factor"] == "enrol"
    page = client.get(step)
    assert 'src="data:image/svg+xml' in page.text  # the QR code of the otpauth URI
    again = client.get(step)
    secret = re.search(r'id="totp-secret" lang="en">([A-Z2-7 ]+)<', page.text)
    assert secret is not None and secret.group(1) in again.text  # showing the page changes nothing
    assert db.get(TotpFactor, user.id) is None
    db.rollback()  # end this read: the next sees the enrolment
    key = secret.group(1).replace(" ", "")
    done = client.post("/staff/factor", data={"code": pyotp.TOTP(key).now(), "next": "/officer/queue",
                                              "csrf_token": form_token(client, step)})
    assert done.status_code == 200 and 'href="/officer/queue"' in done.text
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.text)
    assert len(codes) == 10
    stored = db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored)  # hashed
    assert client.get("/officer/queue").status_code == 200

    other = make_client()  # type: ignore[operator]
    password_step(other, user.username or "")
    headers = {"X-CSRF-Token": csrf_token(other)}
    assert other.post("/api/v1/session/factor", json={"code": codes[0].lower()}, headers=headers).status_code == 200
    third = make_client()  # type: ignore[operator]
    password_step(third, user.username or "")
    used = third.post("/api/v1/session/factor", json={"code": codes[0]}, headers={"X-CSRF-Token": csrf_token(third)})
    assert used.status_code == 401  # one-time


def test_factor_routes_need_a_password_first(client: TestClient) -> None:
    assert client.get("/staff/factor").headers["location"] == "/staff/signin"
    response = client.post("/api/v1/session/factor", json={"code": "123456"},
                           headers={"X-CSRF-Token": csrf_token(client)})
    assert response.status_code == 401 and response.json()["error"] == "second_factor_missing"


def test_wrong_codes_lock_this_client_out(client: TestClient, db: Session) -> None:
    state = client.app.state.pracha  # type: ignore[attr-defined]
    # a first wait of a minute: longer than any pause between two requests on a busy machine
    state.settings = state.settings.model_copy(update={"signin_slowdown_seconds": 60.0})
    user = create_staff(db, "platform_admin")
    step = password_step(client, user.username or "")
    statuses = [client.post("/staff/factor", data={"code": "000000", "csrf_token": form_token(client, step)}
                            ).status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401] and statuses[3] == 429  # slowed down like passwords


def test_next_is_kept_through_the_factor(client: TestClient, db: Session) -> None:
    user = create_staff(db, "agency_admin", "cm-elderly-welfare")
    response = client.post("/staff/signin", data={"username": user.username, "password": PASSWORD,
                                                  "next": "/admin/tokens",
                                                  "csrf_token": form_token(client, "/staff/signin")})
    step = response.headers["location"]
    assert unquote(step) == "/staff/factor?next=/admin/tokens"
    assert 'name="next" value="/admin/tokens"' in client.get(step).text
