"""The mediator over HTTP: `GET /exchange/r1/{service-id}/{path}` with X-Road headers.

    X-Road-Client: TH/GOV/cm-elderly-welfare/backoffice    the calling subsystem (its key signs)
    X-Road-Id: 6f1c…                                        unique per client (a repeat is a replay, 409)
    X-Road-UserId: officer:somsri                           the officer or system behind the call
    X-Road-Purpose: eligibility-check                       why
    Signature-Input / Signature / Content-Digest            RFC 9421, Ed25519, key id = the client id

The checks run in one worker-thread call (signature, replay, access right, purpose, lawful basis, rate
limit, then the forward). The log row and its ledger entry are written in the same call on PostgreSQL;
on SQLite in a second, short call under the process's write lock, so the provider's round trip never
holds the database's write lock. The answer is signed by the mediator.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.config import Settings
from pracha.db import begin_write
from pracha.exchange import checks, httpsig, mediator
from pracha.exchange.errors import BadExchangeRequest, BadSignature, ExchangeError, Replayed
from pracha.exchange.service import mediate
from pracha.http.access import allow, get_db
from pracha.http.state import app_state
from pracha.identity.principal import PUBLIC, Principal

router = APIRouter(tags=["exchange"])
SERVICE_ID_PARTS = 5  # TH / GOV / member / subsystem / service code


@dataclass
class Incoming:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    rest: str
    query: str


@dataclass
class Outcome:
    ask: checks.Ask
    trace: checks.Trace
    reference: str
    started: float
    error: ExchangeError | None = None
    forwarded: mediator.Forwarded | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        if self.error is not None:
            return int(self.error.status_code)
        assert self.forwarded is not None
        return self.forwarded.status


def _ask(incoming: Incoming) -> checks.Ask:
    h = incoming.headers
    parts = incoming.rest.strip("/").split("/")
    return checks.Ask(client=h.get("x-road-client", ""), message_id=h.get("x-road-id", ""),
                      purpose=h.get("x-road-purpose", ""), service_id="/".join(parts[:SERVICE_ID_PARTS]),
                      path="/".join(parts[SERVICE_ID_PARTS:]), user=h.get("x-road-userid"),
                      method=incoming.method, query=incoming.query)


def _verify_client(session: Session, settings: Settings, incoming: Incoming, ask: checks.Ask) -> None:
    try:
        keyid = httpsig.verify_request(incoming.method, incoming.url, incoming.headers, incoming.body,
                                       resolve_key=lambda k: mediator.public_keys.get(session, k),
                                       max_age=settings.exchange_signature_max_age)
    except httpsig.SignatureError as exc:
        raise BadSignature(reason=str(exc)) from None
    if keyid != ask.client:
        raise BadSignature(reason="the key id is not the X-Road-Client")


def decide(session: Session, settings: Settings, incoming: Incoming) -> Outcome:
    """Signature, then every check, then the forward; a refusal is kept in the outcome, not raised."""
    outcome = Outcome(_ask(incoming), checks.Trace(), mediator.new_reference(), time.perf_counter())
    ask = outcome.ask
    try:
        if len(incoming.rest.strip("/").split("/")) <= SERVICE_ID_PARTS:
            raise BadExchangeRequest("ต้องระบุรหัสบริการและเส้นทาง", "A service id and a path are required.")
        _verify_client(session, settings, incoming, ask)
        outcome.forwarded = mediate(session, settings, ask, outcome.trace)
    except ExchangeError as error:
        outcome.error = error
        if isinstance(error, BadSignature) and outcome.trace.service is None:
            try:  # still say whose data a forged request was after, for the citizen's tracker
                checks.describe(session, ask, outcome.trace)
            except ExchangeError:
                pass
    return outcome


def record(session: Session, outcome: Outcome, *, same_transaction: bool = False) -> None:
    """Write the log row and its ledger entry and commit: in a write transaction of its own (SQLite,
    BEGIN IMMEDIATE), or on PostgreSQL in the checks' transaction (no second checkout and ping)."""
    if not same_transaction:
        session.rollback()  # end the read of the checks
        begin_write(session)
    fwd, headers = outcome.forwarded, outcome.extra
    kwargs: dict[str, Any] = {
        "reference": outcome.reference, "status": outcome.status, "error": outcome.error, "forwarded": fwd,
        "request_digest": headers.get("content-digest"), "started": outcome.started,
        "request_signature": f"{headers.get('signature-input', '')}\n{headers.get('signature', '')}"[:4000],
    }
    mediator.write_log(session, outcome.ask, outcome.trace, **kwargs)
    try:
        session.commit()
    except IntegrityError:  # the same X-Road-Id committed by a concurrent request a moment ago
        session.rollback()
        begin_write(session)
        outcome.error, outcome.forwarded, kwargs["forwarded"] = Replayed(), None, None
        kwargs.update(status=outcome.status, error=outcome.error)
        mediator.write_log(session, outcome.ask, outcome.trace, **kwargs)
        session.commit()


def handle(session: Session, settings: Settings, incoming: Incoming, *, write_now: bool) -> Outcome:
    outcome = decide(session, settings, incoming)
    outcome.extra = {k: incoming.headers.get(k, "") for k in ("content-digest", "signature-input", "signature")}
    if write_now:
        record(session, outcome, same_transaction=True)
    else:
        session.rollback()
    return outcome


def _record_sqlite(session: Session, write_engine: Any, read_engine: Any, outcome: Outcome) -> None:
    session.bind = write_engine
    try:
        record(session, outcome)
    finally:
        session.bind = read_engine


def respond(outcome: Outcome, settings: Settings, lang: str, request_headers: dict[str, str]) -> Response:
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
    headers.update(httpsig.sign_response(outcome.status, headers, body, key_id=mediator.MEDIATOR,
                                         key=mediator.mediator_key(settings.var_dir),
                                         request_headers=request_headers if "signature" in request_headers else None))
    return Response(body, status_code=outcome.status, headers=headers)


@router.get("/exchange/r1/{path:path}", summary="The mediator: a registry call with X-Road headers")
async def exchange(path: str, request: Request, _: Principal = allow(PUBLIC, csrf=False, write=False),
                   db: Session = Depends(get_db)) -> Response:
    """Forward a signed request to a registry after the mediator's checks; answer signed by the mediator.
    Refusals: 400, 401 (signature), 403 (access right, purpose, lawful basis), 404, 409 (replayed
    X-Road-Id), 429, 502 (provider down or bad signature), 504 (provider slow)."""
    state = app_state(request)
    settings, database = state.settings, state.db
    incoming = Incoming(request.method, httpsig.asgi_target_uri(request.scope),
                        {k.lower(): v for k, v in request.headers.items()},
                        await request.body(), path, request.url.query)
    if database.write_lock is None:
        outcome = await run_in_threadpool(handle, db, settings, incoming, write_now=True)
    else:
        outcome = await run_in_threadpool(handle, db, settings, incoming, write_now=False)
        async with database.write_lock.current():
            await run_in_threadpool(_record_sqlite, db, database.write_engine, database.engine, outcome)
    return respond(outcome, settings, request.state.lang, incoming.headers)
