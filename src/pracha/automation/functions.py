"""The functions a rule may call. `any`, `all`, `count`, `if` and `default` evaluate their arguments
lazily (a predicate runs once per item with the item bound to `it`); the rest take values.
Pure: imports nothing of ours but the rule language and the calendar's fiscal year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pracha.automation.evaluate import (
    MAX_ITEMS,
    Missing,
    RuleTypeError,
    _bool,
    _number,
    age_on,
    as_date,
)
from pracha.automation.rules import Call, Node
from pracha.calendar import fiscal_year_end

if TYPE_CHECKING:
    from pracha.automation.evaluate import Evaluator


def _int(value: Any, what: str) -> int:
    number = _number(value)
    if number is None or number != int(number):
        raise RuleTypeError(f"{what} needs a whole number, got {value!r}")
    return int(number)


def _length(value: Any) -> int:
    if not isinstance(value, list | str):
        raise RuleTypeError(f"len needs a list or text, got {value!r}")
    return len(value)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def run(*values: Any) -> Any:
        if not values:
            raise RuleTypeError("min and max need at least one value")
        numbers = [_number(v) for v in values]
        if any(n is None for n in numbers):
            return pick(as_date(v) for v in values)
        return pick(numbers)
    return run


def _add_months(day: Any, months: Any) -> dt.date:
    """The same day `months` months on (the month's last day when it has fewer days)."""
    start = as_date(day)
    index = start.year * 12 + start.month - 1 + _int(months, "add_months")
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(start.day, last))
        except ValueError:
            continue
    raise RuleTypeError(f"add_months cannot move {start} by {months}")


def _round(value: Any) -> int:
    number = _number(value)
    if number is None:
        raise RuleTypeError(f"round needs a number, got {value!r}")
    return int(Decimal(number).to_integral_value())


EAGER: dict[str, tuple[int, int, Callable[..., Any]]] = {
    # name: (fewest arguments, most arguments, function)
    "date": (1, 1, as_date),
    "age_on": (2, 2, lambda birth, on: age_on(as_date(birth), as_date(on))),
    "days_between": (2, 2, lambda a, b: (as_date(b) - as_date(a)).days),
    "add_days": (2, 2, lambda d, n: as_date(d) + dt.timedelta(days=_int(n, "add_days"))),
    "year": (1, 1, lambda d: as_date(d).year),
    "month": (1, 1, lambda d: as_date(d).month),  # 1–12: deadlines within a year (the signboard tax by March)
    "add_months": (2, 2, _add_months),
    "month_start": (1, 1, lambda d: as_date(d).replace(day=1)),
    "fiscal_year_end": (1, 2, lambda d, n=0: fiscal_year_end(as_date(d), _int(n, "fiscal_year_end"))),
    "len": (1, 1, _length),
    "min": (1, 10, _extreme(min)),
    "max": (1, 10, _extreme(max)),
    "round": (1, 1, lambda x: _round(x)),
}
LAZY = {"any": 2, "all": 2, "count": 2, "if": 3, "default": 2}
NAMES = frozenset(EAGER) | frozenset(LAZY)


def check_call(node: Call) -> str | None:
    """Why this call cannot work whatever the facts (unknown function, wrong number of arguments)."""
    if node.function in LAZY:
        if len(node.args) != LAZY[node.function]:
            return f"{node.function} takes {LAZY[node.function]} arguments"
        return None
    if node.function not in EAGER:
        return f"unknown function {node.function!r}"
    low, high, _ = EAGER[node.function]
    if not low <= len(node.args) <= high:
        return f"{node.function} takes {low}–{high} arguments" if low != high else \
            f"{node.function} takes {low} argument{'s' if low != 1 else ''}"
    return None


def _items(evaluator: Evaluator, node: Node) -> list[Any]:
    items = evaluator.run(node)
    if not isinstance(items, list):
        raise RuleTypeError(f"expected a list, got {items!r}")
    return items[:MAX_ITEMS]


def _each(evaluator: Evaluator, items: list[Any], predicate: Node) -> list[bool]:
    saved = evaluator.scope.get("it", _UNSET)
    results = []
    try:
        for item in items:
            evaluator.scope["it"] = item
            results.append(_bool(evaluator.run(predicate), "a predicate"))
    finally:
        if saved is _UNSET:
            evaluator.scope.pop("it", None)
        else:
            evaluator.scope["it"] = saved
    return results


_UNSET = object()


def call(evaluator: Evaluator, node: Call) -> Any:
    problem = check_call(node)
    if problem:
        raise RuleTypeError(problem)
    name, args = node.function, node.args
    if name in ("any", "all", "count"):
        results = _each(evaluator, _items(evaluator, args[0]), args[1])
        return any(results) if name == "any" else all(results) if name == "all" else sum(results)
    if name == "if":
        return evaluator.run(args[1] if _bool(evaluator.run(args[0]), "if") else args[2])
    if name == "default":
        try:
            return evaluator.run(args[0])
        except Missing:
            return evaluator.run(args[1])
    return EAGER[name][2](*(evaluator.run(a) for a in args))
