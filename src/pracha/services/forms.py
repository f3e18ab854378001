"""Application forms: JSON Schema from the catalogue, values from HTML forms or JSON, and error
messages a person understands, beside each field, in Thai and English (`formerrors`).

`coerce` forgives how people type (`inputs`: Thai digits, spaces and dashes, day / month / Buddhist-Era
year); `validate` adds what JSON Schema cannot say: text that is text, and dates the law rules out
(`x-not-after: today` for a birth, `x-not-before: today` for a card that must still be valid).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from pracha.calendar import BANGKOK, EN_MONTHS, THAI_MONTHS
from pracha.http.guard import is_valid_text
from pracha.identity import thai_id
from pracha.services import formerrors, inputs
from pracha.services.formerrors import Problem

_format_checker = FormatChecker()
CHANGED = {"th": "แก้ไขจากข้อมูลทะเบียน", "en": "Changed from the registry data"}
MONTHS = [{"th": th, "en": en} for th, en in zip(THAI_MONTHS, EN_MONTHS, strict=True)]


@_format_checker.checks("thai-id")
def _is_thai_id(value: object) -> bool:
    return not isinstance(value, str) or thai_id.is_valid(value)


def _field(error: ValidationError) -> str:
    if error.validator == "required":
        return str(error.message.split("'")[1])
    if error.validator == "additionalProperties":
        return "_form"
    return str(error.absolute_path[0]) if error.absolute_path else "_form"


_validators: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """One validator per catalogue schema (the catalogue lives as long as the process)."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft202012Validator(schema, format_checker=_format_checker))
        _validators[id(schema)] = cached
    return cached[1]


def today_in_thailand() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


def validate(schema: dict[str, Any], data: dict[str, Any], *, complete: bool,
             today: dt.date | None = None) -> dict[str, Problem]:
    """Problems by field name, each naming its field. A draft (`complete=False`) may leave required
    fields empty. `today` (Bangkok) bounds dates marked `x-not-after` / `x-not-before: today`."""
    validator = _validator(schema)
    props = schema.get("properties", {})
    problems: dict[str, Problem] = {}
    for name, value in data.items():  # what JSON Schema cannot say: text that is text, numbers that are numbers
        prop = props.get(name, {})
        if isinstance(value, str) and not is_valid_text(value):
            problems[name] = formerrors.named(prop, name, "มีอักขระที่ไม่ถูกต้อง (เช่น อักขระควบคุม)",
                                              "This contains characters that are not allowed (such as control "
                                              "characters).")
        elif isinstance(value, float) and not math.isfinite(value):
            problems[name] = formerrors.named(prop, name, "กรุณากรอกเป็นตัวเลข", "Please enter a number.")
    for error in validator.iter_errors(data):
        if not complete and error.validator == "required":
            continue
        name = _field(error)
        problems.setdefault(name, formerrors.message(error, props.get(name, {}), name))
    today = today or today_in_thailand()
    for name, prop in props.items():
        day = _day(data.get(name)) if prop.get("format") == "date" and name not in problems else None
        if day is None:
            continue
        if prop.get("x-not-after") == "today" and day > today:
            problems[name] = formerrors.too_late(prop, name)
        elif prop.get("x-not-before") == "today" and day < today:
            problems[name] = formerrors.too_early(prop, name)
    return problems


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def coerce(schema: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Turn what an HTML form or the API sends into the types the schema asks for; empty means absent.
    Forgiving (`inputs`): Thai digits anywhere numeric; national IDs, phone numbers and other digit
    codes with spaces and dashes; dates as `name__day`/`__month`/`__year` (พ.ศ. or ค.ศ.) or one ISO or
    dd/mm/yyyy string. Values that do not convert are kept as they are, so validation names the field."""
    out: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        value = raw.get(name)
        if kind == "boolean":
            if isinstance(value, bool):
                out[name] = value
            elif value is not None:
                out[name] = str(value).lower() in ("on", "true", "1", "yes")
            continue
        if prop.get("format") == "date":
            value = inputs.date_value(raw, name) if not isinstance(value, (int, float)) else value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = _text(prop, value.strip())
        out[name] = value
    return out


def _text(prop: dict[str, Any], value: str) -> Any:
    kind, pattern = prop.get("type"), prop.get("pattern", "")
    if kind in ("integer", "number"):
        try:
            number = float(inputs.number(value))
        except ValueError:
            return value
        if not math.isfinite(number):  # "NaN", "inf": kept as text, so validation names the field
            return value
        return int(number) if kind == "integer" and number.is_integer() else number
    if prop.get("format") == "thai-id":
        return inputs.national_id(value)
    if pattern == inputs.PHONE_PATTERN:
        return inputs.phone(value)
    if pattern and inputs.is_digits_pattern(pattern):
        return inputs.digits(value)
    return value


def is_empty(data: dict[str, Any]) -> bool:
    """Nothing filled in: an unticked box is no answer (an HTML form sends it as ``False``)."""
    return all(value in (None, "", False) for value in data.values())


def display_values(schema: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`values` (stored, or as typed) with each date field as the parts its three inputs show."""
    shown = dict(values)
    for name, prop in schema.get("properties", {}).items():
        if prop.get("format") == "date":
            shown[name] = inputs.date_parts(values.get(name), values, name)
    return shown


def fields(schema: dict[str, Any], marks: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """What a template needs to draw each field, in schema order. `marks` (an application's prefill
    marks) adds "changed from the registry data" to a prefilled field the citizen corrected."""
    required = set(schema.get("required", []))
    marks = marks or {}
    result = []
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        if "enum" in prop:
            widget = "select"
        elif kind == "boolean":
            widget = "checkbox"
        elif prop.get("x-widget") == "textarea":
            widget = "textarea"
        elif prop.get("format") == "date":
            widget = "date"
        elif prop.get("format") == "email":
            widget = "email"
        elif kind in ("integer", "number"):
            widget = "number"
        else:
            widget = "text"
        labels = prop.get("x-enum-labels", {})
        title = formerrors.label(prop, name)
        changed = (marks.get(name) or {}).get("changed")
        result.append({
            "name": name,
            "widget": widget,
            "required": name in required,
            "label": {k: f"{title[k]} ({CHANGED[k]})" for k in title} if changed else title,
            "hint": {"th": prop.get("x-description-th", ""), "en": prop.get("description", "")},
            "format": formerrors.hint(prop) if widget in ("text", "number", "email") else None,
            "options": [(value, labels.get(value, {"th": str(value), "en": str(value)}))
                        for value in prop.get("enum", [])],
            "maxlength": prop.get("maxLength"),
            "inputmode": "numeric" if prop.get("format") == "thai-id" or inputs.is_digits_pattern(
                prop.get("pattern", "")) else None,
            "editable_prefill": isinstance(prop.get("x-prefill"), dict) and bool(prop["x-prefill"].get("editable")),
            "changed": bool(changed),
            "months": MONTHS if widget == "date" else [],
        })
    return result
