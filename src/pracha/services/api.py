"""The JSON twin of the service pages under /api/v1 (described in /openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from pracha import i18n
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.onethread import OneThread, allow_in_one_thread
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, CITIZEN, OFFICER
from pracha.identity.principal import API_TOKEN, FOR_A_PERSON, Principal
from pracha.notices import service as notices
from pracha.paging import PageOut, PageRequest, page_body, page_request
from pracha.services import attachments, coapproval, eligibility, holding, service, views, workflow
from pracha.services.catalog import Service, filter_audience
from pracha.services.deps import catalog_of, storage_of
from pracha.services.models import Application, ApplicationEvent
from pracha.services.schemas import (
    ActionIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    DocumentOut,
    EligibilityOut,
    InboxMessageOut,
    ServiceOut,
    ServiceSummary,
    StatusOut,
)

router = APIRouter(prefix="/api/v1")
STAFF_READERS = (OFFICER, AGENCY_ADMIN, AUDITOR, API_TOKEN)
READERS = (*FOR_A_PERSON, *STAFF_READERS)
ACTORS = (*FOR_A_PERSON, OFFICER, AGENCY_ADMIN, API_TOKEN)


def _text(t: Any) -> dict[str, str]:
    return {"th": t.th, "en": t.en}


def _summary(s: Service) -> dict[str, Any]:
    return {"id": s.id, "agency": s.agency, "name": _text(s.name), "summary": _text(s.summary),
            "life_events": list(s.life_events), "audience": list(s.audience), "fee_amount": s.fee_amount,
            "sla_days": s.sla_days}


def _status(a: Application) -> dict[str, Any]:
    th, en = service.STATUS_TEXT[a.status]
    return {"reference": a.reference, "status": a.status, "status_text": {"th": th, "en": en},
            "updated_at": a.updated_at, "due_date": a.due_date,
            "overdue": service.is_overdue(a, service.today_in_thailand())}


def _document(d: Any) -> dict[str, Any]:
    return {"id": d.id, "requirement": d.requirement, "filename": d.filename, "content_type": d.content_type,
            "size": d.size, "sha256": d.sha256}


def _application(a: Application, p: Principal, db: Session | None = None) -> dict[str, Any]:
    held = coapproval.pending(db, a) if db is not None and a.organisation_id else None
    return {
        "co_approval": None if held is None else {
            "requested_by": held.requested_by.display_name, "requested_at": held.requested_at},
        **_status(a), "service_id": a.service_id, "agency": a.agency, "data": a.data,
        "created_at": a.created_at, "submitted_at": a.submitted_at, "decided_at": a.decided_at,
        "declared_at": a.declared_at,
        "documents": [_document(d) for d in a.documents],
        "events": [{"at": e.at, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                    "actor_role": e.actor_role, "message": e.message, "message_text": _message_text(e),
                    "step_text": dict(zip(("th", "en"), service.step_text(e.to_status, e.actor_role), strict=True)),
                    "ledger_index": e.ledger_entry.index if e.ledger_entry else None,
                    "receipt_url": f"/applications/{a.reference}/receipts/{e.id}" if e.ledger_entry else None}
                   for e in a.events],
        "allowed_actions": [x for x in workflow.actions_from(a.status) if service.may_act(p, a, x)],
    }


def _message_text(event: ApplicationEvent) -> dict[str, str] | None:
    """The step's message in both languages (a person's typed message is the same in both)."""
    if event.system_message is None:
        return None if event.message is None else {"th": event.message, "en": event.message}
    try:
        return i18n.both(event.system_message)
    except i18n.UnknownPhrase:
        return {"th": event.message or "", "en": event.message or ""}


@router.get("/services", response_model=list[ServiceSummary], tags=["catalogue"])
def list_services(request: Request, q: str = "", agency: str = "", life_event: str = "",
                  audience: Annotated[Literal["citizen", "business"] | None, Query(
                      description="Only the services for people (`citizen`) or for juristic persons and other "
                                  "businesses (`business`); a service for both is in each")] = None,
                  _: Principal = allow(PUBLIC)) -> list[dict[str, Any]]:
    """The service catalogue; `q` searches in Thai or English."""
    found = service.find_services(catalog_of(request), query=q, agency=agency, life_event=life_event, limit=50)
    return [_summary(s) for s in filter_audience(found, audience)]


@router.get("/services/{service_id}", response_model=ServiceOut, tags=["catalogue"])
def get_service(service_id: str, request: Request, _: Principal = allow(PUBLIC)) -> dict[str, Any]:
    s = service.get_service(catalog_of(request), service_id)
    return {**_summary(s), "description": _text(s.description), "legal_basis": _text(s.legal_basis),
            "eligibility": [_text(e) for e in s.eligibility],
            "documents": [{"id": d.id, "name": _text(d.name), "required": d.required} for d in s.documents],
            "steps": [{"id": st.id, "actor": st.actor, "text": _text(st.text)} for st in s.steps],
            "form_schema": s.form_schema}


@router.get("/services/{service_id}/eligibility", response_model=EligibilityOut, tags=["catalogue"],
            responses=errors(404))
def get_eligibility(service_id: str, request: Request, p: Principal = allow(*FOR_A_PERSON, write=True),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """Before applying: the service's rules checked on what the state already knows of the signed-in
    citizen (registry reads under the same checks as the bot's, each in the citizen's data tracker, and
    their own account), and their open application of the service if any. `not_eligible` does not stop
    an application: an officer decides."""
    assert p.subject is not None
    catalog = catalog_of(request)
    state = app_state(request)
    found = eligibility.check_eligibility(db, state.registry, state.settings, catalog, p.subject,
                                          service.get_service(catalog, service_id))
    db.commit()
    return found.to_json(request.state.lang)


@router.get("/applications", response_model=PageOut[StatusOut], tags=["applications"])
def list_applications(
    request: Request, response: Response, service_id: str = "", status: str = "", overdue: bool = False,
    assignee: str = Query("", max_length=20, description="Staff: `mine`, `unassigned` or a staff id"),
    page: PageRequest = Depends(page_request),
    p: Principal = allow(*READERS, scope="applications:read"), db: Session = Depends(get_db),
) -> dict[str, Any]:
    """A citizen's own applications, last changed first; for staff and agency tokens, the agency's open
    queue, oldest due first. Paged: follow `next_cursor` (or the `Link: rel="next"` header)."""
    if p.role in FOR_A_PERSON:
        return page_body(request, response, service.my_applications(db, p, page), _status)
    filters = service.QueueFilter(service_id or None, status if status in workflow.STATUSES else None, overdue,
                                  assignee or None)
    found = service.queue(db, p, filters, today=service.today_in_thailand(), page=page)
    return page_body(request, response, found, _status)


@router.post("/applications", status_code=201, response_model=ApplicationOut, tags=["applications"],
             responses=errors(404, 409))
async def create_application(body: ApplicationIn, request: Request,
                             idempotency_key: str | None = Header(None, max_length=64),
                             call: OneThread = allow_in_one_thread(*FOR_A_PERSON)) -> dict[str, Any]:
    """Start a draft. Send `Idempotency-Key` to make a retried request return the same draft."""
    catalog, quota = catalog_of(request), app_state(request).settings.quota_open_drafts

    def create(db: Session, p: Principal) -> dict[str, Any]:
        application = service.create_application(db, catalog, p, body.service_id, body.data,
                                                 client_token=idempotency_key, max_open_drafts=quota)
        db.commit()
        return _application(application, p, db)

    return await call(create)


@router.get("/applications/{reference}", response_model=ApplicationOut, tags=["applications"])
def get_application(reference: str, p: Principal = allow(*READERS, scope="applications:read", write_for=STAFF_READERS),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    application = service.get_application(db, p, reference)
    body = _application(application, p, db)
    if views.is_staff_view(p):  # shown in the citizen's data tracker
        views.record_view(db, p, application)
        db.commit()
    return body


@router.get("/applications/{reference}/status", response_model=StatusOut, tags=["applications"])
async def get_status(reference: str,
                     call: OneThread = allow_in_one_thread(*READERS, scope="applications:read")) -> dict[str, Any]:
    return await call(lambda db, p: _status(service.get_application(db, p, reference)))


@router.patch("/applications/{reference}", response_model=ApplicationOut, tags=["applications"],
              responses=errors(409))
def update_application(reference: str, body: ApplicationPatch, request: Request, p: Principal = allow(*FOR_A_PERSON),
                       db: Session = Depends(get_db)) -> dict[str, Any]:
    application = service.get_application(db, p, reference, for_update=True)
    service.update_application(db, catalog_of(request), p, application, body.data)
    db.commit()
    return _application(application, p, db)


@router.post("/applications/{reference}/documents", status_code=201, response_model=DocumentOut,
             tags=["applications"], responses=errors(409, 415))
def upload_document(reference: str, request: Request, requirement: str = Form(...), file: UploadFile = File(...),
                    p: Principal = allow(*FOR_A_PERSON), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Attach a PDF, JPEG or PNG to a draft (or to an application that needs more information)."""
    application = service.get_application(db, p, reference, for_update=True)
    document = service.add_document(db, storage_of(request), catalog_of(request), p, application,
                                    requirement=requirement, filename=file.filename or "document",
                                    content_type=file.content_type or "", stream=file.file)
    db.commit()
    return _document(document)


