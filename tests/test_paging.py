"""pracha.paging without the app: cursors are strict, limits are checked, and walking the pages of a
table in any order (nullable columns, mixed directions, ties) reaches every row exactly once."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Integer, String, create_engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import UTCDateTime
from pracha.paging import (
    MAX_LIMIT,
    InvalidCursor,
    InvalidLimit,
    PageRequest,
    SortKey,
    after,
    decode_cursor,
    encode_cursor,
    fetch_page,
    page_request,
)


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group: Mapped[str] = mapped_column(String(10))
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


DUE_ID = (SortKey(Row.due), SortKey(Row.id))
AT_DESC = (SortKey(Row.at, descending=True), SortKey(Row.id, descending=True))
MIXED = (SortKey(Row.group), SortKey(Row.due, descending=True), SortKey(Row.id, descending=True))
T0 = dt.datetime(2026, 4, 13, 8, 0, tzinfo=dt.UTC)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# --- cursors --------------------------------------------------------------------------------------


def test_cursor_round_trips_typed_values() -> None:
    values = [dt.date(2027, 4, 16), 42]
    cursor = encode_cursor(values)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor  # safe in a query string as is
    assert decode_cursor(cursor, DUE_ID) == values
    assert decode_cursor(encode_cursor([None, 7]), DUE_ID) == [None, 7]  # a null due date is a position too
    when = dt.datetime(2026, 12, 31, 23, 59, 59, 123456, tzinfo=dt.UTC)
    assert decode_cursor(encode_cursor([when, 3]), AT_DESC) == [when, 3]


def test_thai_text_in_a_key_survives() -> None:
    keys = (SortKey(Row.group), SortKey(Row.id))
    assert decode_cursor(encode_cursor(["กรมการปกครอง", 1]), keys) == ["กรมการปกครอง", 1]


@pytest.mark.parametrize("cursor", [
    "!!!not-base64!!!",
    _b64("not json"),
    _b64('{"due": null, "id": 1}'),              # not a list
    _b64("[1]"),                                   # too short
    _b64('["2027-04-16",1,2]'),                    # too long
    _b64('["2027-04-16","1"]'),                    # the id as text
    _b64('["2027-04-16",true]'),                   # a bool is not an id
    _b64('["2027-04-16",1.5]'),
    _b64('["16/04/2027",1]'),                      # not an ISO date
    _b64('["2027-04-16", 1]'),                     # valid JSON but not the canonical spelling
    encode_cursor([dt.date(2027, 4, 16), 1]) + "==",  # padding is a second spelling of the same cursor
    _b64("[1e999,1]"),
])
def test_a_tampered_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(cursor, DUE_ID)
    assert caught.value.status_code == 400
    assert caught.value.message("th") and caught.value.message("en")


def test_nulls_and_naive_times_are_refused_where_the_column_has_none() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor([T0, None]), AT_DESC)  # ids are never null
    with pytest.raises(InvalidCursor):
        decode_cursor(_b64('["2026-04-13T08:00:00",1]'), AT_DESC)  # no zone: would compare wrongly
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor([dt.date(2026, 4, 13), 1]), AT_DESC)  # a date is not a timestamp


def test_page_request_checks_limit_and_cursor() -> None:
    assert page_request(limit=1, cursor=None) == PageRequest(1, None)
    assert page_request(limit=MAX_LIMIT, cursor="abc") == PageRequest(MAX_LIMIT, "abc")
    for bad in (0, -1, MAX_LIMIT + 1, 10**9):
        with pytest.raises(InvalidLimit) as caught:
            page_request(limit=bad, cursor=None)
        assert caught.value.status_code == 422
        assert "200" in caught.value.message("th") and "200" in caught.value.message("en")
    for bad_cursor in ("", "A" * 513):
        with pytest.raises(InvalidCursor):
            page_request(limit=10, cursor=bad_cursor)


# --- the SQL --------------------------------------------------------------------------------------


def test_same_direction_keys_compare_as_a_row_value() -> None:
    condition = after(AT_DESC, [T0, 5])
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert "(rows.at, rows.id) < (" in str(condition.compile(dialect=dialect))


def test_nullable_keys_expand_and_put_nulls_last() -> None:
    text = str(after(DUE_ID, [dt.date(2027, 1, 1), 5]).compile(dialect=sqlite.dialect()))
    assert "rows.due > ?" in text and "rows.due IS NULL" in text and "rows.id > ?" in text
    order = [str(k.order().compile(dialect=postgresql.dialect())) for k in DUE_ID]
    assert order == ["rows.due ASC NULLS LAST", "rows.id ASC"]


# --- walking every page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _python_key(row: Row, keys: tuple[SortKey, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for k in keys:
        value = getattr(row, k.column.key)
        if isinstance(value, dt.datetime):
            value = value.timestamp()
        elif isinstance(value, dt.date):
            value = value.toordinal()
        null = value is None
        if value is None:
            value = 0
        if k.descending and not isinstance(value, str):
            value = -value
        elif k.descending:
            value = tuple(-ord(c) for c in value) + (1,)
        out.append((null, value))  # nulls last in both directions
    return tuple(out)


def walk(session: Session, keys: tuple[SortKey, ...], limit: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page = fetch_page(session, select(Row), keys, PageRequest(limit, cursor))
        assert len(page.items) <= limit
        seen += [r.id for r in page.items]
        if page.next_cursor is None:
            return seen
        assert page.items, "a next cursor after an empty page would loop"
        cursor = page.next_cursor


rows_strategy = st.lists(st.tuples(st.sampled_from(["a", "b", "ข"]),
                                   st.one_of(st.none(), st.dates(dt.date(2027, 1, 1), dt.date(2027, 1, 5))),
                                   st.integers(0, 3)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, limit=st.integers(1, 7), keys=st.sampled_from([DUE_ID, AT_DESC, MIXED]))
def test_pages_reach_every_row_once_in_order(session: Session, rows: list[tuple[str, dt.date | None, int]],
                                             limit: int, keys: tuple[SortKey, ...]) -> None:
    session.execute(delete(Row))
    session.add_all(Row(id=i + 1, group=g, due=d, at=T0 + dt.timedelta(minutes=m))
                    for i, (g, d, m) in enumerate(rows))
    session.flush()
    expected = [r.id for r in sorted(session.scalars(select(Row)), key=lambda r: _python_key(r, keys))]
    assert walk(session, keys, limit) == expected
    session.rollback()


def test_last_page_has_no_cursor_and_an_empty_list_is_one_page(session: Session) -> None:
    page = fetch_page(session, select(Row).where(Row.id < 0), DUE_ID, PageRequest(5))
    assert page.items == [] and page.next_cursor is None
    session.add_all(Row(id=i, group="a", due=None, at=T0) for i in range(1, 6))
    session.flush()
    exact = fetch_page(session, select(Row), DUE_ID, PageRequest(5))
    assert len(exact.items) == 5 and exact.next_cursor is None  # exactly the limit: nothing follows
    first = fetch_page(session, select(Row), DUE_ID, PageRequest(4))
    assert json.loads(base64.urlsafe_b64decode(first.next_cursor + "==")) == [None, 4]
    session.rollback()
