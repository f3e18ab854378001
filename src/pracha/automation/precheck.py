"""The eligibility pre-check (fills `services.hooks.ELIGIBILITY`): a service's `auto` rules evaluated
before any application exists, on what the state already knows.

The registry facts are fetched exactly as the bot fetches them (`registry.prepare_lookups`: the agency's
back-office client, purpose `eligibility-check`, the same lawful-basis checks, a message-log row and a
ledger entry each, so every read shows in the citizen's data tracker). Facts keyed by a form answer
(a child's ID, a house code) are not looked up. The form is empty: a rule that needs an answer from it is
`unknown`, saying which question decides it. `app.submitted_on` is today. When the civil registry does
not know the applicant, their birth date comes from their own account (marked so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from pracha.automation import explain
from pracha.automation.bot import finding, rulesets
from pracha.automation.evaluate import FAIL, MISSING, PASS, REJECTED, UNANSWERED, Fact, evaluate
from pracha.automation.registry import Asker, prepare_lookups, record_lookups
from pracha.automation.ruleset import RuleSet
from pracha.config import Settings
from pracha.identity.models import User
from pracha.services import eligibility
from pracha.services.catalog import Catalog, Service, Text
from pracha.services.service import today_in_thailand

RESULTS = {PASS: eligibility.PASS, FAIL: eligibility.FAIL}


def _facts(session: Session, settings: Settings, citizen: User, service: Service, ruleset: RuleSet
           ) -> tuple[dict[str, Fact], set[str]]:
    """The facts the rules read, and the paths whose value came from the citizen's own account."""
    facts: dict[str, Fact] = {
        "form": Fact(None, "form", problem="answered in the form"),
        "app": Fact({"submitted_on": today_in_thailand(), "service_id": service.id}, "application"),
    }
    asker = Asker(service.agency, citizen.national_id, f"precheck:{service.agency}")
    facts.update(record_lookups(session, prepare_lookups(session, settings, asker, ruleset.facts, facts)))
    from_profile: set[str] = set()
    for spec in ruleset.facts:
        fact = facts.get(spec.name)
        if (spec.lookup == "civil-person" and spec.key is None and fact is not None and fact.value is not None
                and fact.value.get("found") is False and citizen.birth_date is not None):
            facts[spec.name] = Fact({**fact.value, "birth_date": citizen.birth_date}, fact.source)
            from_profile.add(f"{spec.name}.birth_date")
    return facts, from_profile


def _profile_sources(found: dict[str, Any], from_profile: set[str]) -> dict[str, Any]:
    found["values"] = [{**v, "source": explain.PROFILE} if v["path"] in from_profile else v for v in found["values"]]
    return found


def _from_form(found: Mapping[str, Any]) -> bool:
    missing = found.get("missing") or {}
    return found["outcome"] == MISSING and missing.get("source") == "form" and (
        missing.get("problem") == UNANSWERED or (missing.get("problem") == REJECTED and not missing.get("typed")))


def check_rules(session: Session, settings: Settings, catalog: Catalog, citizen: User, service: Service
                ) -> list[eligibility.RuleCheck] | None:
    """Each rule of the service's automated step, checked now for `citizen`; None without such a step."""
    ruleset = rulesets(catalog).get(service.id)
    if ruleset is None:
        return None
    facts, from_profile = _facts(session, settings, citizen, service, ruleset)
    checks = []
    for rule in ruleset.rules:
        found = _profile_sources(finding(rule.id, rule.text_th, rule.text_en, rule.source,
                                         evaluate(rule.node, facts)), from_profile)
        because = explain.because(service, found, precheck=True)
        checks.append(eligibility.RuleCheck(
            rule.id, Text(rule.text_th, rule.text_en), RESULTS.get(found["outcome"], eligibility.UNKNOWN),
            Text(because["th"], because["en"]), from_form=_from_form(found)))
    return checks
