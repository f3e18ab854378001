"""Pages of the catalogue, the citizen's applications and the officer's queue. Thin: parse, call the
service, commit, render."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.db import registry_of
from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.guard import accept_cut_upload, upload_was_cut
from pracha.http.params import RowId
from pracha.http.rendering import render, render_public
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, CITIZEN, OFFICER
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.ledger.deps import ledger_of, sequenced
from pracha.notices import service as notices
from pracha.paging import PageRequest, page_request
from pracha.services import attachments, casework, eligibility, forms, provenance, service, uploads, views, workflow
from pracha.services.catalog import filter_audience
from pracha.services.deps import application_page, catalog_of, change_application, problems, storage_of
from pracha.services.duplicates import DuplicateApplication
from pracha.services.errors import FormInvalid
from pracha.services.hooks import FORM_PREFILL, QUEUE_NOTES
from pracha.services.models import Application

router = APIRouter(include_in_schema=False)
STAFF_READERS = (OFFICER, AGENCY_ADMIN, AUDITOR)
READERS = (*FOR_A_PERSON, *STAFF_READERS)
ACTORS = (*FOR_A_PERSON, OFFICER, AGENCY_ADMIN)
RESERVED_FIELDS = {"csrf_token", "client_token", "action"}


# --- catalogue ------------------------------------------------------------------------------------


@router.get("/services", response_class=HTMLResponse)
async def catalogue_page(request: Request, q: str = "", agency: str = "", event: str = "",
                         audience: Annotated[Literal["citizen", "business"] | None, Query()] = None,
                         _: Principal = allow(PUBLIC)) -> Response:
    def page() -> dict[str, Any]:
        services = service.find_services(catalog_of(request), query=q, agency=agency, life_event=event)
        return {"services": filter_audience(services, audience), "q": q, "agency": agency, "event": event,
                "audience": audience}

    return await render_public(request, "catalogue.html", page)


def _precheck(request: Request, db: Session, p: Principal, svc: Any) -> dict[str, Any]:
    """A signed-in citizen's pre-check (its registry reads are committed: the data tracker shows them)."""
    if p.role not in FOR_A_PERSON or p.subject is None:
        return {}
    state = app_state(request)
    found = eligibility.check_eligibility(db, state.registry, state.settings, catalog_of(request), p.subject, svc)
    db.commit()
    return {"precheck": found, "related": eligibility.related_services(catalog_of(request), svc)}


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service_page(service_id: str, request: Request, p: Principal = allow(PUBLIC, write_for=FOR_A_PERSON),
                 db: Session = Depends(get_db)) -> Response:
    svc = service.get_service(catalog_of(request), service_id)
    return render(request, "service.html", {"service": svc, "agency": catalog_of(request).agencies[svc.agency],
                                            **_precheck(request, db, p, svc)})


# --- applying -------------------------------------------------------------------------------------


def _form_page(request: Request, svc: Any, *, application: Application | None, values: dict[str, Any],
               errors: dict[str, str], message: str | None = None, status_code: int = 200,
               prefill: Any = None, registry: dict[str, Any] | None = None,
               precheck: dict[str, Any] | None = None) -> Response:
    return render(request, "apply.html", {
        "service": svc, "application": application, "fields": forms.fields(svc.form_schema),
        "values": forms.display_values(svc.form_schema, values), "errors": errors, "message": message,
        "client_token": secrets.token_urlsafe(16), "prefill": prefill, "registry": registry or {},
        **(precheck or {}),
    }, status_code=status_code)


def _prefill(request: Request, db: Session, p: Principal, svc: Any, *, fetch: bool) -> Any:
    """Once-only hook: fields the registries already hold (the exchange logs each fetch)."""
    hook = app_state(request).registry.find(FORM_PREFILL)
    return hook(db, app_state(request).settings, p, svc.form_schema, fetch) if hook is not None else None


def _secret(request: Request) -> str:
    return app_state(request).settings.secret_key.get_secret_value()


@router.get("/services/{service_id}/apply", response_class=HTMLResponse)
def apply_page(service_id: str, request: Request, p: Principal = allow(*FOR_A_PERSON, write=True),
               db: Session = Depends(get_db)) -> Response:
    """The empty form, after the pre-check (its registry reads are the only fetch on this GET: the
    prefill waits for the form's button, which POSTs to `…/prefill`)."""
    svc = service.get_service(catalog_of(request), service_id)
    precheck = _precheck(request, db, p, svc)
    return _form_page(request, svc, application=None, values={}, errors={},
                      prefill=_prefill(request, db, p, svc, fetch=False), precheck=precheck)


