"""The JSON API of bundles under /api/v1: the catalogue of bundles, starting one (its parts made as
drafts), reading it, changing its answers, submitting it and a second director's co-approval."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from pracha.business import bundles as service
from pracha.business.bundle_view import describe, describe_kind
from pracha.business.deps import bundles_of
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.state import app_state
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["bundles"])
Kind = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
Reference = Annotated[str, Path(min_length=1, max_length=20)]


class AnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50)


class DeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declaration: bool = False


@router.get("/bundles")
def list_bundles(request: Request, p: Principal = allow(PUBLIC)) -> dict[str, Any]:
    """The bundles one can start: each with its questions (a JSON Schema) and its parts' agencies."""
    catalog, lang = catalog_of(request), request.state.lang
    return {"bundles": [describe_kind(catalog, b, lang) for b in bundles_of(request).values()]}


@router.post("/bundles/{kind}", status_code=201)
def start(kind: Kind, body: AnswersIn, request: Request, p: Principal = allow(CITIZEN),
          db: Session = Depends(get_db)) -> dict[str, Any]:
    """Start a bundle: the answers given, the rest from the business registry (for the organisation
    acted for); every part is created as a draft."""
    catalog, bundles = catalog_of(request), bundles_of(request)
    prefilled = service.Prefilled()
    if kind in bundles:
        prefilled = service.prefill_answers(db, app_state(request).settings, p, bundles[kind])
    bundle = service.start_bundle(db, catalog, bundles, p, kind, body.answers, prefilled=prefilled)
    db.commit()
    return describe(db, catalog, bundles, p, bundle, request.state.lang)


@router.get("/bundles/{reference}")
def read(reference: Reference, request: Request, p: Principal = allow(CITIZEN),
         db: Session = Depends(get_db)) -> dict[str, Any]:
    """The bundle, its parts (agency, reference, state, documents still missing) and its status."""
    bundles = bundles_of(request)
    bundle = service.get_bundle(db, bundles, p, reference)
    return describe(db, catalog_of(request), bundles, p, bundle, request.state.lang)


@router.patch("/bundles/{reference}")
def change(reference: Reference, body: AnswersIn, request: Request, p: Principal = allow(CITIZEN),
           db: Session = Depends(get_db)) -> dict[str, Any]:
    """Change a draft's answers (passed on to every part)."""
    catalog, bundles = catalog_of(request), bundles_of(request)
    bundle = service.get_bundle(db, bundles, p, reference)
    service.update_bundle(db, catalog, bundles, p, bundle, body.answers)
    db.commit()
    return describe(db, catalog, bundles, p, bundle, request.state.lang)


@router.post("/bundles/{reference}/submit")
def submit(reference: Reference, body: DeclarationIn, request: Request, p: Principal = allow(CITIZEN),
           db: Session = Depends(get_db)) -> dict[str, Any]:
    """Submit every part at once (all or none); held for a second director where the signing rule
    needs two (status awaiting_co_approval)."""
    catalog, bundles = catalog_of(request), bundles_of(request)
    bundle = service.get_bundle(db, bundles, p, reference)
    service.submit_bundle(db, catalog, bundles, p, bundle, body.declaration, settings=app_state(request).settings)
    db.commit()
    return describe(db, catalog, bundles, p, bundle, request.state.lang)


@router.post("/bundles/{reference}/co-approve")
def co_approve(reference: Reference, body: DeclarationIn, request: Request, p: Principal = allow(CITIZEN),
               db: Session = Depends(get_db)) -> dict[str, Any]:
    """Another director of the juristic person approves: every part is submitted."""
    catalog, bundles = catalog_of(request), bundles_of(request)
    bundle = service.get_bundle(db, bundles, p, reference)
    service.co_approve_bundle(db, catalog, bundles, p, bundle, body.declaration,
                              settings=app_state(request).settings)
    db.commit()
    return describe(db, catalog, bundles, p, bundle, request.state.lang)
