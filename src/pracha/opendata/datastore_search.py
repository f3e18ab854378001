"""CKAN's `datastore_search` over a resource's table. Column names from a request are only looked up
in the resource's fields (never written into SQL) and every value is bound, converted to its column's
type first so a wrong one is a Validation Error, not a database error."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, Text, and_, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from pracha.opendata import tables
from pracha.opendata.datastore_errors import DatastoreQueryInvalid, NoDatastore
from pracha.opendata.models import OpenResource
from pracha.opendata.tables import Field

DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_VALUES = 100, 32_000, 10**12, 1000
BIGGEST = 2**63 - 1
PATH = "/api/3/action/datastore_search"
SORT_ITEM = re.compile(r'^\s*(?:"(?P<quoted>[^"]+)"|(?P<plain>.+?))(?:\s+(?P<order>asc|desc))?\s*$', re.IGNORECASE)


def _invalid(field: str, th: str, en: str) -> DatastoreQueryInvalid:
    return DatastoreQueryInvalid({field: [f"{th} ({en})"]})


def _clean(param: str, text: str) -> str:
    """PostgreSQL cannot hold NUL in text: such a value would be a database error, so it is the caller's."""
    if "\x00" in text:
        raise _invalid(param, "ข้อความมีอักขระ NUL", "The text contains a NUL character")
    return text


def _json_param(name: str, value: Any) -> Any:
    if isinstance(value, str) and value.strip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            raise _invalid(name, "JSON ไม่ถูกต้อง", "Not valid JSON") from None
    return value


