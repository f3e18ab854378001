"""Petition pages: the public list and page, a citizen's new petition and support button, the
moderator's check and the agency's answer. Thin: parse the form, call the service, commit, redirect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, MODERATOR, OFFICER
from pracha.identity.principal import Principal
from pracha.paging import PageRequest
from pracha.participation import petitions, petitions_support
from pracha.participation.deps import rules_of, secret_of
from pracha.participation.models import P_CLOSED, P_OPEN, P_PENDING, P_RESPONDED
from pracha.participation.petitions_view import may_read_text
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _lang_errors(request: Request, exc: PrachaError) -> dict[str, str]:
    lang = request.state.lang
    return {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}


@router.get("/petitions", response_class=HTMLResponse)
def petitions_list(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    page = PageRequest(limit=100)
    open_ones = petitions.list_petitions(db, p, page, status=P_OPEN).items
    answered = petitions.list_petitions(db, p, page, status=P_RESPONDED).items
    closed = petitions.list_petitions(db, p, page, status=P_CLOSED).items
    return render(request, "participation/petitions.html", {
        "open_petitions": open_ones, "answered": answered, "closed": closed,
        "readable": lambda x: may_read_text(p, x)})


def new_page(request: Request, *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
             message: str | None = None, status_code: int = 200) -> Response:
    low, default, high = rules_of(request).petition_days
    return render(request, "participation/petition_new.html", {
        "form": form or {"days_open": str(default)}, "errors": errors or {}, "message": message,
        "days": (low, default, high)}, status_code=status_code)


@router.get("/petitions/new", response_class=HTMLResponse)
def petition_new(request: Request, p: Principal = allow(CITIZEN)) -> Response:
    return new_page(request)


@router.post("/petitions", response_class=HTMLResponse)
async def petition_create(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                          ) -> Response:
    form = await request.form()
    values = {k: _form_text(form, k) for k in ("agency", "title", "body", "days_open")}
    rules, agencies = rules_of(request), set(catalog_of(request).agencies)

    def run() -> Response:
        days = int(values["days_open"]) if values["days_open"].isdigit() and len(values["days_open"]) < 5 else -1
        try:
            petition = petitions.create_petition(db, p, rules, agencies, agency=values["agency"],
                                                 title=values["title"], body=values["body"], days_open=days)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return new_page(request, form=values, errors=_lang_errors(request, exc),
                            message=exc.message(request.state.lang), status_code=exc.status_code)
        return RedirectResponse(f"/petitions/{petition.id}?created=1", status_code=303)

    return await run_in_threadpool(run)


@router.get("/petitions/{petition_id}", response_class=HTMLResponse)
def petition_page(petition_id: RowId, request: Request, p: Principal = allow(PUBLIC),
                  db: Session = Depends(get_db)) -> Response:
    petition = petitions.get_petition(db, p, petition_id)
    mine = petitions_support.my_support(db, p, secret_of(request), petition_id) if p.role == CITIZEN else None
    return render(request, "participation/petition.html", {
        "petition": petition, "readable": may_read_text(p, petition), "mine": mine, "is_citizen": p.role == CITIZEN,
        "ledger": petitions_support.ledger_range(db, petition_id),
        "message": request.query_params.get("done", "")})


@router.post("/petitions/{petition_id}/support")
def petition_support(petition_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                     db: Session = Depends(get_db)) -> Response:
    petitions.get_petition(db, p, petition_id)
    petitions_support.support_petition(db, p, secret_of(request), petition_id)
    db.commit()
    return RedirectResponse(f"/petitions/{petition_id}?done=supported", status_code=303)


@router.post("/petitions/{petition_id}/withdraw")
def petition_withdraw(petition_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> Response:
    petitions.get_petition(db, p, petition_id)
    petitions_support.withdraw_support(db, p, secret_of(request), petition_id)
    db.commit()
    return RedirectResponse(f"/petitions/{petition_id}?done=withdrawn", status_code=303)


# --- the moderator and the agency -----------------------------------------------------------------


@router.get("/moderation/petitions", response_class=HTMLResponse)
def moderation_list(request: Request, p: Principal = allow(MODERATOR), db: Session = Depends(get_db)) -> Response:
    pending = petitions.list_petitions(db, p, PageRequest(limit=200), status=P_PENDING).items
    return render(request, "participation/petitions_moderation.html", {"pending": pending})


@router.post("/moderation/petitions/{petition_id}/decision")
async def moderation_decide(petition_id: RowId, request: Request, p: Principal = allow(MODERATOR),
                            db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    action, reason = _form_text(form, "action"), _form_text(form, "reason")

    def run() -> Response:
        petitions.decide_petition(db, p, petition_id, action=action, reason=reason)
        db.commit()
        return RedirectResponse(f"/moderation/petitions?done={action}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/officer/petitions", response_class=HTMLResponse)
def officer_list(request: Request, p: Principal = allow(OFFICER, AGENCY_ADMIN), db: Session = Depends(get_db)
                 ) -> Response:
    """The agency's petitions that reached the threshold, earliest response date first."""
    rows = petitions.agency_petitions(db, p.agency or "")
    return render(request, "participation/petitions_officer.html", {"petitions": rows, "errors": {}})


@router.post("/officer/petitions/{petition_id}/response")
async def officer_respond(petition_id: RowId, request: Request, p: Principal = allow(OFFICER, AGENCY_ADMIN),
                          db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    response_th, response_en = _form_text(form, "response_th"), _form_text(form, "response_en")

    def run() -> Response:
        petitions.respond_petition(db, p, petition_id, response_th=response_th, response_en=response_en)
        db.commit()
        return RedirectResponse(f"/petitions/{petition_id}?done=responded", status_code=303)

    return await run_in_threadpool(run)
