"""The JSON API of pracha.delegation (thin: the logic is in `service`): a citizen's delegations given
and received, granting and revoking, and whom this browser session acts for (cookie sessions only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from pracha.delegation import service
from pracha.delegation.schemas import ActingForPersonIn, ActingForPersonOut, DelegationIn, DelegationOut, DelegationsOut
from pracha.http.access import allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.identity.deps import web_session_of
from pracha.identity.models import CITIZEN
from pracha.identity.principal import DELEGATE, Principal
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["delegations"])
ACTING_FOR_PERSON = "/session/acting-for-person"


@router.get("/delegations", response_model=DelegationsOut)
def list_delegations(p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The delegations I gave (`granted`) and received, newest first, revoked and expired ones included."""
    assert p.user is not None
    return service.delegations_out(db, p.user.id)


@router.post("/delegations", status_code=201, response_model=DelegationOut, responses=errors(403, 422))
def add_delegation(body: DelegationIn, request: Request, p: Principal = allow(CITIZEN),
                   db: Session = Depends(get_db)) -> dict[str, Any]:
    """Authorise a Pracha citizen (by national ID) to act for me for `services` (citizen service ids, or
    "*" for all) from `valid_from` (default today) to `valid_until` (default a year on; at most three
    years): 422 `invalid_input` with `fields`; 403 `acting_for_someone` while I act for a company. The
    delegate and I are told; the grant is in the ledger (references only)."""
    row = service.grant(db, catalog_of(request), p, body.national_id, body.relationship, body.services,
                        body.valid_from, body.valid_until)
    db.commit()
    return service.delegation_out(row)


@router.delete("/delegations/{delegation_id}", status_code=204, responses=errors(404))
def revoke_delegation(delegation_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """The grantor revokes, or the delegate gives it up (idempotent); it stops at once. 404
    `delegation_not_found` for anyone else."""
    service.revoke(db, p, delegation_id)
    db.commit()
    return Response(status_code=204)


@router.get(ACTING_FOR_PERSON, response_model=ActingForPersonOut, responses=errors(403))
def get_acting_for_person(request: Request, p: Principal = allow(CITIZEN, DELEGATE),
                          db: Session = Depends(get_db)) -> dict[str, Any]:
    """Whom this browser session acts for as a delegate (`{"person": null}`: for myself)."""
    web_session_of(request, db, p)
    return service.acting_out(p)


@router.put(ACTING_FOR_PERSON, response_model=ActingForPersonOut, responses=errors(403))
def put_acting_for_person(body: ActingForPersonIn, request: Request, p: Principal = allow(CITIZEN, DELEGATE),
                          db: Session = Depends(get_db)) -> dict[str, Any]:
    """Act for `grantor_id` from now on (and for no company): 403 `not_a_delegate` without a live
    delegation from them to me."""
    out = service.switch(db, web_session_of(request, db, p), body.grantor_id)
    db.commit()
    return out


@router.delete(ACTING_FOR_PERSON, response_model=ActingForPersonOut, responses=errors(403))
def stop_acting_for_person(request: Request, p: Principal = allow(CITIZEN, DELEGATE),
                           db: Session = Depends(get_db)) -> dict[str, Any]:
    """Act for myself again."""
    out = service.act_as_self(web_session_of(request, db, p))
    db.commit()
    return out
