"""What `package_search` is asked, read and checked: CKAN's parameters (`rows`, `start`, `sort`,
`facet.field`) and the Solr terms clients send in `fq` (and in `q`): `organization:x tags:"y"
-res_format:PDF groups:(a OR b)`. Pure: no database, no index."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pracha.errors import PrachaError
from pracha.opendata.errors import PackageInvalid

MAX_ROWS = 1000
DEFAULT_SORT = "score desc, metadata_modified desc"

# facet and filter fields: what each takes from a package dict
FIELDS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "organization": lambda p: [p["owner_org"]],
    "groups": lambda p: [g["name"] for g in p["groups"]],
    "tags": lambda p: [t["name"] for t in p["tags"]],
    "res_format": lambda p: sorted({r["format"] for r in p["resources"] if r["format"]}),
    "license_id": lambda p: [p["license_id"]],
    "data_type": lambda p: [p["data_type"]],
    "data_category": lambda p: [p["data_category"]],
    "data_format": lambda p: list(p["data_format"]),
    "objective": lambda p: list(p["objective"]),
    "geo_coverage": lambda p: [p["geo_coverage"]],
    "update_frequency_unit": lambda p: [p["update_frequency_unit"]],
    "name": lambda p: [p["name"]],
    "id": lambda p: [p["id"]],
}
ALIASES = {"owner_org": "organization", "tag": "tags", "group": "groups", "format": "res_format",
           "license": "license_id"}
# terms clients add to every query (CKAN's own pages, harvesters): true of every public dataset here
ALWAYS = {"dataset_type": "dataset", "type": "dataset", "capacity": "public", "state": "active"}
SORTS = {"score", "metadata_modified", "metadata_created", "name", "title_string", "title"}

FQ_TERM = re.compile(r'([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|\([^)]*\)|\S+)')


class SearchQueryInvalid(PrachaError):
    """CKAN's "Search Query Error": an fq, q or sort this search cannot read."""

    status_code = 409
    code = "search_query_error"
    message_th = "อ่านเงื่อนไขการค้นหาไม่ได้"
    message_en = "The search query could not be read."


@dataclass(frozen=True)
class Filter:
    field: str
    values: tuple[str, ...]  # any of them
    negate: bool = False


# --- parameters -------------------------------------------------------------------------------------


def integer(params: Mapping[str, Any], key: str, default: int, lowest: int, highest: int) -> int:
    value = params.get(key, default)
    try:
        number = int(value) if not isinstance(value, bool) and value not in (None, "") else default
    except (TypeError, ValueError):
        raise PackageInvalid({key: ["ต้องเป็นจำนวนเต็ม (Invalid integer)"]}) from None
    if not lowest <= number:
        raise PackageInvalid({key: [f"ต้องไม่น้อยกว่า {lowest} (Must be at least {lowest})"]})
    return min(number, highest)


def _unquote(value: str) -> tuple[str, ...]:
    if value.startswith("(") and value.endswith(")"):
        parts = re.split(r"\s+OR\s+", value[1:-1].strip())
        return tuple(v for part in parts if (v := _unquote(part.strip())[0]))
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return (re.sub(r"\\(.)", r"\1", value[1:-1]),)
    return (value,)


def parse_filters(text: str) -> tuple[list[Filter], bool]:
    """(filters, matches_nothing) from an fq string."""
    filters: list[Filter] = []
    nothing = False
    rest = FQ_TERM.sub(" ", text)
    if re.sub(r"\bAND\b|[+*:]", " ", rest).strip():
        raise SearchQueryInvalid(f"อ่านเงื่อนไข fq ไม่ได้: {text[:100]}", f"Cannot read the fq: {text[:100]}")
    for sign, field, raw in FQ_TERM.findall(text):
        field = ALIASES.get(field, field)
        values = _unquote(raw)
        if field in ALWAYS:
            nothing = nothing or ((ALWAYS[field] in values) == (sign == "-"))
        elif field in FIELDS:
            filters.append(Filter(field, values, sign == "-"))
        else:
            raise SearchQueryInvalid(f"ค้นตามช่อง {field} ไม่ได้", f"Cannot filter on the field {field}.")
    return filters, nothing


def parse_sort(text: str) -> list[tuple[str, bool]]:
    """[(field, descending)] from "metadata_modified desc, name asc"."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or words[0] not in SORTS or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise SearchQueryInvalid(f"เรียงตาม {part.strip()[:60]} ไม่ได้", f"Cannot sort by {part.strip()[:60]}.")
        keys.append((words[0], len(words) == 2 and words[1] == "desc"))
    return keys or parse_sort(DEFAULT_SORT)


def facet_fields(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except ValueError:
            raise SearchQueryInvalid("facet.field ต้องเป็นรายการ JSON", "facet.field must be a JSON list") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SearchQueryInvalid("facet.field ต้องเป็นรายการ JSON", "facet.field must be a JSON list")
    fields = [ALIASES.get(v) or v for v in value]
    if unknown := [f for f in fields if f not in FIELDS]:
        raise SearchQueryInvalid(f"สรุปตามช่อง {unknown[0]} ไม่ได้", f"Cannot facet on {unknown[0]}.")
    return fields
