"""The datastore: each tabular resource's rows in a table of its own (`ds_<resource id hex>`), loaded
after Frictionless validation, searched by `datastore_search`, previewed and charted on the dataset page.

    load(session, resource, content, fmt) -> schema      validate + replace the table (all or nothing)
    drop(session, resource)                              the resource is no longer tabular
    search(session, resource, params) -> dict            CKAN's datastore_search
    preview(session, resource) -> (fields, records)      the first rows, for the page
    chart_svg(session, resource) -> str | None           a bar chart of the first number by the first text

A load runs in a SAVEPOINT of the caller's transaction: with any error in the file the savepoint rolls
back, so the resource keeps its previous table (or none) whatever the caller then does. Rows go into a
staging table that replaces the old one at the end, so searches of the current version go on meanwhile.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from pracha.opendata import tables
from pracha.opendata.datastore_chart import chart_svg
from pracha.opendata.datastore_errors import DatastoreQueryInvalid, NoDatastore, TableInvalid
from pracha.opendata.datastore_read import INFERRED, TableReader, infer_schema
from pracha.opendata.datastore_search import preview, search
from pracha.opendata.errors import PackageInvalid
from pracha.opendata.models import OpenResource

__all__ = ["DatastoreQueryInvalid", "NoDatastore", "TableInvalid", "chart_svg", "drop", "given_schema", "load",
           "preview", "search", "set_schema"]

BATCH = 5_000


def _schema_for(resource: OpenResource, content: bytes, fmt: str, given: dict[str, Any] | None) -> dict[str, Any]:
    given = given if given is not None else resource.table_schema
    if isinstance(given, dict) and given.get("fields") and not given.get(INFERRED):
        return given
    return infer_schema(content, fmt)


def load(session: Session, resource: OpenResource, content: bytes, fmt: str, *,
         schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate `content` (CSV or XLSX) and replace the resource's table with its rows, in the caller's
    transaction; returns the Frictionless table schema. Raises TableInvalid. The schema is `schema`, else
    the publisher's (`resource.table_schema` unless Pracha inferred it), else inferred from the file."""
    fmt = fmt.upper()
    reader = TableReader(content, fmt, _schema_for(resource, content, fmt, schema))
    table, _ = tables.table_for(resource.id, reader.schema, staging=True)
    with session.begin_nested():
        connection = session.connection()
        table.create(connection)
        insert_rows = tables.inserter(connection, table)
        batch: list[tuple[Any, ...]] = []
        count = 0
        for values in reader.rows():
            if reader.errors:
                continue  # nothing more is inserted; the rest is read only for its errors
            count += 1
            batch.append((count, *values))
            if len(batch) >= BATCH:
                insert_rows(batch)
                batch = []
        if reader.errors:
            raise TableInvalid(reader.errors)  # leaving the block rolls the savepoint back
        if batch:
            insert_rows(batch)
        tables.create_indexes(connection, table)
        tables.replace_table(connection, table, resource.id)
    return reader.schema


def drop(session: Session, resource: OpenResource) -> None:
    """Drop the resource's table (it became a link or a non-tabular file, or its dataset was deleted)."""
    tables.drop_table(session.connection(), resource.id)
    resource.datastore_active = False


def set_schema(session: Session, resource: OpenResource, value: Any, *, reload: bool) -> None:
    """The publisher's table schema for the resource's files (None or "": infer it from each file). With
    `reload` (a schema given without a new file) the current version is validated and loaded again
    under it, so the table always matches the schema that describes it; TableInvalid if it does not fit."""
    schema = given_schema(value)
    if schema is None:
        if resource.table_schema:
            resource.table_schema = {**resource.table_schema, INFERRED: True}
        return
    if reload and resource.datastore_active and resource.versions:
        resource.table_schema = load(session, resource, resource.versions[-1].content, resource.format, schema=schema)
    else:
        resource.table_schema = schema


def given_schema(value: Any) -> dict[str, Any] | None:
    """A publisher's Frictionless table schema (a dict or its JSON), checked; None clears it."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    fields = value.get("fields") if isinstance(value, dict) else None
    if not isinstance(fields, list) or not fields or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"].isprintable() for f in fields):
        raise PackageInvalid({"schema": ["โครงสร้างตารางต้องมี fields ที่มีชื่อทุกช่อง "
                                         "(A table schema needs fields, each with a name)"]})
    names = [f["name"] for f in fields]
    if len(set(names)) < len(names):
        raise PackageInvalid({"schema": ["ชื่อ field ในโครงสร้างตารางซ้ำกัน (Field names must be unique)"]})
    try:
        TableReader(b"", "CSV", value)
    except TableInvalid as exc:
        raise PackageInvalid({"schema": [f"{exc.errors[0]['message_th']} ({exc.errors[0]['message_en']})"]}) from exc
    return {k: v for k, v in value.items() if k != INFERRED}
