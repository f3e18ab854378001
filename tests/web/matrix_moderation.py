"""The access matrix's moderation and LINE-report ids: nothing to build; the rows act on items and
links that do not exist (404/422 after the access rule has admitted the role)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.services.catalog import Catalog


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    return {"target_kind": "petition", "target_id": 999999, "report_id": 999999, "token": "no-such-line-link"}
