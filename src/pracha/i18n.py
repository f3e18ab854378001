"""Thai first, English second: gettext catalogues (Babel .po files) and Buddhist-Era dates.

Message ids are the English text; `locale/th/LC_MESSAGES/messages.po` holds the Thai. The catalogue
is read once, straight from the .po file, so there is no compile step to forget.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po

LANGUAGES = ("th", "en")
BANGKOK = ZoneInfo("Asia/Bangkok")
LOCALE_DIR = Path(__file__).parent / "locale"

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@lru_cache
def catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        po = read_po(f, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def gettext(lang: str, message: str) -> str:
    if lang == "en":
        return message
    return catalogue(lang).get(message, message)


def pick_language(value: str | None) -> str | None:
    return value if value in LANGUAGES else None


def format_date(value: dt.date | dt.datetime | None, lang: str, *, short: bool = False) -> str:
    """25 พฤศจิกายน 2569 (Buddhist Era) in Thai; 25 November 2026 in English. Times in Bangkok time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(BANGKOK).date()
    if lang == "en":
        month = EN_MONTHS[value.month - 1]
        return f"{value.day} {month[:3] if short else month} {value.year}"
    month = (THAI_MONTHS_SHORT if short else THAI_MONTHS)[value.month - 1]
    return f"{value.day} {month} {value.year + 543}"


def format_datetime(value: dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(BANGKOK)
    clock = local.strftime("%H:%M")
    return f"{format_date(local, lang, short=True)} {clock} น." if lang != "en" else (
        f"{format_date(local, lang, short=True)}, {clock}"
    )


def format_baht(amount: float | int, lang: str) -> str:
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{text} บาท" if lang != "en" else f"{text} baht"
