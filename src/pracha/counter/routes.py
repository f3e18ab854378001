"""Pages of help at the counter: the counter's home (start a session, or the visitor being served), the
visitor's consent by code, closing, the printable summary, and recovery at the counter. Thin: the logic
is in `service` and `summary`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.appointments.deps import offices_of
from pracha.automation.documents import masked_id
from pracha.counter import service, summary
from pracha.errors import PrachaError
from pracha.http.access import allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state, part
from pracha.identity import recovery
from pracha.identity.deps import web_session_of
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, OFFICER, CounterSession
from pracha.identity.principal import COUNTER, Principal
from pracha.services.deps import catalog_of, problems

router = APIRouter(include_in_schema=False)
STAFF = (OFFICER, AGENCY_ADMIN, COUNTER)
FIELDS = ("national_id", "office_id", "consent_method", "first_name", "last_name", "birth_date", "phone", "email")
SHOWN_ERRORS = (413, 415, 422)  # refusals shown beside the fields, on the page again
RECENT = 10






def _home(request: Request, db: Session, p: Principal, *, values: dict[str, str] | None = None,
          exc: PrachaError | None = None, status_code: int = 200) -> Response:
    lang = request.state.lang
    if p.role == COUNTER and exc is None:  # serving; a refused start (from serving) shows the start form
        counter = service.open_session_of(db, p)
        return render(request, "counter/serving.html", {
            "counter": counter, "office": offices_of(request).get(counter.office),
            "visitor_id": masked_id(counter.visitor.national_id or "")})
    officer = service.officer_of(p)
    recent = list(db.scalars(select(CounterSession).where(CounterSession.officer_id == officer.id)
                             .order_by(CounterSession.id.desc()).limit(RECENT)))
    offices = offices_of(request)
    return render(request, "counter/start.html", {
        "offices": service.offices_for_officer(offices, officer.agency), "all_offices": offices,
        "values": values or {"consent_method": service.FORM}, "recent": recent,
        "errors": problems(exc, lang) if exc else {}, "message": exc.message(lang) if exc else None,
    }, status_code=status_code)


@router.get("/counter", response_class=HTMLResponse)
def counter_home(request: Request, p: Principal = allow(*STAFF), db: Session = Depends(get_db)) -> Response:
    """Start serving a visitor; while serving, the visitor and what to do for them."""
    return _home(request, db, p)


@router.post("/counter/sessions", response_class=HTMLResponse)
async def start(request: Request, p: Principal = allow(*STAFF), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    checked = str(form.get("id_card_checked") or "") in ("on", "true", "1", "yes")
    upload = form.get("consent_form")
    scan = (service.Scan(upload.filename or "", upload.content_type or "", upload.file)
            if isinstance(upload, UploadFile) and upload.filename else None)
    settings = app_state(request).settings

    def run() -> Response:
        try:
            counter = service.start_session(
                db, offices_of(request), p, service.StartForm(id_card_checked=checked, **values),
                web_session=web_session_of(request, db, p), secret=app_state(request).secret,
                forms_dir=settings.var_dir / service.FORMS_DIR, max_bytes=settings.max_upload_bytes, scan=scan)
            db.commit()
        except PrachaError as exc:
            if exc.status_code not in SHOWN_ERRORS:
                raise
            db.rollback()
            return _home(request, db, p, values=values, exc=exc, status_code=exc.status_code)
        if counter.is_open:
            return RedirectResponse("/me", status_code=303)
        return RedirectResponse(f"/counter/sessions/{counter.id}/consent", status_code=303)

    return await run_in_threadpool(run)


def _consent_page(request: Request, counter: CounterSession, *, exc: PrachaError | None = None,
                  status_code: int = 200) -> Response:
    lang = request.state.lang
    phone = counter.visitor.phone or ""
    return render(request, "counter/consent.html", {
        "counter": counter, "phone_end": phone[-2:], "tries_left": service.MAX_TRIES - counter.consent_tries,
        "minutes": service.CODE_MINUTES, "errors": problems(exc, lang) if exc else {},
        "message": exc.message(lang) if exc else None, "refused": counter.closed_at is not None,
    }, status_code=status_code)


@router.get("/counter/sessions/{counter_id}/consent", response_class=HTMLResponse)
def consent_page(counter_id: RowId, request: Request, p: Principal = allow(*STAFF),
                 db: Session = Depends(get_db)) -> Response:
    """Type the code the visitor received by SMS."""
    counter = service.session_of_officer(db, p, counter_id)
    if counter.is_open:
        return RedirectResponse("/counter", status_code=303)
    return _consent_page(request, counter)


@router.post("/counter/sessions/{counter_id}/consent", response_class=HTMLResponse)
async def consent(counter_id: RowId, request: Request, p: Principal = allow(*STAFF),
                  db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    code = str(form.get("code") or "")

    def run() -> Response:
        try:
            service.confirm_consent(db, p, counter_id, code, web_session=web_session_of(request, db, p),
                                    secret=app_state(request).secret)
        except PrachaError as exc:
            db.commit()  # the tries counted, and a refusal, outlive the error
            if exc.status_code not in (409, 422):
                raise
            return _consent_page(request, service.session_of_officer(db, p, counter_id), exc=exc,
                                 status_code=exc.status_code)
        db.commit()
        return RedirectResponse("/me", status_code=303)

    return await run_in_threadpool(run)


@router.post("/counter/sessions/{counter_id}/close", response_class=HTMLResponse)
def close(counter_id: RowId, request: Request, p: Principal = allow(*STAFF), db: Session = Depends(get_db)
          ) -> Response:
    """End the session (the banner's button): the visitor is told, and the summary is ready to print."""
    counter = service.session_of_officer(db, p, counter_id, for_update=True)
    service.close_session(db, counter, offices=offices_of(request))
    db.commit()
    return RedirectResponse(f"/counter/sessions/{counter_id}/summary", status_code=303)


@router.get("/counter/sessions/{counter_id}/summary", response_class=HTMLResponse)
def summary_page(counter_id: RowId, request: Request, p: Principal = allow(*STAFF, CITIZEN),
                 db: Session = Depends(get_db)) -> Response:
    """The printable summary, for the visitor and the staff of the officer's agency."""
    counter = summary.readable(db, p, counter_id)
    found = summary.summarise(db, counter, catalog_of(request), offices_of(request))
    return render(request, "counter/summary.html", {"s": found, "stylesheets": ["/static/counter-print.css"]})


def _recovery_page(request: Request, db: Session, p: Principal, **context: Any) -> Response:
    counter = service.open_session_of(db, p)
    status_code = context.pop("status_code", 200)
    return render(request, "counter/recovery.html", {"counter": counter, "errors": {}, "message": None,
                                                     "done": False, **context}, status_code=status_code)


@router.get("/counter/recovery", response_class=HTMLResponse)
def recovery_page(request: Request, p: Principal = allow(COUNTER), db: Session = Depends(get_db)) -> Response:
    """The visitor sets a new password on the counter's screen (after the officer checked the ID card)."""
    return _recovery_page(request, db, p)


@router.post("/counter/recovery", response_class=HTMLResponse)
async def recovery_submit(request: Request, p: Principal = allow(COUNTER), db: Session = Depends(get_db)
                          ) -> Response:
    form = await request.form()
    new, again = str(form.get("new_password") or ""), str(form.get("new_password_again") or "")

    def run() -> Response:
        try:
            service.reset_password(db, p, new, again, messenger=part(request, recovery.RESET_MESSENGER))
        except PrachaError as exc:
            if exc.status_code != 422:
                raise
            db.rollback()
            lang = request.state.lang
            return _recovery_page(request, db, p, errors=problems(exc, lang), message=exc.message(lang),
                                  status_code=422)
        db.commit()
        return _recovery_page(request, db, p, done=True)

    return await run_in_threadpool(run)
