"""Error messages for application forms that name their field and say what is expected:
"หมายเลขโทรศัพท์: ต้องเป็นตัวเลข 9–10 หลัก ขึ้นต้นด้วย 0 เช่น 081 234 5678", never "รูปแบบไม่ถูกต้อง" alone.

A hint per kind of format (a JSON Schema `format`, or a known `pattern`), which a catalogue field may
override with `x-format-th` / `x-format-en`. Pure: of ours only `calendar`, `identity.thai_id` and `services.inputs`.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema.exceptions import ValidationError

from pracha.calendar import EN_MONTHS, THAI_MONTHS
from pracha.identity import thai_id
from pracha.services import inputs

Problem = dict[str, str]  # {"th": …, "en": …}

HINTS: dict[str, tuple[str, str]] = {
    "phone": ("ต้องเป็นตัวเลข 9–10 หลัก ขึ้นต้นด้วย 0 เช่น 081 234 5678",
              "9 or 10 digits starting with 0, for example 081 234 5678"),
    "thai-id": ("ต้องเป็นเลข 13 หลักตามบัตรประจำตัวประชาชน เช่น 1 1017 00203 45 0",
                "the 13 digits on the national ID card, for example 1 1017 00203 45 0"),
    "house-code": ("ต้องเป็นตัวเลข 11 หลักตามหน้าแรกของทะเบียนบ้าน เช่น 5001 012345 6",
                   "the 11 digits on the first page of the house registration book, for example 5001 012345 6"),
    "bank-account": ("ต้องเป็นตัวเลข 10–12 หลักตามสมุดบัญชี เช่น 123 4 56789 0",
                     "the 10 to 12 digits of the account, as in the bank book, for example 123 4 56789 0"),
    "postcode": ("ต้องเป็นตัวเลข 5 หลัก เช่น 50200", "5 digits, for example 50200"),
    "date": ("กรอกวัน เดือน และปี พ.ศ. เช่น 5 มีนาคม 2568",
             "a day, month and year, for example 5 March 2025 (or the Buddhist-Era year 2568)"),
    "email": ("ต้องเป็นอีเมล เช่น somchai@example.com", "an e-mail address, for example somchai@example.com"),
}
PATTERN_KINDS = {inputs.PHONE_PATTERN: "phone", "^[0-9]{11}$": "house-code", "^[0-9]{10,12}$": "bank-account",
                 "^[0-9]{5}$": "postcode"}
_COUNT = re.compile(r"^\^\[0-9\]\{(\d+)(?:,(\d+))?\}\$$")


def label(prop: dict[str, Any], name: str) -> Problem:
    return {"th": prop.get("x-title-th", prop.get("title", name)), "en": prop.get("title", name)}


def hint(prop: dict[str, Any]) -> Problem | None:
    """What a value of this field looks like, or None when the schema does not say."""
    if prop.get("x-format-th") and prop.get("x-format-en"):
        return {"th": prop["x-format-th"], "en": prop["x-format-en"]}
    kind = prop.get("format") or PATTERN_KINDS.get(prop.get("pattern", ""))
    if kind in HINTS:
        th, en = HINTS[kind]
        return {"th": th, "en": en}
    counted = _COUNT.match(prop.get("pattern", ""))
    if counted:
        low, high = counted.group(1), counted.group(2)
        n = f"{low}–{high}" if high else low
        return {"th": f"ต้องเป็นตัวเลข {n} หลัก", "en": f"{n} digits"}
    return None


def named(prop: dict[str, Any], name: str, th: str, en: str) -> Problem:
    """`th`/`en` prefixed with the field's label, as shown in the summary and beside the field."""
    title = label(prop, name)
    en = en if en.endswith(".") else en + "."
    if title["en"].endswith("?"):  # "Do you own the land? Please answer yes or no."
        return {"th": f"{title['th']}: {th}", "en": f"{title['en']} {en[:1].upper() + en[1:]}"}
    return {"th": f"{title['th']}: {th}", "en": f"{title['en']}: {en[:1].lower() + en[1:]}"}


def _expected(prop: dict[str, Any], fallback: tuple[str, str]) -> tuple[str, str]:
    found = hint(prop)
    if found is not None:
        return found["th"], found["en"]
    if prop.get("x-description-th") and prop.get("description"):
        return f"{fallback[0]} ({prop['x-description-th']})", f"{fallback[1]} ({prop['description']})"
    return fallback


