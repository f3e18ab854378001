"""The participation hub `/participation` (what citizens can do, with what is open now) and the public
complaint statistics: the page `/complaints/statistics` and `GET /api/v1/complaint-statistics`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.rendering import render
from pracha.identity.principal import Principal
from pracha.participation import statistics
from pracha.participation.deps import rules_of
from pracha.participation.models import H_OPEN, P_OPEN, Hearing, Petition
from pracha.services.deps import catalog_of

router = APIRouter()
Month = Query("", max_length=7, description="The month, YYYY-MM (Gregorian); the current month when empty")


def open_counts(session: Session, now: dt.datetime) -> dict[str, int]:
    """Hearings and petitions citizens can take part in right now."""
    hearings = session.scalar(select(func.count()).select_from(Hearing).where(
        Hearing.status == H_OPEN, Hearing.opens_at <= now, Hearing.closes_at > now)) or 0
    petitions = session.scalar(select(func.count()).select_from(Petition).where(
        Petition.status == P_OPEN, Petition.hidden_at.is_(None),
        (Petition.closes_at.is_(None)) | (Petition.closes_at > now))) or 0
    return {"hearings": hearings, "petitions": petitions}


@router.get("/participation", response_class=HTMLResponse, include_in_schema=False)
def hub_page(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    return render(request, "participation/hub.html", {"counts": open_counts(db, utcnow())})


def _today() -> dt.date:
    return utcnow().astimezone(BANGKOK).date()


def previous_months(month: str, count: int = 12) -> list[str]:
    year, number = (int(part) for part in month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return found


@router.get("/api/v1/complaint-statistics", tags=["complaints"], responses=errors(422))
def complaint_statistics(request: Request, month: str = Month, p: Principal = allow(PUBLIC),
                         db: Session = Depends(get_db)) -> dict[str, Any]:
    """Complaints received in the month per agency: the share answered within the first-response
    deadline, median days to the first response and to resolution, the share resolved within the
    category's SLA, mean satisfaction (over at least `k` ratings) and counts by category. Confidential
    complaints are only in `confidential_received` (platform-wide, null below `k`)."""
    chosen = statistics.parse_month(month, _today())
    found = statistics.month_statistics(db, rules_of(request), chosen)
    return statistics.statistics_out(found, catalog_of(request))


@router.get("/complaints/statistics", response_class=HTMLResponse, include_in_schema=False)
def statistics_page(request: Request, month: str = Month, p: Principal = allow(PUBLIC),
                    db: Session = Depends(get_db)) -> Response:
    today = _today()
    chosen = statistics.parse_month(month, today)
    rules = rules_of(request)
    found = statistics.month_statistics(db, rules, chosen)
    return render(request, "participation/statistics.html", {
        "found": found, "month": chosen, "months": previous_months(today.strftime("%Y-%m")),
        "agencies": catalog_of(request).agencies, "categories": rules.categories,
        "first_response_days": rules.first_response_days, "k": statistics.K,
        "month_label": statistics.month_label})
