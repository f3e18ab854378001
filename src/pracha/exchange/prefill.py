"""Once-only: form fields the state already knows are filled in from the registries, through the
mediator (`service.call`, as the portal, for the citizen's own data), and marked with where they came
from. A field is marked in its JSON Schema property:

    current_address:
      type: string
      x-prefill: {service: TH/GOV/DOPA/civil-registry/persons, path: "{national_id}/address",
                  purpose: service-application, format: thai-address}

Where the basis is consent and the citizen has given none, nothing is fetched: the form asks for the
consent first (`needs_consent`), and the citizen may fill in the field by hand instead.

Fetching is a side effect (a registry call, a message-log row, ledger entries), so it never happens on
a GET: opening the form only plans (`fetch=False`: what could be fetched, in `available`, and what
needs consent); the citizen's "fill in from government records" button POSTs and fetches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import checks
from pracha.exchange.consent import active_consent
from pracha.exchange.errors import ExchangeError
from pracha.exchange.models import ExchangeService
from pracha.exchange.service import call
from pracha.exchange.vocabulary import BY_SUBSYSTEM, PORTAL, category_name, purpose_name
from pracha.identity.principal import FOR_A_PERSON, Principal


@dataclass(frozen=True)
class ConsentAsk:
    recipient: str
    purpose: str
    categories: tuple[str, ...]
    source: dict[str, str]
    fields: tuple[str, ...]

    @property
    def category_names(self) -> list[dict[str, str]]:
        return [{"th": category_name(c, "th"), "en": category_name(c, "en")} for c in self.categories]

    @property
    def purpose_label(self) -> dict[str, str]:
        return {"th": purpose_name(self.purpose, "th"), "en": purpose_name(self.purpose, "en")}


@dataclass
class Prefill:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {"th": …, "en": …}
    needs_consent: list[ConsentAsk] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    available: list[str] = field(default_factory=list)  # fields a fetch would fill (fetch=False)
    fetched: bool = False


def thai_address(value: Any) -> str:
    """A civil-registry address object as one line of Thai, the way it is written on an envelope."""
    if not isinstance(value, dict):
        return ""
    if isinstance(value.get("address"), dict):
        value = value["address"]
    bangkok = str(value.get("province") or "").startswith("กรุงเทพ")  # Bangkok has แขวง and เขต
    parts = [("บ้านเลขที่ ", "house_no"), ("หมู่ ", "moo"), ("ถนน", "road"), ("แขวง" if bangkok else "ตำบล", "tambon"),
             ("เขต" if bangkok else "อำเภอ", "amphoe"), ("" if bangkok else "จังหวัด", "province"), ("", "postcode")]
    return " ".join(_labelled(label, str(value[key]).strip()) for label, key in parts
                    if value.get(key) not in (None, "", "-"))


def _labelled(label: str, text: str) -> str:
    """`ถนน` + `ราชวิถี`; the civil registry writes some names with their word (`ถนนราชวิถี`), which
    must not be doubled (`ถนนถนนราชวิถี`)."""
    return text if label and text.startswith(label.strip()) else f"{label}{text}"


FORMATS = {"thai-address": thai_address}


def specs(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {name: prop["x-prefill"] for name, prop in schema.get("properties", {}).items()
            if isinstance(prop.get("x-prefill"), dict)}


def prefill_form(session: Session, settings: Settings, principal: Principal, schema: dict[str, Any],
                 fetch: bool = True) -> Prefill:
    """Values for the fields marked `x-prefill`, fetched in `session` (message log + ledger entries are
    added to it: the caller commits). `fetch=False` reads only: which fields could be fetched."""
    result = Prefill(fetched=fetch)
    marked = specs(schema)
    user = principal.subject  # whose data: the person, also when a delegate or a counter officer asks
    if not marked or principal.role not in FOR_A_PERSON or user is None or not user.national_id:
        return result
    if user.processing_restricted_at is not None:
        return result  # PDPA s. 34: a restriction is in force, so nothing is fetched about this person
    national_id = user.national_id
    groups: dict[tuple[str, str, str], list[str]] = {}
    for name, spec in marked.items():
        key = (spec["service"], spec["path"].replace("{national_id}", national_id), spec["purpose"])
        groups.setdefault(key, []).append(name)
    for (service_id, path, purpose), names in groups.items():
        service = session.get(ExchangeService, service_id)
        if service is None:
            continue
        registry = BY_SUBSYSTEM.get(service.subsystem_id)
        source = ({"th": registry.source_th, "en": registry.source_en} if registry is not None
                  else {"th": service.subsystem.name_th, "en": service.subsystem.name_en})
        categories = checks.categories_of(service, path)
        if purpose not in service.legal_duty_purposes and active_consent(
                session, user.id, PORTAL, purpose, categories) is None:
            result.needs_consent.append(ConsentAsk(PORTAL, purpose, tuple(categories), source, tuple(names)))
            continue
        if not fetch:
            result.available.extend(names)
            continue
        try:
            answer = call(session, settings, client=PORTAL, service_id=service_id, path=path, purpose=purpose,
                          subject_national_id=national_id, user=f"citizen:{user.id}")
        except ExchangeError as error:
            result.problems.append({"th": error.message_th, "en": error.message_en})
            continue
        if answer.status != 200:
            continue
        for name in names:
            value = FORMATS.get(marked[name].get("format", ""), lambda v: v)(answer.body)
            if value not in (None, ""):
                result.values[name], result.sources[name] = value, source
    return result
