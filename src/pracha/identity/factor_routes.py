"""The staff second factor after the password: set up the authenticator app (first sign-in) or give a
code, on a page and as JSON. Thin: parse, call `factors` and `service`, commit.

A staff member who gave the right password holds a short password-only session (`amr` "pwd"), which
grants no role (`Principal.pending`); a right code replaces it with a full session ("pwd otp"). Wrong
codes count as failed sign-ins of this client for this username (`pracha.identity.throttle`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, PrachaError
from pracha.http.access import PUBLIC, SESSION_COOKIE, allow, csrf_token, get_db
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity import factors, service, throttle
from pracha.identity.deps import client_address, safe_next, set_session_cookie, throttle_policy
from pracha.identity.errors import SecondFactorFailed, SecondFactorMissing
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.identity.schemas import FactorIn, SessionOut, UserOut

router = APIRouter()


def _enrolment(request: Request, user: User) -> dict[str, Any]:
    secret = factors.enrolment_secret(app_state(request).secret, request.cookies.get(SESSION_COOKIE, ""))
    uri = factors.otpauth_uri(user, secret)
    return {"qr": factors.qr_data_uri(uri), "secret": factors.grouped(secret), "uri": uri}


def _page(request: Request, db: Session, user: User, *, next_url: str, message: str | None = None,
          status_code: int = 200) -> Response:
    state = factors.factor_state(db, user)
    context: dict[str, Any] = {"state": state, "next": next_url, "message": message,
                               "errors": {"code": message} if message else {}}
    if state == factors.ENROL:
        context.update(_enrolment(request, user))
    return render(request, "staff_factor.html", context, status_code=status_code)


def _check(request: Request, db: Session, user: User, code: str) -> bool:
    """Check the code (confirming an enrolment); a wrong one counts against this client. True: enrolled now."""
    secret = app_state(request).secret
    attempt = service.signin_attempt(user.username or "", staff=True, client=client_address(request), secret=secret)
    policy, now = throttle_policy(request), utcnow()
    throttle.check_attempt(db, attempt, policy, now)
    enrolling = factors.factor_state(db, user) == factors.ENROL
    if enrolling:
        enrolment = factors.enrolment_secret(secret, request.cookies.get(SESSION_COOKIE, ""))
        ok = factors.confirm_enrolment(db, user, enrolment, code, secret, now)
    else:
        ok = factors.check_code(db, user, code, secret, now)
    if not ok:
        throttle.record_failure(db, attempt, policy, now)
        db.commit()
        raise SecondFactorFailed()
    throttle.clear_failures(db, attempt)
    return enrolling


def _promote(request: Request, db: Session, response: Response) -> str:
    """Swap the password-only session for a full one; returns the new session's CSRF token."""
    token = service.promote_web_session(db, request.cookies.get(SESSION_COOKIE, ""),
                                        hours=app_state(request).settings.session_hours)
    db.commit()
    set_session_cookie(request, response, token)
    return csrf_token(request, session_token=token)


@router.get("/staff/factor", response_class=HTMLResponse, include_in_schema=False)
def factor_page(request: Request, next: str = "", p: Principal = allow(PUBLIC),
                db: Session = Depends(get_db)) -> Response:
    if p.pending is None:
        return RedirectResponse("/staff/signin", status_code=303)
    return _page(request, db, p.pending, next_url=next)


@router.post("/staff/factor", response_class=HTMLResponse, include_in_schema=False)
def factor_submit(request: Request, code: str = Form("", max_length=32), next: str = Form(""),
                  p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    user = p.pending
    if user is None:
        raise SecondFactorMissing()
    try:
        enrolled = _check(request, db, user, code)
    except PrachaError as exc:
        db.rollback()
        response = _page(request, db, user, next_url=next, message=exc.message(request.state.lang),
                         status_code=exc.status_code)
        response.headers.update(exc.headers)
        return response
    target = safe_next(next, user)
    if enrolled:
        codes = factors.new_recovery_codes(db, user, app_state(request).secret)
        response = render(request, "staff_recovery.html", {"codes": codes, "next": target})
    else:
        response = RedirectResponse(target, status_code=303)
    _promote(request, db, response)
    return response


@router.post("/api/v1/session/factor", response_model=SessionOut, tags=["identity"])
def api_factor(body: FactorIn, request: Request, response: Response, p: Principal = allow(PUBLIC),
               db: Session = Depends(get_db)) -> SessionOut:
    """The second factor of a staff sign-in (after `POST /api/v1/session` answered
    `second_factor: "required"`): a current TOTP code or an unused recovery code. 401 if wrong,
    429 with Retry-After after too many; replaces the session cookie and returns its CSRF token."""
    user = p.pending
    if user is None:
        raise SecondFactorMissing()
    if factors.factor_state(db, user) == factors.ENROL:
        raise Conflict("กรุณาตั้งค่าแอปยืนยันตัวตนที่หน้า /staff/factor ก่อน",
                       "Set up the authenticator app at /staff/factor first.")
    _check(request, db, user, body.code)
    csrf = _promote(request, db, response)
    return SessionOut(user=UserOut(id=user.id, role=user.role, first_name=user.first_name,
                                   last_name=user.last_name, agency=user.agency), csrf_token=csrf)
