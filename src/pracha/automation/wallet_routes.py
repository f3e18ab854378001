"""The citizen's wallet over HTTP: `/me/documents` (page) and `GET /api/v1/me/documents` (JSON). Each
document downloads at `/certificates/{id}.pdf` (the holder, or the agency's staff, whose view is
recorded) and is checked at `/verify/{id}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pracha.automation import wallet
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.services.deps import catalog_of

router = APIRouter()


@router.get("/me/documents", response_class=HTMLResponse)
def documents_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """Every document issued to the signed-in citizen, with its status, download and check links."""
    return render(request, "automation/wallet.html", {"documents": wallet.my_documents(db, catalog_of(request), p)})


@router.get("/api/v1/me/documents", tags=["documents"])
def documents_api(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                  ) -> dict[str, Any]:
    """The signed-in citizen's documents, newest first: type, number, issuer, issue date, validity,
    status (valid, expired, revoked), and where to download and check each."""
    return {"items": [wallet.as_json(d) for d in wallet.my_documents(db, catalog_of(request), p)]}
