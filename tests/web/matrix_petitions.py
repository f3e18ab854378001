"""The access matrix's petitions: what the rows of petitions' routes act on (built once per engine).
An open petition to the world's agency that the world's citizen supports."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.participation import petitions, petitions_support
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog

AGENCY = "cm-elderly-welfare"  # the world's (tests.web.matrix_world imports this module)


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    """Path ids for the rows ({name} in a row's path → id); `users` by matrix role."""
    rules, citizen = load_rules(settings.catalog_dir.resolve()), Principal(user=users["citizen"])
    made = petitions.create_petition(db, citizen, rules, set(catalog.agencies), agency=AGENCY,
                                     title="ข้อเสนอทดสอบ", body="ขอให้หน่วยงานพิจารณา")
    petitions.decide_petition(db, Principal(user=users["moderator"]), made.id, action="approve", reason="")
    petitions_support.support_petition(db, citizen, settings.secret_key.get_secret_value().encode(), made.id)
    db.commit()
    return {"petition_id": made.id}
