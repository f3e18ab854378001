"""Pages around sending an application: check your answers and declare (then submit), and the two
things a citizen can undo, each confirmed on its own page first (works without JavaScript):
withdrawing a submitted application and deleting a draft; and taking a document off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import registry_of
from pracha.errors import PrachaError
from pracha.http.access import allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.services import answers, attachments, forms, holding, service, workflow
from pracha.services.deps import catalog_of, change_application, problems, storage_of
from pracha.services.hooks import PAGE_CONTEXT
from pracha.services.models import Application

router = APIRouter(include_in_schema=False)


def _check_page(request: Request, db: Session, p: Principal, reference: str, *, errors: dict[str, str] | None = None,
                message: str | None = None, status_code: int = 200) -> Response:
    catalog = catalog_of(request)
    application = service.get_application(db, p, reference)
    if application.status != workflow.DRAFT or not service.may_act(p, application, "submit"):
        return RedirectResponse(f"/applications/{application.reference}", status_code=303)
    svc = service.get_service(catalog, application.service_id)
    lang = request.state.lang
    incomplete = {name: msg["en" if lang == "en" else "th"]
                  for name, msg in forms.validate(svc.form_schema, application.data, complete=True).items()}
    missing = service.missing_documents(svc, application)
    return render(request, "check.html", {
        "application": application, "service": svc, "answers": answers.answers(svc, application.data),
        "incomplete": incomplete, "missing": [d for d in svc.documents if d.id in missing],
        "requirements": {d.id: d.name for d in svc.documents}, "next_steps": answers.next_steps(svc),
        "receives": answers.receives(svc), "declaration": answers.DECLARATION,
        "due": answers.expected_due(svc, catalog.calendar, service.today_in_thailand()),
        "errors": errors or {}, "message": message,
        **{k: v for hook in registry_of(db).each(PAGE_CONTEXT) for k, v in hook(db, application).items()},
    }, status_code=status_code)


@router.get("/applications/{reference}/check", response_class=HTMLResponse)
def check_answers(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                  db: Session = Depends(get_db)) -> Response:
    """Every answer with a link to change it, the documents, fee, what happens next, and the declaration."""
    return _check_page(request, db, p, reference)


@router.post("/applications/{reference}/check", response_class=HTMLResponse)
async def submit_checked(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                         db: Session = Depends(get_db)) -> Response:
    """Submit with the declaration ticked; a refusal shows the check page again with the reason."""
    form = await request.form()
    declared = str(form.get("declaration") or "") in ("on", "true", "1", "yes")

    def run() -> Response:
        try:
            application = service.get_application(db, p, reference, for_update=True)
            held = holding.submit_or_hold(db, catalog_of(request), p, application, declaration=declared)
            db.commit()
        except PrachaError as exc:
            if exc.status_code not in (409, 422):  # not a refusal to explain on this page: the error page
                raise
            db.rollback()
            return _check_page(request, db, p, reference, errors=problems(exc, request.state.lang),
                               message=exc.message(request.state.lang), status_code=exc.status_code)
        if held is not None:  # waits for another director of the company (pracha.business)
            return RedirectResponse(f"/applications/{application.reference}?held=1#co-approval", status_code=303)
        return RedirectResponse(f"/applications/{application.reference}?submitted=1#next", status_code=303)

    return await run_in_threadpool(run)


def _confirm_page(request: Request, application: Application, what: str) -> Response:
    svc = service.get_service(catalog_of(request), application.service_id)
    return render(request, "confirm.html", {"application": application, "service": svc, "what": what})


@router.get("/applications/{reference}/withdraw", response_class=HTMLResponse)
def confirm_withdraw(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                     db: Session = Depends(get_db)) -> Response:
    """Are you sure? The form posts to the withdraw action with `confirm=yes`."""
    application = service.get_application(db, p, reference)
    if not service.may_act(p, application, "withdraw") or workflow.next_status(application.status, "withdraw") is None:
        return RedirectResponse(f"/applications/{application.reference}", status_code=303)
    return _confirm_page(request, application, "withdraw")


@router.get("/applications/{reference}/delete", response_class=HTMLResponse)
def confirm_delete(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                   db: Session = Depends(get_db)) -> Response:
    application = service.get_application(db, p, reference)
    if application.status != workflow.DRAFT:
        return RedirectResponse(f"/applications/{application.reference}", status_code=303)
    return _confirm_page(request, application, "delete")


@router.post("/applications/{reference}/delete", response_class=HTMLResponse)
async def delete_draft(reference: str, request: Request, p: Principal = allow(*FOR_A_PERSON),
                       db: Session = Depends(get_db)) -> Response:
    return await change_application(request, db, p, reference,
                                    lambda a: attachments.delete_draft(db, storage_of(request), p, a),
                                    "/me?deleted=1")


@router.post("/applications/{reference}/documents/{document_id}/remove", response_class=HTMLResponse)
async def remove_document(reference: str, document_id: RowId, request: Request, p: Principal = allow(*FOR_A_PERSON),
                          db: Session = Depends(get_db)) -> Response:
    return await change_application(
        request, db, p, reference,
        lambda a: attachments.remove_document(db, storage_of(request), p, a, document_id),
        f"/applications/{reference}?removed=1#documents")