@router.post("/services/{service_id}/apply/prefill", response_class=HTMLResponse)
def apply_prefill(service_id: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                  db: Session = Depends(get_db)) -> Response:
    """The form filled in from the registries, at the citizen's request (a registry call: a POST)."""
    svc = service.get_service(catalog_of(request), service_id)
    prefill = _prefill(request, db, p, svc, fetch=True)
    db.commit()
    values = dict(prefill.values) if prefill else {}
    assert p.subject_id is not None
    registry = provenance.sealed(values, prefill.sources, _secret(request), p.subject_id) if prefill else {}
    return _form_page(request, svc, application=None, values=values, errors={}, prefill=prefill, registry=registry)


@router.post("/services/{service_id}/apply", response_class=HTMLResponse)
async def apply_submit(service_id: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                       db: Session = Depends(get_db)) -> Response:
    catalog = catalog_of(request)
    svc = service.get_service(catalog, service_id)
    form = await request.form()
    raw = {k: v for k, v in form.items() if k not in RESERVED_FIELDS and isinstance(v, str)}
    client_token = str(form.get("client_token") or "") or None
    assert p.subject_id is not None
    registry = provenance.carried(svc.form_schema, raw, _secret(request), p.subject_id)

    def run() -> Response:
        try:
            application = service.create_application(db, catalog, p, service_id, raw, client_token=client_token,
                                                     max_open_drafts=app_state(request).settings.quota_open_drafts,
                                                     registry=registry)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            existing = {"existing": exc.details.get("existing")} if isinstance(exc, DuplicateApplication) else {}
            return _form_page(request, svc, application=None, values=raw, errors=problems(exc, request.state.lang),
                              message=exc.message(request.state.lang), status_code=exc.status_code,
                              registry=registry, precheck=existing)
        return RedirectResponse(f"/applications/{application.reference}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/me", response_class=HTMLResponse)
def my_page(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(*FOR_A_PERSON),
            db: Session = Depends(get_db)) -> Response:
    """The citizen's applications; acting for a person, that person's (and none of their notices)."""
    assert p.user is not None
    found = service.my_applications(db, p, page)
    return render(request, "me.html", {
        "applications": found.items, "page": found, "status_text": service.STATUS_TEXT,
        "unread": 0 if p.for_person else notices.unread_count(db, p.user.id),
        "welcome": request.query_params.get("welcome"),
    })


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(CITIZEN, write=True),
               db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    messages = notices.shown_inbox(db, p.user.id, request.state.lang, page)
    response = render(request, "inbox.html", {"messages": messages.items, "page": messages})
    notices.mark_read(db, p.user.id, [m.id for m in messages.items])  # only what was shown
    db.commit()
    return response


# --- one application ------------------------------------------------------------------------------


@router.get("/applications/{reference}", response_class=HTMLResponse)
def application_view(reference: str, request: Request, p: Principal = allow(*READERS, write_for=STAFF_READERS),
                     db: Session = Depends(get_db)) -> Response:
    response = application_page(request, db, p, reference)
    if views.is_staff_view(p):  # shown in the citizen's data tracker
        views.record_view(db, p, service.get_application(db, p, reference))
        db.commit()
    return response


