"""A relying party, as an agency would write it: a small Starlette app that signs its users in with
Pracha through Authlib's Starlette client, unchanged and driven only by the discovery document.
Started as its own uvicorn process by tests/e2e/test_sso.py; configured by environment variables:

    RP_ISSUER         the provider (its /.well-known/openid-configuration is read)
    RP_CLIENT_ID      RP_CLIENT_SECRET   from the provider's client registration (client_secret_basic)
    RP_SCOPE          scopes to ask for
"""

from __future__ import annotations

import html
import json
import os

from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

PASSKEY_ACR = "urn:pracha:acr:passkey"

oauth = OAuth()
oauth.register(
    "pracha",
    client_id=os.environ.get("RP_CLIENT_ID", ""),
    client_secret=os.environ.get("RP_CLIENT_SECRET", ""),
    server_metadata_url=os.environ.get("RP_ISSUER", "") + "/.well-known/openid-configuration",
    client_kwargs={"scope": os.environ.get("RP_SCOPE", "openid profile"), "code_challenge_method": "S256"},
)


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
                        f"<body><main><h1>{title}</h1>{body}</main></body></html>")


async def home(request: Request) -> Response:
    who = request.session.get("who")
    if not who:
        return page("Agency app", '<p id="state">signed-out</p><a id="login" href="/login">Sign in with Pracha</a> '
                                  '<a id="login-passkey" href="/login?acr=passkey">Sign in (passkey)</a>')
    return page("Agency app", f'<p id="state">signed-in</p><pre id="who">{html.escape(json.dumps(who))}</pre>'
                              '<a id="logout" href="/logout">Sign out</a>')


async def login(request: Request) -> Response:
    extra = {"acr_values": PASSKEY_ACR} if request.query_params.get("acr") == "passkey" else {}
    return await oauth.pracha.authorize_redirect(request, str(request.url_for("auth")), **extra)


async def auth(request: Request) -> Response:
    try:
        token = await oauth.pracha.authorize_access_token(request)  # checks the ID token: signature, iss, aud, nonce
    except OAuthError as exc:
        return page("Sign-in failed", f'<p id="error">{html.escape(exc.error or "")}</p>')
    userinfo = await oauth.pracha.userinfo(token=token)
    claims = token["userinfo"]
    request.session["id_token"] = token["id_token"]
    request.session["who"] = {"sub": claims["sub"], "acr": claims.get("acr"), "iss": claims["iss"],
                              "id_token_verified": True, "userinfo": dict(userinfo)}
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    hint = request.session.pop("id_token", None)
    request.session.pop("who", None)
    return await oauth.pracha.logout_redirect(request, post_logout_redirect_uri=str(request.url_for("logged_out")),
                                              id_token_hint=hint)


async def logged_out(request: Request) -> Response:
    try:
        await oauth.pracha.validate_logout_response(request)
    except OAuthError as exc:
        return page("Logout failed", f'<p id="error">{html.escape(exc.description or "")}</p>')
    return page("Signed out", '<p id="state">logged-out</p><a href="/">Home</a>')


async def healthz(request: Request) -> Response:
    return Response("ok")


app = Starlette(
    routes=[Route("/", home), Route("/login", login), Route("/auth", auth), Route("/logout", logout),
            Route("/logged-out", logged_out), Route("/healthz", healthz)],
    middleware=[Middleware(SessionMiddleware, secret_key=os.environ.get("RP_SESSION_SECRET", "rp-test-secret"))],
)
