"""Pages for staff that belong to no capability: `/admin` (what the signed-in role may open, from the
one list in `web.menu`) and `/docs` (the API reference, rendered from the OpenAPI document): an index of
every operation, then one page per tag and one of the schemas, so no page is heavier than 150 KB
(tests/web/test_page_weight.py; the whole reference on one page weighed 390 KB)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from pracha.errors import NotFound
from pracha.http.access import PUBLIC, allow
from pracha.http.rendering import render
from pracha.http.state import part
from pracha.identity.models import STAFF_ROLES
from pracha.identity.principal import Principal
from pracha.web.apidoc import build_reference, section_slug
from pracha.web.menu import MENU, pages_for

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, p: Principal = allow(*STAFF_ROLES)) -> Response:
    pages = [page for page in pages_for(part(request, MENU), p.role) if page.path != "/admin"]
    return render(request, "admin.html", {"pages": pages})


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    """Every operation of `/openapi.json`, by tag, each linking to its section's page."""
    return render(request, "api_docs.html", {"ref": build_reference(request.app.openapi()), "slug": section_slug})


@router.get("/docs/{section}", response_class=HTMLResponse)
def api_reference_section(request: Request, section: Annotated[str, Path(max_length=80)],
                          _: Principal = allow(PUBLIC)) -> Response:
    """One tag's operations with their parameters, bodies and responses; or (`schemas`) every schema."""
    ref = build_reference(request.app.openapi())
    tags = {section_slug(tag): tag for tag in ref.groups}
    if section != "schemas" and section not in tags:
        raise NotFound()
    return render(request, "api_docs_section.html", {"ref": ref, "tag": tags.get(section), "slug": section_slug})
