"""The demo's complaints (`pracha seed --demo`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.services.catalog import Catalog


def seed_complaints(session: Session, catalog: Catalog, settings: Settings, secret: bytes, people: list[User],
               now: dt.datetime) -> None:
    """`people`: the demo citizens (people[0] สมชาย, people[1] สมหญิง, then วิชัย, มาลี, then random ones)."""
