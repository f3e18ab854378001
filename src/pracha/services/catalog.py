"""The service catalogue: load the YAML definitions in ``catalog/`` and search them.

Pure (no database; of ours only ``pracha.textsearch`` and ``pracha.calendar``), so web, CLI, assistant
and tests read the same definitions the same way. ``catalog/holidays.yaml`` adds closures to the
working-day calendar. ``catalog/agencies.yaml`` and ``catalog/life-events.yaml`` list codes and
names; ``catalog/services/<id>.yaml`` defines one service each. Any problem raises ``CatalogError``
naming the file and what is wrong. Search weighs each service's fields (name and
keywords most) in a ``textsearch.SearchIndex`` (BM25 over Thai words, never split on spaces).

Optional keys of a service: ``multiple: true`` lets a citizen have several open applications of the
service at once (twins' births, two buildings); by default (false) a second draft or submission while
one is a draft or open answers 409 ``duplicate_application`` (see ``services.duplicates``).
``audience: [citizen] | [business] | [citizen, business]`` says who the service is for (default
``[citizen]``): people, juristic persons (acting for an organisation), or both; ``filter_audience``
keeps the services of one audience.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from pracha.calendar import HOLIDAYS_FILE, CalendarError, WorkCalendar, load_calendar
from pracha.textsearch import SearchIndex

ACTORS = frozenset({"citizen", "officer", "system"})
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean"})
FIELD_FORMATS = frozenset({"date", "email", "thai-id"})
MAX_TEXT_LENGTH = 2000
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SERVICE_KEYS = frozenset({
    "id", "agency", "life_events", "name", "summary", "description", "legal_basis", "keywords",
    "eligibility", "documents", "fee", "sla_days", "form", "steps", "privacy",
})
# the document an approval issues (checked by pracha.automation); may a citizen have several open at once?
_OPTIONAL_KEYS = frozenset({"document", "multiple", "audience", "plain"})
CITIZEN_AUDIENCE, BUSINESS_AUDIENCE = "citizen", "business"
AUDIENCES = (CITIZEN_AUDIENCE, BUSINESS_AUDIENCE)
# PDPA section 24: the lawful bases a service may process personal data on.
LEGAL_BASES = frozenset({"legal-obligation", "public-task", "consent", "contract", "vital-interest",
                         "legitimate-interest"})


@dataclass(frozen=True, slots=True)
class Text:
    th: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` ('th' or 'en'); anything else gets Thai, the default."""
        return self.en if lang == "en" else self.th


@dataclass(frozen=True, slots=True)
class Plain:
    """A service in plain words: a few short everyday sentences per language, shown first on its page."""
    th: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.th


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: Text
    contact: Text


@dataclass(frozen=True, slots=True)
class LifeEvent:
    code: str
    name: Text


@dataclass(frozen=True, slots=True)
class DocumentRequirement:
    id: str
    name: Text
    required: bool


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    actor: str
    text: Text
    auto: Mapping[str, Any] | None = None  # a bot step's facts, rules and fee (checked by pracha.automation)


@dataclass(frozen=True, slots=True)
class DataCategory:
    code: str
    name: Text
    sensitive: bool  # PDPA section 26 (health, disability, religion, biometrics …)
    sensitive_basis: Text | None  # which exception of section 26 allows it
    to_confirm: bool


@dataclass(frozen=True, slots=True)
class Recipient:
    code: str
    name: Text
    purpose: Text
    to_confirm: bool


@dataclass(frozen=True, slots=True)
class Privacy:
    """What the record of processing activities (PDPA section 39) and the privacy notice say of a
    service. `to_confirm` marks a fact a lawyer of the agency has still to check."""

    purposes: tuple[Text, ...]
    categories: tuple[DataCategory, ...]
    basis: str  # one of LEGAL_BASES
    basis_act: Text
    basis_to_confirm: bool
    recipients: tuple[Recipient, ...]
    retention_years: int
    retention_from: Text
    retention_ground: Text
    retention_to_confirm: bool

    @property
    def sensitive(self) -> bool:
        return any(c.sensitive for c in self.categories)

    @property
    def to_confirm(self) -> bool:
        return (self.basis_to_confirm or self.retention_to_confirm
                or any(c.to_confirm for c in self.categories) or any(r.to_confirm for r in self.recipients))


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    agency: str
    life_events: tuple[str, ...]
    name: Text
    summary: Text
    description: Text
    legal_basis: Text
    keywords_th: tuple[str, ...]
    keywords_en: tuple[str, ...]
    eligibility: tuple[Text, ...]
    documents: tuple[DocumentRequirement, ...]
    fee_amount: int | float
    fee_note: Text | None
    sla_days: int
    form_schema: dict[str, Any]
    steps: tuple[Step, ...]
    privacy: Privacy
    document: Mapping[str, Any] | None = None  # what an approval issues (checked by pracha.automation)
    multiple: bool = False  # may a citizen have several open applications of it at once?
    fee_rules: Mapping[str, Any] | None = None  # what is due and when, line by line (checked by pracha.payments)
    audience: tuple[str, ...] = (CITIZEN_AUDIENCE,)  # who it is for: citizen, business or both
    plain: Plain | None = None  # the plain-language summary (short sentences, everyday words)


