"""Keyset paging for every list: `?limit=` (default 50, at most 200) and an opaque `?cursor=`.

A page is fetched with `fetch_page`: the list's sort keys (ending with a unique tie-breaker such as the
id) order the query, the cursor adds "after the last row of the previous page", and one row more than
the limit is read to learn whether another page follows. The cursor is the last row's sort key as
canonical JSON in URL-safe base64; it is not signed, because whatever it points at is still filtered by
the query's own visibility rules, but decoding it is strict: anything that is not exactly the key of
this list is refused with 400, never a 500.

    PrachaError
    ├── InvalidLimit (422)   limit is not 1–200
    └── InvalidCursor (400)  the cursor was altered, truncated or belongs to another list
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, tuple_
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from pracha.errors import PrachaError

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_CHARS = 512


class InvalidLimit(PrachaError):
    status_code = 422
    code = "invalid_limit"
    message_th = f"จำนวนรายการต่อหน้า (limit) ต้องอยู่ระหว่าง 1 ถึง {MAX_LIMIT}"
    message_en = f"limit must be between 1 and {MAX_LIMIT}."


class InvalidCursor(PrachaError):
    status_code = 400
    code = "invalid_cursor"
    message_th = "ตัวชี้หน้า (cursor) ไม่ถูกต้อง กรุณาเริ่มจากหน้าแรกใหม่"
    message_en = "The cursor is not valid. Start again from the first page."


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageOut(BaseModel, Generic[T]):
    """The body of every paged list: this page's items and the cursor of the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order. `column` is a mapped attribute (e.g. `Application.id`)."""

    column: Any
    descending: bool = False

    @property
    def nullable(self) -> bool:
        return bool(getattr(getattr(self.column, "expression", self.column), "nullable", False))

    @property
    def kind(self) -> type:
        sql_type = self.column.type
        return getattr(sql_type, "impl_instance", sql_type).python_type

    def order(self) -> ColumnElement[Any]:
        ordered = self.column.desc() if self.descending else self.column.asc()
        return ordered.nulls_last() if self.nullable else ordered


def page_request(
    limit: int = Query(DEFAULT_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}",
                       json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT}),
    cursor: str | None = Query(None, description="`next_cursor` of the previous page (opaque)"),
) -> PageRequest:
    """FastAPI dependency: `?limit=&cursor=`, checked here so a wrong value gets its own message."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidLimit()
    if cursor is not None and (not cursor or len(cursor) > MAX_CURSOR_CHARS):
        raise InvalidCursor()
    return PageRequest(limit=limit, cursor=cursor)


# --- the cursor -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a sort key")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    text = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _typed(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is dt.datetime and isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if kind is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not a {kind.__name__}")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """The sort-key values in `cursor`, typed like `keys`; InvalidCursor for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if encode_cursor(json.loads(raw)) != cursor:  # one spelling per key: no padding, no variants
            raise ValueError("not canonical")
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("wrong shape")
        typed = [_typed(v, k.kind) for v, k in zip(values, keys, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
        raise InvalidCursor() from exc
    if any(v is None and not k.nullable for v, k in zip(typed, keys, strict=True)):
        raise InvalidCursor()
    return typed


# --- the query ------------------------------------------------------------------------------------


def _after_one(key: SortKey, value: Any) -> ColumnElement[bool]:
    """Rows strictly after `value` in this column's order (nulls sort last in both directions)."""
    column = key.column
    if value is None:
        return false()  # nulls come last: nothing sorts after a null
    after = column < value if key.descending else column > value
    return or_(after, column.is_(None)) if key.nullable else after


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.column.is_(None) if value is None else key.column == value


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The keyset condition: (a, b, …) after (x, y, …) in the order of `keys`."""
    same_direction = len({k.descending for k in keys}) == 1
    if same_direction and not any(k.nullable for k in keys):
        # A row-value comparison (SQLite ≥ 3.15 and PostgreSQL) lets the database use a composite index.
        left = tuple_(*(k.column for k in keys))
        right = tuple_(*(literal(v, k.column.type) for k, v in zip(keys, values, strict=True)))
        return left < right if keys[0].descending else left > right
    clauses = []
    for i, key in enumerate(keys):
        clauses.append(and_(*(_equal(k, v) for k, v in zip(keys[:i], values[:i], strict=True)),
                            _after_one(key, values[i])))
    return or_(*clauses)


def key_of_entity(keys: Sequence[SortKey]) -> Callable[[Any], list[Any]]:
    return lambda item: [getattr(item, k.column.key) for k in keys]


def fetch_page(session: Session, query: Select[*tuple[Any, ...]], keys: Sequence[SortKey], page: PageRequest,
               *, scalars: bool = True, key_of: Callable[[Any], Sequence[Any]] | None = None) -> Page[Any]:
    """One page of `query` in the order of `keys` (which must end with a unique column).

    `scalars` reads the first column of each row (an entity); otherwise rows are returned as they are
    and `key_of` must say how to read the sort key from one."""
    if page.cursor is not None:
        query = query.where(after(keys, decode_cursor(page.cursor, keys)))
    query = query.order_by(None).order_by(*(k.order() for k in keys)).limit(page.limit + 1)
    rows: list[Any] = list(session.scalars(query)) if scalars else list(session.execute(query))
    more = len(rows) > page.limit
    rows = rows[:page.limit]
    read_key = key_of or key_of_entity(keys)
    return Page(rows, encode_cursor(read_key(rows[-1])) if more and rows else None)


# --- HTTP -----------------------------------------------------------------------------------------


def next_url(request: Request, cursor: str) -> str:
    """The request's own URL (every other query parameter kept) with the next page's cursor."""
    return str(request.url.include_query_params(cursor=cursor))


def page_body(request: Request, response: Response, page: Page[Any],
              serialize: Callable[[Any], Any] = lambda item: item) -> dict[str, Any]:
    """The JSON body of a paged list, with `Link: <…>; rel="next"` set on `response` when a page follows."""
    if page.next_cursor is not None:
        response.headers["Link"] = f'<{next_url(request, page.next_cursor)}>; rel="next"'
    return {"items": [serialize(item) for item in page.items], "next_cursor": page.next_cursor}
