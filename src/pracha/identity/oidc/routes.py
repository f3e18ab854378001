"""The provider's endpoints: discovery, JWKS, authorize (with its sign-in, passkey and consent
pages), token, userinfo, revocation and RP-initiated logout. Thin: parse, call, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import utcnow
from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, SESSION_COOKIE, allow, csrf_token, get_db
from pracha.http.middleware import LANG_COOKIE
from pracha.http.state import app_state
from pracha.i18n import pick_language
from pracha.identity import service as identity
from pracha.identity.deps import client_address, set_session_cookie, throttle_policy
from pracha.identity.oidc import authorize, consent, keys, passkeys, tokens
from pracha.identity.oidc.authorize import AuthorizeRequest, SignedIn
from pracha.identity.oidc.clients import ASSERTION_ALGS, SCOPES
from pracha.identity.oidc.errors import AuthorizeError, OAuthError
from pracha.identity.oidc.server import Call, Provider
from pracha.identity.oidc.web import (
    authorize_error,
    client_call,
    issuer,
    lifetimes,
    oauth_error,
    oauth_json,
    page_to,
    redirect_with,
)
from pracha.identity.principal import Principal

router = APIRouter()
FRESH_SECONDS = 60
CLAIMS = ["sub", "name", "given_name", "family_name", "name#th", "name#en", "given_name#en", "family_name#en",
          "locale", "birthdate", "address", "thai_id", "acr", "amr", "auth_time", "nonce"]


@router.get("/.well-known/openid-configuration", tags=["oidc"])
def discovery(request: Request, _: Principal = client_call()) -> dict[str, Any]:
    base = issuer(request)
    return {
        "issuer": base, "authorization_endpoint": f"{base}/oidc/authorize", "token_endpoint": f"{base}/oidc/token",
        "userinfo_endpoint": f"{base}/oidc/userinfo", "jwks_uri": f"{base}/oidc/jwks",
        "revocation_endpoint": f"{base}/oidc/revoke", "end_session_endpoint": f"{base}/oidc/logout",
        "scopes_supported": list(SCOPES), "response_types_supported": ["code"], "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise", "public"],
        "id_token_signing_alg_values_supported": [keys.ALG], "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt", "none"],
        "acr_values_supported": [authorize.ACR_PASSWORD, authorize.ACR_PASSKEY], "claims_supported": CLAIMS,
        "claims_parameter_supported": True, "request_parameter_supported": False,
        "request_uri_parameter_supported": False, "ui_locales_supported": ["th", "en"],
        "claims_locales_supported": ["th", "en"], "authorization_response_iss_parameter_supported": True,
        "prompt_values_supported": sorted(authorize.PROMPTS),
    }


@router.get("/oidc/jwks", tags=["oidc"])
def jwks(_: Principal = client_call(), db: Session = Depends(get_db)) -> JSONResponse:
    body = keys.jwks(db)
    db.commit()  # the first key is made on first use
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


def _provider(request: Request, db: Session) -> Provider:
    return Provider(db, issuer=issuer(request), secret=app_state(request).secret, life=lifetimes(request))


# --- authorize ------------------------------------------------------------------------------------


def _step_page(request: Request, db: Session, req: AuthorizeRequest, step: str, *, signed: SignedIn | None,
               csrf: str | None = None, error: str | None = None, status_code: int = 200) -> Response:
    wanted = [pick_language(tag.split("-")[0].lower()) for tag in req.params.get("ui_locales", "").split()]
    if wanted and wanted[0] and "lang" not in request.query_params and LANG_COOKIE not in request.cookies:
        request.state.lang = wanted[0]  # the client's ui_locales, unless the citizen chose a language
    lang = request.state.lang
    client = req.client
    context: dict[str, Any] = {
        "step": step, "params": req.params, "client": client, "error": error, "signed": signed,
        "client_name": client.name_en if lang == "en" and client.name_en else client.name,
        "releases": consent.describe(req.scopes, lang), "thai_id": "thai_id" in req.scopes,
        "has_passkey": signed is not None and bool(passkeys.list_passkeys(db, signed.user)),
    }
    context["lang_base"] = f"/oidc/authorize?{urlencode(req.params)}&"  # switching language keeps the request
    if signed is not None:
        context["user"] = signed.user  # signed in by this very request: the header shows it
    if csrf is not None:
        context["csrf_token"] = csrf
    return page_to(request, req.redirect_uri, "oidc_authorize.html", context, status_code)


def _advance(request: Request, db: Session, req: AuthorizeRequest, signed: SignedIn | None, *,
             fresh: bool = False, csrf: str | None = None, status_code: int = 302) -> Response:
    consented = signed is not None and consent.covers(consent.active_consent(db, signed.user, req.client), req.scopes)
    try:
        step = authorize.next_step(req, signed, consented=consented, fresh=fresh)
    except AuthorizeError as exc:
        return authorize_error(request, req.redirect_uri, exc, req.state, status_code)
    if step != "issue":
        return _step_page(request, db, req, step, signed=signed, csrf=csrf)
    assert signed is not None
    location = authorize.issue_code(req, signed)
    db.commit()
    return redirect_with(location, {"iss": issuer(request)}, status_code)  # RFC 9207


def _parse(request: Request, db: Session, params: dict[str, str], signed: SignedIn | None) -> AuthorizeRequest:
    call = Call(request.method, str(request.url), request.headers, params)
    return authorize.parse_request(_provider(request, db), call, signed)


@router.get("/oidc/authorize", include_in_schema=False)
def authorize_page(request: Request, _: Principal = allow(PUBLIC, write=True),
                   db: Session = Depends(get_db)) -> Response:
    params = dict(request.query_params)
    signed = passkeys.signed_in(db, request.cookies.get(SESSION_COOKIE))
    try:  # unknown client or redirect URI: UntrustedRedirect, an error page, no redirect
        req = _parse(request, db, params, signed)
    except AuthorizeError as exc:
        return authorize_error(request, params["redirect_uri"], exc, params.get("state"))
    return _advance(request, db, req, signed)


@router.post("/oidc/authorize", include_in_schema=False)
async def authorize_submit(request: Request, _: Principal = allow(PUBLIC),
                           db: Session = Depends(get_db)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(_authorize_submit, request, db, form)


def _authorize_submit(request: Request, db: Session, form: dict[str, str]) -> Response:
    params = {k: form[k] for k in authorize.PARAMS if k in form}
    signed = passkeys.signed_in(db, request.cookies.get(SESSION_COOKIE))
    try:
        req = _parse(request, db, params, signed)
    except AuthorizeError as exc:
        return authorize_error(request, params["redirect_uri"], exc, params.get("state"), 303)
    action = form.get("action", "")
    if action == "deny":
        return authorize_error(request, req.redirect_uri, AuthorizeError("access_denied", "The citizen declined."),
                               req.state, 303)
    if action == "signin":
        try:
            user = identity.authenticate(db, form.get("national_id", ""), form.get("password", ""), staff=False,
                                         policy=throttle_policy(request), client=client_address(request),
                                         secret=app_state(request).secret)
        except PrachaError as exc:
            db.commit()  # the failure counts towards throttling
            return _step_page(request, db, req, "signin", signed=None, error=exc.message(request.state.lang),
                              status_code=exc.status_code)
        token = identity.start_web_session(db, user, hours=app_state(request).settings.session_hours)
        db.commit()
        response = _advance(request, db, req, passkeys.signed_in(db, token), fresh=True,
                            csrf=csrf_token(request, session_token=token), status_code=303)
        set_session_cookie(request, response, token)
        return response
    if action == "allow" and signed is not None and authorize.ACR_LEVEL[signed.acr] >= authorize.ACR_LEVEL[req.acr]:
        consent.grant(db, signed.user, req.client, req.scopes)
        db.flush()
        return _advance(request, db, req, signed, fresh=True, status_code=303)
    # "continue" (after a passkey) and the rest: a passkey proved a moment ago counts as a fresh sign-in
    fresh = signed is not None and (utcnow() - signed.auth_time).total_seconds() < FRESH_SECONDS
    return _advance(request, db, req, signed, fresh=fresh, status_code=303)


# --- token, userinfo, revocation ------------------------------------------------------------------


async def _client_form(request: Request) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
    form = await request.form()
    values = {k: str(v) for k, v in form.multi_items()}
    if len(values) != len(form.multi_items()):
        raise OAuthError("invalid_request", "A parameter was sent more than once.")
    return values


async def _endpoint(request: Request, db: Session, answer: Callable[[Provider, Call], Response]) -> Response:
    try:
        form = await _client_form(request)
        if request.headers.get("authorization", "")[:6].lower() == "basic " \
                and ("client_assertion" in form or "client_secret" in form):
            raise OAuthError("invalid_request", "Use one client authentication method.")  # RFC 6749 §2.3
        call = Call(request.method, str(request.url), request.headers, form)
    except OAuthError as exc:
        return oauth_error(exc)

    def run() -> Response:
        response = answer(_provider(request, db), call)
        db.commit()  # also after an error: keep revocations made on replay and used assertion ids
        return response

    return await run_in_threadpool(run)


@router.post("/oidc/token", tags=["oidc"])
async def token(request: Request, _: Principal = client_call(), db: Session = Depends(get_db)) -> Response:
    return await _endpoint(request, db, lambda provider, call: provider.create_token_response(call))


@router.post("/oidc/revoke", tags=["oidc"])
async def revoke(request: Request, _: Principal = client_call(), db: Session = Depends(get_db)) -> Response:
    return await _endpoint(request, db, lambda provider, call: provider.create_endpoint_response("revocation", call))


@router.get("/oidc/userinfo", tags=["oidc"])
def userinfo(request: Request, _: Principal = client_call(), db: Session = Depends(get_db)) -> Response:
    auth = request.headers.get("authorization", "")
    try:
        if auth[:7].lower() != "bearer ":
            raise OAuthError("invalid_request", "Send the access token as a Bearer token.", status_code=401,
                             headers={"WWW-Authenticate": 'Bearer realm="pracha"'})
        return oauth_json(tokens.userinfo(db, auth[7:].strip(), secret=app_state(request).secret))
    except OAuthError as exc:
        return oauth_error(exc)
