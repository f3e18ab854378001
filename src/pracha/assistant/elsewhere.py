"""State services Pracha does not offer (``catalog/assistant/elsewhere.yaml``): recognise a question
about one and say which agency handles it and how to reach it, instead of refusing blindly or
matching an unrelated Pracha FAQ. Also the account-help phrases ("ลืมรหัสผ่าน") that lead to the
password-reset page. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pracha.assistant.nlp import normalise
from pracha.services.catalog import CatalogError, Text

_LATIN = re.compile(r"[a-z]")
PASSWORD_RESET_URL = "/password-reset"  # noqa: S105 (a page address, not a password)


def _compact(phrase: str) -> str:
    """Thai phrases are matched without spaces; phrases with Latin letters keep theirs."""
    phrase = normalise(phrase)
    return phrase if _LATIN.search(phrase) else phrase.replace(" ", "")


def _occurs(phrase: str, text: str, compact: str) -> bool:
    return all((part in text) if _LATIN.search(part) else (part in compact) for part in phrase.split("+"))


@dataclass(frozen=True)
class Elsewhere:
    id: str
    name: Text
    agency: Text
    channel: Text
    keywords: tuple[str, ...]
    unless: tuple[str, ...] = ()
    to_confirm: bool = False

    def matches(self, text: str, compact: str) -> bool:
        return (any(_occurs(k, text, compact) for k in self.keywords)
                and not any(_occurs(u, text, compact) for u in self.unless))

    def reply_text(self, lang: str) -> str:
        if lang == "en":
            return (f"{self.name.en} is not a Pracha service: it is handled by {self.agency.en}. "
                    f"{self.channel.en}")
        return f"เรื่อง{self.name.th}ไม่ใช่บริการของประชา ผู้รับผิดชอบคือ{self.agency.th} {self.channel.th}"


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("th", "en")):
        raise CatalogError(f"{where}: needs non-empty 'th' and 'en' text")
    return Text(value["th"].strip(), value["en"].strip())


def load_elsewhere(path: Path) -> list[Elsewhere]:
    """The table of services offered elsewhere; an empty list when the file does not exist."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: cannot read YAML: {exc}") from None
    rows: list[Elsewhere] = []
    for i, entry in enumerate(data.get("services") or [], start=1):
        where = f"{path}: service {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry.get("keywords"):
            raise CatalogError(f"{where}: needs an 'id' and 'keywords'")
        rows.append(Elsewhere(entry["id"], _text(entry.get("name"), f"{where}.name"),
                              _text(entry.get("agency"), f"{where}.agency"),
                              _text(entry.get("channel"), f"{where}.channel"),
                              tuple(_compact(str(k)) for k in entry["keywords"]),
                              tuple(_compact(str(u)) for u in entry.get("unless") or ()),
                              bool(entry.get("to_confirm", False))))
    return rows


def find_elsewhere(table: list[Elsewhere], text: str) -> Elsewhere | None:
    """The first service of the table that the (normalised) question is about, if any."""
    compact = text.replace(" ", "")
    return next((row for row in table if row.matches(text, compact)), None)


def asks_password_reset(phrases: tuple[str, ...], text: str) -> bool:
    """Whether the (normalised) message says the citizen forgot their password or cannot sign in."""
    compact = text.replace(" ", "")
    return any(_occurs(_compact(p), text, compact) for p in phrases)
