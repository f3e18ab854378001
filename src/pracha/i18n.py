"""Thai first, English second: gettext catalogues (Babel .po files). Dates (Buddhist Era, Bangkok
time) are formatted by `pracha.calendar`.

Message ids are the English text; `locale/th/LC_MESSAGES/messages.po` holds the Thai. The catalogue
is read once, straight from the .po file, so there is no compile step to forget.
"""

from __future__ import annotations

import string
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

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


# --- text stored as keys with parameters, rendered in each reader's language ---------------------
#
# What a system writes for people to read later (inbox messages, timeline notes) is stored as a
# `Phrase` (a key and its parameters) or as a bilingual mapping {"th": …, "en": …}, never as text in
# the writer's language: each reader sees it in their own. A person's own typed words stay a `str`.
# Parameters may themselves be bilingual mappings, phrases, or lists of these (lines).

Text = Any  # str | Mapping[str, str] ({"th", "en"}) | Phrase | list of Text | None


@dataclass(frozen=True)
class Phrase:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


class UnknownPhrase(KeyError):
    """A stored key no module defines any more: the caller shows the text it kept beside it."""


_TEMPLATES: dict[str, tuple[str, str]] = {}


def define(key: str, th: str, en: str) -> str:
    """Declare the Thai and English template of `key` (`str.format` fields name the parameters)."""
    if _TEMPLATES.get(key, (th, en)) != (th, en):
        raise ValueError(f"phrase {key!r} is defined twice with different text")
    _TEMPLATES[key] = (th, en)
    return key


def is_defined(key: str) -> bool:
    return key in _TEMPLATES


def is_bilingual(value: Any) -> bool:
    return isinstance(value, Mapping) and "key" not in value and isinstance(value.get("th"), str)


def render(value: Text, lang: str) -> str:
    """`value` in `lang` (Thai when the English is missing); raises UnknownPhrase for an unknown key."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Phrase) or (isinstance(value, Mapping) and "key" in value):
        key, params = (value.key, value.params) if isinstance(value, Phrase) else (value["key"], value.get("params"))
        if key not in _TEMPLATES:
            raise UnknownPhrase(key)
        th, en = _TEMPLATES[key]
        filled = {name: render(v, lang) for name, v in (params or {}).items()}
        # a parameter nobody gave is empty, never a KeyError
        return string.Formatter().vformat(en if lang == "en" else th, (), defaultdict(str, filled))
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("th") or value.get("en") or "")
    if isinstance(value, list | tuple):
        return "\n".join(line for line in (render(v, lang) for v in value) if line)
    return str(value)


def both(value: Text) -> dict[str, str]:
    """`value` rendered in every language: {"th": …, "en": …}."""
    return {lang: render(value, lang) for lang in LANGUAGES}


def to_json(value: Text) -> Any:
    """What a JSON column keeps of `value` (phrases as {"key", "params"})."""
    if isinstance(value, Phrase):
        return {"key": value.key, "params": {k: to_json(v) for k, v in value.params.items()}}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value
