"""The JSON API of acting for an organisation (browser sessions of citizens only): the organisations I
may act for, the switch, a company's authorisations, and a second director's co-approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pracha.business import acting, grants
from pracha.business.deps import JuristicId
from pracha.http.access import allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.http.state import app_state
from pracha.identity.deps import web_session_of
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.services import holding, service
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["organisations"])


class OrganisationOut(BaseModel):
    juristic_id: str
    name_th: str
    name_en: str
    role: str = Field(description="director | authorised")


class ActingOut(BaseModel):
    juristic_id: str | None
    name_th: str | None = None
    name_en: str | None = None
    role: str | None = None


class SwitchIn(BaseModel):
    juristic_id: str = Field(max_length=20)


class PersonOut(BaseModel):
    name: str
    national_id_masked: str | None = None


class GrantOut(BaseModel):
    id: int
    grantee: PersonOut
    services: list[str]
    valid_from: dt.date
    valid_until: dt.date
    revoked_at: dt.datetime | None
    granted_by: PersonOut


class GrantIn(BaseModel):
    national_id: str = Field(max_length=20)
    services: list[str] = Field(max_length=50)
    valid_from: dt.date
    valid_until: dt.date


class DeclarationIn(BaseModel):
    declaration: bool = False


@router.get("/me/organisations", response_model=list[OrganisationOut], responses=errors(502))
def my_organisations(request: Request, p: Principal = allow(CITIZEN, write=True),
                     db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    """The organisations I may act for: those the business registry lists me as a director of, then
    those a director authorised me for. Each registry read shows in my data tracker."""
    assert p.user is not None
    found = acting.organisations_of(db, app_state(request).settings, p.user)
    db.commit()
    return found


@router.get("/me/acting-for", response_model=ActingOut)
def get_acting_for(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Whom this browser session acts for (`{"juristic_id": null}`: for myself)."""
    return acting.acting_out(web_session_of(request, db, p))


@router.post("/me/acting-for", response_model=ActingOut, responses=errors(403, 404, 422))
def switch_acting_for(body: SwitchIn, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> dict[str, Any]:
    """Act for a juristic person from now on (explicit, per session): 403 `not_a_director` unless the
    registry lists me as its director or I hold a live authorisation; 404 `organisation_not_found`."""
    out = acting.switch(db, app_state(request).settings, web_session_of(request, db, p), body.juristic_id)
    db.commit()
    return out


@router.delete("/me/acting-for", response_model=ActingOut)
def stop_acting_for(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Act for myself again."""
    acting.act_as_self(web_session_of(request, db, p))
    db.commit()
    return {"juristic_id": None}


@router.get("/organisations/{juristic_id}/authorisations", response_model=list[GrantOut], responses=errors(403))
def list_authorisations(juristic_id: JuristicId, p: Principal = allow(CITIZEN),
                        db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    """The company's authorisations, newest first, revoked ones included (a director acting for it)."""
    grants.require_director(p, juristic_id)
    return [grants.grant_out(g) for g in grants.list_grants(db, juristic_id)]


@router.post("/organisations/{juristic_id}/authorisations", status_code=201, response_model=GrantOut,
             responses=errors(403, 422))
def add_authorisation(juristic_id: JuristicId, body: GrantIn, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> dict[str, Any]:
    """Authorise a Pracha citizen (by national ID) to act for the company for `services` (catalogue ids,
    or "*" for all) from `valid_from` to `valid_until` (at most three years)."""
    row = grants.grant(db, catalog_of(request), p, juristic_id, body.national_id, body.services, body.valid_from,
                       body.valid_until)
    db.commit()
    return grants.grant_out(row)


@router.delete("/organisations/{juristic_id}/authorisations/{grant_id}", response_model=GrantOut,
               responses=errors(403, 404))
def revoke_authorisation(juristic_id: JuristicId, grant_id: RowId, p: Principal = allow(CITIZEN),
                         db: Session = Depends(get_db)) -> dict[str, Any]:
    """Revoke an authorisation (idempotent): its holder is refused from the next request on."""
    row = grants.revoke(db, p, juristic_id, grant_id)
    db.commit()
    return grants.grant_out(row)


@router.post("/applications/{reference}/co-approve", responses=errors(403, 404, 409, 422))
def co_approve(reference: str, body: DeclarationIn, request: Request, p: Principal = allow(CITIZEN),
               db: Session = Depends(get_db)) -> dict[str, Any]:
    """A second director of the company approves the application another director asked to submit, and
    it is submitted in their name (`declaration` required): 409 for the director who asked, or when the
    application changed since."""
    application = service.get_application(db, p, reference, for_update=True)
    holding.co_approve(db, catalog_of(request), p, application, declaration=body.declaration)
    db.commit()
    return {"reference": application.reference, "status": application.status}
