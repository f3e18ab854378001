"""The mediator for in-process callers (the portal's prefill, the automation bots) and the shared core
the HTTP gateway uses: the same checks, the same forward, the same message log and ledger entry.

    result = call(session, settings, client="TH/GOV/PRACHA/portal",
                  service_id="TH/GOV/DOPA/civil-registry/persons", path="1101700203451/address",
                  purpose="service-application", subject_national_id="1101700203451", user="user:42")

A refusal raises an `ExchangeError` subclass (status 400/403/404/409/429/502/504) *after* adding the
denial to the message log and the ledger in `session`: commit the session to keep that record (the
denial is the only change it adds). An in-process caller is our own code, so no client signature is
checked; everything after it is.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import checks, mediator
from pracha.exchange.errors import ExchangeError, ProviderUnavailable


@dataclass
class ExchangeResult:
    status: int
    body: dict[str, Any]
    message_id: str
    ledger_index: int | None
    reference: str = ""
    legal_basis: str | None = None


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        raise ProviderUnavailable() from None
    return value if isinstance(value, dict) else {"items": value}


def mediate(session: Session, settings: Settings, ask: checks.Ask, trace: checks.Trace) -> mediator.Forwarded:
    """Checks (in order), then the forward. Raises ExchangeError; logs nothing."""
    checks.authorize(session, ask, trace, rate_limit=settings.exchange_rate_limit_per_minute)
    assert trace.service is not None
    return mediator.forward(session, ask, trace.service, key=mediator.mediator_key(settings.var_dir),
                            timeout=settings.exchange_timeout_seconds)


def call(session: Session, settings: Settings, *, client: str, service_id: str, path: str, purpose: str,
         subject_national_id: str, user: str | None) -> ExchangeResult:
    """Ask a registry for a citizen's data through the mediator's checks (see the module docstring)."""
    started = time.perf_counter()
    reference = mediator.new_reference()
    ask = checks.Ask(client=client, message_id=f"pracha-{reference}", purpose=purpose, service_id=service_id,
                     path=path.strip("/"), user=user, subject_national_id=subject_national_id)
    trace = checks.Trace(subject_national_id=subject_national_id)
    try:
        forwarded = mediate(session, settings, ask, trace)
        body = parse_body(forwarded.body)
    except ExchangeError as error:
        error.details["message_reference"] = reference
        mediator.write_log(session, ask, trace, reference=reference, status=error.status_code, error=error,
                           started=started)
        raise
    row = mediator.write_log(session, ask, trace, reference=reference, status=forwarded.status, error=None,
                             forwarded=forwarded, started=started)
    index = row.ledger_entry.index if row.ledger_entry is not None else None
    return ExchangeResult(forwarded.status, body, ask.message_id, index, reference, trace.legal_basis)
