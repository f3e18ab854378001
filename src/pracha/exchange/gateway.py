"""The mediator over HTTP: `GET /exchange/r1/{service-id}/{path}` with X-Road headers.

    X-Road-Client: TH/GOV/cm-elderly-welfare/backoffice    the calling subsystem (its key signs)
    X-Road-Id: 6f1c…                                        unique per client (a repeat is a replay, 409)
    X-Road-UserId: officer:somsri                           the officer or system behind the call
    X-Road-Purpose: eligibility-check                       why
    Signature-Input / Signature / Content-Digest            RFC 9421, Ed25519, key id = the client id

The hot path between agencies, so it is lean (`pipeline` has the steps): the signature and the checks
(they read the database: on SQLite on the event loop, a WAL read never waits for a writer; on
PostgreSQL in one worker-thread call), the forward on the event loop over a pooled
keep-alive connection, and the log row with its ledger entry committed by the group-commit writer
before the answer, signed by the mediator, leaves. The route is documented and carries its access rule
(PUBLIC: the caller is authenticated by its signature) like any other, but `LeanRoute` serves it
without FastAPI's per-request dependency solving; what those dependencies did is done here directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from pracha.exchange import httpsig, mediator, pipeline, transport
from pracha.exchange.errors import ExchangeError
from pracha.http.access import SESSION_COOKIE, allow, resolve_caller
from pracha.http.guard import check_request_text
from pracha.http.state import app_state
from pracha.identity.principal import PUBLIC

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class LeanRoute(APIRoute):
    """An APIRoute whose endpoint gets the request directly: no dependency graph solved per request."""

    def get_route_handler(self) -> Handler:
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            response: Response = await endpoint(request, request.path_params["path"])
            return response

        return handle


router = APIRouter(tags=["exchange"], route_class=LeanRoute)


def _resolve_caller(request: Request) -> None:
    """A session cookie or a bearer token is checked as every route checks it (a bad token is a 401)."""
    with app_state(request).db.sessions() as session:
        resolve_caller(request, session)


def respond(outcome: pipeline.Outcome, key: Any, lang: str, request_headers: dict[str, str]) -> Response:
    ask = outcome.ask
    if outcome.error is not None:
        outcome.error.details["message_reference"] = outcome.reference
        body = json.dumps(outcome.error.to_json(lang), ensure_ascii=False).encode()
        content_type = "application/json"
    else:
        assert outcome.forwarded is not None
        body, content_type = outcome.forwarded.body, outcome.forwarded.content_type
    headers = {"content-type": content_type, "x-road-id": ask.message_id[:100],
               "x-road-client": ask.client[:200], "x-road-reference": outcome.reference}
    if outcome.error is not None:
        headers.update(outcome.error.headers)
    headers.update(httpsig.sign_response(outcome.status, headers, body, key_id=mediator.MEDIATOR, key=key,
                                         request_headers=request_headers if "signature" in request_headers else None))
    return Response(body, status_code=outcome.status, headers=headers)


@router.get("/exchange/r1/{path:path}", summary="The mediator: a registry call with X-Road headers",
            dependencies=[allow(PUBLIC, csrf=False, write=False)])
async def exchange(request: Request, path: str) -> Response:
    """Forward a signed request to a registry after the mediator's checks; answer signed by the mediator.
    Refusals: 400, 401 (signature), 403 (access right, purpose, lawful basis), 404, 409 (replayed
    X-Road-Id), 429, 502 (provider down or bad signature), 504 (provider slow)."""
    await check_request_text(request)
    if SESSION_COOKIE in request.cookies or "authorization" in request.headers:
        await run_in_threadpool(_resolve_caller, request)
    state = app_state(request)
    settings, database = state.settings, state.db
    incoming = pipeline.Incoming(request.method, httpsig.asgi_target_uri(request.scope),
                                 {k.lower(): v for k, v in request.headers.items()},
                                 await request.body(), path, request.url.query)
    if database.is_sqlite:  # a read of a local file in WAL mode: quicker than a hand-off to a thread
        outcome = pipeline.check(database, settings, incoming)
    else:
        outcome = await run_in_threadpool(pipeline.check, database, settings, incoming)
    key = mediator.mediator_key(settings.var_dir)
    if outcome.error is None:
        assert outcome.trace.service is not None
        try:
            outcome.forwarded = await transport.forward(outcome.ask, outcome.trace.service, outcome.provider, key=key,
                                                        timeout=settings.exchange_timeout_seconds)
        except ExchangeError as error:
            outcome.error = error
    await pipeline.log_writer(database).submit(outcome)  # committed before anything is answered
    return respond(outcome, key, request.state.lang, incoming.headers)
