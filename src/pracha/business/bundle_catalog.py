"""Bundles (`catalog/bundles/*.yaml`): one guided application that asks each question once and fans out
into the applications of several agencies. Checked on load like the services: a part naming an unknown
service, a part's form field that does not exist, or a question no part uses fails at start.

    id: start-a-business
    name: {th: ..., en: ...}
    summary: {th: ..., en: ...}
    audience: [business]                 # business: acting for a juristic person; citizen: for oneself
    life_event: starting-a-business
    required: [shop_name, ...]           # by default every question
    questions:                           # JSON Schema properties, as in a service's form
      shop_name: {type: string, title: ..., x-title-th: ..., maxLength: 200,
                  x-prefill: {from: organisation, field: name_th}}
    parts:
      - service: food-shop-permit
        fields: {shop_name: shop_name}   # the part's form field <- the question
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, SchemaError

from pracha.hooks import Slot
from pracha.services.catalog import Catalog, Text

log = logging.getLogger(__name__)
AUDIENCES = frozenset({"business", "citizen"})
ORGANISATION = "organisation"  # x-prefill `from`: the business registry's record of the juristic person


class BundleCatalogError(Exception):
    """A bundle definition that cannot be used (raised at start)."""


@dataclass(frozen=True)
class BundlePart:
    service: str
    fields: Mapping[str, str]  # the part's form field -> the question that answers it
    fixed: Mapping[str, Any] = field(default_factory=dict)  # the part's form field -> a value the bundle implies


@dataclass(frozen=True)
class BundleDef:
    id: str
    name: Text
    summary: Text
    audience: tuple[str, ...]
    life_event: str | None
    schema: dict[str, Any]  # the questions as one JSON Schema object (required: what must be answered)
    parts: tuple[BundlePart, ...]

    @property
    def questions(self) -> dict[str, dict[str, Any]]:
        return dict(self.schema["properties"])

    def organisation_prefill(self) -> dict[str, str]:
        """question -> the registry record's field (dotted) it is filled from."""
        return {name: str(prop["x-prefill"]["field"]) for name, prop in self.questions.items()
                if isinstance(prop.get("x-prefill"), dict) and prop["x-prefill"].get("from") == ORGANISATION}

    def part_data(self, part: BundlePart, answers: Mapping[str, Any]) -> dict[str, Any]:
        return {**part.fixed, **{name: answers[question] for name, question in part.fields.items()
                                 if question in answers}}


BUNDLES: Slot[dict[str, BundleDef]] = Slot("bundles")


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("th", "en")):
        raise BundleCatalogError(f"{where}: expected a mapping with non-empty 'th' and 'en'")
    return Text(value["th"].strip(), value["en"].strip())


def _schema(data: dict[str, Any], where: str) -> dict[str, Any]:
    questions = data.get("questions")
    if not isinstance(questions, dict) or not questions:
        raise BundleCatalogError(f"{where}.questions: expected a non-empty mapping")
    for name, prop in questions.items():
        if not isinstance(prop, dict) or not prop.get("title") or not prop.get("x-title-th"):
            raise BundleCatalogError(f"{where}.questions.{name}: needs 'title' and 'x-title-th'")
        spec = prop.get("x-prefill")
        if isinstance(spec, dict) and spec.get("from") == ORGANISATION and not spec.get("field"):
            raise BundleCatalogError(f"{where}.questions.{name}.x-prefill: names no 'field'")
    required = data.get("required", list(questions))
    if not isinstance(required, list) or set(required) - questions.keys():
        raise BundleCatalogError(f"{where}.required: must list questions")
    schema = {"type": "object", "additionalProperties": False, "properties": questions, "required": required}
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise BundleCatalogError(f"{where}.questions: not a valid JSON Schema: {exc.message}") from None
    return schema


def _parts(data: dict[str, Any], catalog: Catalog, questions: Mapping[str, Any], where: str) -> tuple[BundlePart, ...]:
    items = data.get("parts")
    if not isinstance(items, list) or len(items) < 2:
        raise BundleCatalogError(f"{where}.parts: a bundle has at least two parts")
    parts: list[BundlePart] = []
    for i, item in enumerate(items):
        w = f"{where}.parts[{i}]"
        service = catalog.get(str(item.get("service"))) if isinstance(item, dict) else None
        if service is None:
            named = item.get("service") if isinstance(item, dict) else item
            raise BundleCatalogError(f"{w}.service: no service {named!r}")
        fields = item.get("fields") or {}
        if not isinstance(fields, dict) or not fields:
            raise BundleCatalogError(f"{w}.fields: map the part's form fields to questions")
        fixed = item.get("fixed") or {}
        form = service.form_schema.get("properties", {})
        if not isinstance(fixed, dict) or set(fixed) - form.keys():
            raise BundleCatalogError(f"{w}.fixed: a mapping of {service.id}'s form fields to values")
        for name, question in fields.items():
            if name not in form:
                raise BundleCatalogError(f"{w}.fields.{name}: not a field of {service.id}'s form")
            if question not in questions:
                raise BundleCatalogError(f"{w}.fields.{name}: no question {question!r}")
        if unanswered := set(service.form_schema.get("required", ())) - fields.keys() - fixed.keys():
            raise BundleCatalogError(f"{w}: {service.id}'s required fields {sorted(unanswered)} have no question")
        parts.append(BundlePart(service.id, dict(fields), dict(fixed)))
    if len({p.service for p in parts}) != len(parts):
        raise BundleCatalogError(f"{where}.parts: each service once")
    if unused := set(questions) - {q for p in parts for q in p.fields.values()}:
        raise BundleCatalogError(f"{where}.questions: {sorted(unused)} answer no part")
    return tuple(parts)


def parse_bundle(data: Any, catalog: Catalog, where: str) -> BundleDef:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"].strip():
        raise BundleCatalogError(f"{where}: expected a mapping with an 'id'")
    audience = tuple(data.get("audience") or ("business",))
    if not set(audience) <= AUDIENCES:
        raise BundleCatalogError(f"{where}.audience: one or both of {sorted(AUDIENCES)}")
    life_event = data.get("life_event")
    if life_event is not None and life_event not in catalog.life_events:
        raise BundleCatalogError(f"{where}.life_event: no life event {life_event!r}")
    schema = _schema(data, where)
    return BundleDef(data["id"], _text(data.get("name"), f"{where}.name"),
                     _text(data.get("summary"), f"{where}.summary"), audience, life_event, schema,
                     _parts(data, catalog, schema["properties"], where))


def load_bundles(directory: Path, catalog: Catalog) -> dict[str, BundleDef]:
    """Every bundle in `directory` (none if it does not exist), checked against the catalogue."""
    bundles: dict[str, BundleDef] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise BundleCatalogError(f"{path}: cannot read YAML: {exc}") from None
        bundle = parse_bundle(data, catalog, str(path))
        if bundle.id in bundles:
            raise BundleCatalogError(f"{path}: bundle {bundle.id!r} defined twice")
        bundles[bundle.id] = bundle
    return bundles
