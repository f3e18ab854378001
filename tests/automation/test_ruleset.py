"""Checking an `auto` step at start-up: what a broken one is told."""

from __future__ import annotations

from typing import Any

import pytest

from pracha.automation.evaluate import FAIL, PASS, Fact, compute, evaluate
from pracha.automation.ruleset import RuleSetError, compile_step

LOOKUPS = frozenset({"civil-person", "welfare-person"})
TEXT = {"th": "ข้อความ", "en": "text"}


def step(**changes: Any) -> dict[str, Any]:
    auto: dict[str, Any] = {"facts": {"civil": {"lookup": "civil-person"}},
                            "rules": [{"id": "adult", "text": TEXT,
                                       "when": "age_on(civil.birth_date, app.submitted_on) >= 18"}],
                            "fee": "if(form.copies > 1, (form.copies - 1) * 20, 0)"}
    auto.update(changes)
    return auto


def test_a_good_step_compiles_and_its_fee_is_an_expression() -> None:
    ruleset = compile_step("check", step(), LOOKUPS)
    assert [r.id for r in ruleset.rules] == ["adult"]
    facts = {"civil": Fact({"birth_date": "2000-01-01"}, "civil"), "app": Fact({"submitted_on": "2026-11-25"}, "app"),
             "form": Fact({"copies": 3}, "form")}
    assert evaluate(ruleset.rules[0].node, facts).outcome == PASS
    assert compute(ruleset.fee, facts).value == 40
    facts["civil"] = Fact({"birth_date": "2015-01-01"}, "civil")
    assert evaluate(ruleset.rules[0].node, facts).outcome == FAIL


@pytest.mark.parametrize(("changes", "message"), [
    ({"facts": {"civil": {"lookup": "tax"}}}, "lookup must be one of"),
    ({"facts": {"form": {"lookup": "civil-person"}}}, "bad fact name"),
    ({"rules": []}, "non-empty list"),
    ({"rules": [{"id": "Bad Id", "text": TEXT, "when": "true"}]}, "lower-case words"),
    ({"rules": [{"id": "a", "text": {"th": "x"}, "when": "true"}]}, "Thai and English"),
    ({"rules": [{"id": "a", "text": TEXT, "when": "welfare.x == 1"}]}, "unknown fact 'welfare'"),
    ({"rules": [{"id": "a", "text": TEXT, "when": "shout(1)"}]}, "unknown function"),
    ({"rules": [{"id": "a", "text": TEXT, "when": "age_on(1)"}]}, "age_on takes 2 arguments"),
    ({"rules": [{"id": "a", "text": TEXT, "when": "1 <"}]}, "expected a value"),
    ({"rules": [{"id": "a", "text": TEXT, "when": "true"}, {"id": "a", "text": TEXT, "when": "true"}]}, "unique"),
    ({"fee": "form.copies *"}, "fee"),
    ({"certificate": TEXT}, "unknown keys"),  # what an approval issues is the service's `document` block
    ({"extra": 1}, "unknown keys"),
])
def test_broken_steps_are_refused_with_the_place_and_the_problem(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleSetError, match=message):
        compile_step("check", step(**changes), LOOKUPS)


def test_it_is_only_bound_inside_a_predicate() -> None:
    with pytest.raises(RuleSetError, match="unknown fact 'it'"):
        compile_step("check", step(rules=[{"id": "a", "text": TEXT, "when": "it.kind == 'x'"}]), LOOKUPS)
    compile_step("check", step(rules=[{"id": "a", "text": TEXT, "when": "any(form.items, it.kind == 'x')"}]), LOOKUPS)
