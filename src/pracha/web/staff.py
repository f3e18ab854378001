"""Pages for staff that belong to no capability: `/admin` (what the signed-in role may open, from the
one list in `web.menu`) and `/docs` (the API reference, rendered from the OpenAPI document)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pracha.http.access import PUBLIC, allow
from pracha.http.rendering import render
from pracha.http.state import part
from pracha.identity.models import STAFF_ROLES
from pracha.identity.principal import Principal
from pracha.web.apidoc import build_reference
from pracha.web.menu import MENU, pages_for

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, p: Principal = allow(*STAFF_ROLES)) -> Response:
    pages = [page for page in pages_for(part(request, MENU), p.role) if page.path != "/admin"]
    return render(request, "admin.html", {"pages": pages})


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    """Every operation of `/openapi.json` with its parameters, bodies, responses and schemas."""
    return render(request, "api_docs.html", {"ref": build_reference(request.app.openapi())})
