"""Finding 9 (issuer): the OIDC issuer was taken from the Host header when not configured. Now a
foreign Host gets 400 (TrustedHostMiddleware) and beyond localhost the issuer must be configured."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from pracha.config import Settings
from pracha.web.app import create_app


def test_finding_9_a_foreign_host_gets_400(client: TestClient) -> None:
    evil = client.get("/.well-known/openid-configuration", headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert "evil.example" not in evil.text
    ok = client.get("/.well-known/openid-configuration")
    assert ok.status_code == 200 and ok.json()["issuer"] == "http://testserver"


def test_discovery_shows_the_configured_issuer(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(oidc_issuer="https://id.pracha.go.th", allowed_hosts="portal.pracha.go.th")
    assert settings.trusted_hosts == ["localhost", "127.0.0.1", "testserver", "portal.pracha.go.th",
                                      "id.pracha.go.th"]
    app: FastAPI = create_app(settings)
    client = TestClient(app, base_url="https://portal.pracha.go.th")  # no lifespan: requests only
    discovery = client.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://id.pracha.go.th"
    assert discovery["jwks_uri"] == "https://id.pracha.go.th/oidc/jwks"
    assert client.get("/healthz", headers={"Host": "id.pracha.go.th"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "pracha.go.th.evil.example"}).status_code == 400
    app.state.pracha.db.engine.dispose()


def test_a_public_host_without_an_issuer_is_refused(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ValidationError, match="PRACHA_OIDC_ISSUER must be set"):
        make_settings(allowed_hosts="portal.pracha.go.th")
    with pytest.raises(ValidationError, match="PRACHA_OIDC_ISSUER must be set"):
        make_settings(allowed_hosts="*")
