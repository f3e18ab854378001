"""The authorization-code flow through the real app: discovery, consent, code exchange, a verified
ID token, userinfo claims by scope, remembered consent, refresh rotation, pairwise subjects."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.oidc.authorize import ACR_PASSWORD
from pracha.identity.oidc.models import PublicSubject
from tests.factories import create_citizen
from tests.identity.oidc.helpers import (
    ISSUER,
    authorize_code,
    exchange,
    query,
    register,
    start,
    verify_id_token,
)


def test_discovery_names_every_endpoint(client: TestClient) -> None:
    meta = client.get("/.well-known/openid-configuration").json()
    assert meta["issuer"] == ISSUER
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["subject_types_supported"] == ["pairwise", "public"]
    assert {"client_secret_basic", "private_key_jwt"} <= set(meta["token_endpoint_auth_methods_supported"])
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint",
                 "end_session_endpoint"):
        assert meta[name].startswith(ISSUER + "/oidc/")
    keys = client.get(meta["jwks_uri"]).json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "ES256" and "d" not in keys[0]


def test_code_flow_gives_verified_id_token_and_userinfo(db: Session, client: TestClient) -> None:
    reg = register(db, scopes=("openid", "profile", "birthdate", "address"))
    user = create_citizen(db, first_name_en="Somchai", last_name_en="Jaidee",
                          address={"formatted": "99 ถนนห้วยแก้ว เชียงใหม่ 50200", "country": "TH"})
    code, flow = authorize_code(db, client, reg, user, scope="openid profile birthdate address")
    response = exchange(client, reg, code, flow.verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "openid profile birthdate address"
    claims = verify_id_token(client, body["id_token"], reg.id)
    assert claims["nonce"] == flow.params["nonce"] and claims["acr"] == ACR_PASSWORD and claims["amr"] == ["pwd"]
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert claims["sub"] != str(user.id) and user.national_id not in body["id_token"]
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert info["sub"] == claims["sub"]
    assert info["name#th"] == "สมชาย ใจดี" and info["name#en"] == "Somchai Jaidee"
    assert info["birthdate"] == "1955-03-14" and info["address"]["country"] == "TH"
    assert "thai_id" not in info


def test_consent_is_remembered_and_prompt_consent_asks_again(db: Session, client: TestClient) -> None:
    reg = register(db)
    user = create_citizen(db)
    authorize_code(db, client, reg, user)
    flow = start(client, reg)
    again = client.get("/oidc/authorize", params=flow.params)
    assert again.status_code == 302 and "code" in query(again.headers["location"])
    asked = client.get("/oidc/authorize", params={**flow.params, "prompt": "consent"})
    assert asked.status_code == 200 and "แอปทดสอบ" in asked.text
    assert "form-action 'self' https://rp.example.go.th" in asked.headers["content-security-policy"]
    english = asked.text.split('hreflang="en"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    in_english = client.get(english)
    assert in_english.status_code == 200 and "Allow" in in_english.text and "แอปทดสอบ" in in_english.text
    client.cookies.delete("pracha_lang")
    asked_en = client.get("/oidc/authorize", params={**flow.params, "prompt": "consent", "ui_locales": "en-US th"})
    assert 'lang="en"' in asked_en.text and "Allow" in asked_en.text


def test_refresh_rotates_and_old_token_stops_working(db: Session, client: TestClient) -> None:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    first = exchange(client, reg, code, flow.verifier).json()
    second = client.post("/oidc/token", auth=reg.auth,
                         data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    new = second.json()
    assert new["refresh_token"] != first["refresh_token"]
    assert verify_id_token(client, new["id_token"], reg.id)["sub"] == verify_id_token(
        client, first["id_token"], reg.id)["sub"]
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert info.status_code == 200


def test_pairwise_subjects_differ_between_clients(db: Session, make_client: Callable[..., TestClient]) -> None:
    one = register(db, redirect="https://welfare.example.go.th/cb")
    two = register(db, redirect="https://tax.example.go.th/cb")
    also_public = register(db, redirect="https://land.example.go.th/cb", subject_type="public")
    public_two = register(db, redirect="https://car.example.go.th/cb", subject_type="public")
    user = create_citizen(db)
    subs = []
    for reg in (one, two, also_public, public_two):
        client = make_client()
        code, flow = authorize_code(db, client, reg, user)
        token = exchange(client, reg, code, flow.verifier).json()["id_token"]
        subs.append(verify_id_token(client, token, reg.id)["sub"])
    assert subs[0] != subs[1]
    # finding 1: a public subject is one random value per user, stored, never the user's number
    assert subs[2] == subs[3] == db.scalar(select(PublicSubject.subject).where(PublicSubject.user_id == user.id))
    assert subs[2] != f"u{user.id}" and len(subs[2]) == 32
    same_sector = register(db, redirect="https://welfare.example.go.th/other")
    client = make_client()
    code, flow = authorize_code(db, client, same_sector, user)
    token = exchange(client, same_sector, code, flow.verifier).json()["id_token"]
    assert verify_id_token(client, token, same_sector.id)["sub"] == subs[0]


def test_thai_id_only_for_approved_clients(db: Session, client: TestClient) -> None:
    reg = register(db, scopes=("openid", "thai_id"), thai_id_legal_basis="พ.ร.บ.การทะเบียนราษฎร มาตรา 6")
    user = create_citizen(db)
    code, flow = authorize_code(db, client, reg, user, scope="openid thai_id")
    body = exchange(client, reg, code, flow.verifier).json()
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert info["thai_id"] == user.national_id
    plain = register(db, redirect="https://other.example.go.th/cb")
    refused = client.get("/oidc/authorize", params={**start(client, plain, scope="openid thai_id").params})
    assert query(refused.headers["location"])["error"] == "invalid_scope"


def test_purge_deletes_only_long_expired_rows(db: Session, client: TestClient) -> None:
    import datetime as dt

    from sqlalchemy import func, select, update

    from pracha.identity.oidc.models import OidcCode, OidcToken
    from pracha.identity.oidc.tokens import purge_expired

    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    exchange(client, reg, code, flow.verifier)
    authorize_code(db, client, reg, create_citizen(db))  # a second, unexpired code
    assert purge_expired(db) == 0
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    db.execute(update(OidcToken).values(expires_at=old))
    db.execute(update(OidcCode).where(OidcCode.used_at.is_not(None)).values(expires_at=old))
    assert purge_expired(db) == 3  # the used code, its access and refresh tokens
    db.commit()
    assert db.scalar(select(func.count()).select_from(OidcCode)) == 1
