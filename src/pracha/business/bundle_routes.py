"""The pages of bundles: start one (`/bundles/{kind}/start`), then its page (`/bundles/{reference}`):
as a draft the questions (prefilled values marked with their source), each part with the documents it
still needs, and check-your-answers with the declaration; once sent each part, its agency and its state,
and the co-approve button for another director."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.business import bundles as service
from pracha.business.bundle_view import describe, describe_kind
from pracha.business.deps import bundles_of
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.services import forms
from pracha.services.deps import catalog_of, problems
from pracha.services.errors import FormInvalid
from pracha.services.models import Bundle

router = APIRouter(tags=["bundles"], include_in_schema=False)
Kind = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
Reference = Annotated[str, Path(min_length=1, max_length=20)]
RESERVED = {"csrf_token", "declaration"}


def _fields(request: Request, kind: str) -> list[dict[str, Any]]:
    bundle_def = bundles_of(request).get(kind)
    if bundle_def is None:
        raise service.UnknownBundle()
    return forms.fields(bundle_def.schema)


@router.get("/bundles/{kind}/start", response_class=HTMLResponse)
def start_page(kind: Kind, request: Request, p: Principal = allow(CITIZEN)) -> Response:
    """What the bundle is, its parts and agencies, and the questions (the registry fills in the rest)."""
    bundles = bundles_of(request)
    if kind not in bundles:
        raise service.UnknownBundle()
    about = describe_kind(catalog_of(request), bundles[kind], request.state.lang)
    return render(request, "business/bundle_start.html", {"about": about, "fields": _fields(request, kind),
                                                "prefilled": bundles[kind].organisation_prefill(),
                                                "acting": p.acting, "values": {}, "errors": {}})


@router.post("/bundles/{kind}/start", response_class=HTMLResponse)
async def start_submit(kind: Kind, request: Request, p: Principal = allow(CITIZEN),
                       db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    raw = {k: v for k, v in form.items() if k not in RESERVED and isinstance(v, str)}
    bundles, catalog = bundles_of(request), catalog_of(request)

    def start() -> Bundle:
        prefilled = service.prefill_answers(db, app_state(request).settings, p, bundles[kind]) \
            if kind in bundles else service.Prefilled()
        bundle = service.start_bundle(db, catalog, bundles, p, kind, raw, prefilled=prefilled)
        db.commit()
        return bundle

    try:
        bundle = await run_in_threadpool(start)
    except FormInvalid as exc:  # nothing is committed: the session ends without it
        about = describe_kind(catalog, bundles[kind], request.state.lang)
        return render(request, "business/bundle_start.html", {
            "about": about, "fields": _fields(request, kind), "prefilled": bundles[kind].organisation_prefill(),
            "acting": p.acting, "values": raw, "errors": problems(exc, request.state.lang)}, status_code=422)
    return RedirectResponse(f"/bundles/{bundle.reference}", status_code=303)


def _page(request: Request, db: Session, p: Principal, reference: str, *, errors: dict[str, str] | None = None,
          values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    bundles = bundles_of(request)
    bundle = service.get_bundle(db, bundles, p, reference)
    view = describe(db, catalog_of(request), bundles, p, bundle, request.state.lang)
    fields = forms.fields(bundles[bundle.kind].schema) if bundle.kind in bundles else []
    return render(request, "business/bundle.html", {"b": view, "fields": fields, "values": values or view["answers"],
                                          "errors": errors or {}, "acting": p.acting}, status_code=status_code)


@router.get("/bundles/{reference}", response_class=HTMLResponse)
def bundle_page(reference: Reference, request: Request, p: Principal = allow(CITIZEN),
                db: Session = Depends(get_db)) -> Response:
    return _page(request, db, p, reference)


async def _change(request: Request, db: Session, p: Principal, reference: str,
                  change: Callable[[Bundle, dict[str, Any]], Any]) -> Response:
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}

    def run() -> None:
        bundle = service.get_bundle(db, bundles_of(request), p, reference)
        change(bundle, raw)
        db.commit()

    try:
        await run_in_threadpool(run)
    except FormInvalid as exc:  # nothing is committed: the session ends without it
        typed = {k: v for k, v in raw.items() if k not in RESERVED}
        return await run_in_threadpool(_page, request, db, p, reference, errors=problems(exc, request.state.lang),
                                       values=typed or None, status_code=422)
    return RedirectResponse(f"/bundles/{reference}", status_code=303)


@router.post("/bundles/{reference}/answers", response_class=HTMLResponse)
async def answers_submit(reference: Reference, request: Request, p: Principal = allow(CITIZEN),
                         db: Session = Depends(get_db)) -> Response:
    catalog, bundles = catalog_of(request), bundles_of(request)
    return await _change(request, db, p, reference, lambda b, raw: service.update_bundle(
        db, catalog, bundles, p, b, {k: v for k, v in raw.items() if k not in RESERVED}))


@router.post("/bundles/{reference}/submit", response_class=HTMLResponse)
async def submit_form(reference: Reference, request: Request, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> Response:
    catalog, bundles, settings = catalog_of(request), bundles_of(request), app_state(request).settings
    return await _change(request, db, p, reference, lambda b, raw: service.submit_bundle(
        db, catalog, bundles, p, b, raw.get("declaration") in ("on", "true", "1"), settings=settings))


@router.post("/bundles/{reference}/co-approve", response_class=HTMLResponse)
async def co_approve_form(reference: Reference, request: Request, p: Principal = allow(CITIZEN),
                          db: Session = Depends(get_db)) -> Response:
    catalog, bundles, settings = catalog_of(request), bundles_of(request), app_state(request).settings
    return await _change(request, db, p, reference, lambda b, raw: service.co_approve_bundle(
        db, catalog, bundles, p, b, raw.get("declaration") in ("on", "true", "1"), settings=settings))
