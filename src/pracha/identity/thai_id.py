"""Thai national identification numbers (เลขประจำตัวประชาชน): 13 digits, the last a mod-11 check digit.

Pure: imports nothing of ours. The accepted written forms are the plain 13 digits and the dashed form
printed on the card, `1-2345-67890-12-1`; anything else is rejected with the reason. Forms may
tidy what a person typed first (`tidy`: surrounding spaces, Thai digits) before checking.
"""

from __future__ import annotations

import re
from enum import Enum

_DASHED = re.compile(r"^\d-\d{4}-\d{5}-\d{2}-\d$")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class Problem(Enum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    CHECK_DIGIT = "check_digit"


MESSAGES: dict[Problem, tuple[str, str]] = {
    Problem.EMPTY: ("กรุณากรอกเลขประจำตัวประชาชน", "Please enter your national ID number."),
    Problem.NOT_DIGITS: (
        "เลขประจำตัวประชาชนต้องเป็นตัวเลขเท่านั้น (ขีดคั่นได้ตามรูปแบบบนบัตร)",
        "The national ID may contain only digits (dashes only as printed on the card).",
    ),
    Problem.LENGTH: ("เลขประจำตัวประชาชนต้องมี 13 หลัก", "The national ID must have 13 digits."),
    Problem.CHECK_DIGIT: (
        "เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง) กรุณาตรวจสอบอีกครั้ง",
        "This national ID is not valid (its check digit does not match). Please check it.",
    ),
}


def check_digit(first12: str) -> int:
    total = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
    return (11 - total % 11) % 10


def tidy(s: str) -> str:
    """What a person typed, without surrounding spaces and with Thai digits as Arabic ones."""
    return s.strip().translate(_THAI_DIGITS)


def normalize(s: str) -> str:
    """The 13 digits of `s` if it is written in an accepted form, else ''."""
    if _DASHED.match(s):
        s = s.replace("-", "")
    return s if len(s) == 13 and s.isascii() and s.isdigit() else ""


def problem(s: str) -> Problem | None:
    """Why `s` is not a valid national ID, or None when it is."""
    if not s.strip():
        return Problem.EMPTY
    digits = normalize(s)
    if not digits:
        bare = s.replace("-", "")
        if not (bare.isascii() and bare.isdigit()):
            return Problem.NOT_DIGITS
        return Problem.LENGTH if len(bare) != 13 else Problem.NOT_DIGITS
    if check_digit(digits[:12]) != int(digits[12]):
        return Problem.CHECK_DIGIT
    return None


def is_valid(s: str) -> bool:
    return problem(s) is None


def format_dashed(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def make(first12: str) -> str:
    """A valid ID from 12 digits (for demo data and tests)."""
    return first12 + str(check_digit(first12))
