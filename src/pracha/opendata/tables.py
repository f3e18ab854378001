"""The datastore's SQL tables: one per tabular resource, `ds_<resource id hex>`, made at run time outside
the ORM metadata (Alembic leaves them alone: `is_datastore_table`).

Columns are `_id` (the row's number, from 1) and `c1`…`cN`, one per field of the resource's table
schema in order: field names are the publisher's headers (Thai, long, with spaces or quotes), which the
API shows, while the SQL names stay short ASCII on both engines (PostgreSQL cuts identifiers at 63
bytes, a 22-letter Thai header; SQLite compares names without case). Every query goes through
`table_for`, so a name from a request is only ever looked up, never written into SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    insert,
    text,
)
from sqlalchemy.types import TypeEngine

PREFIX = "ds_"
MAX_INDEXES = 20

# Frictionless type → (SQL type, CKAN datastore type); any other type is kept as text
TYPES: dict[str, tuple[type[TypeEngine[Any]], str]] = {
    "integer": (BigInteger, "int"),
    "year": (BigInteger, "int"),
    "number": (Float, "numeric"),
    "date": (Date, "date"),
    "datetime": (DateTime, "timestamp"),
    "boolean": (Boolean, "bool"),
    "string": (Text, "text"),
}


@dataclass(frozen=True)
class Field:
    """One field of a datastore table: the name the API uses, its SQL column and its CKAN type."""

    name: str
    column: Column[Any]
    kind: str  # int | numeric | date | timestamp | bool | text

    @property
    def frictionless_type(self) -> str:
        return next((k for k, (_, ckan) in TYPES.items() if ckan == self.kind), "string")


def table_name(resource_id: str) -> str:
    return PREFIX + resource_id.replace("-", "").lower()


def is_datastore_table(name: str | None) -> bool:
    """A datastore table (Alembic's autogenerate must neither drop nor describe them)."""
    return bool(name) and str(name).startswith(PREFIX)


def kind_of(frictionless_type: str) -> str:
    return TYPES.get(frictionless_type, (Text, "text"))[1]


def table_for(resource_id: str, schema: dict[str, Any], *, staging: bool = False) -> tuple[Table, list[Field]]:
    """The SQL table of a resource whose (Frictionless) table schema is `schema`, and its fields with
    `_id` first. `staging`: a new table under a name of its own (`ds_<hex>_<random>`), filled while the
    current one still answers searches, then put in its place by `replace_table`."""
    if staging:
        return _new_table(resource_id, schema, staging=True)
    table, fields = _current_table(resource_id, json.dumps(schema, sort_keys=True))
    return table, list(fields)


@lru_cache(maxsize=512)
def _current_table(resource_id: str, schema_json: str) -> tuple[Table, tuple[Field, ...]]:
    """One Table object per resource and schema, so SQLAlchemy's statement cache recognises the
    queries of every search (a new Table per request meant compiling each query anew: half its time)."""
    table, fields = _new_table(resource_id, json.loads(schema_json), staging=False)
    return table, tuple(fields)


def _new_table(resource_id: str, schema: dict[str, Any], *, staging: bool) -> tuple[Table, list[Field]]:
    # On SQLite `_id` is the rowid (INTEGER PRIMARY KEY): no second key index, and every index below,
    # which ends in the rowid, serves "WHERE col = ? ORDER BY _id" without sorting.
    row_id = BigInteger().with_variant(Integer(), "sqlite")
    name = table_name(resource_id) + (f"_{secrets.token_hex(4)}" if staging else "")
    table = Table(name, MetaData(), Column("_id", row_id, primary_key=True, autoincrement=False))
    fields = [Field("_id", table.c._id, "int")]
    for position, field in enumerate(schema.get("fields") or [], start=1):
        sql_type, kind = TYPES.get(str(field.get("type") or "string"), (Text, "text"))
        column = Column(f"c{position}", sql_type())
        table.append_column(column)
        fields.append(Field(str(field.get("name") or f"field{position}"), column, kind))
    return table, fields


def _safe(name: str) -> str:
    """Our own names (hex digits and "_"), checked before they go into DDL."""
    if not name.startswith(PREFIX) or not name[len(PREFIX):].replace("_", "").isalnum() or not name.isascii():
        raise ValueError("not a datastore table name")
    return name


def drop_table(connection: Connection, resource_id: str) -> None:
    connection.execute(text(f'DROP TABLE IF EXISTS "{_safe(table_name(resource_id))}"'))


def replace_table(connection: Connection, staging: Table, resource_id: str) -> None:
    """The filled staging table becomes the resource's table. Done last in a load: on PostgreSQL the
    drop locks the old table against readers only from here to the commit, not for the whole load.
    Its indexes keep their staging names (unique, so the next load's never collide)."""
    drop_table(connection, resource_id)
    connection.execute(text(f'ALTER TABLE "{_safe(staging.name)}" RENAME TO "{_safe(table_name(resource_id))}"'))


def _sqlite_date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _sqlite_datetime(value: dt.datetime) -> str:
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:"
            f"{value.second:02d}.{value.microsecond:06d}")


def inserter(connection: Connection, table: Table) -> Callable[[list[tuple[Any, ...]]], None]:
    """Core's INSERT of the table, run for many rows (`_id` first, then each column) at a time. On SQLite
    the statement, compiled once, goes straight to the driver with the rows as they are (dates written
    as SQLAlchemy stores them there): five times faster than Core's per-row parameter processing, the
    largest cost of a big load after Frictionless itself. PostgreSQL's round trips outweigh it there."""
    statement = insert(table)
    names = [column.name for column in table.columns]
    if connection.dialect.name != "sqlite":
        def insert_rows(rows: list[tuple[Any, ...]]) -> None:
            connection.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])
        return insert_rows
    compiled = statement.compile(dialect=connection.dialect, column_keys=names)
    if list(compiled.positiontup or []) != names:
        raise RuntimeError("unexpected parameter order")  # SQLAlchemy compiles columns in table order
    as_text: list[tuple[int, Callable[[Any], str]]] = [
        (i, _sqlite_datetime if isinstance(c.type, DateTime) else _sqlite_date)
        for i, c in enumerate(table.columns) if isinstance(c.type, Date | DateTime)]

    def insert_rows_sqlite(rows: list[tuple[Any, ...]]) -> None:
        if as_text:
            rows = [tuple(_text_cells(row, as_text)) for row in rows]
        connection.exec_driver_sql(compiled.string, rows)
    return insert_rows_sqlite


def _text_cells(row: tuple[Any, ...], as_text: list[tuple[int, Callable[[Any], str]]]) -> list[Any]:
    cells = list(row)
    for position, write in as_text:
        if cells[position] is not None:
            cells[position] = write(cells[position])
    return cells


def create_indexes(connection: Connection, table: Table) -> None:
    """One index per column (the first MAX_INDEXES), on (column, _id): a filter on any column finds its
    rows in `_id` order (the search's order) and counts them from the index alone. PostgreSQL then gets
    the new table's statistics at once, not at autovacuum's next pass."""
    for column in list(table.columns)[1:MAX_INDEXES + 1]:
        Index(f"{table.name}_{column.name}", column, table.c._id).create(connection)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f'ANALYZE "{table.name}"'))
