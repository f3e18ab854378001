"""Authlib's grants, extensions, revocation endpoint and client-assertion authentication, bound to
our tables. What Authlib leaves to the application is here: looking codes and tokens up, using each
once (a conditional UPDATE, so of two concurrent exchanges exactly one wins and the other revokes
the family), S256-only PKCE, the ID token's claims (pairwise `sub`, `acr`, `amr`) and our key."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import InvalidClientError, InvalidGrantError, InvalidRequestError, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.identity.oidc import keys
from pracha.identity.oidc.clients import ASSERTION_ALGS, digest, subject
from pracha.identity.oidc.models import OidcAssertion, OidcClient, OidcCode, OidcToken
from pracha.identity.oidc.tokens import ACCESS, REFRESH, revoke_family

if TYPE_CHECKING:
    from pracha.identity.oidc.server import Provider

AUTH_METHODS = ["client_secret_basic", "private_key_jwt", "none"]


def _use_once(grant: Any, model: Any, key: Any, family: str, what: str) -> None:
    """Mark a code or refresh token used, unless a concurrent request did first: then it is a replay."""
    used = grant.server.session.execute(update(model).where(key, model.used_at.is_(None)).values(used_at=utcnow())
                                        .execution_options(synchronize_session=False))
    if used.rowcount != 1:
        revoke_family(grant.server.session, family)
        raise InvalidGrantError(f"The {what} was already used; its family is revoked.")


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        signed, data = request.user, request.payload.data  # the user is an authorize.SignedIn
        self.server.session.add(OidcCode(
            code_hash=digest(code), client_id=request.client.client_id, user_id=signed.user.id,
            redirect_uri=self.redirect_uri, scope=request.scope, nonce=data.get("nonce"),
            code_challenge=data["code_challenge"], acr=signed.acr, auth_time=signed.auth_time,
            expires_at=utcnow() + dt.timedelta(seconds=self.server.life.code), family=secrets.token_urlsafe(16)))

    def query_authorization_code(self, code: str, client: OidcClient) -> OidcCode | None:
        row = self.server.session.get(OidcCode, digest(code))
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:  # RFC 6749 §4.1.2: revoke what the first exchange issued
            revoke_family(self.server.session, row.family)
            raise InvalidGrantError("The code was already used; the tokens it gave are revoked.")
        if row.expires_at <= utcnow():
            raise InvalidGrantError("The code has expired.")
        return row

    def authenticate_user(self, code: OidcCode) -> User | None:
        _use_once(self, OidcCode, OidcCode.code_hash == code.code_hash, code.family, "code")
        return self.server.session.get(User, code.user_id)

    def delete_authorization_code(self, code: OidcCode) -> None:
        """Kept, marked used, so that a second exchange is recognised; `purge_expired` deletes it."""


class Refresh(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, raw: str) -> OidcToken | None:
        if not raw:
            raise InvalidRequestError("refresh_token is required.")
        row = self.server.session.scalar(select(OidcToken).where(OidcToken.token_hash == digest(raw),
                                                                 OidcToken.kind == REFRESH))
        if row is None or row.client_id != self.request.client.client_id:
            return None
        if row.used_at is not None:  # replayed: someone else holds a copy; end the whole family
            revoke_family(self.server.session, row.family)
            raise InvalidGrantError("The refresh token was already used; its family is revoked.")
        if row.revoked_at is not None or row.expires_at <= utcnow():
            raise InvalidGrantError("The refresh token is revoked or expired.")
        return row

    def authenticate_user(self, token: OidcToken) -> User:
        _use_once(self, OidcToken, OidcToken.id == token.id, token.family, "refresh token")
        return token.user

    def revoke_old_credential(self, token: OidcToken) -> None:
        """Nothing left: `authenticate_user` marked the old token used before the new ones were made."""


class Pkce(CodeChallenge):
    """PKCE for every client, S256 only (`plain` is refused)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": lambda verifier, challenge: create_s256_code_challenge(verifier) == challenge}

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256 (plain is refused).")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge_method(self, code: OidcCode) -> str:
        return "S256"


