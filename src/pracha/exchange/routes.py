"""Pages of the exchange: the citizen's consents (grant, withdraw, receipt) and data tracker, and the
platform admin's members, services and access rights. Thin: parse, call the service, commit, render."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import utcnow
from pracha.errors import PrachaError
from pracha.exchange import consent, members, tracker
from pracha.exchange.vocabulary import CATEGORIES, PURPOSES, category_name, purpose_name
from pracha.http.access import allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import AUDITOR, CITIZEN, PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.ledger.deps import ledger_of, sequenced
from pracha.paging import PageRequest, page_request
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)
EXCHANGE_ADMINS = (PLATFORM_ADMIN, AUDITOR)


def _names() -> dict[str, object]:
    return {"purpose_name": purpose_name, "category_name": category_name, "PURPOSES": PURPOSES,
            "CATEGORIES": CATEGORIES}


def _local(target: str, default: str) -> str:
    """Only a path on this site (never //host or a scheme) may be a redirect target."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


def consents_page(request: Request, db: Session, p: Principal, *, message: str | None = None,
                  status_code: int = 200, page: PageRequest = PageRequest()) -> Response:
    found = consent.my_consents(db, p, page)
    return render(request, "consents.html", {
        "consents": found.items, "page": found, "offers": consent.offers(db), "message": message,
        "now": utcnow(), "client_token": secrets.token_urlsafe(16), **_names()}, status_code=status_code)


@router.get("/me/consents", response_class=HTMLResponse)
def consents_view(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(CITIZEN),
                  db: Session = Depends(get_db)) -> Response:
    return consents_page(request, db, p, page=page)


@router.post("/me/consents", response_class=HTMLResponse)
async def consents_grant(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                         ) -> Response:
    form = await request.form()
    settings = app_state(request).settings
    categories = [str(c) for c in form.getlist("categories") if isinstance(c, str)]
    target = _local(str(form.get("next") or ""), "/me/consents")

    def run() -> Response:
        try:
            consent.grant(db, p, recipient_id=str(form.get("recipient_id") or ""),
                          purpose=str(form.get("purpose") or ""), categories=categories,
                          notice_version=settings.exchange_notice_version, days=settings.exchange_consent_days,
                          max_active=settings.quota_active_consents,
                          client_token=str(form.get("client_token") or "")[:64] or None)  # a form sent twice: one
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return consents_page(request, db, p, message=exc.message(request.state.lang),
                                 status_code=exc.status_code)
        return RedirectResponse(target, status_code=303)

    return await run_in_threadpool(run)


@router.post("/me/consents/{consent_id}/withdraw", response_class=HTMLResponse)
def consents_withdraw(consent_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> Response:
    consent.withdraw(db, p, consent_id)
    db.commit()
    return RedirectResponse("/me/consents?withdrawn=1", status_code=303)


@router.get("/me/consents/{consent_id}", response_class=HTMLResponse)
def consent_view(consent_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                 db: Session = Depends(get_db)) -> Response:
    """The printable consent receipt."""
    record = consent.get_consent(db, p, consent_id)
    return render(request, "consent.html", {"consent": record, "snapshot": consent.snapshot(record), **_names()})


@router.get("/me/consents/{consent_id}/receipt", dependencies=[Depends(sequenced)])
def consent_receipt(consent_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                    db: Session = Depends(get_db)) -> Response:
    body = consent.receipt(db, p, consent_id, ledger_of(request))
    return JSONResponse(body, headers={"Content-Disposition": content_disposition(f"consent-{consent_id}.json")})


@router.get("/me/data-tracker", response_class=HTMLResponse)
def tracker_view(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(CITIZEN),
                 db: Session = Depends(get_db)) -> Response:
    found = tracker.entries(db, p, page, lang=request.state.lang, agencies=tracker.agency_names(catalog_of(request)))
    rows = [{**r, "at": dt.datetime.fromisoformat(r["time"])} for r in found.items]
    return render(request, "tracker.html", {"rows": rows, "page": found})


@router.get("/me/data-tracker/{message_reference}/receipt", dependencies=[Depends(sequenced)])
def tracker_receipt(message_reference: str, request: Request, p: Principal = allow(CITIZEN),
                    db: Session = Depends(get_db)) -> Response:
    body = tracker.receipt(db, p, message_reference, ledger_of(request))
    filename = f"access-{message_reference[:32]}.json"
    return JSONResponse(body, headers={"Content-Disposition": content_disposition(filename)})


# --- platform admin -------------------------------------------------------------------------------


def admin_page(request: Request, db: Session, p: Principal, *, errors: dict[str, str] | None = None,
               message: str | None = None, status_code: int = 200, page: PageRequest = PageRequest()) -> Response:
    rights = members.access_rights(db, page)
    return render(request, "exchange_admin.html", {
        "subsystems": members.list_clients(db), "services": members.list_services(db),
        "rights": rights.items, "page": rights, "errors": errors or {}, "message": message,
        "may_change": p.role == PLATFORM_ADMIN, **_names()}, status_code=status_code)


@router.get("/admin/exchange", response_class=HTMLResponse)
def admin_view(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(*EXCHANGE_ADMINS),
               db: Session = Depends(get_db)) -> Response:
    return admin_page(request, db, p, page=page)


@router.post("/admin/exchange/access-rights", response_class=HTMLResponse)
async def admin_grant(request: Request, p: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)
                      ) -> Response:
    form = await request.form()

    def run() -> Response:
        try:
            members.grant_access(db, p, client_id=str(form.get("client_id") or ""),
                                 service_id=str(form.get("service_id") or ""), purpose=str(form.get("purpose") or ""))
            db.commit()
        except PrachaError as exc:
            db.rollback()
            lang = request.state.lang
            errors = {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}
            return admin_page(request, db, p, errors=errors, message=exc.message(lang), status_code=exc.status_code)
        return RedirectResponse("/admin/exchange#rights", status_code=303)

    return await run_in_threadpool(run)


@router.post("/admin/exchange/access-rights/{right_id}/revoke", response_class=HTMLResponse)
def admin_revoke(right_id: RowId, request: Request, p: Principal = allow(PLATFORM_ADMIN),
                 db: Session = Depends(get_db)) -> Response:
    members.revoke_access(db, p, right_id)
    db.commit()
    return RedirectResponse("/admin/exchange#rights", status_code=303)
