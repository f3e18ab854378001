"""The `document` block of a catalogue service, checked and compiled: what its approval issues, the
facts it certifies (each an expression of the rule language over the application, the holder and the
registry facts the bot read), its number, signatory and validity. Pure: imports nothing of ours but
the rule language, the calendar's date formats and `format_baht`.

    document:
      title: {th: "หนังสือรับรองการมีถิ่นที่อยู่", en: "Certificate of residence"}
      template: certificate            # pdf/<template>.html
      number: "ชม 0117"                 # the number reads "ชม 0117 <n>/<B.E. year>"
      number_label: {th: "เลขที่", en: "No."}   # how the document names its number (this is the default)
      signatory: {th: "ปลัดอำเภอ …", en: "Deputy District Chief …"}   # position of the approving officer
      statement: {th: "ขอรับรองว่า {holder} …", en: "This certifies that {holder} …"}
      validity: {until: "add_months(app.decided_on, 6)", to_confirm: true}   # absent: no expiry
      facts:
        - id: address
          label: {th: "ที่อยู่", en: "Address"}
          value: "form.current_address"
          format: text                 # text | date | month | baht | number | choice | national_id
          field: purpose               # choice: the form field whose labels name the value
          unit: {th: "ตารางเมตร", en: "m²"}   # number: the unit after it
          optional: true               # left out when the value is not known
          to_confirm: true             # a legal fact the agency has still to confirm

Names an expression may read: `form`, `app` (`submitted_on`, `decided_on`, `reference`), `holder`
(`first_name`, `last_name`, `birth_date`), the registry facts of the bot's last decision (`civil`,
`welfare` …, only what its rules read), and `document` (the facts computed above this one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pracha.automation.evaluate import PASS, Fact, as_date, compute
from pracha.automation.rules import Binary, Call, ListOf, Node, Path, RuleSyntaxError, Unary, parse
from pracha.calendar import EN_MONTHS, THAI_MONTHS, format_date

FORMATS = frozenset({"text", "date", "month", "baht", "number", "choice", "national_id"})
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TEMPLATE = re.compile(r"^[a-z][a-z0-9-]*$")
_KEYS = frozenset({"title", "template", "number", "number_label", "signatory", "statement", "validity", "facts"})
_FACT_KEYS = frozenset({"id", "label", "value", "format", "field", "unit", "optional", "to_confirm"})


class DocumentSpecError(ValueError):
    """A `document` block that cannot work; the message names the service and the problem."""


@dataclass(frozen=True)
class FactSpec:
    id: str
    label_th: str
    label_en: str
    source: str
    node: Node
    format: str
    field: str | None
    unit: tuple[str, str] | None
    optional: bool
    to_confirm: bool


@dataclass(frozen=True)
class DocumentSpec:
    service_id: str
    title_th: str
    title_en: str
    template: str
    number_prefix: str
    number_label_th: str
    number_label_en: str
    signatory_th: str
    signatory_en: str
    statement_th: str
    statement_en: str
    valid_until: Node | None
    validity_source: str | None
    validity_to_confirm: bool
    facts: tuple[FactSpec, ...]


def _text(value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(k), str) and value[k].strip()
                                                 for k in ("th", "en")):
        raise DocumentSpecError(f"{where}: needs Thai and English text ('th' and 'en')")
    return value["th"].strip(), value["en"].strip()


def _expression(source: Any, where: str) -> Node:
    if not isinstance(source, str) or not source.strip():
        raise DocumentSpecError(f"{where}: an expression must be text")
    try:
        return parse(source)
    except RuleSyntaxError as exc:
        raise DocumentSpecError(f"{where}: {exc}") from None


def _fact(item: Any, where: str, fields: Mapping[str, Any]) -> FactSpec:
    if not isinstance(item, Mapping) or not _ID.match(str(item.get("id", ""))):
        raise DocumentSpecError(f"{where}: a fact needs an id of lower-case letters, digits and _")
    where = f"{where}.{item['id']}"
    if unknown := set(item) - _FACT_KEYS:
        raise DocumentSpecError(f"{where}: unknown keys {sorted(unknown)}")
    kind = item.get("format", "text")
    if kind not in FORMATS:
        raise DocumentSpecError(f"{where}: format must be one of {sorted(FORMATS)}")
    field = item.get("field")
    if kind == "choice" and "x-enum-labels" not in fields.get(str(field), {}):
        raise DocumentSpecError(f"{where}: a choice needs `field`, a form field with labelled values")
    unit = _text(item["unit"], f"{where}.unit") if item.get("unit") is not None else None
    th, en = _text(item.get("label"), f"{where}.label")
    return FactSpec(str(item["id"]), th, en, str(item.get("value")), _expression(item.get("value"), where), kind,
                    str(field) if field else None, unit, bool(item.get("optional", False)),
                    bool(item.get("to_confirm", False)))


def compile_document(service_id: str, block: Mapping[str, Any], form_schema: Mapping[str, Any]) -> DocumentSpec:
    """Check and compile one service's `document` block."""
    where = f"{service_id}: document"
    if unknown := set(block) - _KEYS:
        raise DocumentSpecError(f"{where}: unknown keys {sorted(unknown)}")
    template = str(block.get("template", "certificate"))
    if not _TEMPLATE.match(template):
        raise DocumentSpecError(f"{where}.template: a lower-case name")
    number = block.get("number")
    if not isinstance(number, str) or not number.strip() or len(number) > 20:
        raise DocumentSpecError(f"{where}.number: the number's prefix, 1 to 20 characters")
    fields = form_schema.get("properties", {})
    raw_facts = block.get("facts")
    if not isinstance(raw_facts, list) or not raw_facts:
        raise DocumentSpecError(f"{where}.facts: a non-empty list")
    facts = tuple(_fact(item, f"{where}.facts", fields) for item in raw_facts)
    ids = [f.id for f in facts]
    if len(set(ids)) != len(ids):
        raise DocumentSpecError(f"{where}.facts: ids must be unique, found {ids}")
    validity = block.get("validity")
    if validity is not None and (not isinstance(validity, Mapping) or "until" not in validity):
        raise DocumentSpecError(f"{where}.validity: a mapping with `until` (an expression), or no validity")
    title, signatory, statement = (_text(block.get(k), f"{where}.{k}") for k in ("title", "signatory", "statement"))
    label = _text(block["number_label"], f"{where}.number_label") if "number_label" in block else ("เลขที่", "No.")
    return DocumentSpec(
        service_id, *title, template, number.strip(), *label, *signatory, *statement,
        _expression(validity["until"], f"{where}.validity") if validity else None,
        str(validity["until"]) if validity else None, bool(validity.get("to_confirm")) if validity else False, facts)


