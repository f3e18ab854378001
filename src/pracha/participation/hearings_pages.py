"""The hearings' pages: the public list and page (with the signed-in citizen's answer form while open),
and the agency's pages under /officer/hearings (new draft, PDF, publish, the answers, the summary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.calendar import BANGKOK
from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.ledger.deps import sequenced
from pracha.opendata.deps import open_data
from pracha.paging import PageRequest
from pracha.participation import hearings, hearings_answers, hearings_report, hearings_views
from pracha.participation.deps import rules_of, secret_of
from pracha.participation.models import H_OPEN
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)
STAFF = (OFFICER, AGENCY_ADMIN, PLATFORM_ADMIN)
ISSUE_ROWS = 5  # rows of issues on the summary form


def _errors(exc: PrachaError, lang: str) -> dict[str, str]:
    fields = {name: msg["en" if lang == "en" else "th"] for name, msg in exc.fields.items()}
    return fields or {"form": exc.message(lang)}


def _public_page(request: Request, db: Session, p: Principal, hearing_id: int, *, values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    hearing = hearings.get_hearing(db, p, hearing_id)
    view = hearings_views.view_hearing(db, hearing)
    mine = hearings_answers.my_response(db, p, hearing) if p.role == CITIZEN else None
    if values is None and mine is not None:
        values = {"answers": mine.answers, "comments": mine.comments, "publish_consent": mine.publish_consent}
    agency = catalog_of(request).agencies.get(hearing.agency)
    return render(request, "participation/hearing.html", {
        "h": hearing, "view": view, "agency": agency, "kind": rules_of(request).hearing_kinds.get(hearing.kind),
        "may_answer": p.role == CITIZEN and view.status == H_OPEN, "mine": mine,
        "values": values or {"answers": {}, "comments": {}, "publish_consent": False}, "errors": errors or {},
        "sections": {s["id"]: s for s in hearing.sections}}, status_code=status_code)


@router.get("/hearings", response_class=HTMLResponse)
def hearings_list(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """Open hearings first, then upcoming, closed and reported ones."""
    groups = [(status, hearings.list_hearings(db, p, PageRequest(limit=100), status=status).items)
              for status in (H_OPEN, hearings.UPCOMING, "closed", "reported")]
    return render(request, "participation/hearings.html", {"groups": groups, "catalog": catalog_of(request),
                                                            "kinds": rules_of(request).hearing_kinds})


@router.get("/hearings/{hearing_id}", response_class=HTMLResponse, dependencies=[Depends(sequenced)])
def hearing_page(hearing_id: RowId, request: Request, p: Principal = allow(PUBLIC),
                 db: Session = Depends(get_db)) -> Response:
    return _public_page(request, db, p, hearing_id)


@router.post("/hearings/{hearing_id}/response", response_class=HTMLResponse)
async def answer_form(hearing_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    answers = {k.removeprefix("answer_"): str(v) for k, v in form.items() if k.startswith("answer_")}
    comments = {k.removeprefix("comment_"): str(v) for k, v in form.items() if k.startswith("comment_")}
    consent = form.get("publish_consent") == "yes"

    def run() -> Response:
        hearing = hearings.get_hearing(db, p, hearing_id)
        try:
            hearings_answers.answer_hearing(db, p, secret_of(request), hearing,
                                            hearings_answers.Answer(answers, comments, consent))
            db.commit()
        except PrachaError as exc:
            db.rollback()
            values = {"answers": answers, "comments": comments, "publish_consent": consent}
            return _public_page(request, db, p, hearing_id, values=values, errors=_errors(exc, request.state.lang),
                                status_code=exc.status_code)
        return RedirectResponse(f"/hearings/{hearing_id}?saved=1#answer", status_code=303)

    return await run_in_threadpool(run)


def _staff_list(request: Request, db: Session, p: Principal, *, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    rows = [(h, hearings.status_of(h)) for h in hearings.agency_hearings(db, p)]
    return render(request, "participation/hearing_staff_list.html", {
        "rows": rows, "kinds": rules_of(request).hearing_kinds, "values": values or {}, "errors": errors or {},
        "minimum_days": rules_of(request).hearing_minimum_days, "catalog": catalog_of(request)},
        status_code=status_code)


@router.get("/officer/hearings", response_class=HTMLResponse)
def staff_hearings(request: Request, p: Principal = allow(*STAFF), db: Session = Depends(get_db)) -> Response:
    return _staff_list(request, db, p)


def _bangkok_midnight(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=BANGKOK)


@router.post("/officer/hearings", response_class=HTMLResponse)
def staff_new_hearing(request: Request, kind: str = Form("", max_length=16), title_th: str = Form("", max_length=1000),
                      title_en: str = Form("", max_length=1000), summary_th: str = Form("", max_length=20000),
                      summary_en: str = Form("", max_length=20000), sections: str = Form("", max_length=20000),
                      questions: str = Form("", max_length=20000), opens_on: str = Form("", max_length=10),
                      closes_on: str = Form("", max_length=10), agency: str = Form("", max_length=64),
                      p: Principal = allow(*STAFF), db: Session = Depends(get_db)) -> Response:
    """A draft from the form: dates are whole days in Thailand (open from the first day's start to the
    last day's end)."""
    values = {"kind": kind, "title_th": title_th, "title_en": title_en, "summary_th": summary_th,
              "summary_en": summary_en, "sections": sections, "questions": questions, "opens_on": opens_on,
              "closes_on": closes_on, "agency": agency}
    lang = request.state.lang
    try:
        opens_at, closes_at = _bangkok_midnight(opens_on), _bangkok_midnight(closes_on) + dt.timedelta(days=1)
    except ValueError:
        problem = "กรุณาระบุวันเปิดและวันปิด" if lang != "en" else "Give the opening and closing dates."
        return _staff_list(request, db, p, values=values, errors={"closes_on": problem}, status_code=422)
    draft = hearings.Draft(kind, title_th, summary_th, opens_at, closes_at, title_en or None, summary_en or None,
                           hearings_views.parse_sections(sections), hearings_views.parse_questions(questions),
                           agency or None)
    try:
        hearing = hearings.create_hearing(db, p, rules_of(request), frozenset(catalog_of(request).agencies), draft)
        db.commit()
    except PrachaError as exc:
        db.rollback()
        errors = {("closes_on" if k == "closes_at" else k): v for k, v in _errors(exc, lang).items()}
        return _staff_list(request, db, p, values=values, errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/officer/hearings/{hearing.id}?created=1", status_code=303)


def _staff_page(request: Request, db: Session, p: Principal, hearing_id: int, *, errors: dict[str, str] | None = None,
                values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    hearing = hearings.staff_hearing(db, p, hearing_id)
    view = hearings_views.view_hearing(db, hearing)
    return render(request, "participation/hearing_staff.html", {
        "h": hearing, "view": view, "answers": hearings_answers.staff_comments(db, hearing),
        "sections": {s["id"]: s for s in hearing.sections}, "questions": {q["id"]: q for q in hearing.questions},
        "errors": errors or {}, "values": values or {}, "issue_rows": range(1, ISSUE_ROWS + 1),
        "max_mb": f"{app_state(request).settings.max_upload_bytes / (1024 * 1024):g}"}, status_code=status_code)


@router.get("/officer/hearings/{hearing_id}", response_class=HTMLResponse, dependencies=[Depends(sequenced)])
def staff_hearing_page(hearing_id: RowId, request: Request, p: Principal = allow(*STAFF),
                       db: Session = Depends(get_db)) -> Response:
    return _staff_page(request, db, p, hearing_id)


@router.post("/officer/hearings/{hearing_id}/document", response_class=HTMLResponse)
def staff_document(hearing_id: RowId, request: Request, file: UploadFile | None = File(None),
                   p: Principal = allow(*STAFF), db: Session = Depends(get_db)) -> Response:
    hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
    limit = app_state(request).settings.max_upload_bytes
    try:
        content = file.file.read(limit + 1) if file is not None else b""
        hearings.attach_document(hearing, content, (file.filename if file else None) or "document.pdf", limit)
        db.commit()
    except PrachaError as exc:
        db.rollback()
        return _staff_page(request, db, p, hearing_id, errors=_errors(exc, request.state.lang),
                           status_code=exc.status_code)
    return RedirectResponse(f"/officer/hearings/{hearing_id}?uploaded=1", status_code=303)


@router.post("/officer/hearings/{hearing_id}/publish", response_class=HTMLResponse)
def staff_publish(hearing_id: RowId, request: Request, p: Principal = allow(*STAFF),
                  db: Session = Depends(get_db)) -> Response:
    hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
    try:
        hearings.publish_hearing(hearing, rules_of(request))
        db.commit()
    except PrachaError as exc:
        db.rollback()
        return _staff_page(request, db, p, hearing_id, errors=_errors(exc, request.state.lang),
                           status_code=exc.status_code)
    return RedirectResponse(f"/officer/hearings/{hearing_id}?published=1", status_code=303)


@router.post("/officer/hearings/{hearing_id}/report", response_class=HTMLResponse)
async def staff_report(hearing_id: RowId, request: Request, p: Principal = allow(*STAFF),
                       db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    values = {k: str(v)[:20000] for k, v in form.items() if k != "csrf_token"}
    issues = [{"issue_th": values.get(f"issue_th_{n}", ""), "response_th": values.get(f"response_th_{n}", "")}
              for n in range(1, ISSUE_ROWS + 1)
              if values.get(f"issue_th_{n}", "").strip() or values.get(f"response_th_{n}", "").strip()]

    def run() -> Response:
        hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
        try:
            hearings_report.write_report(db, p, open_data(request), hearing, values.get("text_th", ""),
                                         values.get("text_en") or None, issues)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return _staff_page(request, db, p, hearing_id, errors=_errors(exc, request.state.lang), values=values,
                               status_code=exc.status_code)
        return RedirectResponse(f"/hearings/{hearing_id}?reported=1#report", status_code=303)

    return await run_in_threadpool(run)
