"""Staff pages for casework: assign an application, write an internal note, view a document inline,
and act on several applications from the queue. Thin: parse, call `casework`/`bulk`, commit, answer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import PrachaError
from pracha.http.access import allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, OFFICER
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.services import bulk, casework, service, uploads, views
from pracha.services.deps import catalog_of, change_application, storage_of

router = APIRouter(include_in_schema=False)
HANDLERS = (OFFICER, AGENCY_ADMIN)
STAFF_READERS = (OFFICER, AGENCY_ADMIN, AUDITOR)
# The inline copy may be framed by our own application page only; nothing in it may run or load.
INLINE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def parse_assignee(value: object, principal: Principal) -> int | None:
    """The form's `user_id`: "me", a staff id, or empty for nobody."""
    text = str(value or "").strip()
    if text == "me":
        return principal.user_id
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    if text:
        raise casework.NotAColleague()
    return None


@router.post("/applications/{reference}/assignee", response_class=HTMLResponse)
async def assign_page(reference: str, request: Request, p: Principal = allow(*HANDLERS),
                      db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    return await change_application(
        request, db, p, reference,
        lambda a: casework.assign(db, p, a, parse_assignee(form.get("user_id"), p)),
        f"/applications/{reference}#casework")


@router.post("/applications/{reference}/notes", response_class=HTMLResponse)
async def note_page(reference: str, request: Request, p: Principal = allow(*HANDLERS),
                    db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    return await change_application(request, db, p, reference,
                                    lambda a: casework.add_note(db, p, a, str(form.get("note") or "")),
                                    f"/applications/{reference}#casework")


@router.get("/applications/{reference}/documents/{document_id}/inline")
def document_inline(reference: str, document_id: RowId, request: Request,
                    p: Principal = allow(*FOR_A_PERSON, *STAFF_READERS, write_for=STAFF_READERS),
                    db: Session = Depends(get_db)) -> Response:
    """The document to show inside the application page (`Content-Disposition: inline`); a staff
    member's look is recorded like a download and shows in the citizen's data tracker."""
    document = service.get_document(db, p, reference, document_id)
    path = uploads.path_of(storage_of(request).upload_dir, document.sha256)
    if views.is_staff_view(p):
        views.record_view(db, p, document.application, "document")
        db.commit()
    return FileResponse(path, media_type=document.content_type, headers={
        "Content-Disposition": content_disposition(document.filename, "inline"),
        "Content-Security-Policy": INLINE_CSP, "X-Frame-Options": "SAMEORIGIN"})


@router.post("/officer/queue/bulk", response_class=HTMLResponse)
async def bulk_page(request: Request, p: Principal = allow(*HANDLERS), db: Session = Depends(get_db)) -> Response:
    """The queue's selected applications, one action: a page of what happened to each."""
    form = await request.form()
    references = [str(v) for v in form.getlist("reference")]
    action = str(form.get("action") or "")

    def run() -> Response:
        try:
            assignee = parse_assignee(form.get("user_id"), p) if action == bulk.ASSIGN else None
            outcomes = bulk.act_on_many(db, catalog_of(request), p, references, action, assignee_id=assignee)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return render(request, "bulk_results.html", {"outcomes": [], "action": action,
                                                         "message": exc.message(request.state.lang)},
                          status_code=exc.status_code)
        return render(request, "bulk_results.html", {"outcomes": outcomes, "action": action, "message": None})

    return await run_in_threadpool(run)
