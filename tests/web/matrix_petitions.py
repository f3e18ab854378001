"""The access matrix's petitions: what the rows of petitions' routes act on (built once per engine)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.services.catalog import Catalog


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    """Path ids for the rows ({name} in a row's path → id); `users` by matrix role."""
    return {"petition_id": 999999}


