"""The hearings' JSON API under /api/v1/hearings: public reading, the agency's drafting, publishing and
summary, and the citizen's own answer (thin over `hearings`, `hearings_answers`, `hearings_report`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pracha.errors import NotFound
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.ledger.deps import sequenced
from pracha.opendata.deps import open_data
from pracha.paging import PageRequest, page_body, page_request
from pracha.participation import hearings, hearings_answers, hearings_report, hearings_views
from pracha.participation.deps import rules_of, secret_of
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["hearings"])
STAFF = (OFFICER, AGENCY_ADMIN, PLATFORM_ADMIN)


class HearingIn(BaseModel):
    kind: str = Field(max_length=16)
    title_th: str = Field(max_length=1000)
    title_en: str | None = Field(None, max_length=1000)
    summary_th: str = Field(max_length=20000)
    summary_en: str | None = Field(None, max_length=20000)
    sections: list[dict[str, Any]] = Field(default_factory=list, max_length=30)
    questions: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    opens_at: dt.datetime
    closes_at: dt.datetime
    agency: str | None = Field(None, max_length=64, description="The platform admin names the agency")


class AnswerIn(BaseModel):
    answers: dict[str, str] = Field(default_factory=dict, max_length=20)
    comments: dict[str, str] = Field(default_factory=dict, max_length=30)
    publish_consent: bool = False


class IssueIn(BaseModel):
    issue_th: str = Field(max_length=4000)
    issue_en: str | None = Field(None, max_length=4000)
    response_th: str = Field(max_length=10000)
    response_en: str | None = Field(None, max_length=10000)


class ReportIn(BaseModel):
    text_th: str = Field(max_length=40000)
    text_en: str | None = Field(None, max_length=40000)
    issues: list[IssueIn] = Field(default_factory=list, max_length=30)


def _detail(request: Request, db: Session, hearing: Any) -> dict[str, Any]:
    view = hearings_views.view_hearing(db, hearing)
    return hearings_views.hearing_detail(view, catalog_of(request), rules_of(request))


def _response(r: Any) -> dict[str, Any]:
    return {"hearing_id": r.hearing_id, "answers": r.answers, "comments": r.comments,
            "publish_consent": r.publish_consent, "commitment": r.commitment,
            "ledger_index": r.ledger_entry.index if r.ledger_entry else None,
            "hidden": r.hidden_at is not None, "hidden_reason": r.hidden_reason,
            "created_at": r.created_at, "updated_at": r.updated_at}


@router.get("/hearings")
def list_hearings(request: Request, response: Response,
                  status: str = Query("", max_length=16, description="draft (the agency's staff), upcoming, open, "
                                                                      "closed or reported"),
                  agency: str = Query("", max_length=64), page: PageRequest = Depends(page_request),
                  p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Published hearings, latest closing first. Paged: follow `next_cursor`."""
    found = hearings.list_hearings(db, p, page, status=status or None, agency=agency or None)
    catalog, rules = catalog_of(request), rules_of(request)
    return page_body(request, response, found, lambda h: hearings_views.hearing_summary(h, catalog, rules))


@router.get("/hearings/{hearing_id}", responses=errors(404), dependencies=[Depends(sequenced)])
def get_hearing(hearing_id: RowId, request: Request, p: Principal = allow(PUBLIC),
                db: Session = Depends(get_db)) -> dict[str, Any]:
    """The hearing, its live counts, the consented comments (numbered, no names), its tally's range in the
    ledger and, once reported, the agency's summary and the open-data dataset."""
    return _detail(request, db, hearings.get_hearing(db, p, hearing_id))


@router.get("/hearings/{hearing_id}/document", responses=errors(404))
def get_document(hearing_id: RowId, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    hearing = hearings.get_hearing(db, p, hearing_id)
    if hearing.document is None:
        raise NotFound()
    return Response(hearing.document, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="hearing-{hearing.id}.pdf"', "X-Content-Type-Options": "nosniff"})


@router.post("/hearings", status_code=201, responses=errors(403, 422))
def create_hearing(body: HearingIn, request: Request, p: Principal = allow(*STAFF),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """A draft (not public until published); then upload its PDF and publish it."""
    hearing = hearings.create_hearing(db, p, rules_of(request), frozenset(catalog_of(request).agencies),
                                      hearings.Draft(**body.model_dump()))
    db.commit()
    return _detail(request, db, hearing)


@router.post("/hearings/{hearing_id}/document", status_code=201, responses=errors(404, 409, 422))
def upload_document(hearing_id: RowId, request: Request, file: UploadFile = File(...), p: Principal = allow(*STAFF),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """The full text as a PDF (multipart `file`); replaceable while a draft."""
    hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
    limit = app_state(request).settings.max_upload_bytes
    hearings.attach_document(hearing, file.file.read(limit + 1), file.filename or "document.pdf", limit)
    db.commit()
    return {"name": hearing.document_name, "sha256": hearing.document_sha256}


@router.post("/hearings/{hearing_id}/publish", responses=errors(404, 409, 422))
def publish_hearing(hearing_id: RowId, request: Request, p: Principal = allow(*STAFF),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
    hearings.publish_hearing(hearing, rules_of(request))
    db.commit()
    return _detail(request, db, hearing)


@router.put("/hearings/{hearing_id}/response", responses=errors(404, 409, 422, 429))
def put_response(hearing_id: RowId, body: AnswerIn, request: Request, response: Response,
                 p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Answer (201 the first time: a tally entry goes into the public ledger) or change the answer
    (200) until the close; 409 `not_open` outside the period."""
    hearing = hearings.get_hearing(db, p, hearing_id)
    saved, created = hearings_answers.answer_hearing(db, p, secret_of(request), hearing, hearings_answers.Answer(
        body.answers, body.comments, body.publish_consent))
    db.commit()
    response.status_code = 201 if created else 200
    return _response(saved)


@router.get("/hearings/{hearing_id}/response", responses=errors(404))
def get_response(hearing_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The caller's own answer (404 if they have not answered)."""
    found = hearings_answers.my_response(db, p, hearings.get_hearing(db, p, hearing_id))
    if found is None:
        raise NotFound("ท่านยังไม่ได้แสดงความคิดเห็นในเรื่องนี้", "You have not answered this hearing.")
    return _response(found)


@router.post("/hearings/{hearing_id}/report", responses=errors(404, 409, 422))
def post_report(hearing_id: RowId, body: ReportIn, request: Request, p: Principal = allow(*STAFF),
                db: Session = Depends(get_db)) -> dict[str, Any]:
    """The agency's summary after the close; the results become an open-data dataset."""
    hearing = hearings.staff_hearing(db, p, hearing_id, for_update=True)
    hearings_report.write_report(db, p, open_data(request), hearing, body.text_th, body.text_en,
                                 [i.model_dump() for i in body.issues])
    db.commit()
    return _detail(request, db, hearing)
