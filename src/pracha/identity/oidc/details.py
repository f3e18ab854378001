"""What a citizen adds for the apps they connect: the name in English and a postal address (the
`profile` and `address` claims). Empty fields clear what was there."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from pracha.errors import InvalidInput
from pracha.identity.models import User

_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]{0,99}$")
ADDRESS_FIELDS = ("street_address", "locality", "region", "postal_code")


def update_details(session: Session, user: User, *, first_name_en: str, last_name_en: str,
                   address: dict[str, str]) -> User:
    first, last = first_name_en.strip(), last_name_en.strip()
    parts = {k: address.get(k, "").strip() for k in ADDRESS_FIELDS}
    problems: dict[str, dict[str, str]] = {}
    for field, value in (("first_name_en", first), ("last_name_en", last)):
        if value and not _LATIN_NAME.match(value):
            problems[field] = {"th": "ใช้ตัวอักษรภาษาอังกฤษ ไม่เกิน 100 ตัว", "en": "Use English letters, at most 100."}
    if bool(first) != bool(last):
        problems["last_name_en" if first else "first_name_en"] = {
            "th": "กรุณากรอกทั้งชื่อและนามสกุลภาษาอังกฤษ", "en": "Give both the first and the last name in English."}
    for field, value in parts.items():
        if len(value) > 200 or any(ord(c) < 32 for c in value):
            problems[field] = {"th": "ข้อมูลยาวเกินไปหรือมีอักขระที่ใช้ไม่ได้", "en": "Too long, or has characters not allowed."}
    if parts["postal_code"] and not re.fullmatch(r"\d{5}", parts["postal_code"]):
        problems["postal_code"] = {"th": "รหัสไปรษณีย์ต้องเป็นตัวเลข 5 หลัก", "en": "The postal code has 5 digits."}
    if problems:
        raise InvalidInput(fields=problems)
    user.first_name_en, user.last_name_en = first or None, last or None
    filled = {k: v for k, v in parts.items() if v}
    if filled:
        filled["formatted"] = " ".join(parts[k] for k in ADDRESS_FIELDS if parts[k])
        filled["country"] = "TH"
    user.address = filled or None
    return user
