"""What the services' pages and API (and other packages' pages about an application) take from the
app: the catalogue, the upload store, the hooks other packages add, and the shared application page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import registry_of
from pracha.errors import PrachaError
from pracha.http.rendering import render
from pracha.http.state import app_state, part
from pracha.identity.principal import Principal
from pracha.services import answers, casework, forms, service, workflow
from pracha.services.catalog import Catalog
from pracha.services.hooks import CATALOG, PAGE_CONTEXT
from pracha.services.models import Application


def catalog_of(request: Request) -> Catalog:
    return part(request, CATALOG)


def storage_of(request: Request) -> service.Storage:
    s = app_state(request).settings
    return service.Storage(upload_dir=s.upload_dir, max_bytes=s.max_upload_bytes,
                           max_documents=s.quota_documents_per_application,
                           max_citizen_bytes=s.quota_upload_bytes_per_citizen)


def problems(exc: PrachaError, lang: str) -> dict[str, str]:
    return {name: msg["en" if lang == "en" else "th"] for name, msg in exc.fields.items()}


def application_page(request: Request, db: Session, p: Principal, reference: str, *,
                     errors: dict[str, str] | None = None, message: str | None = None,
                     status_code: int = 200) -> Response:
    catalog = catalog_of(request)
    application = service.get_application(db, p, reference)
    svc = service.get_service(catalog, application.service_id)
    actions = [a for a in workflow.actions_from(application.status) if service.may_act(p, application, a)]
    editable = application.status in (workflow.DRAFT, workflow.NEEDS_INFO) and "submit" in [
        a for a in workflow.CITIZEN_ACTIONS if service.may_act(p, application, a)]
    return render(request, "application.html", {
        "application": application, "service": svc, "agency": catalog.agencies.get(svc.agency),
        "fields": forms.fields(svc.form_schema, application.prefill), "actions": actions, "editable": editable,
        "status_text": service.STATUS_TEXT, "step_text": service.step_text,
        "missing": service.missing_documents(svc, application),
        "overdue": service.is_overdue(application, service.today_in_thailand()),
        "errors": errors or {}, "message": message, "values": application.data,
        "client_token": None,
        "casework": casework.page_context(db, p, application, request.query_params.get("view")),
        "next_steps": answers.next_steps(svc), "receives": answers.receives(svc),
        "max_upload_mb": f"{app_state(request).settings.max_upload_bytes / (1024 * 1024):g}",
        **{k: v for hook in registry_of(db).each(PAGE_CONTEXT) for k, v in hook(db, application).items()},
    }, status_code=status_code)



async def change_application(request: Request, db: Session, p: Principal, reference: str,
                  work: Callable[[Application], object], done: str) -> Response:
    """Change one application in a worker thread: lock it, `work`, commit, and redirect to `done`; on
    a refusal, show the application again with the reason beside the field it concerns."""
    def run() -> Response:
        try:
            work(service.get_application(db, p, reference, for_update=True))
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return application_page(request, db, p, reference, errors=problems(exc, request.state.lang),
                                    message=exc.message(request.state.lang), status_code=exc.status_code)
        return RedirectResponse(done, status_code=303)

    return await run_in_threadpool(run)
