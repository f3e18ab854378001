"""Forwarding to the provider and writing the message log: the mediator's signing key, the members'
public keys (cached for a few seconds), one persistent HTTP client per timeout, the forward itself
(signed by the mediator, the answer's signature checked against the provider's key), and the log row
with its ledger entry — commitments only, no personal data in the ledger.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.exchange import httpsig, keys
from pracha.exchange.checks import Ask, ServiceInfo, Trace
from pracha.exchange.errors import (
    BadExchangeRequest,
    BadProviderSignature,
    BadSignature,
    ExchangeError,
    ProviderTimeout,
    ProviderUnavailable,
    Replayed,
)
from pracha.exchange.metrics import DECISIONS
from pracha.exchange.models import ALLOWED, DENIED, MessageLog, Subsystem
from pracha.exchange.vocabulary import MEDIATOR
from pracha.ledger import log as ledger

KEY_CACHE_SECONDS = 10.0


@lru_cache(maxsize=8)
def mediator_key(var_dir: Path) -> Ed25519PrivateKey:
    return keys.load_or_create(keys.key_path(var_dir, MEDIATOR))


class PublicKeys:
    """Members' public keys from the database, kept for KEY_CACHE_SECONDS (a replaced key counts
    within that time; revoking access rights counts at once)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, Ed25519PublicKey | None]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, subsystem_id: str) -> Ed25519PublicKey | None:
        now = time.monotonic()
        hit = self._cache.get(subsystem_id)
        if hit is not None and now - hit[0] < KEY_CACHE_SECONDS:
            return hit[1]
        text = session.scalar(select(Subsystem.public_key).where(Subsystem.id == subsystem_id))
        key = keys.public_key_from_text(text) if text else None
        with self._lock:
            self._cache[subsystem_id] = (now, key)
        return key

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


public_keys = PublicKeys()
_clients: dict[float, httpx.Client] = {}
_clients_lock = threading.Lock()


def http_client(timeout: float) -> httpx.Client:
    """One persistent client (connection pool) per timeout, shared by every thread of the process."""
    client = _clients.get(timeout)
    if client is None:
        with _clients_lock:
            client = _clients.get(timeout) or httpx.Client(
                timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=100, max_keepalive_connections=50))
            _clients[timeout] = client
    return client


def new_reference() -> str:
    return uuid.uuid4().hex


@dataclass
class Forwarded:
    status: int
    body: bytes
    content_type: str
    forward_signature: str
    response_digest: str | None
    response_signature: str | None


def _signature_text(headers: Any) -> str:
    return f"{headers.get('signature-input', '')}\n{headers.get('signature', '')}"


def outgoing(ask: Ask, service: ServiceInfo, key: Ed25519PrivateKey) -> tuple[str, dict[str, str]]:
    """The forwarded request's URL and headers, signed by the mediator. Raises ProviderUnavailable when
    the provider has no address."""
    base = service.base_url
    if not base:
        raise ProviderUnavailable()
    url = f"{base.rstrip('/')}{service.path_prefix}" + (f"/{ask.path}" if ask.path else "")
    if ask.query:
        url += f"?{ask.query}"
    headers = {"x-road-client": ask.client, "x-road-id": ask.message_id, "x-road-purpose": ask.purpose}
    if ask.user:
        headers["x-road-userid"] = ask.user
    headers.update(httpsig.sign_request(ask.method, url, headers, b"", key_id=MEDIATOR, key=key))
    return url, headers


def answer_of(status: int, answer: dict[str, str], body: bytes, sent: dict[str, str], service: ServiceInfo,
              provider: Ed25519PublicKey | None) -> Forwarded:
    """Check the provider signed its answer (`answer`: its headers, lower-case names), bound to the
    request we sent. Raises BadProviderSignature or, for a 5xx or a refusal of the mediator itself,
    ProviderUnavailable (502)."""

    def resolve(keyid: str) -> Ed25519PublicKey | None:
        return provider if keyid == service.subsystem_id else None

    try:
        httpsig.verify_response(status, answer, body, resolve_key=resolve, request_headers=sent)
    except httpsig.SignatureError:
        raise BadProviderSignature() from None
    if status >= 500 or status in (401, 403):  # down, or refusing us
        raise ProviderUnavailable()
    return Forwarded(status, body, answer.get("content-type", "application/json"), _signature_text(sent),
                     answer.get("content-digest"), _signature_text(answer))


