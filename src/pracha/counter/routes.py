"""Pages of pracha.counter (thin: the logic is in the package's services)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
