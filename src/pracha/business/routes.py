"""Pages of acting for an organisation: choose whom to act for (/me/organisations), a director's
authorisations of the company's people (/business/people), and a second director's co-approval of an
application (the button on the application page). Thin: the logic is in `acting`, `grants`, `holding`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.business import acting, grants
from pracha.errors import InvalidInput, PrachaError
from pracha.http.access import allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.deps import web_session_of
from pracha.identity.models import CITIZEN
from pracha.identity.principal import DIRECTOR, Principal
from pracha.services import holding, service
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)
SELF = "self"


def _organisations_page(request: Request, db: Session, p: Principal, *, message: str | None = None,
                        status_code: int = 200) -> Response:
    assert p.user is not None
    found = acting.organisations_of(db, app_state(request).settings, p.user)
    db.commit()
    return render(request, "business/organisations.html", {
        "organisations": found, "current": p.organisation_id, "message": message}, status_code=status_code)


@router.get("/me/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, p: Principal = allow(CITIZEN, write=True),
                       db: Session = Depends(get_db)) -> Response:
    """Act for myself or for one of the organisations the registry (or a director) lets me act for."""
    return _organisations_page(request, db, p)


@router.post("/me/organisations", response_class=HTMLResponse)
async def choose_organisation(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                              ) -> Response:
    form = await request.form()
    chosen = str(form.get("juristic_id") or "")

    def run() -> Response:
        web_session = web_session_of(request, db, p)
        try:
            if chosen == SELF:
                acting.act_as_self(web_session)
            else:
                acting.switch(db, app_state(request).settings, web_session, chosen)
            db.commit()
        except PrachaError as exc:
            if exc.status_code not in (403, 404, 422):
                raise
            db.rollback()
            return _organisations_page(request, db, p, message=exc.message(request.state.lang),
                                       status_code=exc.status_code)
        return RedirectResponse("/me" if chosen == SELF else "/me?acting=1", status_code=303)

    return await run_in_threadpool(run)


def _people_page(request: Request, db: Session, p: Principal, *, errors: dict[str, str] | None = None,
                 message: str | None = None, values: dict[str, Any] | None = None, status_code: int = 200
                 ) -> Response:
    acting_for = p.acting
    director = acting_for is not None and acting_for.role == DIRECTOR
    catalog = catalog_of(request)
    today = grants.today()
    return render(request, "business/people.html", {
        "director": director,
        "grants": grants.list_grants(db, acting_for.juristic_id) if director and acting_for is not None else [],
        "services": sorted(catalog.services.values(), key=lambda s: s.id), "masked": grants.masked,
        "errors": errors or {}, "message": message, "today": today,
        "values": values or {"valid_from": today.isoformat(),
                             "valid_until": today.replace(year=today.year + 1).isoformat() if not (
                                 today.month == 2 and today.day == 29) else today.isoformat()},
    }, status_code=status_code)


@router.get("/business/people", response_class=HTMLResponse)
def people_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """A director's view of who may act for the company, the form to authorise someone, and revoking."""
    return _people_page(request, db, p)


def _day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("กรุณาระบุวันที่ให้ถูกต้อง", "Please give a valid date.",
                           fields={field: {"th": "กรุณาระบุวันที่ให้ถูกต้อง", "en": "Please give a valid date."}}) from None


@router.post("/business/people", response_class=HTMLResponse)
async def add_person(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("national_id", "valid_from", "valid_until")}
    chosen = [str(v) for v in form.getlist("services")]

    def run() -> Response:
        lang = request.state.lang
        try:
            juristic_id = p.organisation_id or ""
            grants.require_director(p, juristic_id)
            grants.grant(db, catalog_of(request), p, juristic_id, values["national_id"], chosen,
                         _day(values["valid_from"], "valid_from"), _day(values["valid_until"], "valid_until"))
            db.commit()
        except PrachaError as exc:
            if exc.status_code != 422:
                raise
            db.rollback()
            errors = {k: v.get(lang, v.get("th", "")) for k, v in (exc.fields or {}).items()}
            return _people_page(request, db, p, errors=errors, message=exc.message(lang), values=values,
                                status_code=422)
        return RedirectResponse("/business/people?granted=1", status_code=303)

    return await run_in_threadpool(run)


@router.post("/business/people/{grant_id}/revoke", response_class=HTMLResponse)
def revoke_person(grant_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    grants.revoke(db, p, p.organisation_id or "", grant_id)
    db.commit()
    return RedirectResponse("/business/people?revoked=1", status_code=303)


@router.post("/applications/{reference}/co-approve", response_class=HTMLResponse)
async def co_approve(reference: str, request: Request, p: Principal = allow(CITIZEN),
                     db: Session = Depends(get_db)) -> Response:
    """The second director's "co-approve and submit" with the declaration ticked."""
    form = await request.form()
    declared = str(form.get("declaration") or "") in ("on", "true", "1", "yes")

    def run() -> Response:
        application = service.get_application(db, p, reference, for_update=True)
        holding.co_approve(db, catalog_of(request), p, application, declaration=declared)
        db.commit()
        return RedirectResponse(f"/applications/{application.reference}?submitted=1#next", status_code=303)

    return await run_in_threadpool(run)