def forward(session: Session, ask: Ask, service: ServiceInfo, *, key: Ed25519PrivateKey,
            timeout: float) -> Forwarded:
    """Send the request to the provider signed by the mediator; check the provider signed the answer.
    Raises ProviderTimeout (504), ProviderUnavailable or BadProviderSignature (502). In-process callers
    (a worker thread); the HTTP gateway forwards with `transport.forward` on the event loop."""
    url, headers = outgoing(ask, service, key)
    try:
        response = http_client(timeout).request(ask.method, url, headers=headers)
    except httpx.TimeoutException:
        raise ProviderTimeout() from None
    except httpx.HTTPError:
        raise ProviderUnavailable() from None
    answer = {k.lower(): v for k, v in response.headers.items()}
    return answer_of(response.status_code, answer, response.content, headers, service,
                     public_keys.get(session, service.subsystem_id))


def holds_id(error: ExchangeError | None) -> bool:
    """Whether the log row holds the client's X-Road-Id: only an authenticated, well-formed first use."""
    return not isinstance(error, Replayed | BadSignature | BadExchangeRequest)


def log_row(ask: Ask, trace: Trace, *, reference: str, status: int, error: ExchangeError | None,
            request_digest: str | None = None, request_signature: str | None = None,
            forwarded: Forwarded | None = None, started: float | None = None) -> tuple[MessageLog, dict[str, Any]]:
    """The message-log row and the arguments of its ledger entry (`ledger.record`'s keywords but the
    session): a keyed commitment to the record under the subject's key, never the record itself."""
    decision = DENIED if error is not None else ALLOWED
    service_id = trace.service.id if trace.service is not None else ask.service_id
    row = MessageLog(
        reference=reference, message_id=ask.message_id[:100], holds_id=holds_id(error), client_id=ask.client[:200],
        service_id=service_id[:250], path=ask.path[:500], purpose=ask.purpose[:64], user_ref=ask.user,
        subject_user_id=trace.subject_user_id, categories=trace.categories, legal_basis=trace.legal_basis,
        decision=decision, status=status, reason=error.code if error is not None else None,
        request_digest=request_digest, request_signature=request_signature,
        forward_signature=forwarded.forward_signature if forwarded else None,
        response_digest=forwarded.response_digest if forwarded else None,
        response_signature=forwarded.response_signature if forwarded else None,
        duration_ms=round((time.perf_counter() - started) * 1000, 3) if started is not None else None,
    )
    record: dict[str, Any] = {
        "reference": reference, "client": row.client_id, "service": row.service_id, "purpose": row.purpose,
        "user": row.user_ref, "decision": decision, "status": status, "reason": row.reason,
        "legal_basis": row.legal_basis, "categories": row.categories, "request_digest": request_digest,
        "response_digest": row.response_digest,
    }
    subject = None
    secret = None
    if trace.subject_user_id is not None:
        subject, secret = f"user:{trace.subject_user_id}", trace.subject_national_id
        record["path"] = row.path  # committed under the subject's key only
    entry = {"kind": f"exchange.{decision}", "actor": f"subsystem:{row.client_id}", "obj": f"exchange:{reference}",
             "record": record, "subject": subject, "subject_secret": secret}
    return row, entry


def add_logged(session: Session, row: MessageLog, entry_id: int) -> None:
    row.ledger_entry_id = entry_id
    session.add(row)


def count_decision(row: MessageLog) -> None:
    DECISIONS.labels(row.decision, row.reason or "none").inc()


def write_log(session: Session, ask: Ask, trace: Trace, *, reference: str, status: int,
              error: ExchangeError | None, request_digest: str | None = None,
              request_signature: str | None = None, forwarded: Forwarded | None = None,
              started: float | None = None) -> MessageLog:
    """The message-log row and its ledger entry, in the caller's transaction."""
    row, entry = log_row(ask, trace, reference=reference, status=status, error=error, request_digest=request_digest,
                         request_signature=request_signature, forwarded=forwarded, started=started)
    row.ledger_entry = ledger.record(session, **entry)
    session.add(row)
    count_decision(row)
    return row
