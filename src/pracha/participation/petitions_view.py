"""What the public (and the creator, and the moderators) see of a petition, as JSON. Never a person:
no creator, supporter, moderator or officer id or name; the agency answers, not its officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from pracha.identity.models import MODERATOR
from pracha.identity.principal import Principal
from pracha.participation.models import Petition
from pracha.participation.petitions import is_creator
from pracha.participation.petitions_support import ledger_range


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def may_read_text(principal: Principal, petition: Petition) -> bool:
    """A hidden petition's text stays readable for its creator and the moderators."""
    return petition.hidden_at is None or is_creator(principal, petition) or principal.role == MODERATOR


def petition_json(session: Session, principal: Principal, petition: Petition, *, detail: bool = True
                  ) -> dict[str, Any]:
    readable = may_read_text(principal, petition)
    body: dict[str, Any] = {
        "id": petition.id, "agency": petition.agency, "status": petition.status,
        "title": petition.title if readable else None, "body": petition.body if readable and detail else None,
        "hidden": petition.hidden_at is not None, "hidden_reason": petition.hidden_reason,
        "days_open": petition.days_open, "opens_at": _time(petition.opens_at), "closes_at": _time(petition.closes_at),
        "threshold": petition.threshold, "response_days": petition.response_days,
        "support_count": petition.support_count, "threshold_reached_at": _time(petition.threshold_reached_at),
        "response_due_at": _time(petition.response_due_at), "response_th": petition.response_th,
        "response_en": petition.response_en, "responded_at": _time(petition.responded_at),
        "created_at": _time(petition.created_at),
    }
    if is_creator(principal, petition) or principal.role == MODERATOR:
        body["decision_reason"] = petition.decision_reason
    if detail:
        found = ledger_range(session, petition.id)
        body["ledger"] = {"first_index": found.first_index, "last_index": found.last_index,
                          "sequenced": found.sequenced}
    return body
