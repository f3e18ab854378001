"""Find Thai national ID numbers in free text, however they were typed, so that logs and stored
conversations can mask them. Pure: imports nothing of ours.

A person types their ID in many ways: `1-2345-67890-12-1`, `1 2345 67890 12 1`, `1.2345.67890.12.1`,
`1/2345/67890/12/1`, `1_2345_…`, in Thai digits (`๑๒๓…`) or full-width ones (`１２３…`), with a
space or two around the dashes. We look for runs of digit groups joined by short separators, and mask
every stretch of whole consecutive groups that holds exactly 13 digits.

The check digit is deliberately *not* required: a mistyped ID (one digit off) still identifies the
person almost as well as the real one, and a 13-digit number that is not an ID costs little when
masked in a log. Whole groups only, so a phone number typed next to an ID (`081-234-5678 1234…`)
is not swallowed while the ID's tail is left in clear.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ID_DIGITS = 13
MASK = "[national-id]"
# Between two digit groups: one to three of space-like or dash-like characters, dots, slashes, underscores.
_SEPARATOR = "[ \t.\\-/_\u00a0\u2009\u200a\u200b\u202f\u3000\u2010-\u2015\u2212\uff0d\uff0e\uff0f\uff3f]"
_RUN = re.compile(rf"\d+(?:{_SEPARATOR}{{1,3}}\d+)*")  # \d: every Unicode decimal digit (Thai, full-width…)
_GROUP = re.compile(r"\d+")


@dataclass(frozen=True)
class FoundId:
    start: int
    end: int
    digits: str  # the 13 digits in ASCII


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit of `text` as ASCII, everything else dropped."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def find_national_ids(text: str) -> list[FoundId]:
    """Every 13-digit number in `text`, whatever its separators and digit forms, in order."""
    found: list[FoundId] = []
    for run in _RUN.finditer(text):
        offset = run.start()
        groups = [(m.start() + offset, m.end() + offset, len(m.group())) for m in _GROUP.finditer(run.group())]
        i = 0
        while i < len(groups):
            total, j = 0, i
            while j < len(groups) and total < ID_DIGITS:
                total += groups[j][2]
                j += 1
            if total == ID_DIGITS:
                start, end = groups[i][0], groups[j - 1][1]
                found.append(FoundId(start, end, ascii_digits(text[start:end])))
                i = j
            else:
                i += 1
    return found


def mask_national_ids(text: str, mask: str = MASK) -> str:
    """`text` with every national ID found replaced by `mask`."""
    if not text:
        return text
    found = find_national_ids(text)
    if not found:
        return text
    parts, last = [], 0
    for f in found:
        parts.append(text[last:f.start])
        parts.append(mask)
        last = f.end
    parts.append(text[last:])
    return "".join(parts)
