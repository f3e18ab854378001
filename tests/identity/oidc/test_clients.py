"""Client registration (rules, admin page, JSON API) and client authentication: private_key_jwt
(good, tampered, replayed, wrong audience) and public clients with PKCE only."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy.orm import Session

from pracha.errors import InvalidInput
from pracha.identity.oidc import clients
from tests.factories import create_citizen, create_staff, sign_in
from tests.identity.oidc.helpers import ISSUER, REDIRECT, authorize_code, exchange, register, verify_id_token

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\x10\x8c\xf8\x0f\x00\x01\xc1\x01\x10\xac\xd5\x83\x16\x00\x00\x00\x00IEND\xaeB`\x82")


def assertion(key: ECKey, client_id: str, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": client_id, "sub": client_id, "aud": f"{ISSUER}/oidc/token", "iat": now, "exp": now + 60,
            "jti": uuid.uuid4().hex, **claims}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key)


def test_private_key_jwt(db: Session, client: TestClient) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "agency-1"}, private=True)
    reg = register(db, client_type="confidential", auth_method="private_key_jwt",
                   jwks={"keys": [key.as_dict(private=False)]})
    assert reg.secret is None
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    base = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": flow.verifier,
            "client_assertion_type": JWTBearerClientAssertion.CLIENT_ASSERTION_TYPE}

    def token(signed: str) -> Any:
        return client.post("/oidc/token", data={**base, "client_assertion": signed})

    good = assertion(key, reg.id)
    header, payload, signature = good.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert token(tampered).json()["error"] == "invalid_client"
    assert token(assertion(key, reg.id, aud="https://elsewhere.example")).json()["error"] == "invalid_client"
    assert token(assertion(key, reg.id, exp=int(time.time()) - 5)).json()["error"] == "invalid_client"
    stranger = ECKey.generate_key("P-256", parameters={"kid": "agency-1"}, private=True)
    assert token(assertion(stranger, reg.id)).json()["error"] == "invalid_client"
    assert token("not-a-jwt").json()["error"] == "invalid_client"
    response = token(good)
    assert response.status_code == 200, response.text
    assert verify_id_token(client, response.json()["id_token"], reg.id)
    refresh = {"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"],
               "client_assertion_type": JWTBearerClientAssertion.CLIENT_ASSERTION_TYPE, "client_assertion": good}
    replayed = client.post("/oidc/token", data=refresh)
    assert replayed.status_code == 401 and replayed.json()["error"] == "invalid_client"
    fresh = client.post("/oidc/token", data={**refresh, "client_assertion": assertion(key, reg.id)})
    assert fresh.status_code == 200


def test_public_client_uses_pkce_without_a_secret(db: Session, client: TestClient) -> None:
    reg = register(db, client_type="public", auth_method="none")
    assert reg.secret is None
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    response = exchange(client, reg, code, flow.verifier)
    assert response.status_code == 200
    again = client.post("/oidc/token", data={"grant_type": "authorization_code", "code": code, "client_id": reg.id,
                                             "redirect_uri": REDIRECT, "code_verifier": flow.verifier})
    assert again.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(("options", "field"), [
    ({"redirect_uris": ["http://rp.example.go.th/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["https://rp.example.go.th/cb#frag"]}, "redirect_uris"),
    ({"redirect_uris": ["https://a.example/cb", "https://b.example/cb"]}, "redirect_uris"),
    ({"scopes": ["profile"]}, "scopes"),
    ({"scopes": ["openid", "email"]}, "scopes"),
    ({"scopes": ["openid", "thai_id"]}, "thai_id_legal_basis"),
    ({"auth_method": "none"}, "auth_method"),
    ({"auth_method": "private_key_jwt", "jwks": "{]"}, "jwks"),
    ({"logo": "https://cdn.example/logo.png"}, "logo"),
    ({"name": " "}, "name"),
])
def test_registration_rules(db: Session, options: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"name": "แอป", "redirect_uris": [REDIRECT], "scopes": ["openid"], **options}
    with pytest.raises(InvalidInput) as caught:
        clients.register_client(db, None, **values)
    assert field in caught.value.fields


def test_admin_registers_clients_on_the_page_and_the_api(db: Session, client: TestClient) -> None:
    admin = create_staff(db, "platform_admin")
    csrf = sign_in(db, client, admin)
    page = client.get("/admin/oidc/clients")
    assert page.status_code == 200 and "ลงทะเบียนแอป" in page.text
    made = client.post("/admin/oidc/clients", data={
        "csrf_token": csrf, "name": "ระบบสวัสดิการ", "name_en": "Welfare", "redirect_uris": REDIRECT,
        "scopes": ["profile", "thai_id"], "thai_id_legal_basis": "พ.ร.บ.ผู้สูงอายุ พ.ศ. 2546",
        "auth_method": "client_secret_basic", "subject_type": "pairwise"},
        files={"logo": ("logo.png", PNG, "image/png")})
    assert made.status_code == 200, made.text
    assert "ระบบสวัสดิการ" in made.text and "data:image/png;base64" not in made.text
    refused = client.post("/admin/oidc/clients", data={"csrf_token": csrf, "name": "x", "redirect_uris": "ftp://x",
                                                       "auth_method": "client_secret_basic"})
    assert refused.status_code == 422 and "https://" in refused.text
    api = client.post("/api/v1/oidc/clients", headers={"X-CSRF-Token": csrf}, json={
        "name": "ระบบภาษี", "redirect_uris": ["https://tax.example.go.th/cb"], "scopes": ["openid", "birthdate"]})
    assert api.status_code == 201 and api.json()["client_secret"] and api.json()["sector"] == "tax.example.go.th"
    listed = client.get("/api/v1/oidc/clients").json()["items"]
    assert {c["name"] for c in listed} == {"ระบบสวัสดิการ", "ระบบภาษี"}
    assert all("client_secret" not in c for c in listed)
    welfare = next(c for c in listed if c["name"] == "ระบบสวัสดิการ")
    assert welfare["thai_id_legal_basis"] == "พ.ร.บ.ผู้สูงอายุ พ.ศ. 2546"
    bad = client.post("/api/v1/oidc/clients", headers={"X-CSRF-Token": csrf},
                      json={"name": "x", "redirect_uris": ["https://x.example/cb"], "scopes": ["openid", "thai_id"]})
    assert bad.status_code == 422 and "thai_id_legal_basis" in bad.json()["fields"]


def test_admin_disables_a_client(db: Session, client: TestClient) -> None:
    reg = register(db)
    citizen = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    code, flow = authorize_code(db, citizen, reg, create_citizen(db))
    tokens = exchange(citizen, reg, code, flow.verifier).json()
    csrf = sign_in(db, client, create_staff(db, "platform_admin"))
    assert "ระงับการใช้งาน" in client.get("/admin/oidc/clients").text
    done = client.post(f"/admin/oidc/clients/{reg.id}/disable", data={"csrf_token": csrf})
    assert done.status_code == 303 and "ระงับแล้ว" in client.get("/admin/oidc/clients").text
    info = citizen.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401
    assert citizen.get("/oidc/authorize", params=flow.params).status_code == 400  # an error page, no redirect
    refreshed = citizen.post("/oidc/token", auth=reg.auth, data={"grant_type": "refresh_token",
                                                                 "refresh_token": tokens["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_client"
    again = client.delete(f"/api/v1/oidc/clients/{reg.id}", headers={"X-CSRF-Token": csrf})
    assert again.status_code == 404
    other = register(db, redirect="https://other.example.go.th/cb")
    gone = client.delete(f"/api/v1/oidc/clients/{other.id}", headers={"X-CSRF-Token": csrf})
    assert gone.status_code == 200 and gone.json()["disabled_at"]
