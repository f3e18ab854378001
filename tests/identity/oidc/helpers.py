"""Helpers for the provider tests: register clients, run the authorization-code flow through the
real app (TestClient), PKCE pairs, and ID-token verification against the published JWKS."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.identity.oidc import clients
from pracha.identity.oidc.models import OidcClient
from tests.factories import sign_in

ISSUER = "http://testserver"
REDIRECT = "https://rp.example.go.th/callback"


@dataclass
class Registered:
    client: OidcClient
    secret: str | None

    @property
    def id(self) -> str:
        return self.client.client_id

    @property
    def auth(self) -> tuple[str, str]:
        assert self.secret is not None
        return (self.id, self.secret)


def register(db: Session, *, redirect: str = REDIRECT, scopes: tuple[str, ...] = ("openid", "profile", "birthdate"),
             **options: Any) -> Registered:
    client, secret = clients.register_client(db, None, name=options.pop("name", "แอปทดสอบ"),
                                             redirect_uris=[redirect], scopes=list(scopes),
                                             post_logout_redirect_uris=[redirect.rsplit("/", 1)[0] + "/bye"],
                                             **options)
    db.commit()
    return Registered(client, secret)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Flow:
    params: dict[str, str]
    verifier: str
    csrf: str


def start(client: TestClient, reg: Registered, *, scope: str = "openid profile birthdate", **extra: str) -> Flow:
    verifier, challenge = pkce()
    params = {"client_id": reg.id, "redirect_uri": reg.client.redirect_uris[0], "response_type": "code",
              "scope": scope, "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
              "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    csrf = client.get("/api/v1/session").json()["csrf_token"]
    return Flow(params, verifier, csrf)


def authorize_code(db: Session, client: TestClient, reg: Registered, user: User, **extra: str) -> tuple[str, Flow]:
    """Sign `user` in, consent if asked, and return the code the client gets back."""
    csrf = sign_in(db, client, user)
    flow = start(client, reg, **extra)
    flow.csrf = csrf
    response = client.get("/oidc/authorize", params=flow.params)
    if response.status_code == 200:  # the consent page
        assert "oidc/authorize" in response.text
        response = client.post("/oidc/authorize", data={**flow.params, "action": "allow", "csrf_token": csrf})
    assert response.status_code in (302, 303), response.text
    got = query(response.headers["location"])
    assert got["state"] == flow.params["state"] and got["iss"] == ISSUER
    return got["code"], flow


def exchange(client: TestClient, reg: Registered, code: str, verifier: str, **extra: Any) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": reg.client.redirect_uris[0],
            "code_verifier": verifier, **extra}
    if reg.secret:
        return client.post("/oidc/token", data=data, auth=reg.auth)
    return client.post("/oidc/token", data={**data, "client_id": reg.id})


def verify_id_token(client: TestClient, token: str, audience: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(client.get("/oidc/jwks").json())
    claims = dict(jwt.decode(token, keys, algorithms=["ES256"]).claims)
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISSUER},
                          aud={"essential": True, "value": audience}).validate(claims)
    return claims
