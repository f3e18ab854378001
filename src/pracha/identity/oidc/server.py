"""The provider's token and revocation endpoints on Authlib's server framework.

`Provider` is Authlib's framework-agnostic `AuthorizationServer` with a small Starlette adapter
(`Call` → `FormRequest`, answers as `JSONResponse`). It runs the `authorization_code` grant with
PKCE (`Pkce`, S256 only) and OpenID Connect ID tokens (`IdTokens`, `OpenIDCode(require_nonce=True)`),
the `refresh_token` grant with rotation (`Refresh`), RFC 7009 revocation (`Revocation`), and client
authentication by `client_secret_basic`, `private_key_jwt` (`ClientAssertion`, with our `jti`
store) and `none`. Our part: storage (`grants.py`), the race-safe single use of codes and refresh
tokens, pairwise subjects and `acr`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, InvalidClientError, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonRequest
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from pracha.identity.oidc import grants
from pracha.identity.oidc.clients import SCOPES, digest
from pracha.identity.oidc.grants import CodeGrant, IdTokens, Pkce, Refresh, Revocation
from pracha.identity.oidc.models import OidcClient
from pracha.identity.oidc.tokens import ACCESS, REFRESH, Lifetimes, store_token
from pracha.identity.oidc.web import NO_STORE


@dataclass(frozen=True)
class Call:
    """What the adapter needs of a Starlette request (read before the work moves to a thread)."""

    method: str
    url: str
    headers: Mapping[str, str]  # case-insensitive (Starlette's Headers): Authlib reads "Authorization"
    form: dict[str, str]


class FormRequest(OAuth2Request):
    def __init__(self, call: Call) -> None:
        # OAuth2Request refuses http:// URIs; TLS is the deployment's (middleware.is_https), and the
        # tests and the relying party run on http://localhost, so Authlib is shown a placeholder.
        super().__init__(call.method, "https://pracha.invalid/", headers=call.headers)
        self.uri = call.url
        self.payload = BasicOAuth2Payload(call.form)
        self._form = call.form

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


class Provider(AuthorizationServer):
    """One per request: it holds the request's database session."""

    def __init__(self, session: Session, *, issuer: str, secret: bytes, life: Lifetimes) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.session, self.issuer, self.secret, self.life = session, issuer, secret, life
        self.register_token_generator("default", self._bearer)
        self.register_client_auth_method("private_key_jwt", grants.ClientAssertion(self))
        self.register_grant(CodeGrant, [Pkce(required=True), IdTokens(self, require_nonce=True)])
        self.register_grant(Refresh, [IdTokens(self, require_nonce=True)])
        self.register_endpoint(Revocation)

    # --- the framework adapter ---------------------------------------------------------------------

    def create_oauth2_request(self, request: Call | OAuth2Request) -> OAuth2Request:
        return request if isinstance(request, OAuth2Request) else FormRequest(request)

    def create_json_request(self, request: Call) -> JsonRequest:
        json_request = JsonRequest(request.method, request.url, request.headers)
        json_request.payload = BasicOAuth2Payload(request.form)
        return json_request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        extra = {k: v for k, v in headers if k.lower() not in ("content-type", "cache-control", "pragma")}
        return JSONResponse(body or {}, status_code=status, headers={**NO_STORE, **extra})

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """After the token endpoint authenticated a client, a `client_id` in the form must name it."""
        if name == "after_authenticate_client":
            client_id = kwargs["grant"].request.form.get("client_id")
            if client_id and client_id != kwargs["client"].client_id:
                raise InvalidClientError(description="client_id does not match the authenticated client.")

    # --- storage -----------------------------------------------------------------------------------

    def query_client(self, client_id: str) -> OidcClient | None:
        client = self.session.get(OidcClient, client_id) if isinstance(client_id, str) and client_id else None
        return client if client is not None and client.disabled_at is None else None

    def _bearer(self, *, grant_type: str, client: OidcClient, user: Any = None, scope: str | None = None,
                expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        token: dict[str, Any] = {"token_type": "Bearer", "access_token": secrets.token_urlsafe(32),
                                 "expires_in": expires_in or self.life.access, "scope": scope or ""}
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Store the SHA-256 of the new tokens in the family of the code or refresh token they came from;
        a rotated refresh token keeps its family's expiry."""
        origin = request.authorization_code or request.refresh_token
        store_token(self.session, digest(token["access_token"]), ACCESS, origin, scope=token["scope"],
                    seconds=self.life.access)
        if "refresh_token" in token:
            store_token(self.session, digest(token["refresh_token"]), REFRESH, origin, scope=token["scope"],
                        seconds=self.life.refresh_days * 86400,
                        until=request.refresh_token.expires_at if request.refresh_token else None)
