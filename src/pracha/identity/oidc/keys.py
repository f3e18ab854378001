"""Signing keys of the provider (ES256) and the JWKS.

The newest key that is not retired signs ID tokens. `rotate_key` retires it and makes a new one;
a retired key stays in the JWKS until `publish_until` (retirement + the ID-token lifetime), so every
ID token it signed can still be verified until it expires, and is then dropped.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pracha.db import begin_write, utcnow
from pracha.identity.oidc.models import OidcSigningKey

ALG = "ES256"
CURRENT_SECONDS = 30.0  # how long a process reuses its lookup of the signing key (old keys stay published)
_parsed: dict[str, ECKey] = {}  # kid → key; keys never change once made
_current: dict[str, tuple[float, str]] = {}  # database URL → (looked up at, kid)


def _key(row: OidcSigningKey) -> ECKey:
    if row.kid not in _parsed:
        _parsed[row.kid] = ECKey.import_key(row.private_pem, parameters={"kid": row.kid, "use": "sig", "alg": ALG})
    return _parsed[row.kid]


def _new_key(session: Session) -> OidcSigningKey:
    key = ECKey.generate_key("P-256", private=True)
    row = OidcSigningKey(kid=key.thumbprint(), private_pem=key.as_pem(private=True))
    session.add(row)
    session.flush()
    return row


def signing_key(session: Session) -> ECKey:
    """The key that signs now (made on first use). A process looks it up at most every 30 s; after a
    rotation, tokens signed meanwhile by the retired key still verify, as it stays published."""
    where = str(session.get_bind().engine.url)
    cached = _current.get(where)
    if cached is not None and time.monotonic() - cached[0] < CURRENT_SECONDS and cached[1] in _parsed:
        return _parsed[cached[1]]
    row = session.scalars(select(OidcSigningKey).where(OidcSigningKey.retired_at.is_(None))
                          .order_by(OidcSigningKey.created_at.desc()).limit(1)).first()
    key = _key(row if row is not None else _new_key(session))
    if row is not None:
        _current[where] = (time.monotonic(), row.kid)
    return key


def published(session: Session) -> list[OidcSigningKey]:
    now = utcnow()
    return list(session.scalars(select(OidcSigningKey).where(
        or_(OidcSigningKey.publish_until.is_(None), OidcSigningKey.publish_until > now))
        .order_by(OidcSigningKey.created_at.desc())))


def jwks(session: Session) -> dict[str, Any]:
    """The public JWKS: the signing key and the retired keys whose tokens may still be alive."""
    rows = published(session)
    if not rows:  # the very first key: write it in a transaction that starts as a writer
        session.rollback()
        begin_write(session)
        signing_key(session)
        rows = published(session)
    return {"keys": [_key(r).as_dict(private=False) for r in rows]}


def key_set(session: Session) -> KeySet:
    return KeySet([_key(r) for r in published(session)])


def rotate_key(session: Session, *, id_token_seconds: int) -> OidcSigningKey:
    """Retire the signing key(s) and make a new one; the old stay published until their tokens expire."""
    now = utcnow()
    _current.pop(str(session.get_bind().engine.url), None)
    for row in session.scalars(select(OidcSigningKey).where(OidcSigningKey.retired_at.is_(None))):
        row.retired_at = now
        row.publish_until = now + dt.timedelta(seconds=id_token_seconds + 60)
    return _new_key(session)


def verify(session: Session, token: str, *, issuer: str) -> dict[str, Any] | None:
    """The claims of an ID token this provider signed (expired or not), or None if it is not one."""
    try:
        decoded = jwt.decode(token, key_set(session), algorithms=[ALG])
    except (JoseError, ValueError):
        return None
    claims = dict(decoded.claims)
    return claims if claims.get("iss") == issuer else None
