"""Registry facts for the bots, fetched through the exchange's mediator (`pracha.exchange.service.call`)
so they pass the same checks (access right, purpose, lawful basis, signatures, ledger) as any caller.

`fetch_facts(session, settings, application, specs, base)` is the one interface the bot uses: it
returns one `Fact` per spec, with its source (the exchange service, message id and ledger index), or a
Fact without a value and the reason when the registry could not be asked or refused — never invented
data. The bot calls as its agency's back-office client for the purpose `eligibility-check`, whose
lawful basis is the legal duty the registries declare for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pracha.automation.evaluate import PASS, Fact, compute
from pracha.automation.rules import Path
from pracha.automation.ruleset import FactSpec
from pracha.config import Settings
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
}
PERSON_LOOKUPS = frozenset({"civil-person", "welfare-person"})

FactFetcher = Callable[[Session, Settings, Application, Sequence[FactSpec], Mapping[str, Fact]], dict[str, Fact]]


def _key(spec: FactSpec, application: Application, base: Mapping[str, Fact]) -> str | None:
    if spec.key is None:
        return application.citizen.national_id
    outcome = compute(spec.key, base)
    return str(outcome.value) if outcome.outcome == PASS and outcome.value not in (None, "") else None


def _render_path(spec: FactSpec) -> str | None:
    return spec.key.name if isinstance(spec.key, Path) else None


def fetch_facts(session: Session, settings: Settings, application: Application, specs: Sequence[FactSpec],
                base: Mapping[str, Fact]) -> dict[str, Fact]:
    """Each spec's registry record through the mediator; `base` holds the form facts keys come from."""
    facts: dict[str, Fact] = {}
    for spec in specs:
        lookup = LOOKUPS[spec.lookup]
        key = _key(spec, application, base)
        blame = _render_path(spec)
        if key is None:
            facts[spec.name] = Fact(None, "form", problem="the form does not name whom to look up", blame=blame)
            continue
        path = lookup.path.format(key=key)
        source = f"{lookup.service_id}/{path}"
        subject = key if spec.lookup in PERSON_LOOKUPS else (application.citizen.national_id or key)
        try:
            result = exchange.call(session, settings, client=agency_client(application.agency),
                                   service_id=lookup.service_id, path=path, purpose=ELIGIBILITY,
                                   subject_national_id=subject, user=f"bot:{application.agency}")
        except ExchangeError as exc:  # refused, or the registry down or too slow: the reason is kept
            facts[spec.name] = Fact(None, source, problem=f"{exc.code}: {exc.message('en')}")
            continue
        cited = f"{source} (message {result.message_id}" + (
            f", ledger #{result.ledger_index})" if result.ledger_index is not None else ")")
        if result.status == 404 and blame:  # the number the citizen typed is not in the registry
            facts[spec.name] = Fact(None, cited, problem="not found in the registry", blame=blame)
        elif result.status == 404:
            facts[spec.name] = Fact({"found": False}, cited)
        elif result.status >= 400:
            facts[spec.name] = Fact(None, cited, problem=f"the registry answered {result.status}")
        else:
            facts[spec.name] = Fact({**result.body, "found": True}, cited)
    return facts
