"""Sign-up, sign-in and API tokens: pages and their JSON twins. Thin: parse, call the service, commit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, SESSION_COOKIE, allow, csrf_token, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity import factors, service
from pracha.identity.deps import agencies_of, client_address, safe_next, set_session_cookie, throttle_policy
from pracha.identity.models import AGENCY_ADMIN, PLATFORM_ADMIN, User
from pracha.identity.principal import Principal
from pracha.identity.schemas import (
    NewTokenOut,
    SessionOut,
    SigninIn,
    SignupIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from pracha.paging import PageOut, PageRequest, page_body, page_request

router = APIRouter()
TOKEN_ADMINS = (AGENCY_ADMIN, PLATFORM_ADMIN)


def _sign_in(request: Request, db: Session, user: User, response: Response) -> str:
    """Start a session; returns the CSRF token that goes with the new session cookie. Staff get a
    short password-only session that the second factor replaces (`factor_routes`)."""
    settings = app_state(request).settings
    hours = settings.staff_factor_minutes / 60 if factors.needs_factor(user) else settings.session_hours
    token = service.start_web_session(db, user, hours=hours)
    db.commit()
    set_session_cookie(request, response, token)
    return csrf_token(request, session_token=token)


def _field_errors(exc: PrachaError, lang: str) -> dict[str, str]:
    return {name: msg["en" if lang == "en" else "th"] for name, msg in exc.fields.items()}


# --- pages ----------------------------------------------------------------------------------------


@router.get("/signup", response_class=HTMLResponse, include_in_schema=False)
def signup_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return render(request, "signup.html", {"form": {}, "errors": {}})


@router.post("/signup", response_class=HTMLResponse, include_in_schema=False)
def signup_submit(
    request: Request,
    national_id: str = Form(""), first_name: str = Form(""), last_name: str = Form(""),
    birth_date: str = Form(""), password: str = Form(""), email: str = Form(""), phone: str = Form(""),
    _: Principal = allow(PUBLIC), db: Session = Depends(get_db),
) -> Response:
    form = {"national_id": national_id, "first_name": first_name, "last_name": last_name,
            "birth_date": birth_date, "email": email, "phone": phone}
    try:
        user = service.signup_citizen(
            db, national_id=national_id, first_name=first_name, last_name=last_name,
            birth_date=birth_date, password=password, email=email.strip(), phone=phone.strip(),
            language=request.state.lang,
        )
    except PrachaError as exc:
        db.rollback()
        return render(request, "signup.html", {"form": form, "errors": _field_errors(exc, request.state.lang),
                                               "message": exc.message(request.state.lang)},
                      status_code=exc.status_code)
    response = RedirectResponse("/me?welcome=1", status_code=303)
    _sign_in(request, db, user, response)
    return response


def _signin_page(request: Request, *, staff: bool, form: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, message: str | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "signin.html", {"staff": staff, "form": form or {}, "errors": errors or {},
                                           "message": message, "next": request.query_params.get("next", "")},
                  status_code=status_code)


@router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
def signin_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return _signin_page(request, staff=False)


@router.get("/staff/signin", response_class=HTMLResponse, include_in_schema=False)
def staff_signin_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return _signin_page(request, staff=True)


def _signin_submit(request: Request, db: Session, *, staff: bool, identifier: str, password: str,
                   next_url: str) -> Response:
    try:
        user = service.authenticate(db, identifier, password, staff=staff, policy=throttle_policy(request),
                                    client=client_address(request), secret=app_state(request).secret)
    except PrachaError as exc:
        db.rollback()
        response = _signin_page(
            request, staff=staff, form={"identifier": identifier}, errors=_field_errors(exc, request.state.lang),
            message=exc.message(request.state.lang), status_code=exc.status_code,
        )
        response.headers.update(exc.headers)
        return response
    target = safe_next(next_url, user)
    if factors.needs_factor(user):
        target = f"/staff/factor?{urlencode({'next': target})}"
    response = RedirectResponse(target, status_code=303)
    _sign_in(request, db, user, response)
    return response


@router.post("/signin", response_class=HTMLResponse, include_in_schema=False)
def signin_submit(request: Request, national_id: str = Form(""), password: str = Form(""),
                  next: str = Form(""), _: Principal = allow(PUBLIC),
                  db: Session = Depends(get_db)) -> Response:
    return _signin_submit(request, db, staff=False, identifier=national_id, password=password, next_url=next)


@router.post("/staff/signin", response_class=HTMLResponse, include_in_schema=False)
def staff_signin_submit(request: Request, username: str = Form(""), password: str = Form(""),
                        next: str = Form(""), _: Principal = allow(PUBLIC),
                        db: Session = Depends(get_db)) -> Response:
    return _signin_submit(request, db, staff=True, identifier=username, password=password, next_url=next)


@router.post("/signout", include_in_schema=False)
def signout(request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    if cookie := request.cookies.get(SESSION_COOKIE):
        service.end_web_session(db, cookie)
        db.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(*TOKEN_ADMINS),
                db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    tokens = service.list_api_tokens(db, p.user, page)
    return render(request, "tokens.html", {"tokens": tokens.items, "page": tokens,
                                           "scopes": service.TOKEN_SCOPES, "new_token": None, "errors": {}})


@router.post("/admin/tokens", response_class=HTMLResponse, include_in_schema=False)
async def tokens_create(request: Request, p: Principal = allow(*TOKEN_ADMINS),
                        db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    user = p.user
    assert user is not None
    agency = str(form.get("agency") or user.agency or "")
    scopes = [str(s) for s in form.getlist("scopes")]

    def run() -> Response:
        new_token, errors, message = None, {}, None
        try:
            _, new_token = service.create_api_token(db, user, name=str(form.get("name", "")), agency=agency,
                                                    scopes=scopes, agencies=agencies_of(request))
            db.commit()
        except PrachaError as exc:
            db.rollback()
            errors, message = _field_errors(exc, request.state.lang), exc.message(request.state.lang)
        tokens = service.list_api_tokens(db, user)
        return render(request, "tokens.html", {"tokens": tokens.items, "page": tokens, "message": message,
                                               "scopes": service.TOKEN_SCOPES, "new_token": new_token,
                                               "errors": errors}, status_code=422 if message else 200)

    return await run_in_threadpool(run)


@router.post("/admin/tokens/{token_id}/revoke", include_in_schema=False)
def tokens_revoke(token_id: RowId, p: Principal = allow(*TOKEN_ADMINS), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    service.revoke_api_token(db, p.user, token_id)
    db.commit()
    return RedirectResponse("/admin/tokens", status_code=303)


# --- API ------------------------------------------------------------------------------------------


def _user_out(user: User | None) -> UserOut | None:
    return None if user is None else UserOut(id=user.id, role=user.role, first_name=user.first_name,
                                            last_name=user.last_name, agency=user.agency)


@router.post("/api/v1/citizens", status_code=201, response_model=SessionOut, tags=["identity"])
def api_signup(body: SignupIn, request: Request, response: Response, _: Principal = allow(PUBLIC),
               db: Session = Depends(get_db)) -> SessionOut:
    """Create a citizen account and sign it in (sets the session cookie)."""
    user = service.signup_citizen(db, **body.model_dump(), language=request.state.lang)
    return SessionOut(user=_user_out(user), csrf_token=_sign_in(request, db, user, response))


@router.post("/api/v1/session", response_model=SessionOut, tags=["identity"])
def api_signin(body: SigninIn, request: Request, response: Response, _: Principal = allow(PUBLIC),
               db: Session = Depends(get_db)) -> SessionOut:
    """Sign in with a national ID (citizens) or a username (staff). Returns the CSRF token to send as
    `X-CSRF-Token` on later unsafe calls made with the session cookie. Staff get `user: null` and
    `second_factor: "required"` (send the code to `POST /api/v1/session/factor`) or `"enrol"` (set up
    the authenticator app in the browser, at /staff/factor, first)."""
    staff = bool(body.username)
    user = service.authenticate(db, body.username if staff else body.national_id, body.password, staff=staff,
                                policy=throttle_policy(request), client=client_address(request),
                                secret=app_state(request).secret)
    csrf = _sign_in(request, db, user, response)
    if factors.needs_factor(user):
        return SessionOut(user=None, csrf_token=csrf, second_factor=factors.factor_state(db, user))
    return SessionOut(user=_user_out(user), csrf_token=csrf)


@router.get("/api/v1/session", response_model=SessionOut, tags=["identity"])
def api_session(request: Request, p: Principal = allow(PUBLIC)) -> SessionOut:
    return SessionOut(user=_user_out(p.user), csrf_token=csrf_token(request),
                      second_factor="required" if p.pending is not None else None)


@router.delete("/api/v1/session", status_code=204, tags=["identity"])
def api_signout(request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    if cookie := request.cookies.get(SESSION_COOKIE):
        service.end_web_session(db, cookie)
        db.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _token_out(token: Any) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "agency": token.agency, "scopes": token.scopes,
            "created_at": token.created_at, "revoked_at": token.revoked_at}


@router.get("/api/v1/tokens", response_model=PageOut[TokenOut], tags=["identity"])
def api_tokens(request: Request, response: Response, page: PageRequest = Depends(page_request),
               p: Principal = allow(*TOKEN_ADMINS), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The agency's tokens (every agency's for a platform admin), newest first; paged."""
    assert p.user is not None
    return page_body(request, response, service.list_api_tokens(db, p.user, page), _token_out)


@router.post("/api/v1/tokens", status_code=201, response_model=NewTokenOut, tags=["identity"])
def api_token_create(body: TokenIn, request: Request, p: Principal = allow(*TOKEN_ADMINS),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """Create a bearer token for an agency integration. The token is shown once."""
    assert p.user is not None
    token, raw = service.create_api_token(db, p.user, name=body.name, agency=body.agency or p.user.agency or "",
                                          scopes=body.scopes, agencies=agencies_of(request))
    db.commit()
    return {**_token_out(token), "token": raw}


@router.delete("/api/v1/tokens/{token_id}", response_model=TokenOut, tags=["identity"])
def api_token_revoke(token_id: RowId, p: Principal = allow(*TOKEN_ADMINS),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    assert p.user is not None
    token = service.revoke_api_token(db, p.user, token_id)
    db.commit()
    return _token_out(token)
