"""The API reference as plain data for a server-rendered page (`/docs`), read from the OpenAPI document
the app generates. Pure: a dict in, dataclasses out.

Why not Swagger UI or ReDoc: both are JavaScript applications (our pages work without JavaScript),
their stock pages start them with an inline script our CSP (`script-src 'self'`) refuses, and their
chrome cannot be translated into Thai. A page rendered here is Thai first, accessible, needs no
new dependency, and `/openapi.json` stays beside it for tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")
REF = "#/components/schemas/"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""  # path, query, header, cookie (parameters only)
    links: tuple[str, ...] = ()  # schemas the type refers to


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field]
    body: list[tuple[str, str, tuple[str, ...]]]  # (media type, type text, schema links)
    responses: list[tuple[str, str, tuple[str, ...]]]  # (status, description, schema links)
    anchor: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Field]
    type: str


@dataclass
class Reference:
    title: str
    version: str
    description: str
    groups: dict[str, list[Operation]] = field(default_factory=dict)
    schemas: list[Schema] = field(default_factory=list)


def section_slug(tag: str) -> str:
    """The part of `/docs/{section}` that names a tag ("open data (CKAN Action API)" → "open-data-ckan-action-api")."""
    return "-".join("".join(c if c.isalnum() else " " for c in tag.lower()).split()) or "other"


def type_of(schema: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A short text for a schema ("string", "array of StatusOut", "integer (1 … 9223372036854775807)")
    and the named schemas it mentions."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return name, (name,)
    for combiner in ("anyOf", "oneOf", "allOf"):
        if combiner in schema:
            parts = [type_of(s) for s in schema[combiner]]
            texts = [t for t, _ in parts]
            return " | ".join(texts), tuple(n for _, links in parts for n in links)
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if kind == "array":
        inner, links = type_of(schema.get("items", {}))
        return f"array of {inner}", links
    text = str(kind)
    if "enum" in schema:
        text += ": " + ", ".join(str(v) for v in schema["enum"])
    elif "const" in schema:
        text += f" = {schema['const']}"
    if "format" in schema:
        text += f" ({schema['format']})"
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum", "minLength", "maxLength", "maxItems")
              if k in schema]
    if bounds:
        text += " [" + ", ".join(bounds) + "]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        inner, links = type_of(schema["additionalProperties"])
        return f"object of {inner}", links
    return text, ()


def _parameter(p: dict[str, Any]) -> Field:
    text, links = type_of(p.get("schema", {}))
    return Field(p["name"], text, bool(p.get("required")), p.get("description", ""), p.get("in", ""), links)


def _content(content: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(media, *type_of(body.get("schema", {}))) for media, body in content.items()]


def operation(path: str, method: str, op: dict[str, Any]) -> Operation:
    responses = []
    for status, response in sorted(op.get("responses", {}).items()):
        links = tuple(n for _, _, found in _content(response.get("content", {})) for n in found)
        responses.append((status, response.get("description", ""), tuple(dict.fromkeys(links))))
    body = _content(op.get("requestBody", {}).get("content", {}))
    anchor = "op-" + "".join(c if c.isalnum() else "-" for c in f"{method}-{path}").strip("-")
    return Operation(method.upper(), path, op.get("summary", ""), op.get("description", ""),
                     [_parameter(p) for p in op.get("parameters", [])], body, responses, anchor)


def schema(name: str, s: dict[str, Any]) -> Schema:
    required = set(s.get("required", []))
    fields = []
    for prop, sub in s.get("properties", {}).items():
        text, links = type_of(sub)
        fields.append(Field(prop, text, prop in required, sub.get("description", ""), links=links))
    return Schema(name, s.get("description", ""), fields, type_of(s)[0] if not fields else "object")


def build_reference(document: dict[str, Any]) -> Reference:
    """Operations grouped by their first tag (in order of first appearance), then every schema."""
    info = document.get("info", {})
    ref = Reference(info.get("title", ""), info.get("version", ""), info.get("description", ""))
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                ref.groups.setdefault(tag, []).append(operation(path, method, item[method]))
    components = document.get("components", {}).get("schemas", {})
    ref.schemas = [schema(name, s) for name, s in sorted(components.items())]
    return ref
