"""The JSON API of the PDPA rights under /api/v1: the export (ss. 30–31), the citizen's requests
(ss. 32–35) and the DPO's list and decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE, allow, get_db
from pracha.identity.models import CITIZEN, DPO
from pracha.identity.principal import Principal
from pracha.identity.service import digest
from pracha.paging import PageOut, PageRequest, page_body, page_request
from pracha.privacy import export, rights
from pracha.privacy.export import PrivacyExport, RequestOut
from pracha.services.deps import catalog_of
from pracha.services.service import today_in_thailand

router = APIRouter(prefix="/api/v1", tags=["privacy"])
RequestId = Annotated[int, Path(ge=1, le=9223372036854775807)]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["rectification", "erasure", "restriction", "objection"]
    details: str = Field("", max_length=rights.MAX_TEXT)
    fields: list[str] = Field(default_factory=list, max_length=20)
    values: dict[str, str] = Field(default_factory=dict, max_length=10,
                                   description="Rectification of Pracha's data: field → corrected value")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "refuse"]
    reason: str = Field("", max_length=rights.MAX_TEXT)


@router.get("/me/export", response_model=PrivacyExport)
def my_export(request: Request, p: Principal = allow(CITIZEN, write=True), db: Session = Depends(get_db)
              ) -> Response:
    """Everything Pracha holds about me, as one JSON document (PDPA ss. 30–31); recorded in my data
    tracker."""
    export.record_export(db, p)
    cookie = request.cookies.get(SESSION_COOKIE)
    body = export.build_export(db, catalog_of(request), p, current_session=digest(cookie) if cookie else None,
                               lang=request.state.lang)
    db.commit()
    filename = f"pracha-export-{today_in_thailand().isoformat()}.json"
    return JSONResponse(body.model_dump(mode="json"),
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/me/privacy-requests", response_model=RequestOut, status_code=201)
def create_request(body: RequestIn, request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                   ) -> dict[str, Any]:
    """Ask for a correction (s. 35), an erasure (s. 33), a restriction (s. 34) or object (s. 32);
    decided by the DPO by `due_on` (30 days, moved to the next working day)."""
    created = rights.create_request(db, p, kind=body.kind, details=body.details, fields=body.fields,
                                    values=dict(body.values), today=today_in_thailand(),
                                    calendar=catalog_of(request).calendar)
    db.commit()
    return export.request_out(created)


@router.get("/me/privacy-requests", response_model=PageOut[RequestOut])
def list_my_requests(request: Request, response: Response, page: PageRequest = Depends(page_request),
                     p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """My requests, newest first; paged."""
    return page_body(request, response, rights.my_requests(db, p, page), export.request_out)


@router.get("/privacy/requests", response_model=PageOut[RequestOut])
def list_requests(request: Request, response: Response, page: PageRequest = Depends(page_request),
                  p: Principal = allow(DPO), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The DPO's open requests, earliest deadline first; paged."""
    return page_body(request, response, rights.all_requests(db, p, page), export.request_out)


@router.post("/privacy/requests/{request_id}/forward", response_model=RequestOut)
def forward_request(request_id: RequestId, p: Principal = allow(DPO), db: Session = Depends(get_db)
                    ) -> dict[str, Any]:
    """A registry correction goes to the registry's agency."""
    found = rights.forward(db, p, request_id)
    db.commit()
    return export.request_out(found)


@router.post("/privacy/requests/{request_id}/decision", response_model=RequestOut)
def decide_request(request_id: RequestId, body: DecisionIn, p: Principal = allow(DPO),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """Approve (carried out at once) or refuse with a reason; the citizen is told in the inbox."""
    found = rights.decide(db, p, request_id, decision=body.decision, reason=body.reason)
    db.commit()
    return export.request_out(found)
