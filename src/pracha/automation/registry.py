"""Registry facts for the bots, fetched through the exchange's mediator (`pracha.exchange.service.call`)
so they pass the same checks (access right, purpose, lawful basis, signatures, ledger) as any caller.

`fetch_facts(session, settings, application, specs, base)` is the one interface the bot uses: it
returns one `Fact` per spec, with its source (the exchange service, message id and ledger index), or a
Fact without a value and the reason when the registry could not be asked or refused — never invented
data. The bot calls as its agency's back-office client for the purpose `eligibility-check`, whose
lawful basis is the legal duty the registries declare for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pracha.automation.evaluate import PASS, Fact, compute
from pracha.automation.rules import Path
from pracha.automation.ruleset import FactSpec
from pracha.config import Settings
from pracha.exchange import checks, mediator
from pracha.exchange import service as exchange
from pracha.exchange.errors import ExchangeError
from pracha.exchange.vocabulary import ELIGIBILITY, agency_client
from pracha.services.models import Application


@dataclass(frozen=True)
class Lookup:
    service_id: str
    path: str  # with {key}


LOOKUPS: dict[str, Lookup] = {
    "civil-person": Lookup("TH/GOV/DOPA/civil-registry/persons", "{key}"),
    "civil-household": Lookup("TH/GOV/DOPA/civil-registry/households", "{key}"),
    "welfare-person": Lookup("TH/GOV/DLA/welfare-registry/persons", "{key}/allowances"),
    # the juristic person an application is made for: key it by `app.organisation_id`
    "juristic-person": Lookup("TH/GOV/DBD/business-registry/juristic-persons", "{key}"),
}
PERSON_LOOKUPS = frozenset({"civil-person", "welfare-person"})

FactFetcher = Callable[[Session, Settings, Application, Sequence[FactSpec], Mapping[str, Fact]], dict[str, Fact]]


@dataclass(frozen=True)
class Asker:
    """Who a lookup is for and who asks: the bot for an application, or the pre-check before one."""

    agency: str
    national_id: str | None  # the applicant's
    user: str  # as the message log names the caller, e.g. "bot:<agency>"


def asker_of(application: Application | Asker) -> Asker:
    if isinstance(application, Asker):
        return application
    return Asker(application.agency, application.citizen.national_id, f"bot:{application.agency}")


def _key(spec: FactSpec, asker: Asker, base: Mapping[str, Fact]) -> str | None:
    if spec.key is None:
        return asker.national_id
    outcome = compute(spec.key, base)
    return str(outcome.value) if outcome.outcome == PASS and outcome.value not in (None, "") else None


def _render_path(spec: FactSpec) -> str | None:
    return spec.key.name if isinstance(spec.key, Path) else None


@dataclass
class PreparedLookup:
    """One registry lookup done ahead of its write transaction: the mediator's checks and the forward
    (the slow part, reads only), waiting for `record_lookups` to write its message log and ledger entry."""

    name: str
    source: str
    blame: str | None
    fact: Fact | None = None  # decided without asking (the form names no one)
    ask: checks.Ask | None = None
    trace: checks.Trace | None = None
    reference: str = ""
    started: float = 0.0
    forwarded: mediator.Forwarded | None = None
    error: ExchangeError | None = None
    body: dict[str, Any] = field(default_factory=dict)


def prepare_lookups(session: Session, settings: Settings, application: Application | Asker,
                    specs: Sequence[FactSpec], base: Mapping[str, Fact]) -> list[PreparedLookup]:
    """Each spec's checks and forward through the mediator; writes nothing (`record_lookups` does)."""
    prepared: list[PreparedLookup] = []
    asker = asker_of(application)
    for spec in specs:
        lookup = LOOKUPS[spec.lookup]
        key = _key(spec, asker, base)
        blame = _render_path(spec)
        if key is None and blame is not None and blame.startswith("app."):
            # made by a person, not for a juristic person: the register has no record of it to give
            prepared.append(PreparedLookup(spec.name, lookup.service_id, None, Fact(
                {"found": False}, f"{lookup.service_id}/ (not asked: the application names no juristic person)")))
            continue
        if key is None:
            prepared.append(PreparedLookup(spec.name, "form", blame, Fact(
                None, "form", problem="the form does not name whom to look up", blame=blame)))
            continue
        path = lookup.path.format(key=key)
        subject = key if spec.lookup in PERSON_LOOKUPS else (asker.national_id or key)
        reference = mediator.new_reference()
        ask = checks.Ask(client=agency_client(asker.agency), message_id=f"pracha-{reference}",
                         purpose=ELIGIBILITY, service_id=lookup.service_id, path=path.strip("/"),
                         user=asker.user, subject_national_id=subject)
        trace = checks.Trace(subject_national_id=subject)
        item = PreparedLookup(spec.name, f"{lookup.service_id}/{path}", blame, ask=ask, trace=trace,
                              reference=reference, started=time.perf_counter())
        try:
            item.forwarded = exchange.mediate(session, settings, ask, trace)
            item.body = exchange.parse_body(item.forwarded.body)
        except ExchangeError as error:
            item.error = error
        prepared.append(item)
    return prepared


def record_lookups(session: Session, prepared: Sequence[PreparedLookup]) -> dict[str, Fact]:
    """Write each prepared lookup's message log and ledger entry in `session`; the facts they gave."""
    facts: dict[str, Fact] = {}
    for item in prepared:
        if item.fact is not None or item.ask is None or item.trace is None:
            facts[item.name] = item.fact or Fact(None, item.source, problem="not asked")
            continue
        if item.error is not None:
            item.error.details["message_reference"] = item.reference
            mediator.write_log(session, item.ask, item.trace, reference=item.reference,
                               status=item.error.status_code, error=item.error, started=item.started)
            facts[item.name] = Fact(None, item.source, problem=f"{item.error.code}: {item.error.message('en')}")
            continue
        assert item.forwarded is not None
        mediator.write_log(session, item.ask, item.trace, reference=item.reference, status=item.forwarded.status,
                           error=None, forwarded=item.forwarded, started=item.started)
        facts[item.name] = _fact(item.name, f"{item.source} (message {item.ask.message_id})", item.blame,
                                 item.forwarded.status, item.body)[item.name]
    return facts


def fetch_facts(session: Session, settings: Settings, application: Application, specs: Sequence[FactSpec],
                base: Mapping[str, Fact]) -> dict[str, Fact]:
    """Each spec's registry record through the mediator; `base` holds the form facts keys come from."""
    return record_lookups(session, prepare_lookups(session, settings, application, specs, base))


def _fact(name: str, cited: str, blame: str | None, status: int, body: dict[str, Any]) -> dict[str, Fact]:
    if status == 404 and blame:  # the number the citizen typed is not in the registry
        return {name: Fact(None, cited, problem="not found in the registry", blame=blame)}
    if status == 404:
        return {name: Fact({"found": False}, cited)}
    if status >= 400:
        return {name: Fact(None, cited, problem=f"the registry answered {status}")}
    return {name: Fact({**body, "found": True}, cited)}
