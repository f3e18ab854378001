"""`/business`, the dashboard of the juristic person acted for, and its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from pracha.business.dashboard import dashboard
from pracha.business.organisations import NotADirector
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.services.deps import catalog_of
from pracha.services.service import today_in_thailand

router = APIRouter(tags=["business"])
JuristicId = Annotated[str, Path(pattern=r"^[0-9]{13}$")]


@router.get("/business", response_class=HTMLResponse, include_in_schema=False)
def business_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """Not acting for an organisation: to the list of one's organisations, to choose one."""
    if p.acting is None:
        return RedirectResponse("/me/organisations", status_code=303)
    view = dashboard(db, catalog_of(request), p, today_in_thailand(), request.state.lang)
    return render(request, "business/dashboard.html", {"d": view})


@router.get("/api/v1/organisations/{jid}/dashboard")
def business_api(jid: JuristicId, request: Request, p: Principal = allow(CITIZEN),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
    """The dashboard's sections as JSON, for the juristic person the caller acts for (403 otherwise)."""
    if p.acting is None or p.acting.juristic_id != jid:
        raise NotADirector()
    return dashboard(db, catalog_of(request), p, today_in_thailand(), request.state.lang)