@router.put("/applications/{reference}/documents/{document_id}", status_code=201, response_model=DocumentOut,
            tags=["applications"], responses=errors(404, 409, 413, 415))
def replace_document(reference: str, document_id: RowId, request: Request, file: UploadFile = File(...),
                     requirement: str | None = Form(None), p: Principal = allow(*FOR_A_PERSON),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """Replace a document of a draft (or of an application that needs more information) with a new file:
    the answer is the new document (a new id); the old file is deleted unless another document has it."""
    application = service.get_application(db, p, reference, for_update=True)
    document = attachments.replace_document(db, storage_of(request), catalog_of(request), p, application,
                                            document_id, filename=file.filename or "document",
                                            content_type=file.content_type or "", stream=file.file,
                                            requirement=requirement)
    db.commit()
    return _document(document)


@router.delete("/applications/{reference}/documents/{document_id}", status_code=204, tags=["applications"],
               responses=errors(404, 409))
def remove_document(reference: str, document_id: RowId, request: Request, p: Principal = allow(*FOR_A_PERSON),
                    db: Session = Depends(get_db)) -> Response:
    """Remove a document before submitting (or while the agency asks for more information)."""
    application = service.get_application(db, p, reference, for_update=True)
    attachments.remove_document(db, storage_of(request), p, application, document_id)
    db.commit()
    return Response(status_code=204)


@router.delete("/applications/{reference}", status_code=204, tags=["applications"], responses=errors(404, 409))
def delete_draft(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                 db: Session = Depends(get_db)) -> Response:
    """Delete a draft that was never submitted, with its documents (409 `not_a_draft` otherwise: withdraw it).
    Nothing of it stays, not even in the ledger: the state was never told of it."""
    application = service.get_application(db, p, reference, for_update=True)
    attachments.delete_draft(db, storage_of(request), p, application)
    db.commit()
    return Response(status_code=204)


@router.post("/applications/{reference}/actions", response_model=ApplicationOut, tags=["applications"],
             responses=errors(409, 422))
def act(reference: str, body: ActionIn, request: Request, response: Response,
        p: Principal = allow(*ACTORS, scope="applications:write"), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Move the application on: 409 when the action is not allowed in its current status. `submit` needs
    `"declaration": true` (the citizen confirms the information is true), else 422 `declaration_required`.
    A director acting for a company whose signing rule needs two directors gets 202: the application
    waits (`co_approval`) until another director calls `POST /api/v1/applications/{reference}/co-approve`."""
    application = service.get_application(db, p, reference, for_update=True)
    if body.action == "submit" and holding.must_hold(p):  # 202: waits for another director's co-approval
        holding.submit_or_hold(db, catalog_of(request), p, application, declaration=body.declaration)
        response.status_code = 202
    else:
        service.act(db, catalog_of(request), p, application, body.action, body.message,
                    declaration=body.declaration)
    db.commit()
    return _application(application, p, db)


@router.get("/me/inbox", response_model=PageOut[InboxMessageOut], tags=["applications"])
def my_inbox(request: Request, response: Response, page: PageRequest = Depends(page_request),
             p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """My messages, newest first (paged)."""
    assert p.user is not None
    return page_body(request, response, notices.shown_inbox(db, p.user.id, request.state.lang, page))
