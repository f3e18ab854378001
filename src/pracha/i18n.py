"""Thai first, English second: gettext catalogues (Babel .po files). Dates (Buddhist Era, Bangkok
time) are formatted by `pracha.calendar`.

Message ids are the English text; `locale/th/LC_MESSAGES/messages.po` holds the Thai. The catalogue
is read once, straight from the .po file, so there is no compile step to forget.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("th", "en")
LOCALE_DIR = Path(__file__).parent / "locale"


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


def format_baht(amount: float | int, lang: str) -> str:
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{text} บาท" if lang != "en" else f"{text} baht"
