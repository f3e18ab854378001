"""Application forms: JSON Schema from the catalogue, values from HTML forms or JSON, and error
messages a person understands, beside each field, in Thai and English."""

from __future__ import annotations

import math
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from pracha.http.guard import is_valid_text
from pracha.identity import thai_id

_format_checker = FormatChecker()


@_format_checker.checks("thai-id")
def _is_thai_id(value: object) -> bool:
    return not isinstance(value, str) or thai_id.is_valid(value)


Problem = dict[str, str]  # {"th": …, "en": …}


def _message(error: ValidationError, schema: dict[str, Any]) -> Problem:
    v = error.validator
    if v == "required":
        return {"th": "กรุณากรอกข้อมูลช่องนี้", "en": "This field is required."}
    if v == "type":
        kind = error.validator_value
        if kind in ("integer", "number"):
            return {"th": "กรุณากรอกเป็นตัวเลข", "en": "Please enter a number."}
        return {"th": "รูปแบบข้อมูลไม่ถูกต้อง", "en": "This value has the wrong form."}
    if v == "format":
        fmt = error.validator_value
        if fmt == "date":
            return {"th": "กรุณากรอกวันที่ให้ถูกต้อง", "en": "Please enter a valid date."}
        if fmt == "email":
            return {"th": "รูปแบบอีเมลไม่ถูกต้อง", "en": "The e-mail address is not valid."}
        if fmt == "thai-id":
            th, en = thai_id.MESSAGES[thai_id.problem(str(error.instance)) or thai_id.Problem.CHECK_DIGIT]
            return {"th": th, "en": en}
    if v == "minimum":
        return {"th": f"ต้องไม่น้อยกว่า {error.validator_value}", "en": f"Must be at least {error.validator_value}."}
    if v == "maximum":
        return {"th": f"ต้องไม่เกิน {error.validator_value}", "en": f"Must be at most {error.validator_value}."}
    if v == "maxLength":
        return {"th": f"ยาวได้ไม่เกิน {error.validator_value} ตัวอักษร",
                "en": f"At most {error.validator_value} characters."}
    if v == "minLength":
        return {"th": "กรุณากรอกข้อมูลช่องนี้", "en": "This field is required."} if error.validator_value == 1 else {
            "th": f"ต้องยาวอย่างน้อย {error.validator_value} ตัวอักษร",
            "en": f"At least {error.validator_value} characters."}
    if v == "enum":
        return {"th": "กรุณาเลือกจากตัวเลือกที่มีให้", "en": "Please choose one of the options."}
    if v == "pattern":
        prop = schema.get("properties", {}).get(_field(error), {})
        hint_th, hint_en = prop.get("x-description-th"), prop.get("description")
        return {"th": "รูปแบบไม่ถูกต้อง" + (f" ({hint_th})" if hint_th else ""),
                "en": "This is not in the expected form." + (f" ({hint_en})" if hint_en else "")}
    if v == "additionalProperties":
        return {"th": "มีข้อมูลที่แบบฟอร์มนี้ไม่รู้จัก", "en": "The form has fields it does not know."}
    return {"th": "ข้อมูลไม่ถูกต้อง", "en": "This value is not valid."}


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


def validate(schema: dict[str, Any], data: dict[str, Any], *, complete: bool) -> dict[str, Problem]:
    """Problems by field name. A draft (`complete=False`) may leave required fields empty."""
    validator = _validator(schema)
    problems: dict[str, Problem] = {}
    for name, value in data.items():  # what JSON Schema cannot say: text that is text, numbers that are numbers
        if isinstance(value, str) and not is_valid_text(value):
            problems[name] = {"th": "มีอักขระที่ไม่ถูกต้อง (เช่น อักขระควบคุม)",
                              "en": "This contains characters that are not allowed (such as control characters)."}
        elif isinstance(value, float) and not math.isfinite(value):
            problems[name] = {"th": "กรุณากรอกเป็นตัวเลข", "en": "Please enter a number."}
    for error in validator.iter_errors(data):
        if not complete and error.validator == "required":
            continue
        problems.setdefault(_field(error), _message(error, schema))
    return problems


def coerce(schema: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Turn the strings an HTML form sends into the types the schema asks for; empty means absent.
    Values that do not convert are kept as they are, so validation names the field."""
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
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
            if kind in ("integer", "number"):
                try:
                    number = float(value.replace(",", ""))
                    if math.isfinite(number):  # "NaN", "inf": kept as text, so validation names the field
                        value = int(number) if kind == "integer" and number.is_integer() else number
                except ValueError:
                    pass
            elif prop.get("format") == "thai-id":
                value = thai_id.normalize(thai_id.tidy(value)) or value
        out[name] = value
    return out


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """What a template needs to draw each field, in schema order."""
    required = set(schema.get("required", []))
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
        result.append({
            "name": name,
            "widget": widget,
            "required": name in required,
            "label": {"th": prop.get("x-title-th", prop.get("title", name)), "en": prop.get("title", name)},
            "hint": {"th": prop.get("x-description-th", ""), "en": prop.get("description", "")},
            "options": [(value, labels.get(value, {"th": str(value), "en": str(value)}))
                        for value in prop.get("enum", [])],
            "maxlength": prop.get("maxLength"),
            "inputmode": "numeric" if prop.get("format") == "thai-id" or prop.get("pattern", "").startswith(
                "^[0-9]") else None,
        })
    return result
