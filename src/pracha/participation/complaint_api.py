"""The complaints API (`/api/v1/complaints`): the public list and view, a citizen's reports and their
answers, the responsible unit's steps, and the photos. Thin: logic in `complaints`, `complaint_view`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, INSPECTOR, OFFICER
from pracha.identity.principal import Principal
from pracha.paging import PageOut, PageRequest, page_body, page_request
from pracha.participation import complaints
from pracha.participation.complaint_input import read_sent, report_of
from pracha.participation.complaint_view import (
    ComplaintFilter,
    complaint_view,
    get_complaint,
    get_photo,
    list_mine,
    list_public,
)
from pracha.participation.deps import rules_of
from pracha.participation.reports import create_complaint
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])
Reference = Annotated[str, Path(max_length=20, description='The complaint\'s reference, e.g. "CP69-7KQ2MX".')]
HANDLERS = (OFFICER, AGENCY_ADMIN, INSPECTOR)


class ComplaintIn(BaseModel):
    """A new complaint (JSON, or the same fields as a multipart form with `photos` files)."""

    category: str = Field(description="A category code of catalog/participation/complaints.yaml")
    title: str = Field(max_length=200)
    description: str
    tambon: str = Field(description="A sub-district of the catalogue's list")
    latitude: float | None = None
    longitude: float | None = None
    private_place: bool = Field(False, description="A home: the public sees the position rounded")
    anonymous: bool = False


class ActionIn(BaseModel):
    action: str = Field(description="accept | forward | request_info | reply | resolve | reject")
    note: str = Field("", description="Required but for accept: the reason, question, note or answer")
    agency: str | None = Field(None, description="forward: the agency code to forward to")


class DetailsIn(BaseModel):
    note: str


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = ""


class ReopenIn(BaseModel):
    reason: str


def _body(model: type[BaseModel], multipart: bool = False) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": model.model_json_schema()}}
    if multipart:
        schema = model.model_json_schema()
        schema["properties"] = {**schema["properties"],
                                "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}
        content["multipart/form-data"] = {"schema": schema}
    return {"requestBody": {"required": True, "content": content}}


def _view(request: Request, p: Principal, complaint: Any) -> dict[str, Any]:
    return complaint_view(complaint, p, rules_of(request), catalog_of(request))


@router.get("", response_model=PageOut[dict[str, Any]], responses=errors(400))
def list_complaints(request: Request, response: Response, category: str = Query("", max_length=32),
                    tambon: str = Query("", max_length=64), agency: str = Query("", max_length=64),
                    status: str = Query("", max_length=16), page: PageRequest = Depends(page_request),
                    p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Public complaints, newest first (confidential ones never), filtered by `category`, `tambon`,
    `agency` and `status`. Paged: follow `next_cursor` (or the `Link: rel="next"` header)."""
    found = list_public(db, ComplaintFilter(category or None, tambon or None, agency or None, status or None), page)
    return page_body(request, response, found, lambda c: _view(request, p, c))


@router.post("", status_code=201, responses=errors(422, 429), openapi_extra=_body(ComplaintIn, multipart=True))
async def report_complaint(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                           ) -> dict[str, Any]:
    """Report a problem: routed to the responsible agency by category and sub-district; a photo's EXIF
    position places it when no coordinates are given. 429 `too_many_posts` with `Retry-After`."""
    sent = await read_sent(request)
    report = await run_in_threadpool(report_of, sent, "api")

    def work() -> dict[str, Any]:
        complaint = create_complaint(db, p, rules_of(request), report)
        db.commit()
        return _view(request, p, complaint)

    return await run_in_threadpool(work)