@router.post("/applications/{reference}/form", response_class=HTMLResponse)
async def application_update(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                             db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    raw = {k: v for k, v in form.items() if k not in RESERVED_FIELDS and isinstance(v, str)}
    return await change_application(request, db, p, reference,
                         lambda a: service.update_application(db, catalog_of(request), p, a, raw),
                         f"/applications/{reference}?saved=1")


@router.post("/applications/{reference}/documents", response_class=HTMLResponse,
             dependencies=[Depends(accept_cut_upload)])
async def application_upload(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                             db: Session = Depends(get_db)) -> Response:
    """Attach a file, or (with `replaces`, a document id) put it in place of one. Too large or the wrong
    kind: the page again, the reason beside the file field."""
    form = await request.form()
    upload = form.get("file")
    replaces = str(form.get("replaces") or "")
    storage = storage_of(request)

    def attach(application: Application) -> None:
        if upload_was_cut(request):  # more than the limit was sent: only its start reached us
            raise uploads.too_large(storage.max_bytes)
        if not isinstance(upload, UploadFile) or not upload.filename:
            problem = {"th": "กรุณาเลือกไฟล์", "en": "Please choose a file."}
            raise FormInvalid(problem["th"], problem["en"], fields={"file": problem})
        requirement = str(form.get("requirement", ""))
        if replaces.isdigit():
            attachments.replace_document(db, storage, catalog_of(request), p, application, int(replaces),
                                         filename=upload.filename, content_type=upload.content_type or "",
                                         stream=upload.file, requirement=requirement or None)
            return
        service.add_document(db, storage, catalog_of(request), p, application, requirement=requirement,
                             filename=upload.filename, content_type=upload.content_type or "", stream=upload.file)

    return await change_application(request, db, p, reference, attach,
                                    f"/applications/{reference}?attached=1#documents")


@router.get("/applications/{reference}/documents/{document_id}")
def application_document(reference: str, document_id: RowId, request: Request,
                         p: Principal = allow(*READERS, write_for=STAFF_READERS), db: Session = Depends(get_db)
                         ) -> Response:
    document = service.get_document(db, p, reference, document_id)
    path = uploads.path_of(storage_of(request).upload_dir, document.sha256)
    if views.is_staff_view(p):
        views.record_view(db, p, document.application, "document")
        db.commit()
    return FileResponse(path, media_type=document.content_type,
                        headers={"Content-Disposition": content_disposition(document.filename)})


@router.post("/applications/{reference}/actions/{action}", response_class=HTMLResponse)
async def application_action(reference: str, action: str, request: Request, p: Principal = allow(*ACTORS),
                             db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    message = str(form.get("message") or "")
    declared = str(form.get("declaration") or "") in ("on", "true", "1", "yes")
    if action == "submit" and not declared:  # submitting goes through check your answers
        return RedirectResponse(f"/applications/{reference}/check", status_code=303)
    if action == "withdraw" and form.get("confirm") != "yes":  # asked first, on its own page
        return RedirectResponse(f"/applications/{reference}/withdraw", status_code=303)
    return await change_application(request, db, p, reference,
                         lambda a: service.act(db, catalog_of(request), p, a, action, message,
                                               declaration=declared),
                         f"/applications/{reference}")


@router.get("/applications/{reference}/receipts/{event_id}", dependencies=[Depends(sequenced)])
def application_receipt(reference: str, event_id: RowId, request: Request, p: Principal = allow(*READERS),
                        db: Session = Depends(get_db)) -> Response:
    """The ledger receipt of one step on the timeline, to keep and check offline."""
    receipt = service.receipt(db, p, reference, event_id, ledger_of(request))
    filename = f"receipt-{reference}-{receipt['index']}.json"
    return JSONResponse(receipt, headers={"Content-Disposition": content_disposition(filename)})


# --- officers -------------------------------------------------------------------------------------


@router.get("/officer/queue", response_class=HTMLResponse)
def officer_queue(request: Request, service_id: str = "", status: str = "", overdue: bool = False,
                  assignee: str = "", page: PageRequest = Depends(page_request), p: Principal = allow(*STAFF_READERS),
                  db: Session = Depends(get_db)) -> Response:
    today = service.today_in_thailand()
    filters = service.QueueFilter(service_id=service_id or None,
                                  status=status if status in workflow.STATUSES else None, overdue=overdue,
                                  assignee=assignee or None)
    found = service.queue(db, p, filters, today=today, page=page)
    handler = p.role in casework.HANDLERS
    notes = {k: v for hook in registry_of(db).each(QUEUE_NOTES) for k, v in hook(db, found.items).items()}
    return render(request, "queue.html", {
        "notes": notes,
        "items": found.items, "page": found, "filters": filters, "today": today, "is_overdue": service.is_overdue,
        "status_text": service.STATUS_TEXT, "statuses": [s for s in workflow.STATUSES if s != workflow.DRAFT],
        "counts": service.queue_counts(db, p), "bulk": handler,
        "colleagues": casework.colleagues(db, p.agency) if handler else [],
    })
