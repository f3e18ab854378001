"""The citizen's side: "apps connected to my ID" lists and withdraws consent (tokens revoked, both
steps in the ledger as commitments), and RP-initiated logout with its refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE
from pracha.identity.oidc.models import OidcConsent
from pracha.ledger.audit import statement_of
from pracha.ledger.models import LedgerEntry
from tests.factories import create_citizen, sign_in
from tests.identity.oidc.helpers import authorize_code, exchange, query, register, start


def test_connected_apps_withdraw_revokes_and_is_recorded(db: Session, client: TestClient) -> None:
    reg = register(db, name="ระบบเบี้ยยังชีพ", scopes=("openid", "profile", "thai_id"),
                   thai_id_legal_basis="พ.ร.บ.ผู้สูงอายุ")
    user = create_citizen(db)
    code, flow = authorize_code(db, client, reg, user, scope="openid profile thai_id")
    tokens = exchange(client, reg, code, flow.verifier).json()
    page = client.get("/me/apps")
    assert page.status_code == 200 and "แอปที่เชื่อมต่อกับบัญชีของฉัน" in page.text
    assert "ระบบเบี้ยยังชีพ" in page.text and "เลขประจำตัวประชาชน 13 หลัก" in page.text
    done = client.post(f"/me/apps/{reg.id}/withdraw", data={"csrf_token": flow.csrf})
    assert done.status_code == 303
    assert "ระบบเบี้ยยังชีพ" not in client.get(done.headers["location"]).text
    revoked = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert revoked.status_code == 401
    again = client.post(f"/me/apps/{reg.id}/withdraw", data={"csrf_token": flow.csrf})
    assert again.status_code == 404
    db.expire_all()
    assert db.scalar(select(OidcConsent.withdrawn_at)) is not None
    entries = {e.kind: statement_of(db, e) or {} for e in db.scalars(select(LedgerEntry))}
    assert {"oidc.client.registered", "oidc.consent.granted", "oidc.consent.withdrawn"} <= set(entries)
    granted = entries["oidc.consent.granted"]
    assert granted["object"] == f"oidc-client:{reg.id}" and granted["digest"].startswith("hmac-sha256:")
    assert granted["subject"].startswith("hmac-sha256:")
    for entry in db.scalars(select(LedgerEntry)):
        assert user.national_id.encode() not in entry.data and "สมชาย".encode() not in entry.data
    flow = start(client, reg, scope="openid profile thai_id")
    assert client.get("/oidc/authorize", params=flow.params).status_code == 200  # consent is asked again


def test_rp_initiated_logout(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    id_token = exchange(client, reg, code, flow.verifier).json()["id_token"]
    bye = reg.client.post_logout_redirect_uris[0]
    params = {"id_token_hint": id_token, "post_logout_redirect_uri": bye, "state": "s1"}
    page = client.get("/oidc/logout", params=params)
    assert page.status_code == 200 and "ออกจากระบบประชา" in page.text
    assert "form-action 'self' https://rp.example.go.th" in page.headers["content-security-policy"]
    tampered = client.get("/oidc/logout", params={**params, "id_token_hint": id_token[:-3] + "abc"})
    assert tampered.status_code == 400 and "location" not in tampered.headers
    elsewhere = client.get("/oidc/logout", params={**params, "post_logout_redirect_uri": "https://evil.example/"})
    assert elsewhere.status_code == 400
    assert client.get("/oidc/logout", params={"post_logout_redirect_uri": bye}).status_code == 400  # whose URI?
    done = client.post("/oidc/logout", data={**params, "csrf_token": flow.csrf})
    assert done.status_code == 303 and done.headers["location"] == f"{bye}?state=s1"
    assert f'{SESSION_COOKIE}=""' in done.headers["set-cookie"]  # and the session itself is gone:
    after = client.get("/oidc/authorize", params={**start(client, reg).params, "prompt": "none"})
    assert query(after.headers["location"])["error"] == "login_required"
    plain = client.get("/oidc/logout")
    assert plain.status_code == 200


def test_sign_in_on_the_authorize_page(db: Session, client: TestClient) -> None:
    from tests.factories import PASSWORD

    reg = register(db)
    user = create_citizen(db)
    flow = start(client, reg)
    page = client.get("/oidc/authorize", params=flow.params)
    assert page.status_code == 200 and 'name="password"' in page.text
    wrong = client.post("/oidc/authorize", data={**flow.params, "action": "signin", "csrf_token": flow.csrf,
                                                 "national_id": user.national_id, "password": "nope"})
    assert wrong.status_code == 401 and 'name="password"' in wrong.text
    consent = client.post("/oidc/authorize", data={**flow.params, "action": "signin", "csrf_token": flow.csrf,
                                                   "national_id": user.national_id, "password": PASSWORD})
    assert consent.status_code == 200 and 'value="allow"' in consent.text
    csrf = consent.text.split('name="csrf_token" value="')[1].split('"')[0]
    allowed = client.post("/oidc/authorize", data={**flow.params, "action": "allow", "csrf_token": csrf})
    assert allowed.status_code == 303 and "code" in query(allowed.headers["location"])


def test_details_for_connected_apps(db: Session, client: TestClient) -> None:
    reg = register(db, scopes=("openid", "profile", "address"))
    user = create_citizen(db)
    csrf = sign_in(db, client, user)
    page = client.get("/me/details")
    assert page.status_code == 200 and "ข้อมูลของฉันสำหรับแอปที่เชื่อมต่อ" in page.text
    bad = client.post("/me/details", data={"csrf_token": csrf, "first_name_en": "สมชาย", "postal_code": "5020"})
    assert bad.status_code == 422 and "รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก" in bad.text
    saved = client.post("/me/details", data={
        "csrf_token": csrf, "first_name_en": "Somchai", "last_name_en": "Jaidee", "street_address": "99 ถนนห้วยแก้ว",
        "locality": "เมืองเชียงใหม่", "region": "เชียงใหม่", "postal_code": "50200"})
    assert saved.status_code == 303
    code, flow = authorize_code(db, client, reg, user, scope="openid profile address")
    access = exchange(client, reg, code, flow.verifier).json()["access_token"]
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {access}"}).json()
    assert info["name#en"] == "Somchai Jaidee"
    assert info["address"] == {"street_address": "99 ถนนห้วยแก้ว", "locality": "เมืองเชียงใหม่", "region": "เชียงใหม่",
                               "postal_code": "50200", "country": "TH",
                               "formatted": "99 ถนนห้วยแก้ว เมืองเชียงใหม่ เชียงใหม่ 50200"}
    cleared = client.post("/me/details", data={"csrf_token": flow.csrf})  # authorize_code signed in anew
    assert cleared.status_code == 303
    db.expire_all()
    assert db.get(type(user), user.id).address is None  # type: ignore[union-attr]
