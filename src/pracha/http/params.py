"""Shared parameter types. Every integer a client sends in a path or query is range-checked here, so a
number beyond 64 bits is a 422 (and the OpenAPI document says the range), never an overflow in the
database driver. `tests/web/test_hardening.py` fails for a route with an unbounded integer parameter.

    def get_thing(thing_id: RowId, ...)            # 1 … 2⁶³−1, in the path
    def list_things(after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0, ...)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_INT = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite

RowId = Annotated[int, Path(ge=1, le=MAX_INT, description="A row id (1 … 2⁶³−1).")]
Index = Annotated[int, Path(ge=0, le=MAX_INT, description="A position from 0 (… 2⁶³−1).")]
IndexQuery = Annotated[int, Query(ge=0, le=MAX_INT)]
