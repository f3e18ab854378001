"""Petitions under /api/v1 (JSON). Thin: parse, call the service, commit, answer."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, MODERATOR, OFFICER
from pracha.identity.principal import Principal
from pracha.ledger.deps import ledger_of, sequenced
from pracha.paging import PageRequest, page_body, page_request
from pracha.participation import petitions, petitions_support
from pracha.participation.deps import rules_of, secret_of
from pracha.participation.errors import NotSupported
from pracha.participation.petitions_view import petition_json
from pracha.services.deps import catalog_of

router = APIRouter(tags=["petitions"])


class PetitionIn(BaseModel):
    agency: str = Field(max_length=64)
    title: str = Field(max_length=1000)
    body: str = Field(max_length=20000)
    days_open: int | None = Field(None, ge=1, le=3650)


class DecisionIn(BaseModel):
    action: Literal["approve", "decline"]
    reason: str = Field("", max_length=2000)


class ResponseIn(BaseModel):
    response_th: str = Field(max_length=20000)
    response_en: str = Field("", max_length=20000)


@router.get("/api/v1/petitions", responses=errors(400, 422))
def list_petitions(request: Request, response: Response, status: str = Query("", max_length=16),
                   agency: str = Query("", max_length=64), page: PageRequest = Depends(page_request),
                   p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Petitions, newest first (paged); `status` and `agency` filter. Pending and declined ones only for
    their creator and the moderators."""
    found = petitions.list_petitions(db, p, page, status=status, agency=agency)
    return page_body(request, response, found, lambda x: petition_json(db, p, x, detail=False))


@router.post("/api/v1/petitions", status_code=201, responses=errors(403, 422, 429))
def create_petition(data: PetitionIn, request: Request, p: Principal = allow(CITIZEN),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """Start a petition (status pending until a moderator approves it)."""
    petition = petitions.create_petition(db, p, rules_of(request), set(catalog_of(request).agencies),
                                         agency=data.agency, title=data.title, body=data.body,
                                         days_open=data.days_open)
    db.commit()
    return petition_json(db, p, petition)


@router.get("/api/v1/petitions/{petition_id}", responses=errors(404))
def get_petition(petition_id: RowId, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The petition, its live count and where its tally lies in the public ledger (recount it from there)."""
    return petition_json(db, p, petitions.get_petition(db, p, petition_id))


@router.post("/api/v1/petitions/{petition_id}/decision", responses=errors(403, 404, 409, 422))
def decide_petition(petition_id: RowId, data: DecisionIn, p: Principal = allow(MODERATOR),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """The moderator's check: approve (opens it now) or decline with a reason."""
    petition = petitions.decide_petition(db, p, petition_id, action=data.action, reason=data.reason)
    db.commit()
    return petition_json(db, p, petition)


@router.post("/api/v1/petitions/{petition_id}/supports", status_code=201, responses=errors(403, 404, 409))
def support_petition(petition_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """Support: 201 with the live count and my commitment; 409 `already_supported` or `not_open`."""
    support, count = petitions_support.support_petition(db, p, secret_of(request), petition_id)
    db.commit()
    return {"count": count, "commitment": support.commitment,
            "receipt_url": f"/api/v1/petitions/{petition_id}/supports/mine"}


@router.delete("/api/v1/petitions/{petition_id}/supports/mine", responses=errors(403, 404, 409))
def withdraw_support(petition_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """Withdraw my support before the close (a public withdrawal entry with the same commitment)."""
    count = petitions_support.withdraw_support(db, p, secret_of(request), petition_id)
    db.commit()
    return {"count": count}


@router.get("/api/v1/petitions/{petition_id}/supports/mine", dependencies=[Depends(sequenced)],
            responses=errors(403, 404, 409))
def my_support(petition_id: RowId, request: Request, p: Principal = allow(CITIZEN),
               db: Session = Depends(get_db)) -> dict[str, Any]:
    """My live support: the commitment, when, and the ledger receipt of its entry."""
    petitions.get_petition(db, p, petition_id)
    support = petitions_support.my_support(db, p, secret_of(request), petition_id)
    if support is None or support.ledger_entry_id is None:
        raise NotSupported()
    supported_at = support.ledger_entry.created_at if support.ledger_entry else support.created_at  # the latest
    return {"petition_id": petition_id, "commitment": support.commitment, "supported_at": supported_at.isoformat(),
            "receipt": ledger_of(request).receipt(db, support.ledger_entry_id)}


@router.post("/api/v1/petitions/{petition_id}/response", responses=errors(403, 404, 409, 422))
def respond_petition(petition_id: RowId, data: ResponseIn, p: Principal = allow(OFFICER, AGENCY_ADMIN),
                     db: Session = Depends(get_db)) -> dict[str, Any]:
    """The agency's written answer (its officers and admins): status responded; shown on the page."""
    petition = petitions.respond_petition(db, p, petition_id, response_th=data.response_th,
                                          response_en=data.response_en)
    db.commit()
    return petition_json(db, p, petition)
