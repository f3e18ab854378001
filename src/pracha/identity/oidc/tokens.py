"""Access and refresh tokens (stored for Authlib's grants in `server.py`), token families, and
userinfo. Tokens are random strings; only their SHA-256 is stored, so they can be revoked and a
database copy cannot be replayed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pracha.config import default_of
from pracha.db import utcnow
from pracha.identity.models import User
from pracha.identity.oidc.clients import digest, subject
from pracha.identity.oidc.errors import InvalidToken, OAuthError
from pracha.identity.oidc.models import OidcAssertion, OidcClient, OidcCode, OidcToken

ACCESS, REFRESH = "access", "refresh"


@dataclass(frozen=True)
class Lifetimes:
    access: int = default_of("oidc_access_token_seconds")
    id_token: int = default_of("oidc_id_token_seconds")
    refresh_days: int = default_of("oidc_refresh_token_days")
    code: int = default_of("oidc_code_seconds")


def revoke_family(session: Session, family: str) -> None:
    session.execute(update(OidcToken).where(OidcToken.family == family, OidcToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def store_token(session: Session, token_hash: str, kind: str, origin: OidcCode | OidcToken, *, scope: str,
                seconds: int, until: dt.datetime | None = None) -> None:
    """A new access or refresh token in the family (and with the user, `acr`) of the code or token
    it was issued for."""
    now = utcnow()
    session.add(OidcToken(token_hash=token_hash, kind=kind, family=origin.family, client_id=origin.client_id,
                          user_id=origin.user_id, scope=scope, acr=origin.acr, auth_time=origin.auth_time,
                          created_at=now, expires_at=until or now + dt.timedelta(seconds=seconds)))


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
