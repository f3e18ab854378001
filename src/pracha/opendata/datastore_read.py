"""Reading a CSV or XLSX with Frictionless, the validator of record: one pass over the file yields the
typed rows to insert and collects every error with its row (as the publisher counts rows in the file:
the header is row 1) and column, in Thai and English.

One pass, not `validate` then a second read: Frictionless's row stream is the slow part (about 16 s
for a million rows of six cells here), and reading twice would double it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import frictionless
from frictionless.formats.excel import ExcelControl

from pracha.opendata.datastore_errors import TableInvalid
from pracha.opendata.datastore_messages import error_dict, file_error, range_error

MAX_ERRORS = 100
MAX_FIELDS = 1000
SAMPLE_ROWS = 1000
INFERRED = "x_inferred"  # in a stored schema: Pracha inferred it (a new version is inferred afresh)
KEPT = {"integer", "number", "date", "datetime", "string"}
BIGGEST = 2**63 - 1
IGNORED = {"blank-row"}  # an empty line (often a spreadsheet's formatted blank row) is skipped, not an error


def encoding_of(content: bytes) -> str:
    """UTF-8 (with or without BOM), else TIS-620/cp874 when that decodes to Thai text."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        sample = content[:100_000].decode("cp874", errors="strict")
    except UnicodeDecodeError:
        sample = ""
    if any("\u0e01" <= ch <= "\u0e5b" for ch in sample):
        return "cp874"
    raise TableInvalid([file_error("encoding")])


def _options(content: bytes, fmt: str) -> dict[str, Any]:
    if fmt == "XLSX":
        return {"format": "xlsx", "control": ExcelControl(stringified=True)}
    if b"\x00" in content:  # not text (and PostgreSQL could not keep it)
        raise TableInvalid([file_error("unreadable", "NUL")])
    return {"format": "csv", "encoding": encoding_of(content)}


def _code_like(values: list[Any]) -> bool:
    """Codes such as "0501" (a sub-district, a juristic id) are text: an integer would lose the zero;
    and a number too long for a 64-bit integer is an identifier, not a quantity."""
    return any(isinstance(v, str) and ((len(v) > 1 and v.startswith("0") and v[1:2].isdigit()) or len(v) > 18)
               for v in values)


def infer_schema(content: bytes, fmt: str) -> dict[str, Any]:
    """Frictionless infers from the first SAMPLE_ROWS rows; integers, numbers, dates, date-times and
    text are kept (anything else is text), and a column every sampled value of which fits is typed."""
    detector = frictionless.Detector(sample_size=SAMPLE_ROWS, field_confidence=1.0)
    options = _options(content, fmt)
    try:
        with frictionless.Resource(content, detector=detector, **options) as resource:
            descriptor = resource.schema.to_descriptor()
            fragment = resource.fragment or []
    except Exception as exc:  # a file Frictionless cannot parse at all (not a workbook, broken quoting …)
        raise TableInvalid([file_error("unreadable", _detail(exc))]) from exc
    fields = []
    for position, field in enumerate(descriptor.get("fields") or []):
        kind = field.get("type") if field.get("type") in KEPT else "string"
        if kind == "integer" and _code_like([row[position] for row in fragment if position < len(row)]):
            kind = "string"
        fields.append({"name": field["name"], "type": kind})
    return {"fields": fields, INFERRED: True}


def _detail(exc: Exception) -> str:
    if isinstance(exc, frictionless.FrictionlessException):
        return str(exc.error.note or exc.error.title)
    return type(exc).__name__


class OutOfRange(ValueError):
    """A value Frictionless accepts that the database cannot hold (or JSON cannot carry)."""


def _integer(value: Any) -> Any:
    if value is not None and not -BIGGEST <= value <= BIGGEST:
        raise OutOfRange(value)
    return value


def _number(value: Any) -> Any:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise OutOfRange(value)
    return number


def _converter(kind: str) -> Callable[[Any], Any] | None:
    if kind in ("integer", "year"):
        return _integer
    if kind == "number":
        return _number
    if kind == "datetime":
        return lambda v: v.astimezone(dt.UTC).replace(tzinfo=None) if v is not None and v.tzinfo else v
    if kind in ("date", "boolean", "string"):
        return None
    return lambda v: v if v is None or isinstance(v, str) else (
        v.isoformat() if hasattr(v, "isoformat") else json.dumps(v, ensure_ascii=False, default=str))


class TableReader:
    """`rows()` yields each valid row as a tuple of SQL values (blank rows skipped); `errors` fills as
    it goes (at most MAX_ERRORS, then reading stops)."""

    def __init__(self, content: bytes, fmt: str, schema: dict[str, Any]) -> None:
        self.content, self.fmt = content, fmt
        descriptor = {k: v for k, v in schema.items() if k != INFERRED}
        try:
            self.frictionless_schema = frictionless.Schema.from_descriptor(descriptor)
        except (frictionless.FrictionlessException, TypeError, ValueError, KeyError, AttributeError) as exc:
            raise TableInvalid([file_error("schema", _detail(exc))]) from exc
        if len(self.frictionless_schema.fields) > MAX_FIELDS:
            raise TableInvalid([file_error("too_many_columns")])
        if "_id" in self.frictionless_schema.field_names:  # the datastore's own row number, as in CKAN
            raise TableInvalid([{**file_error("reserved"), "row": 1, "column": "_id"}])
        self.schema = schema
        self.errors: list[dict[str, Any]] = []

    def _add(self, error: frictionless.Error, row: int | None) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error_dict(error, row))

    @property
    def full(self) -> bool:
        return len(self.errors) >= MAX_ERRORS

    def rows(self) -> Iterator[tuple[Any, ...]]:
        converters = [(i, c) for i, f in enumerate(self.frictionless_schema.fields)
                      if (c := _converter(f.type)) is not None]
        try:
            with frictionless.Resource(self.content, schema=self.frictionless_schema,
                                       **_options(self.content, self.fmt)) as resource:
                for error in resource.header.errors:
                    self._add(error, 1)
                if not resource.header.labels:
                    self.errors.append(file_error("no_header"))
                for row in resource.row_stream:
                    problems = [e for e in row.errors if e.type not in IGNORED]
                    if problems:
                        for error in problems:
                            self._add(error, row.row_number)
                        if self.full:
                            return
                        continue
                    if len(row.errors):  # blank
                        continue
                    values = row.to_list()
                    try:
                        for position, convert in converters:
                            values[position] = convert(values[position])
                    except OutOfRange:
                        if len(self.errors) < MAX_ERRORS:
                            field = self.frictionless_schema.fields[position]
                            self.errors.append(range_error(row.row_number, field.name, position + 1,
                                                           row.cells[position]))
                        if self.full:
                            return
                        continue
                    yield tuple(values)
        except Exception as exc:  # raised by the reading only: the caller's inserts run outside this frame
            self.errors.append(file_error("unreadable", _detail(exc)))
