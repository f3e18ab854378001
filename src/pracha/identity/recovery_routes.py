"""Account recovery: the "forgot password" pages and their JSON twins. Thin: parse, call
`pracha.identity.recovery`, commit. Every well-formed ID gets the same answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pracha.errors import InvalidInput, PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.rendering import render
from pracha.http.state import app_state, part
from pracha.identity import recovery
from pracha.identity.deps import client_address
from pracha.identity.principal import Principal
from pracha.identity.schemas import ResetConfirmIn, ResetConfirmOut, ResetRequestIn, ResetRequestOut

router = APIRouter()
POLICY = recovery.ResetPolicy()
SENT_TH = ("หากเลขประจำตัวประชาชนนี้มีบัญชีที่ให้อีเมลหรือหมายเลขโทรศัพท์ไว้ เราได้ส่งรหัส 6 หลักไปแล้ว "
           f"รหัสใช้ได้ {POLICY.code_minutes} นาที หากไม่ได้รับรหัส หรือบัญชีไม่มีอีเมลหรือโทรศัพท์ที่ใช้ได้ "
           "กรุณาติดต่อเจ้าหน้าที่ที่สำนักงานพร้อมบัตรประจำตัวประชาชนเพื่อตั้งรหัสผ่านใหม่")
SENT_EN = ("If this national ID has an account with an e-mail address or a phone number, a 6-digit code has been "
           f"sent to it. The code is valid for {POLICY.code_minutes} minutes. If no code arrives, or the account "
           "has no working e-mail or phone, please visit an office counter with your ID card to set a new password.")


def sent_answer() -> ResetRequestOut:
    return ResetRequestOut(message_th=SENT_TH, message_en=SENT_EN, expires_in=POLICY.code_minutes * 60)


def _request(request: Request, db: Session, national_id: str) -> None:
    recovery.request_reset(db, national_id, client=client_address(request), secret=app_state(request).secret,
                           messenger=part(request, recovery.RESET_MESSENGER), policy=POLICY)
    db.commit()


def _confirm(request: Request, db: Session, national_id: str, code: str, new_password: str) -> None:
    """Commits on a refusal too: the tries it counted must outlive the error."""
    try:
        recovery.confirm_reset(db, national_id, code, new_password, client=client_address(request),
                               secret=app_state(request).secret, messenger=part(request, recovery.RESET_MESSENGER),
                               policy=POLICY)
    except PrachaError:
        db.commit()
        raise
    db.commit()


def _field_errors(exc: PrachaError, lang: str) -> dict[str, str]:
    return {name: msg["en" if lang == "en" else "th"] for name, msg in exc.fields.items()}


def _page(request: Request, name: str, exc: PrachaError | None = None, **context: Any) -> Response:
    lang = request.state.lang
    if exc is None:
        return render(request, name, {"errors": {}, "message": None, **context})
    response = render(request, name, {"errors": _field_errors(exc, lang), "message": exc.message(lang), **context},
                      status_code=exc.status_code)
    response.headers.update(exc.headers)
    return response


# --- pages ----------------------------------------------------------------------------------------


@router.get("/password-reset", response_class=HTMLResponse, include_in_schema=False)
def reset_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return _page(request, "password_reset.html", form={})


@router.post("/password-reset", response_class=HTMLResponse, include_in_schema=False)
def reset_submit(request: Request, national_id: str = Form(""), _: Principal = allow(PUBLIC),
                 db: Session = Depends(get_db)) -> Response:
    try:
        _request(request, db, national_id)
    except PrachaError as exc:
        db.rollback()
        return _page(request, "password_reset.html", exc, form={"national_id": national_id})
    sent = SENT_EN if request.state.lang == "en" else SENT_TH
    return _page(request, "password_reset_confirm.html", form={"national_id": national_id}, sent=sent)


@router.get("/password-reset/confirm", response_class=HTMLResponse, include_in_schema=False)
def confirm_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return _page(request, "password_reset_confirm.html", form={}, sent=None)


@router.post("/password-reset/confirm", response_class=HTMLResponse, include_in_schema=False)
def confirm_submit(request: Request, national_id: str = Form(""), code: str = Form(""),
                   new_password: str = Form(""), new_password_again: str = Form(""),
                   _: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    form = {"national_id": national_id, "code": code}
    if new_password != new_password_again:
        problem = {"th": "รหัสผ่านทั้งสองช่องไม่ตรงกัน", "en": "The two passwords are not the same."}
        mismatch = InvalidInput(problem["th"], problem["en"], fields={"new_password_again": problem})
        return _page(request, "password_reset_confirm.html", mismatch, form=form, sent=None)
    try:
        _confirm(request, db, national_id, code, new_password)
    except PrachaError as exc:
        return _page(request, "password_reset_confirm.html", exc, form=form, sent=None)
    return _page(request, "password_reset_done.html")


# --- API ------------------------------------------------------------------------------------------


@router.post("/api/v1/password-resets", status_code=202, response_model=ResetRequestOut, tags=["identity"],
             responses=errors(429))
def api_request_reset(body: ResetRequestIn, request: Request, _: Principal = allow(PUBLIC),
                      db: Session = Depends(get_db)) -> ResetRequestOut:
    """Ask for a one-time code to set a new password. The answer is the same whether or not the ID has an
    account (or an e-mail or phone to send to). Limits: 3 requests per ID and 10 per client an hour
    (429 with Retry-After); a code lives 15 minutes and a new request replaces the older one."""
    _request(request, db, body.national_id)
    return sent_answer()


@router.post("/api/v1/password-resets/confirm", response_model=ResetConfirmOut, tags=["identity"],
             responses=errors(400, 429))
def api_confirm_reset(body: ResetConfirmIn, request: Request, _: Principal = allow(PUBLIC),
                      db: Session = Depends(get_db)) -> ResetConfirmOut:
    """Set a new password with the code. A wrong, expired or spent code, or an ID without a code, is the
    same 400 `invalid_code`; 5 wrong codes spend it; 20 tries per client an hour. On success every
    session and OIDC token of the account is revoked and the citizen is told on every channel."""
    _confirm(request, db, body.national_id, body.code, body.new_password)
    return ResetConfirmOut()
