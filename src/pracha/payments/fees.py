"""What a service charges, from its catalogue `fee` block: when it is due and how it is computed.

    fee:
      due: approve            # or submit: the step that waits until the fee is paid
      lines:                  # each an expression of the automation's rule language over the form
        - id: plan-check
          label: {th: "… ({quantity} ตารางเมตร × 0.50 บาท)", en: "… ({quantity} m² × 0.50 baht)"}
          when: "form.storeys <= 2 and form.height <= 12"     # optional
          quantity: "form.floor_area"                          # optional, shown in the label
          amount: "form.floor_area * 0.5"                      # baht; rounded half up to the satang

A service without `lines` charges nothing online (its `amount` is only shown in the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pracha.automation.evaluate import PASS, Fact, compute
from pracha.automation.rules import Node, RuleSyntaxError, parse
from pracha.services.catalog import Catalog, Service

SUBMIT, APPROVE = "submit", "approve"
_LINE_KEYS = frozenset({"id", "label", "when", "quantity", "amount"})
MAX_SATANG = 999_999_999  # 9,999,999.99 baht: what a Thai QR amount can carry


class FeeSpecError(ValueError):
    """A service's fee block is broken; the message names the service and the problem."""


@dataclass(frozen=True)
class FeeLine:
    id: str
    label_th: str
    label_en: str
    amount: Node
    source: str
    when: Node | None = None
    quantity: Node | None = None


@dataclass(frozen=True)
class FeeSpec:
    service_id: str
    due: str
    lines: tuple[FeeLine, ...]
    to_confirm: bool = False


@dataclass(frozen=True)
class QuotedLine:
    id: str
    label_th: str
    label_en: str
    satang: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": {"th": self.label_th, "en": self.label_en}, "amount": baht(self.satang)}


@dataclass(frozen=True)
class Quote:
    """The fee for one application's answers; `complete` is False while an answer it needs is missing."""

    due: str
    lines: tuple[QuotedLine, ...]
    complete: bool
    to_confirm: bool

    @property
    def satang(self) -> int:
        return sum(line.satang for line in self.lines)

    def as_json(self) -> dict[str, Any]:
        return {"amount": baht(self.satang), "due": self.due, "complete": self.complete,
                "to_confirm": self.to_confirm, "lines": [line.as_json() for line in self.lines]}


def baht(satang: int) -> str:
    """"1234.50": the amount as the API, the bank and the QR write it."""
    return f"{satang // 100}.{satang % 100:02d}"


def to_satang(value: Any) -> int:
    """Baht (a number or a string like "50.00") to whole satang, half up; ValueError if not an amount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _expression(source: Any, where: str) -> Node:
    if not isinstance(source, str) or not source.strip():
        raise FeeSpecError(f"{where}: an expression must be text")
    try:
        return parse(source)
    except RuleSyntaxError as exc:
        raise FeeSpecError(f"{where}: {exc}") from None


def _line(item: Any, where: str) -> FeeLine:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        raise FeeSpecError(f"{where}: a line needs an id")
    where = f"{where}.{item['id']}"
    if unknown := set(item) - _LINE_KEYS:
        raise FeeSpecError(f"{where}: unknown keys {sorted(unknown)}")
    label = item.get("label")
    if not isinstance(label, Mapping) or not all(isinstance(label.get(k), str) for k in ("th", "en")):
        raise FeeSpecError(f"{where}: needs a label in Thai and English")
    return FeeLine(item["id"], label["th"], label["en"], _expression(item.get("amount"), f"{where}.amount"),
                   str(item["amount"]),
                   _expression(item["when"], f"{where}.when") if "when" in item else None,
                   _expression(item["quantity"], f"{where}.quantity") if "quantity" in item else None)


def compile_fees(service: Service) -> FeeSpec | None:
    """The service's fee, or None when nothing is paid online."""
    block = service.fee_rules or {}
    lines = block.get("lines")
    if not lines:
        return None
    where = f"{service.id}: fee"
    due = block.get("due", APPROVE)
    if due not in (SUBMIT, APPROVE):
        raise FeeSpecError(f"{where}.due: must be {SUBMIT!r} or {APPROVE!r}")
    if not isinstance(lines, list):
        raise FeeSpecError(f"{where}.lines: must be a list")
    return FeeSpec(service.id, due, tuple(_line(item, f"{where}.lines") for item in lines),
                   bool(block.get("to_confirm", False)))


@lru_cache(maxsize=8)
def specs(catalog: Catalog) -> dict[str, FeeSpec]:
    """Every service's compiled fee (raises FeeSpecError at start, not at the first payment)."""
    return {s.id: spec for s in catalog.services.values() if (spec := compile_fees(s)) is not None}


def _shown(value: Any) -> str:
    number = Decimal(str(value))
    return f"{number:,.2f}".rstrip("0").rstrip(".") if number != number.to_integral() else f"{number:,.0f}"


def quote(spec: FeeSpec, form: Mapping[str, Any]) -> Quote:
    """The fee for these answers: each line that applies, with its amount; unknown lines are left out
    and make the quote incomplete (the form is not finished yet)."""
    facts = {"form": Fact(dict(form), "form")}
    lines, complete = [], True
    for line in spec.lines:
        if line.when is not None:
            applies = compute(line.when, facts)
            if applies.outcome != PASS or not isinstance(applies.value, bool):
                complete = False
                continue
            if not applies.value:
                continue
        amount = compute(line.amount, facts)
        if amount.outcome != PASS:
            complete = False
            continue
        satang = to_satang(amount.value)
        th, en = line.label_th, line.label_en
        if line.quantity is not None:
            quantity = compute(line.quantity, facts)
            shown = _shown(quantity.value) if quantity.outcome == PASS else "?"
            th, en = th.replace("{quantity}", shown), en.replace("{quantity}", shown)
        lines.append(QuotedLine(line.id, th, en, max(0, satang)))
    return Quote(spec.due, tuple(lines), complete, spec.to_confirm)


def quote_for(catalog: Catalog, service_id: str, form: Mapping[str, Any]) -> Quote | None:
    spec = specs(catalog).get(service_id)
    return quote(spec, form) if spec is not None else None
