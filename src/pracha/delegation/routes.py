"""Pages of pracha.delegation (thin: the logic is in `service`, `forms` and `activity`): a citizen's
delegations (/me/delegations: grant, given, received, the actions taken for them), choosing whom to act
for (/me/acting-for), the counter's form for a delegation with a power of attorney, and the scan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.delegation import activity, forms, service
from pracha.errors import InvalidInput, PrachaError
from pracha.http.access import allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.deps import web_session_of
from pracha.identity.models import CITIZEN
from pracha.identity.principal import COUNTER, DELEGATE, Principal
from pracha.services.catalog import CITIZEN_AUDIENCE, Catalog
from pracha.services.deps import catalog_of, problems

router = APIRouter(include_in_schema=False)
SELF = "self"
FIELDS = ("national_id", "relationship", "valid_from", "valid_until")


def _citizen_services(catalog: Catalog) -> list[Any]:
    return sorted((s for s in catalog.services.values() if CITIZEN_AUDIENCE in s.audience), key=lambda s: s.id)


def _form_context(request: Request, errors: dict[str, str] | None, message: str | None,
                  values: dict[str, Any] | None) -> dict[str, Any]:
    first, last = service.default_period()
    return {"services": _citizen_services(catalog_of(request)), "relationships": service.RELATIONSHIPS,
            "errors": errors or {}, "message": message,
            "values": values or {"valid_from": first.isoformat(), "valid_until": last.isoformat(), "services": []}}


def _delegations_page(request: Request, db: Session, p: Principal, *, errors: dict[str, str] | None = None,
                      message: str | None = None, values: dict[str, Any] | None = None, status_code: int = 200
                      ) -> Response:
    assert p.user is not None
    return render(request, "delegation/delegations.html", {
        **_form_context(request, errors, message, values),
        "given": service.given(db, p.user.id), "received": service.received(db, p.user.id),
        "actions": activity.actions_for(db, p.user.id), "status_of": service.status_of,
        "acting_for_company": p.acting is not None,
    }, status_code=status_code)


@router.get("/me/delegations", response_class=HTMLResponse)
def delegations_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """My delegations: the form to authorise someone, those I gave and received, and what was done for me."""
    return _delegations_page(request, db, p)


def _day(value: str, field: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("กรุณาระบุวันที่ให้ถูกต้อง", "Please give a valid date.",
                           fields={field: {"th": "กรุณาระบุวันที่ให้ถูกต้อง", "en": "Please give a valid date."}}) from None




@router.post("/me/delegations", response_class=HTMLResponse)
async def add_delegation(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in FIELDS}
    values["services"] = [str(v) for v in form.getlist("services")]

    def run() -> Response:
        lang = request.state.lang
        try:
            service.grant(db, catalog_of(request), p, values["national_id"], values["relationship"],
                          values["services"], _day(values["valid_from"], "valid_from"),
                          _day(values["valid_until"], "valid_until"))
            db.commit()
        except InvalidInput as exc:
            db.rollback()
            return _delegations_page(request, db, p, errors=problems(exc, lang), message=exc.message(lang),
                                     values=values, status_code=422)
        return RedirectResponse("/me/delegations?granted=1", status_code=303)

    return await run_in_threadpool(run)


@router.post("/me/delegations/{delegation_id}/revoke", response_class=HTMLResponse)
def revoke_delegation(delegation_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """The grantor revokes, or the delegate gives it up."""
    service.revoke(db, p, delegation_id)
    db.commit()
    return RedirectResponse("/me/delegations?revoked=1", status_code=303)


def _acting_page(request: Request, db: Session, p: Principal, *, message: str | None = None,
                 status_code: int = 200) -> Response:
    assert p.user is not None
    current = p.for_person.person.id if p.for_person is not None and p.for_person.kind == DELEGATE else None
    return render(request, "delegation/acting_for.html", {
        "grantors": service.grantors_of(db, p.user.id), "current": current, "message": message},
        status_code=status_code)


@router.get("/me/acting-for", response_class=HTMLResponse)
def acting_for_page(request: Request, p: Principal = allow(CITIZEN, DELEGATE), db: Session = Depends(get_db)
                    ) -> Response:
    """Act for myself, or for a person whose live delegation lets me."""
    return _acting_page(request, db, p)


@router.post("/me/acting-for", response_class=HTMLResponse)
async def choose_person(request: Request, p: Principal = allow(CITIZEN, DELEGATE), db: Session = Depends(get_db)
                        ) -> Response:
    form = await request.form()
    chosen = str(form.get("grantor") or "").strip()

    def run() -> Response:
        web_session = web_session_of(request, db, p)
        try:
            if chosen == SELF:
                service.act_as_self(web_session)
            else:
                service.switch(db, web_session, int(chosen) if chosen.isdigit() and len(chosen) < 19 else 0)
            db.commit()
        except PrachaError as exc:
            if exc.status_code != 403:
                raise
            db.rollback()
            return _acting_page(request, db, p, message=exc.message(request.state.lang), status_code=403)
        return RedirectResponse("/me", status_code=303)

    return await run_in_threadpool(run)


def _counter_page(request: Request, p: Principal, *, errors: dict[str, str] | None = None,
                  message: str | None = None, values: dict[str, Any] | None = None, status_code: int = 200
                  ) -> Response:
    return render(request, "delegation/counter_new.html", {
        **_form_context(request, errors, message, values),
        "visitor": p.for_person.person if p.for_person is not None else None}, status_code=status_code)


@router.get("/counter/delegations/new", response_class=HTMLResponse)
def counter_delegation_form(request: Request, p: Principal = allow(COUNTER)) -> Response:
    """At the counter: register the visitor's delegation, with the scanned power of attorney."""
    return _counter_page(request, p)


@router.post("/counter/delegations", response_class=HTMLResponse)
async def counter_add_delegation(request: Request, p: Principal = allow(COUNTER), db: Session = Depends(get_db)
                                 ) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in FIELDS}
    values["services"] = [str(v) for v in form.getlist("services")]
    upload = form.get(forms.FIELD)
    scan = forms.Scan(upload.file, upload.filename or "", upload.content_type or "") if isinstance(
        upload, UploadFile) and upload.filename else None
    settings = app_state(request).settings

    def run() -> Response:
        lang = request.state.lang
        try:
            forms.register_at_counter(
                db, catalog_of(request), p, settings.var_dir, national_id=values["national_id"],
                relationship=values["relationship"], services=values["services"],
                valid_from=_day(values["valid_from"], "valid_from"),
                valid_until=_day(values["valid_until"], "valid_until"), scan=scan,
                max_bytes=settings.max_upload_bytes)
            db.commit()
        except InvalidInput as exc:
            db.rollback()
            return _counter_page(request, p, errors=problems(exc, lang), message=exc.message(lang), values=values,
                                 status_code=422)
        return RedirectResponse("/me?delegated=1", status_code=303)

    return await run_in_threadpool(run)


@router.get("/delegations/{delegation_id}/power-of-attorney")
def power_of_attorney(delegation_id: RowId, request: Request, p: Principal = allow(CITIZEN, COUNTER),
                      db: Session = Depends(get_db)) -> Response:
    """The scanned power of attorney: for the grantor, or an officer serving the grantor at a counter."""
    path, content_type = forms.power_of_attorney(db, p, app_state(request).settings.var_dir, delegation_id)
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(content_type, "")
    return FileResponse(path, media_type=content_type, filename=f"power-of-attorney-{delegation_id}{extension}",
                        headers={"Cache-Control": "private, no-store"})
