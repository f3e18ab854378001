"""Key rotation: new ID tokens carry the new key's kid, tokens signed by the old key still verify
from the JWKS until they expire, and then the old key leaves the JWKS. Also `pracha oidc rotate-key`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pracha.cli import app as cli
from pracha.config import Settings
from pracha.identity.oidc import keys
from pracha.identity.oidc.models import OidcSigningKey
from tests.factories import create_citizen
from tests.identity.oidc.helpers import authorize_code, exchange, register, verify_id_token


def id_token(db: Session, client: TestClient) -> tuple[str, str]:
    reg = register(db)
    code, flow = authorize_code(db, client, reg, create_citizen(db))
    return exchange(client, reg, code, flow.verifier).json()["id_token"], reg.id


def kid(token: str) -> str:
    return str(jws.extract_compact(token.encode()).protected["kid"])


def test_rotation_keeps_the_old_key_until_its_tokens_expire(db: Session, client: TestClient) -> None:
    old_token, old_aud = id_token(db, client)
    old_kid = kid(old_token)
    keys.rotate_key(db, id_token_seconds=600)
    db.commit()
    new_token, new_aud = id_token(db, client)
    assert kid(new_token) != old_kid
    published = {k["kid"] for k in client.get("/oidc/jwks").json()["keys"]}
    assert published == {old_kid, kid(new_token)}
    assert verify_id_token(client, old_token, old_aud)["iss"] == "http://testserver"
    assert verify_id_token(client, new_token, new_aud)
    db.execute(update(OidcSigningKey).where(OidcSigningKey.kid == old_kid)
               .values(publish_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    db.commit()
    assert {k["kid"] for k in client.get("/oidc/jwks").json()["keys"]} == {kid(new_token)}
    with pytest.raises(InvalidKeyIdError):
        verify_id_token(client, old_token, old_aud)


def test_tampered_id_token_does_not_verify(db: Session, client: TestClient) -> None:
    token, aud = id_token(db, client)
    header, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(BadSignatureError):
        verify_id_token(client, f"{header}.{payload}.{flipped}", aud)
    assert keys.verify(db, f"{header}.{payload}.{flipped}", issuer="http://testserver") is None
    assert keys.verify(db, token, issuer="http://testserver") is not None


def test_cli(settings: Settings, db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = id_token(db, client)
    monkeypatch.setenv("PRACHA_DATABASE_URL", settings.database_url)
    from pracha.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["oidc", "rotate-key"])
        assert result.exit_code == 0, result.output
        listing = CliRunner().invoke(cli, ["oidc", "keys"])
        added = CliRunner().invoke(cli, ["oidc", "add-client", "--name", "ระบบภาษี", "--redirect-uri",
                                         "https://tax.example.go.th/cb", "--scope", "openid", "--scope", "birthdate"])
        refused = CliRunner().invoke(cli, ["oidc", "add-client", "--name", "x", "--redirect-uri",
                                           "https://x.example/cb", "--scope", "openid", "--scope", "thai_id"])
        purged = CliRunner().invoke(cli, ["oidc", "purge"])
    finally:
        get_settings.cache_clear()
    new_kid = result.output.split(":")[1].strip()
    assert new_kid != kid(token)
    assert f"{kid(token)}  retired, published until" in listing.output and f"{new_kid}  signing" in listing.output
    made = json.loads(added.output)
    assert added.exit_code == 0 and made["client_id"].startswith("c_") and made["client_secret"]
    assert refused.exit_code == 1 and "thai_id_legal_basis" in refused.output
    assert purged.exit_code == 0 and "Deleted 0 expired rows" in purged.output
