"""The JSON twin of the casework pages: assignment, internal notes, colleagues, bulk actions."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from pracha.http.access import allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import MAX_INT
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, OFFICER, User
from pracha.identity.principal import API_TOKEN, Principal
from pracha.services import bulk, casework, service
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["casework"])
HANDLERS = (OFFICER, AGENCY_ADMIN)
StaffId = Field(None, ge=1, le=MAX_INT, description="A staff member's id (see `GET /api/v1/agency/colleagues`).")


class AssigneeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int | None = StaffId


class StaffOut(BaseModel):
    id: int
    name: str
    role: str


class AssignmentOut(BaseModel):
    reference: str
    assignee: StaffOut | None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=casework.MAX_NOTE)


class NoteOut(BaseModel):
    id: int
    at: Any
    kind: Literal["note", "assigned"]
    author: StaffOut | None
    author_role: str
    text: str | None
    assignee: StaffOut | None


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    references: list[str] = Field(min_length=1, max_length=bulk.MAX_REFERENCES)
    action: Literal["review", "assign_me", "assign"]
    user_id: int | None = StaffId


class OutcomeOut(BaseModel):
    reference: str
    ok: bool
    error: str | None
    message: str | None


class BulkOut(BaseModel):
    results: list[OutcomeOut]


def _staff(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.display_name, "role": user.role}


def _note(note: casework.CaseNote) -> dict[str, Any]:
    return {"id": note.id, "at": note.at, "kind": note.kind, "author": _staff(note.author),
            "author_role": note.author_role, "text": note.body, "assignee": _staff(note.assignee)}


@router.get("/agency/colleagues", response_model=list[StaffOut])
def list_colleagues(p: Principal = allow(*HANDLERS), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    """The officers and admins of my agency: whom an application can be assigned to."""
    return [s for s in map(_staff, casework.colleagues(db, p.agency)) if s is not None]


@router.post("/applications/{reference}/assignee", response_model=AssignmentOut, responses=errors(409))
def assign(reference: str, body: AssigneeIn, p: Principal = allow(*HANDLERS, API_TOKEN, scope="applications:write"),
           db: Session = Depends(get_db)) -> dict[str, Any]:
    """Give the application to an officer of its agency (`user_id`), or to nobody (`null`). An officer
    takes unassigned cases and hands on their own (409 for a colleague's); an agency admin may move any."""
    application = service.get_application(db, p, reference, for_update=True)
    casework.assign(db, p, application, body.user_id)
    db.commit()
    return {"reference": application.reference, "assignee": _staff(application.assignee)}


@router.get("/applications/{reference}/notes", response_model=list[NoteOut])
def list_notes(reference: str, p: Principal = allow(*HANDLERS, AUDITOR), db: Session = Depends(get_db)
               ) -> list[dict[str, Any]]:
    """The case's internal log (notes and assignments), oldest first. Never shown to the citizen's
    pages or API; in their PDPA export without the officer's name."""
    application = service.get_application(db, p, reference)
    return [_note(n) for n in casework.case_log(db, p, application)]


@router.post("/applications/{reference}/notes", status_code=201, response_model=NoteOut)
def add_note(reference: str, body: NoteIn, p: Principal = allow(*HANDLERS), db: Session = Depends(get_db)
             ) -> dict[str, Any]:
    """An internal note on the application (officers and admins of its agency)."""
    application = service.get_application(db, p, reference, for_update=True)
    note = casework.add_note(db, p, application, body.text)
    db.commit()
    return _note(note)


@router.post("/applications/bulk-actions", response_model=BulkOut)
def act_on_many(body: BulkIn, request: Request, p: Principal = allow(*HANDLERS), db: Session = Depends(get_db)
                ) -> dict[str, Any]:
    """One action on up to 50 applications: `review` (take into review), `assign_me`, `assign` (with
    `user_id`). Each is done or refused on its own; `results` says which, and why."""
    outcomes = bulk.act_on_many(db, catalog_of(request), p, body.references, body.action, assignee_id=body.user_id)
    db.commit()
    return {"results": [o.to_json(request.state.lang) for o in outcomes]}
