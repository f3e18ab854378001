"""Moderation's JSON API: anyone signed in reports abuse; moderators read the queue and decide.

    POST /api/v1/abuse-reports                                  201 (200: your open report on it already)
    GET  /api/v1/moderation/reports                             the queue, grouped by item (paged)
    POST /api/v1/moderation/{target_kind}/{target_id}/hide      {reason}
    POST /api/v1/moderation/{target_kind}/{target_id}/unhide    {reason}
    POST /api/v1/moderation/reports/{report_id}/dismiss         {reason}
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pracha.http.access import allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import MAX_INT, RowId
from pracha.identity.models import CITIZEN, MODERATOR, STAFF_ROLES
from pracha.identity.principal import Principal
from pracha.paging import PageRequest, page_body, page_request
from pracha.participation import moderation
from pracha.participation.models import ModerationAction
from pracha.participation.moderation import Kind

router = APIRouter(prefix="/api/v1", tags=["moderation"])


class AbuseReportIn(BaseModel):
    target_kind: str = Field(max_length=24, description="complaint | complaint_event | hearing_response | petition")
    target_id: int = Field(ge=1, le=MAX_INT)
    reason: str = Field(max_length=500)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=500)


def action_out(action: ModerationAction) -> dict[str, Any]:
    return {"id": action.id, "target_kind": action.target_kind, "target_id": action.target_id,
            "action": action.action, "reason": action.reason, "at": action.at.isoformat()}


def item_out(item: moderation.QueueItem) -> dict[str, Any]:
    return {"target_kind": item.kind, "target_id": item.target_id, "text": item.text, "link": item.link,
            "confidential": item.confidential, "hidden": item.hidden,
            "reports": [moderation.report_out(r) for r in item.reports]}


@router.post("/abuse-reports", status_code=201, responses=errors(404, 422, 429))
def create_abuse_report(body: AbuseReportIn, response: Response, p: Principal = allow(CITIZEN, *STAFF_ROLES),
                        db: Session = Depends(get_db)) -> dict[str, Any]:
    """Report a public text as inappropriate. Repeating your open report on the same item returns it (200)."""
    report, created = moderation.report_abuse(db, p, body.target_kind, body.target_id, body.reason)
    db.commit()
    if not created:
        response.status_code = 200
    return moderation.report_out(report)


@router.get("/moderation/reports", responses=errors(400, 422))
def moderation_queue(request: Request, response: Response, page: PageRequest = Depends(page_request),
                     p: Principal = allow(MODERATOR), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Items with open abuse reports, longest waiting first, with their text (none for a confidential
    complaint) and the page they appear on. Paged: follow `next_cursor`."""
    return page_body(request, response, moderation.open_queue(db, page), item_out)


@router.post("/moderation/{target_kind}/{target_id}/hide", responses=errors(404, 409, 422))
def hide(target_kind: Kind, target_id: RowId, body: ReasonIn, p: Principal = allow(MODERATOR),
         db: Session = Depends(get_db)) -> dict[str, Any]:
    """Hide the item: the public sees the reason instead of its text; its open reports are resolved."""
    action = moderation.hide_target(db, p, target_kind, target_id, body.reason)
    db.commit()
    return action_out(action)


@router.post("/moderation/{target_kind}/{target_id}/unhide", responses=errors(404, 409, 422))
def unhide(target_kind: Kind, target_id: RowId, body: ReasonIn, p: Principal = allow(MODERATOR),
           db: Session = Depends(get_db)) -> dict[str, Any]:
    """Show a hidden item again (logged with the reason)."""
    action = moderation.unhide_target(db, p, target_kind, target_id, body.reason)
    db.commit()
    return action_out(action)


@router.post("/moderation/reports/{report_id}/dismiss", responses=errors(404, 409, 422))
def dismiss(report_id: RowId, body: ReasonIn, p: Principal = allow(MODERATOR),
            db: Session = Depends(get_db)) -> dict[str, Any]:
    """Keep the item: the report is resolved as kept (logged with the reason)."""
    action = moderation.dismiss_report(db, p, report_id, body.reason)
    db.commit()
    return action_out(action)