# --- evaluating ----------------------------------------------------------------------------------


def nested(reads: list[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    """Registry values by path ("civil.address.amphoe", value) back into nested facts."""
    found: dict[str, dict[str, Any]] = {}
    for path, value in reads:
        parts = path.split(".")
        if len(parts) < 2:
            continue
        node = found.setdefault(parts[0], {})
        for part in parts[1:-1]:
            child = node.get(part)
            node = node.setdefault(part, {}) if not isinstance(child, dict) else child
        node.setdefault(parts[-1], value)
    return found


def format_baht(amount: Any, lang: str) -> str:
    number = Decimal(str(amount))
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
    return f"{text} บาท" if lang != "en" else f"{text} baht"


def _month(value: Any, lang: str) -> str:
    day = as_date(value)
    if lang == "en":
        return f"{EN_MONTHS[day.month - 1]} {day.year}"
    return f"{THAI_MONTHS[day.month - 1]} {day.year + 543}"


def masked_id(national_id: str) -> str:
    digits = re.sub(r"\D", "", national_id or "")
    return f"{digits[0]}-xxxx-xxxxx-{digits[10:12]}-{digits[12]}" if len(digits) == 13 else "-"


def show(spec: FactSpec, value: Any, lang: str, fields: Mapping[str, Any]) -> str:
    """A fact's value as the document prints it, in `lang`."""
    if value is None or value == "":
        return "ไม่ระบุ" if lang != "en" else "Not stated"
    if spec.format == "date":
        return format_date(as_date(value), lang)
    if spec.format == "month":
        return _month(value, lang)
    if spec.format == "baht":
        return format_baht(value, lang)
    if spec.format == "national_id":
        return masked_id(str(value)) if "x" not in str(value) else str(value)
    if spec.format == "choice":
        label = fields.get(spec.field or "", {}).get("x-enum-labels", {}).get(value)
        return str(label.get(lang if lang == "en" else "th")) if isinstance(label, Mapping) else str(value)
    if spec.format == "number":
        number = Decimal(str(value))
        text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}".rstrip("0")
        return f"{text} {spec.unit[1] if lang == 'en' else spec.unit[0]}" if spec.unit else text
    if isinstance(value, bool):
        return ("ใช่" if value else "ไม่ใช่") if lang != "en" else ("Yes" if value else "No")
    return str(value)


def _roots(node: Node) -> set[str]:
    if isinstance(node, Path):
        return {node.parts[0]}
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        children = tuple(node.args)
    elif isinstance(node, ListOf):
        children = tuple(node.items)
    elif isinstance(node, Unary):
        children = (node.operand,)
    elif isinstance(node, Binary):
        children = (node.left, node.right)
    return set().union(*(_roots(c) for c in children)) if children else set()


def certify(spec: DocumentSpec, facts: dict[str, Fact], fields: Mapping[str, Any]
            ) -> tuple[list[dict[str, Any]], dt.date | None]:
    """Each fact of the document ({id, label, value, th, en, to_confirm}) and the date it is valid until
    (None: no expiry). `facts` are the names an expression may read; `document` is added here."""
    done: dict[str, Any] = {}
    certified: list[dict[str, Any]] = []
    nodes = [f.node for f in spec.facts] + ([spec.valid_until] if spec.valid_until is not None else [])
    unknown = set().union(*(_roots(n) for n in nodes)) - set(facts) - {"document", "it"}
    facts = {**facts, **{name: Fact(None, name, problem="not read") for name in unknown}}  # missing, not an error
    for item in spec.facts:
        outcome = compute(item.node, {**facts, "document": Fact(done, "document")})
        value = outcome.value if outcome.outcome == PASS else None
        if item.format == "national_id" and value is not None:
            value = masked_id(str(value))  # kept and signed masked, as printed
        done[item.id] = value
        if value is None and item.optional:
            continue
        certified.append({"id": item.id, "label": {"th": item.label_th, "en": item.label_en}, "value": value,
                          "th": show(item, value, "th", fields), "en": show(item, value, "en", fields),
                          "to_confirm": item.to_confirm})
    until = None
    if spec.valid_until is not None:
        outcome = compute(spec.valid_until, {**facts, "document": Fact(done, "document")})
        until = as_date(outcome.value) if outcome.outcome == PASS and outcome.value is not None else None
    return certified, until
