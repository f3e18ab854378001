"""Rate limits on what citizens post: complaints, petitions, hearing responses and abuse reports.

Counted from the rows themselves (created in the last hour and the last day by this user), so the
limits hold across processes without another table; `Retry-After` tells when to try again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.participation.errors import TooManyPosts
from pracha.participation.models import AbuseReport, Complaint, HearingResponse, Petition

__all__ = ["LIMITS", "Limit", "check_rate"]


@dataclass(frozen=True)
class Limit:
    per_hour: int
    per_day: int


LIMITS = {"complaint": Limit(5, 20), "petition": Limit(2, 5), "hearing_response": Limit(20, 60),
          "abuse_report": Limit(20, 100)}
_COLUMNS: dict[str, tuple[Any, Any]] = {
    "complaint": (Complaint.reporter_id, Complaint.created_at),
    "petition": (Petition.creator_id, Petition.created_at),
    "hearing_response": (HearingResponse.user_id, HearingResponse.created_at),
    "abuse_report": (AbuseReport.reporter_id, AbuseReport.created_at),
}


def check_rate(session: Session, kind: str, user_id: int, *, now: dt.datetime | None = None) -> None:
    """Raise TooManyPosts when `user_id` has already posted `kind` up to its hourly or daily limit."""
    limit, (author, created) = LIMITS[kind], _COLUMNS[kind]
    now = now or utcnow()
    for window, allowed in ((dt.timedelta(hours=1), limit.per_hour), (dt.timedelta(days=1), limit.per_day)):
        since = now - window
        count, oldest = session.execute(
            select(func.count(), func.min(created)).where(author == user_id, created > since)).one()
        if count >= allowed:
            wait = max(1, int(((oldest or now) + window - now).total_seconds()) + 1)
            raise TooManyPosts(headers={"Retry-After": str(wait)}, retry_after=wait)
