"""The datastore: each tabular resource's rows in a table of its own (`ds_<resource id hex>`), loaded
after Frictionless validation, searched by `datastore_search`. (Written by the datastore area.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.errors import InvalidInput
from pracha.opendata.models import OpenResource


class TableInvalid(InvalidInput):
    """The table has errors: `errors` lists {"row", "column", "message_th", "message_en"}."""

    code = "table_invalid"
    message_th = "ตารางข้อมูลมีข้อผิดพลาด กรุณาแก้ไขตามรายการ"
    message_en = "The table has errors: please correct them as listed."

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors=errors)
        self.errors = errors


def load(session: Session, resource: OpenResource, content: bytes, fmt: str) -> dict[str, Any]:
    """Validate `content` (CSV or XLSX) and replace the resource's table with its rows, in the caller's
    transaction; returns the Frictionless table schema. Raises TableInvalid."""
    raise NotImplementedError("the datastore area writes this")
