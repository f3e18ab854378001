"""What people type, made into what the form schema expects: Thai digits, spaces and dashes in
numbers, phone numbers written as printed, and dates as day / month / year in the Buddhist Era.

Pure: of ours only `pracha.calendar` (Buddhist Era, month names). A value that cannot be understood
is returned as typed, so that validation names the field and says what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pracha.calendar import parse_day

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[\s\-.()]+")
# A pattern that admits only digits ("^0[0-9]{8,9}$", "^[0-9]{11}$"): separators people type are dropped.
_DIGITS_ONLY = re.compile(r"^\^(?:[0-9]|\[0-9\]|\\d|\{\d+(?:,\d+)?\})+\$$")
PHONE_PATTERN = "^0[0-9]{8,9}$"
DAY, MONTH, YEAR = "__day", "__month", "__year"
BE_THRESHOLD = 2400  # a year above this is พ.ศ.; below it, the Common Era (no one alive was born in 1857)


def ascii_digits(text: str) -> str:
    """Thai digits (๐–๙) as Arabic ones; everything else unchanged."""
    return text.translate(THAI_DIGITS)


def is_digits_pattern(pattern: str) -> bool:
    return bool(_DIGITS_ONLY.match(pattern))


def digits(text: str) -> str:
    """`081-111 2222`, `๐๘๑ ๑๑๑ ๒๒๒๒` → `0811112222`; text with anything but digits and separators
    comes back tidied but otherwise as typed."""
    bare = _SEPARATORS.sub("", ascii_digits(text.strip()))
    return bare if bare.isascii() and bare.isdigit() else ascii_digits(text.strip())


def phone(text: str) -> str:
    """A Thai phone number as its digits; `+66 81 234 5678` is `0812345678`."""
    bare = digits(text.replace("+", "", 1) if text.strip().startswith("+") else text)
    if bare.startswith("66") and len(bare) in (10, 11) and bare.isdigit():
        return "0" + bare[2:]
    return bare


def number(text: str) -> str:
    """`๑,๕๐๐`, `1 500` → `1500` (still text: the caller turns it into a number)."""
    return re.sub(r"[\s,]", "", ascii_digits(text.strip()))


def national_id(text: str) -> str:
    """`1 1017 00203 45 0`, `1-1017-00203-45-0`, Thai digits → 13 digits (checked later)."""
    bare = digits(text)
    return bare if len(bare) == 13 and bare.isdigit() else ascii_digits(text.strip())


def year_ce(year: int) -> int:
    """A four-digit year as the Common Era: 2573 (พ.ศ.) → 2030, 2030 → 2030."""
    return year - 543 if year > BE_THRESHOLD else year


def date_from_parts(day: str, month: str, year: str) -> str:
    """Day, month (1–12) and a year (พ.ศ. or ค.ศ.) as an ISO date; when they make no real day, the
    parts as typed (`31/2/2568`), which validation refuses with the reason."""
    day, month, year = (ascii_digits(p.strip()) for p in (day, month, year))
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        try:
            return dt.date(year_ce(int(year)), int(month), int(day)).isoformat()
        except ValueError:
            pass
    return f"{day}/{month}/{year}"


def date_text(text: str) -> str:
    """A date sent as one string: ISO or dd/mm/yyyy, either era → ISO in the Common Era; else as typed."""
    found = parse_day(ascii_digits(text.strip()))
    return found.isoformat() if found is not None else text.strip()


def date_value(raw: dict[str, Any], name: str) -> str | None:
    """The date field `name` from an HTML form (`name__day`, `name__month`, `name__year`) or one
    string (the API, or an older form); None when nothing was given."""
    parts = [raw.get(name + suffix) for suffix in (DAY, MONTH, YEAR)]
    if any(isinstance(p, str) and p.strip() for p in parts):
        return date_from_parts(*(p if isinstance(p, str) else "" for p in parts))
    value = raw.get(name)
    if isinstance(value, str) and value.strip():
        return date_text(value)
    return None


def date_parts(value: Any, raw: dict[str, Any] | None = None, name: str = "") -> dict[str, str]:
    """What the three date inputs show: the parts as typed (after an error) or a stored ISO date,
    the year in the Buddhist Era."""
    if raw is not None and any(raw.get(name + s) for s in (DAY, MONTH, YEAR)):
        return {k: str(raw.get(name + s) or "").strip() for k, s in (("day", DAY), ("month", MONTH), ("year", YEAR))}
    if isinstance(value, str):
        found = parse_day(value)
        if found is not None:
            return {"day": str(found.day), "month": str(found.month), "year": str(found.year + 543)}
    return {"day": "", "month": "", "year": ""}
