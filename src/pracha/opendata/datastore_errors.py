"""The datastore's errors (re-exported by `pracha.opendata.datastore`).

    InvalidInput (422)
    ├── TableInvalid            a CSV/XLSX with errors: each with its row, column and Thai + English message
    └── DatastoreQueryInvalid   a datastore_search with an unknown column, a bad sort or a bad value
    NotFound (404)
    └── NoDatastore             the resource has no table (a link, a PDF, …)
"""

from __future__ import annotations

from typing import Any

from pracha.errors import InvalidInput, NotFound


class TableInvalid(InvalidInput):
    """The table has errors: `errors` lists {"row", "column", "type", "message_th", "message_en"}."""

    code = "table_invalid"
    message_th = "ตารางข้อมูลมีข้อผิดพลาด กรุณาแก้ไขตามรายการ"
    message_en = "The table has errors: please correct them as listed."

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors=errors)
        self.errors = errors


class DatastoreQueryInvalid(InvalidInput):
    """CKAN's "Validation Error" for datastore_search: `errors` is {parameter: [message]}, each message
    Thai first with the English in brackets (as `PackageInvalid`)."""

    code = "validation_error"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(fields={k: {"th": v[0], "en": v[0]} for k, v in errors.items()})
        self.errors = errors


class NoDatastore(NotFound):
    code = "datastore_not_found"
    message_th = "ทรัพยากรนี้ไม่มีตารางข้อมูลให้ค้นหา"
    message_en = "This resource has no datastore table."
