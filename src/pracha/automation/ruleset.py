"""The `auto` part of a catalogue step, checked and compiled: which facts the bot fetches, its rules
(each with an id, Thai/English text and a condition), and the fee expression. What an approval issues is
the service's `document` block (documents.py).
Pure: imports nothing of ours but the rule language.

    auto:
      facts:                       # name: registry lookup (see automation/registry.py)
        civil: {lookup: civil-person}                       # about the applicant
        child: {lookup: civil-person, key: form.child_id}   # about someone named in the form
      rules:
        - id: age-60
          text: {th: "อายุ 60 ปีบริบูรณ์ขึ้นไป…", en: "Aged 60 or over…"}
          when: "age_on(civil.birth_date, fiscal_year_end(app.submitted_on, 1)) >= 60"
      fee: "0"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pracha.automation import functions
from pracha.automation.rules import Binary, Call, ListOf, Node, Path, RuleSyntaxError, Unary, parse

BUILT_IN_FACTS = frozenset({"form", "app"})
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RuleSetError(ValueError):
    """An `auto` step that cannot work; the message names the step and the problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    text_th: str
    text_en: str
    source: str
    node: Node


@dataclass(frozen=True)
class FactSpec:
    name: str
    lookup: str
    key: Node | None  # None: the applicant's national ID


@dataclass(frozen=True)
class RuleSet:
    step: str
    facts: tuple[FactSpec, ...]
    rules: tuple[Rule, ...]
    fee_source: str
    fee: Node


def _walk(node: Node, names: frozenset[str], where: str, bound: frozenset[str] = frozenset()) -> None:
    if isinstance(node, Path):
        if node.parts[0] not in names | bound:
            raise RuleSetError(f"{where}: unknown fact {node.parts[0]!r} (known: {sorted(names)})")
    elif isinstance(node, Call):
        problem = functions.check_call(node)
        if problem:
            raise RuleSetError(f"{where}: {problem}")
        inner = bound | {"it"} if node.function in ("any", "all", "count") else bound
        for i, arg in enumerate(node.args):
            _walk(arg, names, where, inner if i == 1 else bound)
    elif isinstance(node, ListOf):
        for item in node.items:
            _walk(item, names, where, bound)
    elif isinstance(node, Unary):
        _walk(node.operand, names, where, bound)
    elif isinstance(node, Binary):
        _walk(node.left, names, where, bound)
        _walk(node.right, names, where, bound)


def _compile(source: Any, names: frozenset[str], where: str) -> Node:
    if isinstance(source, bool) or not isinstance(source, str | int | float):
        raise RuleSetError(f"{where}: an expression must be text")
    try:
        node = parse(str(source))
    except RuleSyntaxError as exc:
        raise RuleSetError(f"{where}: {exc}") from None
    _walk(node, names, where)
    return node


def _text(value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(k), str) and value[k] for k in ("th", "en")):
        raise RuleSetError(f"{where}: needs Thai and English text ('th' and 'en')")
    return value["th"], value["en"]


def compile_step(step: str, auto: Mapping[str, Any], lookups: frozenset[str]) -> RuleSet:
    """Check and compile one step's `auto` mapping; `lookups` are the registry lookups that exist."""
    where = f"step {step}"
    unknown = set(auto) - {"facts", "rules", "fee"}
    if unknown:
        raise RuleSetError(f"{where}: unknown keys {sorted(unknown)}")
    facts: list[FactSpec] = []
    raw_facts = auto.get("facts") or {}
    if not isinstance(raw_facts, Mapping):
        raise RuleSetError(f"{where}: facts must be a mapping of name to lookup")
    for name, spec in raw_facts.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)) or name in BUILT_IN_FACTS | {"it"}:
            raise RuleSetError(f"{where}: bad fact name {name!r}")
        if not isinstance(spec, Mapping) or spec.get("lookup") not in lookups:
            raise RuleSetError(f"{where}: fact {name}: lookup must be one of {sorted(lookups)}")
        key = _compile(spec["key"], BUILT_IN_FACTS, f"{where}: fact {name}.key") if spec.get("key") else None
        facts.append(FactSpec(str(name), spec["lookup"], key))
    names = BUILT_IN_FACTS | {f.name for f in facts}
    rules: list[Rule] = []
    raw_rules = auto.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleSetError(f"{where}: rules must be a non-empty list")
    for i, item in enumerate(raw_rules, start=1):
        if not isinstance(item, Mapping) or not _ID.match(str(item.get("id", ""))):
            raise RuleSetError(f"{where}: rule {i} needs an id of lower-case words joined by '-'")
        rid = str(item["id"])
        th, en = _text(item.get("text"), f"{where}: rule {rid}.text")
        rules.append(Rule(rid, th, en, str(item.get("when")), _compile(item.get("when"), names,
                                                                       f"{where}: rule {rid}.when")))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleSetError(f"{where}: rule ids must be unique, found {ids}")
    fee_source = str(auto.get("fee", "0"))
    fee = _compile(fee_source, names, f"{where}: fee")
    return RuleSet(step, tuple(facts), tuple(rules), fee_source, fee)
