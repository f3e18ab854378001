"""Web glue shared by the provider's routes: the issuer URL, the access rule of the OAuth endpoints,
JSON answers with the RFC error codes, and pages whose forms may lead back to a client."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pracha.config import LOCAL_HOSTS
from pracha.errors import PrachaError
from pracha.http.access import SAFE_METHODS, Rule, get_db, start_writing
from pracha.http.middleware import CSP
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.oidc.errors import AuthorizeError, OAuthError
from pracha.identity.oidc.tokens import Lifetimes
from pracha.identity.principal import PUBLIC, Principal

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class ClientCall(Rule):
    """The rule of the token, revocation and userinfo endpoints: public routes that authenticate the
    client (or the bearer access token) themselves, never by cookies, so no CSRF and no session."""

    def __init__(self) -> None:
        super().__init__((PUBLIC,), None, csrf=False)

    async def __call__(self, request: Request, db: Session = Depends(get_db)) -> Principal:
        principal = Principal()
        request.state.principal = principal
        if request.method not in SAFE_METHODS:
            await start_writing(request, db)
        return principal


def client_call() -> Any:
    return Depends(ClientCall())


def issuer(request: Request) -> str:
    """The configured issuer. Unconfigured (allowed only while the portal answers to local names, see
    `Settings.trusted_hosts`), the local URL the request came to; never a foreign Host header."""
    configured: str = app_state(request).settings.oidc_issuer.strip()
    if configured:
        return configured.rstrip("/")
    if request.url.hostname not in LOCAL_HOSTS:
        raise PrachaError("ยังไม่ได้ตั้งค่า PRACHA_OIDC_ISSUER", "PRACHA_OIDC_ISSUER is not configured.")
    return str(request.base_url).rstrip("/")


def lifetimes(request: Request) -> Lifetimes:
    s = app_state(request).settings
    return Lifetimes(access=s.oidc_access_token_seconds, id_token=s.oidc_id_token_seconds,
                     refresh_days=s.oidc_refresh_token_days, code=s.oidc_code_seconds)


def rp_id(request: Request) -> str:
    return urlsplit(issuer(request)).hostname or "localhost"


def origin(request: Request) -> str:
    parts = urlsplit(issuer(request))
    return f"{parts.scheme}://{parts.netloc}"


def oauth_json(body: dict[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={**NO_STORE, **(headers or {})})


def oauth_error(exc: OAuthError) -> JSONResponse:
    return oauth_json({"error": exc.code, "error_description": exc.description}, exc.status_code, exc.headers)


def redirect_with(uri: str, params: dict[str, str | None], status_code: int = 302) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=status_code)


def authorize_error(request: Request, uri: str, exc: AuthorizeError, state: str | None,
                    status_code: int = 302) -> RedirectResponse:
    return redirect_with(uri, {"error": exc.code, "error_description": exc.description, "state": state,
                               "iss": issuer(request)}, status_code)


def page_to(request: Request, target: str, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A page whose form may be answered with a redirect to `target` (a client's registered URI):
    the CSP's form-action names that origin too, or the browser would block the redirect."""
    response = render(request, name, context, status_code=status_code)
    parts = urlsplit(target)
    response.headers["Content-Security-Policy"] = CSP.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
    return response
