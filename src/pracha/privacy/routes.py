"""Pages of the PDPA rights: the citizen's `/me/privacy` (what Pracha holds, the rights, requests,
sessions) and readable export, and the DPO's `/privacy/requests`. Thin: parse, call the service,
commit, render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import PrachaError
from pracha.exchange.vocabulary import REGISTRIES
from pracha.http.access import SESSION_COOKIE, allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN, DPO
from pracha.identity.principal import Principal
from pracha.identity.service import digest
from pracha.paging import PageRequest, page_request
from pracha.privacy import erasure, export, rights
from pracha.services.deps import catalog_of
from pracha.services.service import today_in_thailand

router = APIRouter(include_in_schema=False)
RequestId = Annotated[int, Path(ge=1, le=9223372036854775807)]
SessionHandle = Annotated[str, Path(min_length=16, max_length=16, pattern="^[0-9a-f]{16}$")]


def _names() -> dict[str, Any]:
    return {"KINDS": rights.KIND_NAMES, "STATUSES": rights.STATUS_NAMES, "SECTION": rights.SECTION,
            "PRACHA_FIELDS": rights.PRACHA_FIELDS, "REGISTRY_FIELDS": rights.REGISTRY_FIELDS,
            "SCOPES": erasure.SCOPES, "REGISTRIES": REGISTRIES, "today": today_in_thailand()}


def _current(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return digest(cookie) if cookie else None


def privacy_page(request: Request, db: Session, p: Principal, *, errors: dict[str, str] | None = None,
                 message: str | None = None, status_code: int = 200, form: dict[str, Any] | None = None) -> Response:
    assert p.user is not None
    current = _current(request)
    sessions = [{"id": export.session_handle(s), "created_at": s.created_at, "expires_at": s.expires_at,
                 "this_device": s.token_hash == current} for s in export.active_sessions(db, p.user.id)]
    found = rights.my_requests(db, p, PageRequest(limit=50))
    return render(request, "privacy_me.html", {
        "profile": p.user, "sessions": sessions, "requests": found.items, "errors": errors or {},
        "message": message, "form": form or {}, **_names()}, status_code=status_code)


@router.get("/me/privacy", response_class=HTMLResponse)
def privacy_view(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    return privacy_page(request, db, p)


@router.post("/me/privacy/requests", response_class=HTMLResponse)
async def privacy_request(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                          ) -> Response:
    form = await request.form()
    kind = str(form.get("kind") or "")
    fields = [str(f) for f in form.getlist("fields") if isinstance(f, str)]
    values = {name: str(form.get(f"value_{name}") or "") for name in rights.PRACHA_FIELDS
              if name in fields and form.get(f"value_{name}")}
    details = str(form.get("details") or "")
    calendar = catalog_of(request).calendar

    def run() -> Response:
        try:
            created = rights.create_request(db, p, kind=kind, details=details, fields=fields, values=values,
                                            today=today_in_thailand(), calendar=calendar)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            lang = request.state.lang
            errors = {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}
            return privacy_page(request, db, p, errors=errors, message=exc.message(lang),
                                status_code=exc.status_code, form={"kind": kind, "details": details})
        return RedirectResponse(f"/me/privacy?sent={created.reference}#request-{created.reference}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/me/privacy/sessions/{session_id}/revoke")
def revoke_session(session_id: SessionHandle, request: Request, p: Principal = allow(CITIZEN),
                   db: Session = Depends(get_db)) -> Response:
    revoked = rights.revoke_session(db, p, session_id)
    db.commit()
    if session_id == (_current(request) or "")[:16]:
        return RedirectResponse("/signin", status_code=303)  # this device: signed out
    return RedirectResponse(f"/me/privacy?revoked={int(revoked)}#sessions", status_code=303)


@router.get("/me/privacy/export", response_class=HTMLResponse)
def export_view(request: Request, p: Principal = allow(CITIZEN, write=True), db: Session = Depends(get_db)
                ) -> Response:
    """The readable copy of everything Pracha holds (the same content as the JSON export)."""
    export.record_export(db, p)
    body = export.build_export(db, catalog_of(request), p, current_session=_current(request),
                               lang=request.state.lang)
    db.commit()
    return render(request, "privacy_export.html", {"export": body, **_names()})


# --- the data-protection officer ------------------------------------------------------------------


@router.get("/privacy/requests", response_class=HTMLResponse)
def dpo_list(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(DPO),
             db: Session = Depends(get_db)) -> Response:
    show_all = request.query_params.get("all") == "1"
    found = rights.all_requests(db, p, page, open_only=not show_all)
    return render(request, "privacy_dpo_list.html", {"requests": found.items, "page": found, "show_all": show_all,
                                                     **_names()})


def dpo_page(request: Request, db: Session, p: Principal, request_id: int, *, message: str | None = None,
             errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    found = rights.get_request(db, p, request_id)
    kept = erasure.kept_records(db, found.user) if found.kind == rights.ERASURE else []
    return render(request, "privacy_dpo_request.html", {
        "r": found, "citizen": found.user, "kept": kept, "message": message, "errors": errors or {},
        **_names()}, status_code=status_code)


@router.get("/privacy/requests/{request_id}", response_class=HTMLResponse)
def dpo_view(request_id: RequestId, request: Request, p: Principal = allow(DPO), db: Session = Depends(get_db)
             ) -> Response:
    return dpo_page(request, db, p, request_id)


@router.post("/privacy/requests/{request_id}/forward", response_class=HTMLResponse)
def dpo_forward(request_id: RequestId, request: Request, p: Principal = allow(DPO), db: Session = Depends(get_db)
                ) -> Response:
    rights.forward(db, p, request_id)
    db.commit()
    return RedirectResponse(f"/privacy/requests/{request_id}", status_code=303)


@router.post("/privacy/requests/{request_id}/decision", response_class=HTMLResponse)
async def dpo_decide(request_id: RequestId, request: Request, p: Principal = allow(DPO),
                     db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    decision, reason = str(form.get("decision") or ""), str(form.get("reason") or "")

    def run() -> Response:
        try:
            rights.decide(db, p, request_id, decision=decision, reason=reason)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            lang = request.state.lang
            errors = {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}
            return dpo_page(request, db, p, request_id, message=exc.message(lang), errors=errors,
                            status_code=exc.status_code)
        return RedirectResponse(f"/privacy/requests/{request_id}?decided=1", status_code=303)

    return await run_in_threadpool(run)
