"""The JSON API of pracha.counter (thin: the logic is in the package's services)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
