"""The HTTP gateway's request, step by step, as plain functions (the route in `gateway` strings them):

1. `check` (one worker-thread call, it reads the database): the client's signature, then every check
   in the order the mediator promises, and the registry's public key for the answer;
2. the forward, on the event loop (`transport.forward`);
3. the log row and its ledger entry, written by the group-commit writer (`log_writer`) in one
   transaction with the other requests of the moment (`write_batch`); the answer waits for it.

A refusal is kept in the `Outcome`, not raised: it is logged like an allowed call.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import Database
from pracha.exchange import checks, httpsig, mediator
from pracha.exchange.errors import BadExchangeRequest, BadSignature, ExchangeError, Replayed
from pracha.exchange.groupcommit import GroupCommit
from pracha.exchange.models import MessageLog
from pracha.ledger import log as ledger

SERVICE_ID_PARTS = 5  # TH / GOV / member / subsystem / service code
SIGNATURE_HEADERS = ("content-digest", "signature-input", "signature")


@dataclass
class Incoming:
    method: str
    url: str
    headers: dict[str, str]  # lower-case names
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
    provider: Ed25519PublicKey | None = None  # the registry's key, to check its answer
    signed: dict[str, str] = field(default_factory=dict)  # the client's digest and signature headers

    @property
    def status(self) -> int:
        if self.error is not None:
            return int(self.error.status_code)
        assert self.forwarded is not None
        return self.forwarded.status

    def replayed(self) -> None:
        self.error, self.forwarded = Replayed(), None


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


def check(database: Database, settings: Settings, incoming: Incoming) -> Outcome:
    """Signature, then every check; a refusal is kept in the outcome. Reads only (a worker thread)."""
    outcome = Outcome(_ask(incoming), checks.Trace(), mediator.new_reference(), time.perf_counter(),
                      signed={k: incoming.headers.get(k, "") for k in SIGNATURE_HEADERS})
    ask = outcome.ask
    with database.sessions() as session:
        try:
            if len(incoming.rest.strip("/").split("/")) <= SERVICE_ID_PARTS:
                raise BadExchangeRequest("ต้องระบุรหัสบริการและเส้นทาง", "A service id and a path are required.")
            _verify_client(session, settings, incoming, ask)
            checks.authorize(session, ask, outcome.trace, rate_limit=settings.exchange_rate_limit_per_minute)
            assert outcome.trace.service is not None
            outcome.provider = mediator.public_keys.get(session, outcome.trace.service.subsystem_id)
        except ExchangeError as error:
            outcome.error = error
            if isinstance(error, BadSignature) and outcome.trace.service is None:
                try:  # still say whose data a forged request was after, for the citizen's tracker
                    checks.describe(session, ask, outcome.trace)
                except ExchangeError:
                    pass
        session.rollback()
    return outcome


def _record_all(session: Session, outcomes: list[Outcome]) -> list[MessageLog]:
    described = [mediator.log_row(
        o.ask, o.trace, reference=o.reference, status=o.status, error=o.error, forwarded=o.forwarded,
        started=o.started, request_digest=o.signed.get("content-digest"),
        request_signature=f"{o.signed.get('signature-input', '')}\n{o.signed.get('signature', '')}"[:4000],
    ) for o in outcomes]
    ids = ledger.record_many(session, [ledger.Entry(**entry) for _, entry in described])
    for (row, _), entry_id in zip(described, ids, strict=True):
        mediator.add_logged(session, row, entry_id)
    return [row for row, _ in described]


def _mark_replays(session: Session, outcomes: list[Outcome]) -> None:
    """Each X-Road-Id to its first holder: an id committed already, or held earlier in this batch, makes
    the request a replay (409), as if the checks had seen it."""
    holders = [o for o in outcomes if mediator.holds_id(o.error)]
    ids = {o.ask.message_id[:100] for o in holders}
    held = select(MessageLog.client_id, MessageLog.message_id).where(MessageLog.message_id.in_(ids),
                                                                      MessageLog.holds_id.is_(True))
    taken = {(client, message) for client, message in session.execute(held)}
    for outcome in holders:
        key = (outcome.ask.client[:200], outcome.ask.message_id[:100])
        if key in taken:
            outcome.replayed()
        taken.add(key)


def _commit(database: Database, outcomes: list[Outcome], *, check_replays: bool) -> None:
    with database.sessions(bind=database.write_engine) as session:
        if check_replays:
            _mark_replays(session, outcomes)
        rows = _record_all(session, outcomes)
        session.commit()
    for row in rows:
        mediator.count_decision(row)


def write_batch(database: Database, outcomes: list[Outcome]) -> None:
    """The log rows and ledger entries of `outcomes`, in one transaction (the writer's worker thread).
    An X-Road-Id taken by a concurrent request turns that request into a replay (the batch is written
    again, in a fresh session); any other failure is raised, and fails the whole batch."""
    try:
        _commit(database, outcomes, check_replays=False)
    except IntegrityError:
        _commit(database, outcomes, check_replays=True)


_writers: weakref.WeakKeyDictionary[Database, GroupCommit[Outcome]] = weakref.WeakKeyDictionary()


def log_writer(database: Database) -> GroupCommit[Outcome]:
    """The database's group-commit writer of message-log rows (one per database and process)."""
    writer = _writers.get(database)
    if writer is None:
        held = weakref.ref(database)  # the writer must not keep its database (the key) alive

        def write(batch: list[Outcome]) -> None:
            found = held()
            assert found is not None, "the database of a live writer"
            write_batch(found, batch)

        writer = _writers[database] = GroupCommit(write, database.write_lock)
    return writer