def _date(instance: object) -> tuple[str, str]:
    parts = str(instance).split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        if len(parts[2]) != 4:
            return ("ปีต้องเป็นตัวเลข 4 หลัก เช่น 2568", "the year must have 4 digits, for example 2568")
        day, month, year = (int(p) for p in parts)
        if 1 <= month <= 12:
            th_day = f"{day} {THAI_MONTHS[month - 1]} {year}"
            en_day = f"{day} {EN_MONTHS[month - 1]} {inputs.year_ce(year)}"
        else:
            th_day = en_day = "/".join(parts)
        return (f"ไม่มีวันที่ {th_day} ในปฏิทิน กรุณาตรวจสอบวันและเดือน",
                f"there is no day {en_day} in the calendar; please check the day and month")
    if len(parts) == 3:
        return ("กรุณากรอกวัน เดือน และปี พ.ศ. ให้ครบ เช่น 5 มีนาคม 2568",
                "please give the day, month and year, for example 5 March 2025")
    return HINTS["date"]


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def message(error: ValidationError, prop: dict[str, Any], name: str) -> Problem:
    """One jsonschema error as a sentence naming the field."""
    v, value = error.validator, error.validator_value
    if v == "required" or (v == "minLength" and value == 1):
        if prop.get("type") == "boolean":
            return named(prop, name, "กรุณาตอบว่าใช่หรือไม่ใช่", "Please answer yes or no.")
        if "enum" in prop:
            return named(prop, name, "กรุณาเลือก", "Please choose one.")
        return named(prop, name, "กรุณากรอก", "Please fill this in.")
    if v == "type" and value in ("integer", "number"):
        return named(prop, name, "กรุณากรอกเป็นตัวเลข เช่น 1500", "Please enter a number, for example 1500.")
    if v == "format" and value == "date":
        return named(prop, name, *_date(error.instance))
    if v == "format" and value == "thai-id":
        why = thai_id.problem(str(error.instance))
        if why is thai_id.Problem.CHECK_DIGIT:
            return named(prop, name, "เลขนี้ไม่ถูกต้อง (หลักสุดท้ายไม่ตรงกับเลขตรวจสอบ) กรุณาตรวจสอบกับบัตรอีกครั้ง",
                         "This number is not valid (its last digit does not match). Please check it against the card.")
        return named(prop, name, *HINTS["thai-id"])
    if v in ("format", "pattern"):
        return named(prop, name, *_expected(prop, ("รูปแบบไม่ถูกต้อง", "This is not in the expected form.")))
    if v == "minimum":
        return named(prop, name, f"ต้องไม่น้อยกว่า {_number(value)}", f"Must be at least {_number(value)}.")
    if v == "maximum":
        return named(prop, name, f"ต้องไม่เกิน {_number(value)}", f"Must be at most {_number(value)}.")
    if v == "maxLength":
        return named(prop, name, f"ยาวได้ไม่เกิน {value} ตัวอักษร", f"At most {value} characters.")
    if v == "minLength":
        return named(prop, name, f"ต้องยาวอย่างน้อย {value} ตัวอักษร", f"At least {value} characters.")
    if v == "enum":
        return named(prop, name, "กรุณาเลือกจากตัวเลือกที่มีให้", "Please choose one of the options.")
    if v == "additionalProperties":
        return {"th": "มีข้อมูลที่แบบฟอร์มนี้ไม่รู้จัก", "en": "The form has fields it does not know."}
    return named(prop, name, "ข้อมูลไม่ถูกต้อง", "This value is not valid.")


def too_late(prop: dict[str, Any], name: str) -> Problem:
    """A date after `x-not-after` (a birth in the future)."""
    if prop.get("x-date-error-th") and prop.get("x-date-error-en"):
        return named(prop, name, prop["x-date-error-th"], prop["x-date-error-en"])
    return named(prop, name, "ต้องไม่เป็นวันในอนาคต", "Must not be in the future.")


def too_early(prop: dict[str, Any], name: str) -> Problem:
    """A date before `x-not-before` (an expired card)."""
    if prop.get("x-date-error-th") and prop.get("x-date-error-en"):
        return named(prop, name, prop["x-date-error-th"], prop["x-date-error-en"])
    return named(prop, name, "วันที่นี้ผ่านไปแล้ว", "This date has already passed.")
