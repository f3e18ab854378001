"""RP-initiated logout (OIDC RP-Initiated Logout 1.0) and passkeys: registration from the portal,
sign-in with a passkey, and step-up of a password session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import InvalidInput
from pracha.http.access import PUBLIC, SESSION_COOKIE, allow, csrf_token, get_db
from pracha.http.middleware import is_https
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity import service as identity
from pracha.identity.deps import set_session_cookie
from pracha.identity.models import CITIZEN, User
from pracha.identity.oidc import keys, passkeys
from pracha.identity.oidc.errors import LogoutRefused
from pracha.identity.oidc.models import OidcClient
from pracha.identity.oidc.web import issuer, origin, page_to, redirect_with, rp_id
from pracha.identity.principal import Principal

router = APIRouter()
NOT_JSON = InvalidInput("ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง", "The body is not valid JSON.")
LOGOUT_PARAMS = ("id_token_hint", "post_logout_redirect_uri", "state", "client_id", "ui_locales")


def _logout_target(request: Request, db: Session, params: dict[str, str]) -> tuple[OidcClient | None, str | None]:
    client_id = params.get("client_id")
    if params.get("id_token_hint"):
        claims = keys.verify(db, params["id_token_hint"], issuer=issuer(request))
        if claims is None or (client_id and claims.get("aud") != client_id):
            raise LogoutRefused()
        client_id = str(claims.get("aud"))
    client = db.get(OidcClient, client_id) if client_id else None
    if client_id and client is None:
        raise LogoutRefused()
    target = params.get("post_logout_redirect_uri")
    if target and (client is None or target not in client.post_logout_redirect_uris):
        raise LogoutRefused()
    return client, target


@router.get("/oidc/logout", response_class=HTMLResponse, include_in_schema=False)
def logout_page(request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    params = {k: v for k, v in request.query_params.items() if k in LOGOUT_PARAMS}
    client, target = _logout_target(request, db, params)
    context = {"params": params, "client": client, "done": False,
               "lang_base": f"/oidc/logout?{urlencode(params)}&"}
    return page_to(request, target, "oidc_logout.html", context) if target else \
        render(request, "oidc_logout.html", context)


@router.post("/oidc/logout", include_in_schema=False)
async def logout_submit(request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    params = {k: str(v) for k, v in form.items() if k in LOGOUT_PARAMS}

    def run() -> Response:
        _, target = _logout_target(request, db, params)
        if cookie := request.cookies.get(SESSION_COOKIE):
            identity.end_web_session(db, cookie)
        db.commit()
        response: Response = redirect_with(target, {"state": params.get("state")}, 303) if target else \
            render(request, "oidc_logout.html", {"params": {}, "client": None, "done": True})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return await run_in_threadpool(run)


# --- passkeys -------------------------------------------------------------------------------------


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise NOT_JSON from exc
    if not isinstance(body, dict):
        raise NOT_JSON
    return body


def _challenge_cookie(request: Request, response: Response, purpose: str, challenge: bytes) -> None:
    response.set_cookie(passkeys.CHALLENGE_COOKIE, passkeys.seal(app_state(request).secret, purpose, challenge),
                        max_age=passkeys.CHALLENGE_SECONDS, httponly=True, samesite="strict",
                        secure=is_https(request.scope), path="/")


def _challenge(request: Request, purpose: str) -> bytes:
    return passkeys.unseal(app_state(request).secret, purpose, request.cookies.get(passkeys.CHALLENGE_COOKIE, ""))


@router.post("/passkeys/options", tags=["passkeys"])
def signin_options(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """WebAuthn request options: for the signed-in citizen's passkeys (step-up), or any passkey."""
    options, challenge = passkeys.authentication_options(db, p.user, rp_id=rp_id(request))
    response = JSONResponse(options)
    _challenge_cookie(request, response, "signin", challenge)
    return response


@router.post("/passkeys/verify", tags=["passkeys"])
async def signin_verify(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """Check an assertion: raise the session to the passkey level, or sign in with the passkey."""
    credential = await _json(request)
    challenge = _challenge(request, "signin")

    def run() -> Response:
        passkey = passkeys.authenticate(db, credential, challenge=challenge, rp_id=rp_id(request),
                                        origin=origin(request), user=p.user)
        cookie = request.cookies.get(SESSION_COOKIE) if p.user is not None else None
        fresh = cookie is None
        if cookie is None:
            user = db.get(User, passkey.user_id)
            assert user is not None
            cookie = identity.start_web_session(db, user, hours=app_state(request).settings.session_hours)
            db.flush()
        passkeys.raise_assurance(db, cookie, passkey_only=fresh)
        db.commit()
        response = JSONResponse({"ok": True, "csrf_token": csrf_token(request, session_token=cookie)})
        if fresh:
            set_session_cookie(request, response, cookie)
        response.delete_cookie(passkeys.CHALLENGE_COOKIE, path="/")
        return response

    return await run_in_threadpool(run)


@router.get("/me/passkeys", response_class=HTMLResponse, include_in_schema=False)
def passkeys_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    return render(request, "oidc_passkeys.html", {"passkeys": passkeys.list_passkeys(db, p.user)})


@router.post("/me/passkeys/options", tags=["passkeys"])
def register_options(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    options, challenge = passkeys.registration_options(db, p.user, rp_id=rp_id(request))
    response = JSONResponse(options)
    _challenge_cookie(request, response, "register", challenge)
    return response


@router.post("/me/passkeys", status_code=201, tags=["passkeys"])
async def register(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    body = await _json(request)
    challenge = _challenge(request, "register")
    user = p.user
    assert user is not None

    def run() -> Response:
        passkey = passkeys.register(db, user, body.get("credential") or {}, challenge=challenge, rp_id=rp_id(request),
                                    origin=origin(request), name=str(body.get("name") or ""))
        db.commit()
        response = JSONResponse({"id": passkey.id, "name": passkey.name}, status_code=201)
        response.delete_cookie(passkeys.CHALLENGE_COOKIE, path="/")
        return response

    return await run_in_threadpool(run)


@router.post("/me/passkeys/{passkey_id}/delete", include_in_schema=False)
def delete(passkey_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    passkeys.delete_passkey(db, p.user, passkey_id)
    db.commit()
    return RedirectResponse("/me/passkeys", status_code=303)
