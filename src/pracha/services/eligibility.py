"""The eligibility pre-check a citizen sees before applying: the service's rules on what the state
already knows, and whether they already have an application of it open.

The rules come from the `ELIGIBILITY` slot (the automation evaluates its `auto` step through the
exchange); a service without one, or an app without the automation, answers `cannot_tell` with the
catalogue's eligibility list. The outcome:

- `not_eligible` when any rule fails (the citizen may still apply: an officer decides, never a bot);
- `eligible` when every rule passes, or the only ones left open are answers the form itself asks
  for (the citizen confirms those in the form);
- `cannot_tell` otherwise (a registry could not say, or the service has no automated rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.hooks import Registry
from pracha.identity.models import User
from pracha.services import duplicates
from pracha.services.catalog import Catalog, Service, Text
from pracha.services.hooks import ELIGIBILITY

ELIGIBLE, NOT_ELIGIBLE, CANNOT_TELL = "eligible", "not_eligible", "cannot_tell"
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
CATALOGUE_ONLY = Text("ระบบยังตรวจข้อนี้ให้ล่วงหน้าไม่ได้ เจ้าหน้าที่จะตรวจสอบเมื่อท่านยื่นคำขอ",
                      "This cannot be checked in advance; an officer checks it when you apply.")


@dataclass(frozen=True)
class RuleCheck:
    id: str
    text: Text
    result: str  # pass | fail | unknown
    because: Text
    from_form: bool = False  # unknown only because the answer is asked for in the form

    def to_json(self, lang: str) -> dict[str, str]:
        return {"id": self.id, "text": self.text.get(lang), "result": self.result, "because": self.because.get(lang)}


@dataclass(frozen=True)
class Eligibility:
    outcome: str
    rules: tuple[RuleCheck, ...]
    open_application: str | None  # the reference of the citizen's draft or open application

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"outcome": self.outcome, "rules": [r.to_json(lang) for r in self.rules],
                "open_application": self.open_application}

    @property
    def failed(self) -> list[RuleCheck]:
        return [r for r in self.rules if r.result == FAIL]


def outcome_of(rules: tuple[RuleCheck, ...]) -> str:
    if any(r.result == FAIL for r in rules):
        return NOT_ELIGIBLE
    if rules and all(r.result == PASS or (r.result == UNKNOWN and r.from_form) for r in rules):
        return ELIGIBLE
    return CANNOT_TELL


def catalogue_rules(service: Service) -> tuple[RuleCheck, ...]:
    return tuple(RuleCheck(f"eligibility-{i}", text, UNKNOWN, CATALOGUE_ONLY)
                 for i, text in enumerate(service.eligibility, start=1))


def check_eligibility(session: Session, registry: Registry, settings: Settings, catalog: Catalog, citizen: User,
                      service: Service) -> Eligibility:
    """The pre-check for `citizen` on `service`. The registry reads it makes are written (message log,
    ledger) in `session`: the caller commits, and they show in the citizen's data tracker."""
    existing = duplicates.open_application(session, citizen.id, service.id) if not service.multiple else None
    check = registry.find(ELIGIBILITY)
    found = check(session, settings, catalog, citizen, service) if check is not None else None
    rules = tuple(found) if found is not None else catalogue_rules(service)
    outcome = outcome_of(rules) if found is not None else CANNOT_TELL
    return Eligibility(outcome, rules, existing.reference if existing is not None else None)


def related_services(catalog: Catalog, service: Service) -> list[Service]:
    """Other services of the same life events: what else may help someone this one does not fit."""
    return [s for s in catalog.services.values()
            if s.id != service.id and set(s.life_events) & set(service.life_events)]
