"""Pages that belong to no capability: home and health. (The language switch is `?lang=`, kept by
the middleware in a cookie.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pracha.http.access import PUBLIC, allow
from pracha.http.rendering import render
from pracha.identity.principal import Principal
from pracha.services.deps import catalog_of

router = APIRouter()


@router.get("/healthz", tags=["platform"])
def healthz(_: Principal = allow(PUBLIC)) -> dict[str, str]:
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    catalog = catalog_of(request)
    return render(request, "home.html", {"services": list(catalog.services.values())})
