"""What the assistant knows: the service catalogue and the FAQ in ``catalog/faq/*.yaml``, as passages.

Each passage belongs to one service and has a link: a FAQ entry links to its anchor on the FAQ page
(``/assistant/faq#<id>``), a service overview to the service page (``/services/<id>``). Loading
checks the FAQ files and raises ``CatalogError`` naming the file and the problem. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pracha.services.catalog import Catalog, CatalogError, Service, Text

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Passage:
    key: str  # FAQ entry id, or "service:<id>"
    service_id: str
    kind: str  # "faq" or "service"
    question: Text  # the FAQ question, or the service's name
    answer: Text  # the FAQ answer, or the service's summary
    url: str
    paraphrases: tuple[str, ...] = ()  # other ways people ask it (FAQ entries only)

    def index_text(self, catalog: Catalog) -> str:
        """The text the index reads: questions count twice, the service overview adds its keywords."""
        q, a = self.question, self.answer
        if self.kind == "faq":
            return " ".join((q.th, q.en, q.th, q.en, *self.paraphrases, a.th, a.en))
        service = catalog.services[self.service_id]
        return _overview(service, catalog)


def _overview(s: Service, catalog: Catalog) -> str:
    keywords = " ; ".join((*s.keywords_th, *s.keywords_en))
    events = " ".join(f"{e.name.th} {e.name.en}" for code in s.life_events if (e := catalog.life_events.get(code)))
    parts = [f"{s.name.th} {s.name.en}"] * 3 + [keywords] * 2 + [
        f"{s.summary.th} {s.summary.en}", events,
        " ".join(f"{e.th} {e.en}" for e in s.eligibility),
        " ".join(f"{d.name.th} {d.name.en}" for d in s.documents)]
    return " ".join(parts)


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("th", "en")):
        raise CatalogError(f"{where}: needs non-empty 'th' and 'en' text")
    return Text(value["th"].strip(), value["en"].strip())


def faq_url(entry_id: str) -> str:
    return f"/assistant/faq#{entry_id}"


def _paraphrases(entry: dict[str, Any], shared: dict[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    own = entry.get("paraphrases") or []
    if not isinstance(own, list) or not all(isinstance(p, str) and p.strip() for p in own):
        raise CatalogError(f"{where}.paraphrases: must be a list of non-empty strings")
    suffix = next((s for s in sorted(shared, key=len, reverse=True) if entry["id"].endswith(f"-{s}")), None)
    return tuple(p.strip() for p in own) + (shared[suffix] if suffix else ())


def load_faq(directory: Path, catalog: Catalog, shared: dict[str, tuple[str, ...]] | None = None) -> list[Passage]:
    """Every FAQ entry in ``directory`` (one YAML file per service) as a passage, in file order.
    ``shared``: paraphrases for every entry whose id ends with ``-<key>`` (the generic questions)."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: cannot read YAML: {exc}") from None
        if not isinstance(data, dict) or data.get("service") not in catalog.services:
            raise CatalogError(f"{path}: 'service' must name a service of the catalogue")
        entries = data.get("entries")
        if not isinstance(entries, list) or not entries:
            raise CatalogError(f"{path}: 'entries' must be a non-empty list")
        for i, entry in enumerate(entries, start=1):
            where = f"{path}: entry {i}"
            key = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(key, str) or not _ID.match(key) or key in seen:
                raise CatalogError(f"{where}: 'id' must be a unique kebab-case code, got {key!r}")
            seen.add(key)
            passages.append(Passage(key, data["service"], "faq", _text(entry.get("question"), f"{where}.question"),
                                    _text(entry.get("answer"), f"{where}.answer"), faq_url(key),
                                    _paraphrases(entry, shared or {}, where)))
    return passages


def service_passages(catalog: Catalog) -> list[Passage]:
    return [Passage(f"service:{s.id}", s.id, "service", s.name, s.summary, f"/services/{s.id}")
            for s in catalog.services.values()]