@router.get("/mine", response_model=PageOut[dict[str, Any]], responses=errors(400))
def my_complaints(request: Request, response: Response, page: PageRequest = Depends(page_request),
                  p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """My complaints, newest first (with what only I see: non-public steps)."""
    return page_body(request, response, list_mine(db, p, page), lambda c: _view(request, p, c))


@router.get("/{complaint_ref}", responses=errors(404))
def read_complaint(complaint_ref: Reference, request: Request, p: Principal = allow(PUBLIC),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """The public view; its reporter gets `mine: true`, every step and `may` (what they can do now).
    A confidential complaint is 404 but for its reporter and the inspectors of its unit."""
    return _view(request, p, get_complaint(db, p, complaint_ref))


@router.post("/{complaint_ref}/actions", responses=errors(403, 404, 409, 422),
             openapi_extra=_body(ActionIn, multipart=True))
async def act_on_complaint(complaint_ref: Reference, request: Request, p: Principal = allow(*HANDLERS),
                           db: Session = Depends(get_db)) -> dict[str, Any]:
    """A step of the responsible unit: `accept`, `forward` (with `agency` and a reason), `request_info`,
    `reply`, `resolve` (a note and at least one "after" photo, multipart field `photos`), `reject` (a
    reason). 409 `wrong_status` when the complaint's status does not allow it."""
    sent = await read_sent(request)
    photos = await run_in_threadpool(sent.cleaned_photos)

    def work() -> dict[str, Any]:
        complaint = get_complaint(db, p, complaint_ref, lock=True)
        complaints.act(db, p, rules_of(request), complaint, sent.text("action"), sent.text("note"),
                       agency=sent.text("agency") or None, agencies=catalog_of(request).agencies.keys(),
                       photos=photos)
        db.commit()
        return _view(request, p, complaint)

    return await run_in_threadpool(work)


@router.post("/{complaint_ref}/details", responses=errors(403, 404, 409, 422), openapi_extra=_body(DetailsIn, True))
async def add_complaint_details(complaint_ref: Reference, request: Request, p: Principal = allow(CITIZEN),
                                db: Session = Depends(get_db)) -> dict[str, Any]:
    """The reporter answers the unit's request for details (`note`, optional `photos`)."""
    sent = await read_sent(request)
    photos = await run_in_threadpool(sent.cleaned_photos)

    def work() -> dict[str, Any]:
        complaint = get_complaint(db, p, complaint_ref, lock=True)
        complaints.add_details(db, p, complaint, sent.text("note"), photos)
        db.commit()
        return _view(request, p, complaint)

    return await run_in_threadpool(work)


@router.post("/{complaint_ref}/rating", responses=errors(403, 404, 409, 422))
def rate_complaint(complaint_ref: Reference, body: RatingIn, request: Request, p: Principal = allow(CITIZEN),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """Rate the answer 1–5 (once, after it was resolved or rejected); the complaint closes."""
    complaint = get_complaint(db, p, complaint_ref, lock=True)
    complaints.rate(db, p, complaint, body.rating, body.comment)
    db.commit()
    return _view(request, p, complaint)


@router.post("/{complaint_ref}/reopen", responses=errors(403, 404, 409, 422))
def reopen_complaint(complaint_ref: Reference, body: ReopenIn, request: Request, p: Principal = allow(CITIZEN),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """Reopen once, within the catalogue's window (14 days) after the answer, giving a reason."""
    complaint = get_complaint(db, p, complaint_ref, lock=True)
    complaints.reopen(db, p, rules_of(request), complaint, body.reason)
    db.commit()
    return _view(request, p, complaint)


@router.get("/{complaint_ref}/photos/{photo_id}", response_class=Response, responses=errors(404))
def complaint_photo(complaint_ref: Reference, photo_id: RowId, p: Principal = allow(PUBLIC),
                    db: Session = Depends(get_db)) -> Response:
    """The photo (a JPEG re-encoded without metadata). Public ones may be cached; a confidential
    complaint's are its reporter's and inspectors' only."""
    photo = get_photo(db, p, complaint_ref, photo_id)
    public = not photo.complaint.confidential and photo.complaint.hidden_at is None
    return Response(photo.content, media_type="image/jpeg", headers={
        "Cache-Control": "public, max-age=86400" if public else "private, no-store",
        "X-Content-Type-Options": "nosniff"})

