"""The authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2): check it, decide what
the citizen must still do (sign in, prove a passkey, consent), and issue the code.

Authlib's `AuthorizationCodeGrant` (with `Pkce` and `OpenIDCode`, see `grants.py`) validates the
request and issues the code; the steps between (sign-in, passkey, consent) are ours. Checking
happens in two stages. Until the client and its exact redirect URI are known, nothing may
be sent to the redirect URI (`UntrustedRedirect`, shown to the user). After that, errors go back to
the client as `?error=…&state=…` (`AuthorizeError`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from authlib.oauth2.rfc6749 import OAuth2Error
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.identity.models import User
from pracha.identity.oidc.errors import AuthorizeError, UntrustedRedirect
from pracha.identity.oidc.grants import CodeGrant
from pracha.identity.oidc.models import OidcClient
from pracha.identity.oidc.server import Call, Provider

ACR_PASSWORD = "urn:pracha:acr:password"  # noqa: S105 - an acr value, not a secret
ACR_PASSKEY = "urn:pracha:acr:passkey"  # password + passkey, or a user-verified passkey
ACR_LEVEL = {ACR_PASSWORD: 1, ACR_PASSKEY: 2}
PROMPTS = {"none", "login", "consent", "select_account"}
PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
          "code_challenge_method", "prompt", "max_age", "acr_values", "claims", "login_hint", "ui_locales")


@dataclass
class AuthorizeRequest:
    client: OidcClient
    redirect_uri: str
    scopes: list[str]
    state: str | None
    grant: CodeGrant  # Authlib's grant that validated the request and issues the code
    prompt: set[str] = field(default_factory=set)
    max_age: int | None = None
    acr: str = ACR_PASSWORD  # the level the client asked for
    params: dict[str, str] = field(default_factory=dict)  # as received, to carry through the pages


@dataclass(frozen=True)
class SignedIn:
    user: User
    acr: str
    auth_time: dt.datetime


def check_client(session: Session, params: Mapping[str, str]) -> tuple[OidcClient, str]:
    client = session.get(OidcClient, params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if client is None or client.disabled_at is not None or redirect_uri not in client.redirect_uris:
        raise UntrustedRedirect()
    return client, redirect_uri


def _requested_acr(params: Mapping[str, str]) -> str:
    wanted = params.get("acr_values", "").split()
    if params.get("claims"):
        try:
            claims = json.loads(params["claims"])
            acr = claims.get("id_token", {}).get("acr") or {}
            wanted += list(acr.get("values") or []) + ([acr["value"]] if acr.get("value") else [])
        except (ValueError, AttributeError, TypeError) as exc:
            raise AuthorizeError("invalid_request", "The claims parameter is not valid JSON.") from exc
    return ACR_PASSKEY if ACR_PASSKEY in wanted else ACR_PASSWORD


def parse_request(provider: Provider, call: Call, signed_in: SignedIn | None) -> AuthorizeRequest:
    """Check the request with Authlib's code grant (response type, scopes, PKCE, nonce, prompt), then
    what Authlib leaves to us (openid required, request objects, prompt values, max_age, acr)."""
    params = call.form
    client, redirect_uri = check_client(provider.session, params)
    if "request" in params or "request_uri" in params:
        raise AuthorizeError("request_not_supported", "Request objects are not supported.")
    try:
        grant = provider.get_consent_grant(call, end_user=signed_in.user if signed_in else None)
    except OAuth2Error as exc:
        raise AuthorizeError(exc.error, exc.get_error_description()) from exc
    scopes = list(dict.fromkeys(grant.request.scope.split()))
    if "openid" not in scopes:
        raise AuthorizeError("invalid_scope", "The openid scope is required.")
    prompt = set(params.get("prompt", "").split())
    if prompt - PROMPTS:
        raise AuthorizeError("invalid_request", "The prompt parameter is not valid.")
    max_age = params.get("max_age")
    if max_age is not None and not max_age.isdigit():
        raise AuthorizeError("invalid_request", "max_age must be a number of seconds.")
    return AuthorizeRequest(
        client=client, redirect_uri=redirect_uri, scopes=scopes, state=params.get("state"), grant=grant,
        prompt=prompt, max_age=int(max_age) if max_age is not None else None, acr=_requested_acr(params),
        params={k: v for k, v in params.items() if k in PARAMS})


def next_step(req: AuthorizeRequest, signed_in: SignedIn | None, *, consented: bool, fresh: bool) -> str:
    """"signin", "passkey", "consent" or "issue"; with prompt=none the first three are errors."""
    step = "issue"
    stale = signed_in is not None and req.max_age is not None \
        and (utcnow() - signed_in.auth_time).total_seconds() > req.max_age
    if signed_in is None or stale or ("login" in req.prompt and not fresh):
        step = "signin"
    elif ACR_LEVEL[signed_in.acr] < ACR_LEVEL[req.acr]:
        step = "passkey"
    elif not consented or ("consent" in req.prompt and not fresh):
        step = "consent"
    if step != "issue" and "none" in req.prompt:
        code = {"signin": "login_required", "passkey": "interaction_required", "consent": "consent_required"}[step]
        raise AuthorizeError(code, "The citizen must interact with Pracha first.")
    return step


def issue_code(req: AuthorizeRequest, signed_in: SignedIn) -> str:
    """The redirect URI with `code` and `state` (Authlib's code grant; the code is stored by
    `grants.CodeGrant.save_authorization_code`)."""
    _, _, headers = req.grant.create_authorization_response(req.redirect_uri, signed_in)
    return str(dict(headers)["Location"])