class IdTokens(OpenIDCode):
    """ID tokens for both grants, signed with the provider's current key; the claims about the
    citizen (other than `sub`) are released at userinfo, as the scopes allow."""

    def __init__(self, provider: Provider, *, require_nonce: bool) -> None:
        super().__init__(require_nonce=require_nonce)
        self.provider = provider

    def resolve_client_private_key(self, client: OidcClient) -> ECKey:
        return keys.signing_key(self.provider.session)

    def get_client_algorithm(self, client: OidcClient) -> str:
        return keys.ALG

    def get_encode_header(self, client: OidcClient) -> dict[str, str]:
        return {"alg": keys.ALG, "kid": keys.signing_key(self.provider.session).kid or "", "typ": "JWT"}

    def get_compatible_claims(self, request: OAuth2Request) -> dict[str, Any]:
        origin = request.authorization_code or request.refresh_token
        client, now, p = request.client, int(time.time()), self.provider
        return {"iss": p.issuer, "sub": subject(client, request.user, p.secret), "aud": client.client_id,
                "azp": client.client_id, "iat": now, "exp": now + p.life.id_token,
                "auth_time": int(origin.auth_time.timestamp()), "acr": origin.acr,
                "amr": ["pwd", "hwk"] if origin.acr.endswith(":passkey") else ["pwd"]}

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        """Never refused here: the nonce binds the ID token to the relying party's session and the
        relying party checks it (OIDC Core §15.5.2); the same request may be sent again (prompt=consent)."""
        return False

    def get_authorization_code_claims(self, code: OidcCode) -> dict[str, Any]:
        return {"nonce": code.nonce} if code.nonce else {}

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        return {}


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking a refresh token ends its family; unknown tokens are not an error."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, raw: str, token_type_hint: str | None) -> OidcToken | None:
        return self.server.session.scalar(select(OidcToken).where(OidcToken.token_hash == digest(raw)))

    def revoke_token(self, token: OidcToken, request: OAuth2Request) -> None:
        if token.kind == REFRESH:
            revoke_family(self.server.session, token.family)
        elif token.kind == ACCESS and token.revoked_at is None:
            token.revoked_at = utcnow()


class ClientAssertion(JWTBearerClientAssertion):
    """private_key_jwt (RFC 7523 §2.2, OIDC Core §9): signed by a key of the client's registered JWKS,
    for this provider, expiring within 10 minutes, its `jti` used once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, provider: Provider) -> None:
        super().__init__(leeway=0)
        self.provider = provider

    def __call__(self, query_client: Any, request: OAuth2Request) -> OidcClient | None:
        try:
            return super().__call__(query_client, request)
        except InvalidClientError as exc:
            exc.status_code = 401  # RFC 6749 §5.2: the client did try to authenticate
            raise

    def get_audiences(self) -> list[str]:
        base = self.provider.issuer
        return [f"{base}/oidc/token", f"{base}/oidc/revoke", base]

    def resolve_client_public_key(self, client: OidcClient) -> KeySet:
        if not client.jwks:
            raise InvalidClientError(description="The client has no registered keys.")
        return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]

    def process_assertion_claims(self, assertion: str, key: Any) -> dict[str, Any]:
        try:  # the algorithms are pinned: never `none`, never a MAC keyed with a public key
            claims = dict(jwt.decode(assertion, key, algorithms=ASSERTION_ALGS).claims)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion signature is not valid.") from exc
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp > time.time() + 600:
            raise InvalidClientError(description="The client assertion must expire within 10 minutes.")
        self.verify_claims(claims)
        return claims

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        session = self.provider.session
        key = f"{claims['iss']}:{jti}"[:200]
        if session.get(OidcAssertion, key) is not None:
            return False
        try:
            with session.begin_nested():
                session.add(OidcAssertion(jti=key, expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC)))
        except IntegrityError:
            return False
        return True
