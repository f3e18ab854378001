"""Portal pages of single sign-on: "apps connected to my ID" (withdraw consent) and the details
apps may receive (English name, address) for citizens; client registration for platform admins
(page and JSON API)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pracha.errors import PrachaError
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN, PLATFORM_ADMIN
from pracha.identity.oidc import clients, consent, details
from pracha.identity.oidc.models import CONFIDENTIAL, PAIRWISE, SECRET_BASIC, OidcClient
from pracha.identity.principal import Principal
from pracha.paging import PageRequest, page_body, page_request

router = APIRouter()
LOGO_LIMIT = 64 * 1024


@router.get("/me/apps", response_class=HTMLResponse, include_in_schema=False)
def apps_page(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    rows = consent.connected(db, p.user)
    return render(request, "oidc_apps.html", {"apps": [(c, consent.describe(c.scopes, request.state.lang))
                                                       for c in rows]})


@router.post("/me/apps/{client_id}/withdraw", include_in_schema=False)
def apps_withdraw(client_id: str, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    assert p.user is not None
    consent.withdraw(db, p.user, client_id)
    db.commit()
    return RedirectResponse("/me/apps?withdrawn=1", status_code=303)


@router.get("/me/details", response_class=HTMLResponse, include_in_schema=False)
def details_page(request: Request, p: Principal = allow(CITIZEN)) -> Response:
    assert p.user is not None
    address = p.user.address or {}
    form = {"first_name_en": p.user.first_name_en or "", "last_name_en": p.user.last_name_en or "",
            **{k: address.get(k, "") for k in details.ADDRESS_FIELDS}}
    return render(request, "oidc_details.html", {"form": form, "errors": {}})


@router.post("/me/details", response_class=HTMLResponse, include_in_schema=False)
async def details_submit(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    user = p.user
    assert user is not None

    def run() -> Response:
        try:
            details.update_details(db, user, first_name_en=form.get("first_name_en", ""),
                                   last_name_en=form.get("last_name_en", ""), address=form)
            db.commit()
        except PrachaError as exc:
            db.rollback()
            lang = request.state.lang
            return render(request, "oidc_details.html", {
                "form": form, "message": exc.message(lang),
                "errors": {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}}, status_code=422)
        return RedirectResponse("/me/details?saved=1", status_code=303)

    return await run_in_threadpool(run)


# --- client registration --------------------------------------------------------------------------


class ClientIn(BaseModel):
    name: str
    name_en: str = ""
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile"])
    client_type: str = CONFIDENTIAL
    auth_method: str = SECRET_BASIC
    jwks: dict[str, Any] | None = None
    logo: str | None = Field(None, description="data:image/png;base64,… (at most 64 KB)")
    subject_type: str = PAIRWISE
    thai_id_legal_basis: str = ""


def client_out(client: OidcClient, secret: str | None = None) -> dict[str, Any]:
    out = {"client_id": client.client_id, "name": client.name, "name_en": client.name_en,
           "redirect_uris": client.redirect_uris, "post_logout_redirect_uris": client.post_logout_redirect_uris,
           "scopes": client.scopes, "client_type": client.client_type, "auth_method": client.auth_method,
           "subject_type": client.subject_type, "sector": client.sector,
           "thai_id_legal_basis": client.thai_id_legal_basis, "created_at": client.created_at.isoformat(),
           "disabled_at": client.disabled_at.isoformat() if client.disabled_at else None}
    if secret:
        out["client_secret"] = secret
    return out


def _clients_page(request: Request, db: Session, page: PageRequest = PageRequest(), **context: Any) -> Response:
    context.setdefault("form", {})
    context.setdefault("errors", {})
    status = 422 if context.get("message") else 200
    found = clients.list_clients(db, page)
    return render(request, "oidc_clients.html", {"clients": found.items, "page": found, "scopes": clients.SCOPES,
                                                 **context}, status_code=status)


@router.get("/admin/oidc/clients", response_class=HTMLResponse, include_in_schema=False)
def clients_page(request: Request, page: PageRequest = Depends(page_request), _: Principal = allow(PLATFORM_ADMIN),
                 db: Session = Depends(get_db)) -> Response:
    return _clients_page(request, db, page, created=None)


async def _logo(upload: Any) -> str | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(LOGO_LIMIT + 1)
    kind = "png" if data.startswith(b"\x89PNG") else ("jpeg" if data.startswith(b"\xff\xd8") else "")
    if not kind or len(data) > LOGO_LIMIT:
        return "data:invalid"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


@router.post("/admin/oidc/clients", response_class=HTMLResponse, include_in_schema=False)
async def clients_create(request: Request, p: Principal = allow(PLATFORM_ADMIN),
                         db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    logo = await _logo(form.get("logo"))
    fields = {k: str(form.get(k) or "") for k in ("name", "name_en", "redirect_uris", "post_logout_redirect_uris",
                                                  "client_type", "auth_method", "jwks", "subject_type",
                                                  "thai_id_legal_basis")}
    scopes = [str(s) for s in form.getlist("scopes")]
    method = fields["auth_method"] or SECRET_BASIC

    def run() -> Response:
        try:
            client, secret = clients.register_client(
                db, p.user, name=fields["name"], name_en=fields["name_en"],
                redirect_uris=fields["redirect_uris"].split(),
                post_logout_redirect_uris=fields["post_logout_redirect_uris"].split(), scopes=["openid", *scopes],
                client_type="public" if method == "none" else CONFIDENTIAL, auth_method=method,
                jwks=fields["jwks"] or None, logo=logo, subject_type=fields["subject_type"] or PAIRWISE,
                thai_id_legal_basis=fields["thai_id_legal_basis"])
            db.commit()
        except PrachaError as exc:
            db.rollback()
            lang = request.state.lang
            return _clients_page(request, db, form={**fields, "scopes": scopes}, message=exc.message(lang),
                                 errors={k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()})
        return _clients_page(request, db, created=client, secret=secret)

    return await run_in_threadpool(run)


@router.post("/admin/oidc/clients/{client_id}/disable", include_in_schema=False)
def clients_disable(client_id: str, p: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)) -> Response:
    clients.disable_client(db, p.user, client_id)
    db.commit()
    return RedirectResponse("/admin/oidc/clients", status_code=303)


@router.get("/api/v1/oidc/clients", tags=["oidc"])
def api_clients(request: Request, response: Response, page: PageRequest = Depends(page_request),
                _: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Registered clients, newest first; paged (`{"items": [...], "next_cursor": ...}`)."""
    return page_body(request, response, clients.list_clients(db, page), client_out)


@router.post("/api/v1/oidc/clients", status_code=201, tags=["oidc"])
def api_client_create(body: ClientIn, p: Principal = allow(PLATFORM_ADMIN),
                      db: Session = Depends(get_db)) -> dict[str, Any]:
    """Register a relying party. The client secret (client_secret_basic) is returned once."""
    client, secret = clients.register_client(db, p.user, **body.model_dump())
    db.commit()
    return client_out(client, secret)


@router.delete("/api/v1/oidc/clients/{client_id}", tags=["oidc"])
def api_client_disable(client_id: str, p: Principal = allow(PLATFORM_ADMIN),
                       db: Session = Depends(get_db)) -> dict[str, Any]:
    """Disable a relying party: its sign-ins stop and its tokens are revoked."""
    client = clients.disable_client(db, p.user, client_id)
    db.commit()
    return client_out(client)