class CatalogError(Exception):
    """The catalogue on disk is broken; the message names the file and the problem."""


# --- search: which text of a service counts, and how much ------------------------------------
_FIELD_WEIGHTS = {"name": 3.0, "keywords": 3.0, "summary": 1.5, "life_events": 1.0,
                  "description": 1.0, "eligibility": 0.5, "documents": 0.5}


def _fields(service: Service, events: Mapping[str, LifeEvent]) -> list[tuple[str, str]]:
    """(field, text) pairs of a service that search looks at, both languages together."""
    pairs = [("name", service.name), ("summary", service.summary), ("description", service.description)]
    pairs += [("life_events", events[code].name) for code in service.life_events if code in events]
    pairs += [("eligibility", t) for t in service.eligibility]
    pairs += [("documents", d.name) for d in service.documents]
    keywords = " ; ".join((*service.keywords_th, *service.keywords_en))
    return [(field, f"{text.th} {text.en}") for field, text in pairs] + [("keywords", keywords)]


class Catalog:
    """The loaded catalogue: services in display order, their agencies and life events, and the
    working-day calendar due dates are counted in (with the closures of ``holidays.yaml``)."""

    def __init__(self, services: Iterable[Service], agencies: Iterable[Agency],
                 life_events: Iterable[LifeEvent], calendar: WorkCalendar | None = None) -> None:
        self.calendar = calendar or WorkCalendar()
        self.services: dict[str, Service] = {s.id: s for s in services}
        self.agencies: dict[str, Agency] = {a.code: a for a in agencies}
        self.life_events: dict[str, LifeEvent] = {e.code: e for e in life_events}
        self._order = list(self.services.values())

    @cached_property
    def search_index(self) -> SearchIndex:
        """Built on first use (Thai word segmentation takes a second of CPU): processes that never
        search — workers, most commands — never pay for it; the server builds it while it starts."""
        return SearchIndex(
            [[(text, _FIELD_WEIGHTS[field]) for field, text in _fields(s, self.life_events)] for s in self._order]
        )

    def get(self, service_id: str) -> Service | None:
        return self.services.get(service_id)

    def by_agency(self, code: str) -> list[Service]:
        return [s for s in self._order if s.agency == code]

    def by_life_event(self, code: str) -> list[Service]:
        return [s for s in self._order if code in s.life_events]

    def search(self, query: str, limit: int = 10) -> list[Service]:
        """Services matching ``query`` (Thai or English), best first; [] when nothing matches."""
        return [self._order[i] for _, i in self.search_index.search(query, limit)]


def filter_audience(services: Iterable[Service], audience: str | None) -> list[Service]:
    """The services for `audience` ('citizen' or 'business'), in order; all of them when None."""
    return [s for s in services if audience is None or audience in s.audience]


