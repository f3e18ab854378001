"""The token endpoint's grants (authorization_code with PKCE, refresh_token with rotation), ID
tokens, revocation (RFC 7009) and userinfo. Access and refresh tokens are random strings; only their
SHA-256 is stored, so they can be revoked and a database copy cannot be replayed."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.identity.oidc import keys
from pracha.identity.oidc.clients import digest, subject
from pracha.identity.oidc.errors import InvalidToken, OAuthError
from pracha.identity.oidc.models import OidcAssertion, OidcClient, OidcCode, OidcToken

ACCESS, REFRESH = "access", "refresh"


@dataclass(frozen=True)
class Lifetimes:
    access: int = 600
    id_token: int = 600
    refresh_days: int = 30


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def revoke_family(session: Session, family: str) -> None:
    session.execute(update(OidcToken).where(OidcToken.family == family, OidcToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def _issue(session: Session, client: OidcClient, user: User, *, scope: str, acr: str, auth_time: dt.datetime,
           family: str, nonce: str | None, issuer: str, secret: bytes, life: Lifetimes,
           refresh_expires: dt.datetime | None = None) -> dict[str, Any]:
    now = utcnow()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    common = {"family": family, "client_id": client.client_id, "user_id": user.id, "scope": scope, "acr": acr,
              "auth_time": auth_time, "created_at": now}
    session.add(OidcToken(token_hash=digest(access), kind=ACCESS, expires_at=now + dt.timedelta(seconds=life.access),
                          **common))
    session.add(OidcToken(token_hash=digest(refresh), kind=REFRESH, **common,
                          expires_at=refresh_expires or now + dt.timedelta(days=life.refresh_days)))
    claims: dict[str, Any] = {
        "iss": issuer, "sub": subject(client, user, secret), "aud": client.client_id, "azp": client.client_id,
        "iat": int(now.timestamp()), "exp": int(now.timestamp()) + life.id_token,
        "auth_time": int(auth_time.timestamp()), "acr": acr,
        "amr": ["pwd", "hwk"] if acr.endswith(":passkey") else ["pwd"],
        "at_hash": _b64(hashlib.sha256(access.encode()).digest()[:16]),
    }
    if nonce:
        claims["nonce"] = nonce
    return {"access_token": access, "token_type": "Bearer", "expires_in": life.access, "refresh_token": refresh,
            "id_token": keys.sign(session, claims), "scope": scope}


def exchange_code(session: Session, client: OidcClient, form: dict[str, str], *, issuer: str, secret: bytes,
                  life: Lifetimes) -> dict[str, Any]:
    code, verifier = form.get("code", ""), form.get("code_verifier", "")
    if not code or not form.get("redirect_uri"):
        raise OAuthError("invalid_request", "code and redirect_uri are required.")
    if not verifier:
        raise OAuthError("invalid_request", "code_verifier is required (PKCE).")
    row = session.get(OidcCode, digest(code))
    if row is None or row.client_id != client.client_id:
        raise OAuthError("invalid_grant", "The code is not valid.")
    if row.used_at is not None:  # RFC 6749 §4.1.2: revoke what the first exchange issued
        revoke_family(session, row.family)
        raise OAuthError("invalid_grant", "The code was already used; the tokens it gave are revoked.")
    if row.expires_at <= utcnow():
        raise OAuthError("invalid_grant", "The code has expired.")
    if row.redirect_uri != form["redirect_uri"]:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request.")
    if not hmac.compare_digest(s256(verifier), row.code_challenge):
        raise OAuthError("invalid_grant", "The PKCE code_verifier does not match the code_challenge.")
    used = session.execute(update(OidcCode).where(OidcCode.code_hash == row.code_hash, OidcCode.used_at.is_(None))
                           .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # type: ignore[attr-defined]  # a concurrent exchange won: a replay
        revoke_family(session, row.family)
        raise OAuthError("invalid_grant", "The code was already used.")
    user = session.get(User, row.user_id)
    assert user is not None
    return _issue(session, client, user, scope=row.scope, acr=row.acr, auth_time=row.auth_time, family=row.family,
                  nonce=row.nonce, issuer=issuer, secret=secret, life=life)


def refresh(session: Session, client: OidcClient, form: dict[str, str], *, issuer: str, secret: bytes,
            life: Lifetimes) -> dict[str, Any]:
    raw = form.get("refresh_token", "")
    if not raw:
        raise OAuthError("invalid_request", "refresh_token is required.")
    row = session.scalar(select(OidcToken).where(OidcToken.token_hash == digest(raw), OidcToken.kind == REFRESH))
    if row is None or row.client_id != client.client_id:
        raise OAuthError("invalid_grant", "The refresh token is not valid.")
    if row.used_at is not None:  # replayed: someone else holds a copy; end the whole family
        revoke_family(session, row.family)
        raise OAuthError("invalid_grant", "The refresh token was already used; its family is revoked.")
    if row.revoked_at is not None or row.expires_at <= utcnow():
        raise OAuthError("invalid_grant", "The refresh token is revoked or expired.")
    scope = row.scope
    if form.get("scope"):
        wanted = form["scope"].split()
        if any(s not in row.scope.split() for s in wanted):
            raise OAuthError("invalid_scope", "A refresh cannot widen the scope.")
        scope = " ".join(wanted)
    used = session.execute(update(OidcToken).where(OidcToken.id == row.id, OidcToken.used_at.is_(None))
                           .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(session, row.family)
        raise OAuthError("invalid_grant", "The refresh token was already used; its family is revoked.")
    return _issue(session, client, row.user, scope=scope, acr=row.acr, auth_time=row.auth_time, family=row.family,
                  nonce=None, issuer=issuer, secret=secret, life=life, refresh_expires=row.expires_at)


def revoke(session: Session, client: OidcClient, form: dict[str, str]) -> None:
    """RFC 7009: revoking a refresh token ends its family; unknown tokens are not an error."""
    raw = form.get("token", "")
    if not raw:
        raise OAuthError("invalid_request", "token is required.")
    row = session.scalar(select(OidcToken).where(OidcToken.token_hash == digest(raw)))
    if row is None or row.client_id != client.client_id:
        return
    if row.kind == REFRESH:
        revoke_family(session, row.family)
    elif row.revoked_at is None:
        row.revoked_at = utcnow()


def token_for_access(session: Session, raw: str) -> OidcToken:
    row = session.scalar(select(OidcToken).where(OidcToken.token_hash == digest(raw), OidcToken.kind == ACCESS))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise InvalidToken()
    return row


def userinfo(session: Session, raw: str, *, secret: bytes) -> dict[str, Any]:
    token = token_for_access(session, raw)
    client = session.get(OidcClient, token.client_id)
    assert client is not None
    scopes = set(token.scope.split())
    if "openid" not in scopes:
        raise OAuthError("insufficient_scope", "The token lacks the openid scope.", status_code=403)
    return claims_for(token.user, client, scopes, secret=secret)


def claims_for(user: User, client: OidcClient, scopes: set[str], *, secret: bytes) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": subject(client, user, secret)}
    if "profile" in scopes:
        claims.update({"name": user.display_name, "given_name": user.first_name, "family_name": user.last_name,
                       "name#th": user.display_name, "given_name#th": user.first_name,
                       "family_name#th": user.last_name, "locale": f"{user.language}-TH"})
        if user.first_name_en and user.last_name_en:
            claims.update({"name#en": f"{user.first_name_en} {user.last_name_en}",
                           "given_name#en": user.first_name_en, "family_name#en": user.last_name_en})
    if "birthdate" in scopes and user.birth_date is not None:
        claims["birthdate"] = user.birth_date.isoformat()
    if "address" in scopes and user.address:
        claims["address"] = dict(user.address)
    if "thai_id" in scopes and client.thai_id_approved and user.national_id:
        claims["thai_id"] = user.national_id
    return claims


def purge_expired(session: Session, *, keep_days: int = 1) -> int:
    """Delete codes and tokens expired more than `keep_days` ago, and spent client-assertion ids."""
    now = utcnow()
    cutoff = now - dt.timedelta(days=keep_days)
    gone = 0
    for statement in (delete(OidcCode).where(OidcCode.expires_at < cutoff),
                      delete(OidcToken).where(OidcToken.expires_at < cutoff),
                      delete(OidcAssertion).where(OidcAssertion.expires_at < now)):
        gone += session.execute(statement.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    return gone