def _integer(name: str, value: Any, default: int, high: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdecimal():
        raise _invalid(name, "ต้องเป็นจำนวนเต็มไม่ติดลบ", "Must be a non-negative integer")
    number = int(str(value).strip()[:20])
    if number > high and name == "offset":
        raise _invalid(name, f"ต้องไม่เกิน {high}", f"Must be at most {high}")
    return min(number, high)


def _boolean(name: str, value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise _invalid(name, "ต้องเป็น true หรือ false", "Must be true or false")


def _field(name: str, by_name: dict[str, Field], param: str) -> Field:
    if not isinstance(name, str) or name not in by_name:
        shown = str(name)[:100]
        raise _invalid(param, f"ไม่มีคอลัมน์ “{shown}”", f'Field "{shown}" not in the table')
    return by_name[name]


def _typed(field: Field, value: Any, param: str) -> Any:
    """A filter's value as its column's type (None matches an empty cell)."""
    if value is None:
        return None
    typed: Any = None
    scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
    try:
        if field.kind == "int" and scalar and not isinstance(value, float):
            typed = int(str(value).strip())
            typed = typed if -BIGGEST <= typed <= BIGGEST else None
        elif field.kind == "numeric" and scalar:
            typed = float(str(value).strip())
            typed = typed if math.isfinite(typed) else None
        elif field.kind == "date" and isinstance(value, str):
            typed = dt.date.fromisoformat(value.strip())
        elif field.kind == "timestamp" and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value.strip())  # stored as naive UTC, as loaded
            typed = moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
        elif field.kind == "bool":
            typed = _boolean(param, value, False)
        elif field.kind == "text" and scalar:
            typed = _clean(param, str(value))
    except (ValueError, OverflowError):
        typed = None
    if typed is None:
        raise _invalid(param, f"ค่าของคอลัมน์ “{field.name}” ผิดชนิด", f'Wrong type of value for "{field.name}"')
    return typed


def _filters(value: Any, by_name: dict[str, Field]) -> list[ColumnElement[bool]]:
    value = _json_param("filters", value)
    if value in (None, ""):
        return []
    if not isinstance(value, Mapping):
        raise _invalid("filters", "ต้องเป็น {คอลัมน์: ค่า}", "Must be a dictionary {field: value}")
    clauses: list[ColumnElement[bool]] = []
    for name, wanted in value.items():
        field = _field(name, by_name, "filters")
        values = wanted if isinstance(wanted, list) else [wanted]
        if len(values) > MAX_VALUES or any(isinstance(v, dict | list) for v in values):
            raise _invalid("filters", f"ค่าของคอลัมน์ “{field.name}” ไม่ถูกต้อง", f'Bad value for "{field.name}"')
        typed = [_typed(field, v, "filters") for v in values]
        given = [v for v in typed if v is not None]
        parts: list[ColumnElement[bool]] = [field.column.in_(given)] if len(given) > 1 else (
            [field.column == given[0]] if given else [])
        if len(given) < len(typed):
            parts.append(field.column.is_(None))
        clauses.append(or_(*parts) if parts else false())
    return clauses


def _text_query(value: Any, fields: list[Field], by_name: dict[str, Field]) -> list[ColumnElement[bool]]:
    """`q`: every word of it in some text column (a string), or per column (a dict); case-insensitive
    substring match, which suits Thai (no spaces between words) better than a word index."""
    value = _json_param("q", value)
    if value in (None, ""):
        return []
    if isinstance(value, Mapping):
        pairs = [(_field(name, by_name, "q"), text) for name, text in value.items()]
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        texts = [f for f in fields if f.kind == "text"]
        return [or_(*(f.column.icontains(word, autoescape=True) for f in texts)) if texts else false()
                for word in _clean("q", str(value)).split()[:20]]
    else:
        raise _invalid("q", "ต้องเป็นข้อความหรือ {คอลัมน์: ข้อความ}", "Must be a string or a dictionary")
    clauses: list[ColumnElement[bool]] = []
    for field, text in pairs:
        if not isinstance(text, str | int | float) or isinstance(text, bool):
            raise _invalid("q", f"ค่าของคอลัมน์ “{field.name}” ต้องเป็นข้อความ", f'"{field.name}" needs a string')
        column = field.column if field.kind == "text" else cast(field.column, Text)
        clauses.extend(column.icontains(word, autoescape=True) for word in _clean("q", str(text)).split()[:20])
    return clauses


def _names(value: Any, param: str) -> list[str]:
    value = _json_param(param, value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _invalid(param, "ต้องเป็นรายชื่อคอลัมน์", "Must be a list of field names")


def _sort(value: Any, by_name: dict[str, Field]) -> list[Any]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else None
    if items is None or not all(isinstance(i, str) for i in items):
        raise _invalid("sort", "ต้องเป็นข้อความ เช่น “คอลัมน์ desc”", 'Must be a string such as "field desc"')
    order = []
    for item in items:
        match = SORT_ITEM.match(item)
        if not match:
            raise _invalid("sort", "การเรียงลำดับไม่ถูกต้อง", "Bad sort")
        field = _field(match["quoted"] or match["plain"], by_name, "sort")
        order.append(field.column.desc() if (match["order"] or "").lower() == "desc" else field.column.asc())
    return order


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _links(resource_id: str, params: Mapping[str, Any], offset: int, limit: int) -> dict[str, str]:
    kept = {"resource_id": resource_id}
    for key in ("q", "filters", "fields", "sort", "limit"):
        if params.get(key) not in (None, ""):
            given = params[key]
            kept[key] = given if isinstance(given, str) else json.dumps(given, ensure_ascii=False)
    start = f"{PATH}?{urlencode(kept)}"
    return {"start": start, "next": f"{start}&{urlencode({'offset': offset + limit})}"}


def fields_of(resource: OpenResource) -> list[Field]:
    if not resource.datastore_active or not isinstance(resource.table_schema, dict):
        raise NoDatastore()
    return tables.table_for(resource.id, resource.table_schema)[1]


def search(session: Session, resource: OpenResource, params: Mapping[str, Any]) -> dict[str, Any]:
    """CKAN's datastore_search: q, filters, fields, sort, limit, offset, include_total, records_format."""
    fields = fields_of(resource)
    by_name = {f.name: f for f in fields}
    limit = _integer("limit", params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    offset = _integer("offset", params.get("offset"), 0, MAX_OFFSET)
    include_total = _boolean("include_total", params.get("include_total"), True)
    records_format = params.get("records_format") or "objects"
    if records_format not in ("objects", "lists"):
        raise _invalid("records_format", "รองรับ objects หรือ lists", 'Use "objects" or "lists"')
    chosen = fields if params.get("fields") in (None, "", []) else [
        _field(name, by_name, "fields") for name in _names(params.get("fields"), "fields")]
    where = and_(true(), *_filters(params.get("filters"), by_name), *_text_query(params.get("q"), fields, by_name))
    table = fields[0].column.table
    query: Select[Any] = (select(*(f.column for f in chosen)).where(where)
                          .order_by(*_sort(params.get("sort"), by_name), fields[0].column).limit(limit).offset(offset))
    rows = session.execute(query).all() if limit else []
    names = [f.name for f in chosen]
    records: list[Any] = [[_json_value(v) for v in row] for row in rows]
    if records_format == "objects":
        records = [dict(zip(names, row, strict=True)) for row in records]
    result: dict[str, Any] = {
        "resource_id": resource.id, "fields": [{"id": f.name, "type": f.kind} for f in chosen],
        "records": records, "records_format": records_format, "limit": limit, "offset": offset,
        "_links": _links(resource.id, params, offset, limit)}
    if include_total:
        result["total"] = session.scalar(select(func.count()).select_from(table).where(where)) or 0
        result["total_was_estimated"] = False
    for key in ("q", "filters", "sort"):
        if params.get(key) not in (None, ""):
            result[key] = params[key]
    return result


def preview(session: Session, resource: OpenResource, limit: int = 20) -> tuple[list[dict[str, Any]],
                                                                              list[dict[str, Any]]]:
    """The first rows for the dataset page: (fields, records) without `_id`; ([], []) without a table."""
    try:
        fields = fields_of(resource)
    except NoDatastore:
        return [], []
    result = search(session, resource, {"limit": max(0, min(limit, 1000)), "include_total": False,
                                        "fields": [f.name for f in fields[1:]]})
    return result["fields"], result["records"]