# --- loading -------------------------------------------------------------------------------
def _of(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if value is None:
        raise CatalogError(f"{where}: missing")
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CatalogError(f"{where}: expected {what}")
    return value


def _str(value: Any, where: str) -> str:
    if not _of(value, str, where, "text").strip():
        raise CatalogError(f"{where}: expected non-empty text")
    return str(value).strip()


def _code(value: Any, where: str) -> str:
    if not _CODE.match(_of(value, str, where, "a code")):
        raise CatalogError(f"{where}: {value!r} is not a lower-case kebab-case code")
    return str(value)


def _text(value: Any, where: str) -> Text:
    data = _of(value, dict, where, "a mapping with 'th' and 'en'")
    for lang, label in (("th", "Thai"), ("en", "English")):
        if not isinstance(data.get(lang), str) or not data[lang].strip():
            raise CatalogError(f"{where}: missing or empty {label} text ('{lang}')")
    return Text(data["th"].strip(), data["en"].strip())


def _items(value: Any, where: str) -> list[Any]:
    items = _of(value, list, where, "a list")
    if not items:
        raise CatalogError(f"{where}: must not be empty")
    return items


def _check_form(form: Any, where: str) -> dict[str, Any]:
    form = _of(form, dict, where, "a JSON Schema object")
    try:
        Draft202012Validator.check_schema(form)
    except SchemaError as exc:
        raise CatalogError(f"{where}: not a valid JSON Schema: {exc.message}") from None
    if form.get("type") != "object" or form.get("additionalProperties") is not False:
        raise CatalogError(f"{where}: must be 'type: object' with 'additionalProperties: false'")
    props = _of(form.get("properties"), dict, f"{where}.properties", "a mapping")
    if not 3 <= len(props) <= 10:
        raise CatalogError(f"{where}: a form has 3 to 10 fields, found {len(props)}")
    for name in set(form.get("required", [])) - props.keys():
        raise CatalogError(f"{where}: required field '{name}' is not among the properties")
    for name, prop in props.items():
        w = f"{where}.properties.{name}"
        if _of(prop, dict, w, "a mapping").get("type") not in FIELD_TYPES:
            raise CatalogError(f"{w}: type must be one of {sorted(FIELD_TYPES)}")
        _str(prop.get("title"), f"{w}.title")
        _str(prop.get("x-title-th"), f"{w}.x-title-th")
        if "description" in prop:
            _str(prop.get("x-description-th"), f"{w}.x-description-th")
        if prop.get("format", "date") not in FIELD_FORMATS or prop.get("x-widget", "textarea") != "textarea":
            raise CatalogError(f"{w}: format must be one of {sorted(FIELD_FORMATS)}, x-widget 'textarea'")
        if "enum" in prop:
            labels = _of(prop.get("x-enum-labels"), dict, f"{w}.x-enum-labels", "labels for every value")
            for value in prop["enum"]:
                _text(labels.get(value), f"{w}.x-enum-labels.{value}")
        _check_extensions(prop, w)
        free_text = prop["type"] == "string" and not {"enum", "format", "pattern"} & prop.keys()
        if (free_text and "maxLength" not in prop) or prop.get("maxLength", 0) > MAX_TEXT_LENGTH:
            raise CatalogError(f"{w}: free text needs a maxLength of at most {MAX_TEXT_LENGTH}")
    return form


def _check_extensions(prop: dict[str, Any], w: str) -> None:
    """The form extensions of `services.forms`: date limits, format hints and error texts in pairs."""
    for key in ("x-not-after", "x-not-before"):
        if key in prop and (prop.get("format") != "date" or prop[key] != "today"):
            raise CatalogError(f"{w}.{key}: only 'today', on a 'format: date' field")
    for pair in (("x-format-th", "x-format-en"), ("x-date-error-th", "x-date-error-en")):
        if pair[0] in prop or pair[1] in prop:
            _str(prop.get(pair[0]), f"{w}.{pair[0]}")
            _str(prop.get(pair[1]), f"{w}.{pair[1]}")


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read YAML: {exc}") from None


def _unique(items: tuple[DocumentRequirement, ...] | tuple[Step, ...], where: str) -> None:
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{where}: ids must be unique, found {ids}")


def _document(data: Any, where: str) -> DocumentRequirement:
    code = _code(_of(data, dict, where, "a mapping").get("id"), f"{where}.id")
    return DocumentRequirement(code, _text(data.get("name"), f"{where}.{code}.name"),
                               _of(data.get("required"), bool, f"{where}.{code}.required", "true or false"))


def _step(data: Any, where: str) -> Step:
    code = _code(_of(data, dict, where, "a mapping").get("id"), f"{where}.id")
    if data.get("actor") not in ACTORS:
        raise CatalogError(f"{where}.{code}: actor must be one of {sorted(ACTORS)}")
    auto = data.get("auto")
    if auto is not None and (data["actor"] != "system" or not isinstance(auto, dict)):
        raise CatalogError(f"{where}.{code}: auto must be a mapping, on a step whose actor is system")
    return Step(code, data["actor"], _text(data.get("text"), f"{where}.{code}.text"), auto)


def _audience(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return (CITIZEN_AUDIENCE,)
    items = _items(value, where)
    if any(item not in AUDIENCES for item in items) or len(set(items)) != len(items):
        raise CatalogError(f"{where}: must list {' and/or '.join(AUDIENCES)} once each, found {items}")
    return tuple(a for a in AUDIENCES if a in items)


def _flag(data: dict[str, Any], where: str) -> bool:
    return bool(_of(data.get("to_confirm", False), bool, f"{where}.to_confirm", "true or false"))


def _category(data: Any, where: str) -> DataCategory:
    code = _code(_of(data, dict, where, "a mapping").get("code"), f"{where}.code")
    w = f"{where}.{code}"
    sensitive = _of(data.get("sensitive", False), bool, f"{w}.sensitive", "true or false")
    if sensitive and data.get("sensitive_basis") is None:
        raise CatalogError(f"{w}: sensitive data (PDPA section 26) needs a sensitive_basis")
    basis = _text(data["sensitive_basis"], f"{w}.sensitive_basis") if sensitive else None
    return DataCategory(code, _text(data.get("name"), f"{w}.name"), sensitive, basis, _flag(data, w))


def _recipient(data: Any, where: str) -> Recipient:
    code = _code(_of(data, dict, where, "a mapping").get("code"), f"{where}.code")
    w = f"{where}.{code}"
    return Recipient(code, _text(data.get("name"), f"{w}.name"), _text(data.get("purpose"), f"{w}.purpose"),
                     _flag(data, w))


def _privacy(data: Any, where: str) -> Privacy:
    """A service's privacy metadata; every service must have it (the RoPA covers the whole catalogue)."""
    data = _of(data, dict, where, "a mapping (purposes, data_categories, legal_basis, recipients, retention)")
    basis = _of(data.get("legal_basis"), dict, f"{where}.legal_basis", "a mapping with 'basis' and 'act'")
    if basis.get("basis") not in LEGAL_BASES:
        raise CatalogError(f"{where}.legal_basis.basis: must be one of {sorted(LEGAL_BASES)}")
    retention = _of(data.get("retention"), dict, f"{where}.retention", "a mapping with 'years', 'from', 'ground'")
    years = _of(retention.get("years"), int, f"{where}.retention.years", "a whole number of years")
    if years < 1:
        raise CatalogError(f"{where}.retention.years: must be at least 1")
    categories = tuple(_category(c, f"{where}.data_categories") for c in _items(data.get("data_categories"),
                                                                                f"{where}.data_categories"))
    recipients = tuple(_recipient(r, f"{where}.recipients") for r in _of(data.get("recipients", []), list,
                                                                         f"{where}.recipients", "a list"))
    for kind, codes in (("data_categories", [c.code for c in categories]),
                        ("recipients", [r.code for r in recipients])):
        if len(set(codes)) != len(codes):
            raise CatalogError(f"{where}.{kind}: codes must be unique, found {codes}")
    return Privacy(
        purposes=tuple(_text(p, f"{where}.purposes") for p in _items(data.get("purposes"), f"{where}.purposes")),
        categories=categories, basis=basis["basis"], basis_act=_text(basis.get("act"), f"{where}.legal_basis.act"),
        basis_to_confirm=_flag(basis, f"{where}.legal_basis"), recipients=recipients, retention_years=years,
        retention_from=_text(retention.get("from"), f"{where}.retention.from"),
        retention_ground=_text(retention.get("ground"), f"{where}.retention.ground"),
        retention_to_confirm=_flag(retention, f"{where}.retention"))


def _service(data: Any, path: Path, agencies: Mapping[str, Agency],
             life_events: Mapping[str, LifeEvent]) -> Service:
    w = str(path)
    data = _of(data, dict, w, "a mapping")
    missing, unknown = _SERVICE_KEYS - data.keys(), data.keys() - _SERVICE_KEYS - _OPTIONAL_KEYS
    if missing or unknown:
        raise CatalogError(f"{w}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}")
    if data["id"] != path.stem:
        raise CatalogError(f"{w}: id {data['id']!r} must equal the file name {path.stem!r}")
    if data["agency"] not in agencies:
        raise CatalogError(f"{w}: unknown agency {data['agency']!r}")
    events = tuple(_items(data["life_events"], f"{w}: life_events"))
    for code in events:
        if code not in life_events:
            raise CatalogError(f"{w}: unknown life event {code!r}")
    keywords = _of(data["keywords"], dict, f"{w}: keywords", "a mapping with 'th' and 'en' lists")
    kw = {lang: tuple(_str(k, f"{w}: keywords.{lang}") for k in _items(keywords.get(lang), f"{w}: keywords"))
          for lang in ("th", "en")}
    docs = tuple(_document(d, f"{w}: documents") for d in _items(data["documents"], f"{w}: documents"))
    steps = tuple(_step(s, f"{w}: steps") for s in _items(data["steps"], f"{w}: steps"))
    _unique(docs, f"{w}: documents")
    _unique(steps, f"{w}: steps")
    fee = _of(data["fee"], dict, f"{w}: fee", "a mapping with 'amount'")
    amount = _of(fee.get("amount"), (int, float), f"{w}: fee.amount", "a number of baht")
    sla = _of(data["sla_days"], int, f"{w}: sla_days", "a whole number of working days")
    if amount < 0 or sla < 1:
        raise CatalogError(f"{w}: fee.amount must be >= 0 and sla_days >= 1")
    return Service(
        id=data["id"], agency=data["agency"], life_events=events, name=_text(data["name"], f"{w}: name"),
        summary=_text(data["summary"], f"{w}: summary"),
        description=_text(data["description"], f"{w}: description"),
        legal_basis=_text(data["legal_basis"], f"{w}: legal_basis"),
        keywords_th=kw["th"], keywords_en=kw["en"], documents=docs, fee_amount=amount,
        eligibility=tuple(_text(e, f"{w}: eligibility") for e in _items(data["eligibility"], w)),
        fee_note=_text(fee["note"], f"{w}: fee.note") if fee.get("note") is not None else None,
        sla_days=sla, form_schema=_check_form(data["form"], f"{w}: form"), steps=steps,
        privacy=_privacy(data["privacy"], f"{w}: privacy"),
        document=_of(data["document"], dict, f"{w}: document", "a mapping") if "document" in data else None,
        multiple=_of(data.get("multiple", False), bool, f"{w}: multiple", "true or false"),
        fee_rules={k: fee[k] for k in ("due", "lines", "to_confirm") if k in fee} or None,
        audience=_audience(data.get("audience"), f"{w}: audience"),
        plain=_plain(data["plain"], f"{w}: plain") if "plain" in data else None)


def _plain(value: Any, where: str) -> Plain:
    value = _of(value, dict, where, "a mapping with 'th' and 'en' lists of sentences")
    sentences = {lang: tuple(_str(s, f"{where}.{lang}") for s in _items(value.get(lang), f"{where}.{lang}"))
                 for lang in ("th", "en")}
    return Plain(sentences["th"], sentences["en"])


def _entries(path: Path, *keys: str) -> dict[str, dict[str, Text]]:
    """The {code, <keys>...} entries of agencies.yaml or life-events.yaml, by code, keys as Text."""
    entries: dict[str, dict[str, Text]] = {}
    for i, item in enumerate(_items(_load_yaml(path), str(path)), start=1):
        code = _code(_of(item, dict, f"{path}: entry {i}", "a mapping").get("code"), f"{path}: entry {i}")
        if code in entries:
            raise CatalogError(f"{path}: duplicate code {code!r}")
        entries[code] = {k: _text(item.get(k), f"{path}: {code}.{k}") for k in keys}
    return entries


def load_catalog(directory: Path) -> Catalog:
    """Load and check the whole catalogue in ``directory``; raise CatalogError on any problem."""
    directory = Path(directory)
    agencies = {c: Agency(c, t["name"], t["contact"])
                for c, t in _entries(directory / "agencies.yaml", "name", "contact").items()}
    events = {c: LifeEvent(c, t["name"]) for c, t in _entries(directory / "life-events.yaml", "name").items()}
    paths = sorted((directory / "services").glob("*.yaml"))
    if not paths:
        raise CatalogError(f"{directory / 'services'}: no service definitions found")
    services = [_service(_load_yaml(path), path, agencies, events) for path in paths]
    return Catalog(services, agencies.values(), events.values(), _calendar(directory / HOLIDAYS_FILE))


def _calendar(path: Path) -> WorkCalendar:
    """Public holidays plus the closures in `path`; without the file, public holidays only."""
    try:
        return load_calendar(path) if path.exists() else WorkCalendar()
    except CalendarError as e:
        raise CatalogError(str(e)) from e


def default_catalog_dir() -> Path:
    """The repository's ``catalog/`` directory."""
    return Path(__file__).resolve().parents[3] / "catalog"
