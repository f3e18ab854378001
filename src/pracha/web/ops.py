"""Operating the portal: `GET /metrics` (Prometheus text, for platform admins or the bearer token
`PRACHA_METRICS_TOKEN`) and `GET /readyz` (the database, and the registries when the exchange has
some). `/healthz` (web/routes.py) stays cheap: the process answers, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.hooks import Slot
from pracha.http.access import PUBLIC, Rule, allow, get_db
from pracha.http.metrics import CONTENT_TYPE, bearer_matches, render
from pracha.http.readiness import Prober, check_database, check_http
from pracha.http.state import AppState, app_state, part
from pracha.identity.models import PLATFORM_ADMIN
from pracha.identity.principal import Principal

router = APIRouter(tags=["platform"])
NOT_READY = ("ระบบยังไม่พร้อมให้บริการ", "The service is not ready.")


@dataclass
class Ops:
    """This app's metrics registry and what `/readyz` checks besides the database: functions that
    return {name: health URL} (the registries)."""

    metrics: CollectorRegistry
    readiness_targets: list[Callable[[Session], dict[str, str]]]
    prober: Prober = field(default_factory=Prober)


OPS: Slot[Ops] = Slot("ops")


class MetricsRule(Rule):
    """Platform admins, or a caller presenting the configured metrics token (a Prometheus server)."""

    async def __call__(self, request: Request, db: Session = Depends(get_db)) -> Principal:
        secret = app_state(request).settings.metrics_token.get_secret_value()
        if bearer_matches(request.headers.get("authorization", ""), secret):
            request.state.principal = Principal()
            return request.state.principal
        return await super().__call__(request, db)


@router.get("/metrics", summary="Prometheus metrics (platform admins or PRACHA_METRICS_TOKEN)",
            response_class=Response)
async def metrics(request: Request, _: Principal = Depends(MetricsRule((PLATFORM_ADMIN,), None))) -> Response:
    body = await run_in_threadpool(render, part(request, OPS).metrics)  # collectors query the database
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def _database(state: AppState, ops: Ops) -> dict[str, str]:
    """A round trip to the database, then the URLs of the other parts to check (registries)."""
    check_database(state.db.engine)
    urls: dict[str, str] = {}
    with state.db.sessions() as session:
        for find in ops.readiness_targets:
            urls.update(find(session))
    return urls


@router.get("/readyz", summary="Readiness: the database and the registries answer")
async def readyz(request: Request, _: Principal = allow(PUBLIC)) -> JSONResponse:
    """200 `{"status": "ready", "checks": {...}}`, or 503 naming the failing checks."""
    state, ops = app_state(request), part(request, OPS)
    timeout = state.settings.readyz_timeout_seconds
    results = await ops.prober.run({"database": partial(_database, state, ops)}, timeout)
    if results["database"].ok and results["database"].value:
        urls: dict[str, str] = results["database"].value
        results.update(await ops.prober.run({name: partial(check_http, url, timeout)
                                                  for name, url in urls.items()}, timeout))
    checks = {name: result.detail for name, result in results.items()}
    failing = [name for name, result in results.items() if not result.ok]
    if not failing:
        return JSONResponse({"status": "ready", "checks": checks}, headers={"Cache-Control": "no-store"})
    th, en = NOT_READY
    return JSONResponse({"status": "unready", "error": "not_ready", "message": en if request.state.lang == "en" else th,
                         "failing": failing, "checks": checks}, status_code=503, headers={"Cache-Control": "no-store"})
