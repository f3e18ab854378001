"""Evaluate rule trees (see `rules.py`) over facts, recording every value read and where it came from.
Pure: imports nothing of ours but the rule language.

A fact is a named mapping with a source: `form` (what the citizen typed), `app` (the application:
`submitted_on`, `reference`), or registry facts (`civil`, `welfare`, ... fetched through the exchange).
A path that is absent, or whose fact could not be fetched, makes the rule *missing* (not failed);
`default(path, value)` gives a fallback. Types are strict: `1 == "1"` is an error, not false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pracha.automation.rules import Binary, Call, ListOf, Literal, Node, Path, Unary

PASS, FAIL, MISSING, ERROR = "pass", "fail", "missing", "error"
MAX_ITEMS = 10_000


@dataclass(frozen=True)
class Fact:
    """One named source of data: its value (None when it could not be had) and where it came from."""

    value: Mapping[str, Any] | None
    source: str
    problem: str | None = None  # why the value is None (e.g. "registry unavailable")
    blame: str | None = None  # the form field to correct when the value is None because of it


# Why a value is missing: the form has no answer; the registry does not know the record; the registry
# could not be asked; the record has no such field; the registry did not know a number the form gave.
UNANSWERED, NOT_FOUND, UNAVAILABLE, ABSENT, REJECTED = "unanswered", "not_found", "unavailable", "absent", "rejected"


class Missing(Exception):
    def __init__(self, path: str, source: str, problem: str = ABSENT, registry: str | None = None,
                 value: Any = None) -> None:
        super().__init__(path)
        self.path, self.source, self.problem, self.registry, self.value = path, source, problem, registry, value


class RuleTypeError(ValueError):
    """A rule met values it cannot combine (e.g. a number and a string)."""


@dataclass
class Reads:
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _number(value: Any) -> int | Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return None


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise RuleTypeError(f"{value!r} is not a date")


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na, nb
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return as_date(a), as_date(b)
    if type(a) is type(b) and isinstance(a, str | bool):
        return a, b
    raise RuleTypeError(f"cannot compare {a!r} with {b!r}")


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    x, y = _comparable(a, b)
    return bool(x == y)


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise RuleTypeError(f"{what} needs true or false, got {value!r}")
    return value


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years completed on `on` (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Evaluator:
    def __init__(self, facts: Mapping[str, Fact]) -> None:
        self.facts = facts
        self.reads = Reads()
        self.scope: dict[str, Any] = {}

    def run(self, node: Node) -> Any:
        method: Callable[[Any], Any] = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    def _literal(self, node: Literal) -> Any:
        return node.value

    def _listof(self, node: ListOf) -> list[Any]:
        return [self.run(item) for item in node.items]

    def _path(self, node: Path) -> Any:
        root, *rest = node.parts
        if root in self.scope:
            value, source = self.scope[root], "item"
        elif root in self.facts:
            fact = self.facts[root]
            if fact.value is None:
                raise self._missing(node, fact)
            value, source = fact.value, fact.source
        else:
            raise RuleTypeError(f"unknown name {root!r}")
        for part in rest:
            if not isinstance(value, Mapping) or value.get(part) is None:
                if source == "form":
                    raise Missing(node.name, source, UNANSWERED)
                record = self.facts[root].value if source != "item" else None
                unknown = isinstance(record, Mapping) and record.get("found") is False
                raise Missing(node.name, source, NOT_FOUND if unknown else ABSENT, source)
            value = value[part]
        if isinstance(value, float):
            value = Decimal(str(value))
        if source != "item":
            self.reads.values[node.name] = (jsonable(value), source)
        return value

    def _missing(self, node: Path, fact: Fact) -> Missing:
        if fact.blame:  # the registry did not know what the form gave: the citizen should check that field
            form = self.facts.get("form")
            typed = form.value.get(fact.blame.split(".", 1)[-1]) if form and form.value else None
            return Missing(fact.blame, "form", REJECTED, fact.source, typed)
        if fact.source == "form":
            return Missing(node.name, "form", UNANSWERED)
        return Missing(node.name, fact.source, UNAVAILABLE, fact.source)

    def _unary(self, node: Unary) -> Any:
        value = self.run(node.operand)
        if node.op == "not":
            return not _bool(value, "not")
        number = _number(value)
        if number is None:
            raise RuleTypeError(f"cannot negate {value!r}")
        return -number

    def _binary(self, node: Binary) -> Any:
        op = node.op
        if op in ("and", "or"):
            left = _bool(self.run(node.left), op)
            if left == (op == "or"):
                return left
            return _bool(self.run(node.right), op)
        a, b = self.run(node.left), self.run(node.right)
        if op in ("==", "!="):
            return _equal(a, b) == (op == "==")
        if op in ("in", "not in"):
            if isinstance(b, str) and isinstance(a, str):
                found = a in b
            elif isinstance(b, list):
                found = any(x is not None and _equal(a, x) for x in b)
            else:
                raise RuleTypeError(f"'in' needs a list, got {b!r}")
            return found == (op == "in")
        if op in ("<", "<=", ">", ">="):
            x, y = _comparable(a, b)
            if isinstance(x, bool):
                raise RuleTypeError("true and false have no order")
            return bool(x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y)
        return self._arithmetic(op, a, b)

    def _arithmetic(self, op: str, a: Any, b: Any) -> Any:
        if op == "+" and isinstance(a, str) and isinstance(b, str):
            return a + b
        x, y = _number(a), _number(b)
        if x is None or y is None:
            raise RuleTypeError(f"cannot compute {a!r} {op} {b!r}")
        if op in ("/", "%") and y == 0:
            raise RuleTypeError("division by zero")
        try:
            if op == "/":
                return Decimal(x) / Decimal(y)
            if op == "%":
                return x % y
            return x + y if op == "+" else x - y if op == "-" else x * y
        except InvalidOperation as exc:
            raise RuleTypeError(f"cannot compute {a!r} {op} {b!r}") from exc

    def _call(self, node: Call) -> Any:
        from pracha.automation.functions import call

        return call(self, node)


@dataclass(frozen=True)
class Outcome:
    outcome: str  # pass | fail | missing | error
    value: Any
    reads: dict[str, tuple[Any, str]]
    missing: tuple[str, str] | None = None  # (path, source)
    error: str | None = None
    problem: str | None = None  # why missing: UNANSWERED, NOT_FOUND, UNAVAILABLE, ABSENT or REJECTED
    registry: str | None = None  # the registry source that could not give the value
    typed: Any = None  # REJECTED: the value the form gave that the registry did not know


def _run(node: Node, facts: Mapping[str, Fact]) -> tuple[Any, Evaluator, Outcome | None]:
    """The node's value, or (None, …, the missing/error outcome) when it has none."""
    evaluator = Evaluator(facts)
    try:
        return evaluator.run(node), evaluator, None
    except Missing as exc:
        return None, evaluator, Outcome(MISSING, None, evaluator.reads.values, missing=(exc.path, exc.source),
                                        problem=exc.problem, registry=exc.registry, typed=jsonable(exc.value))
    except (RuleTypeError, ArithmeticError, OverflowError, ValueError) as exc:
        return None, evaluator, Outcome(ERROR, None, evaluator.reads.values, error=str(exc))


def evaluate(node: Node, facts: Mapping[str, Fact]) -> Outcome:
    """Evaluate a condition: pass/fail on a boolean, missing on an absent fact, error otherwise."""
    value, evaluator, failed = _run(node, facts)
    if failed is not None:
        return failed
    if not isinstance(value, bool):
        return Outcome(ERROR, jsonable(value), evaluator.reads.values, error="the rule gave no true or false")
    return Outcome(PASS if value else FAIL, value, evaluator.reads.values)


def compute(node: Node, facts: Mapping[str, Fact]) -> Outcome:
    """Evaluate an expression for its value (e.g. a fee); outcome pass unless missing or error."""
    value, evaluator, failed = _run(node, facts)
    if failed is not None:
        return failed
    return Outcome(PASS, jsonable(value), evaluator.reads.values)
