"""The demo's complaints: every state, a confidential, an anonymous and a private-place one, small
drawn photos, and สมหญิง's answered complaint."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import utcnow
from pracha.participation.demo_complaints import STORIES, seed_complaints
from pracha.participation.models import Complaint, ComplaintPhoto
from pracha.services.catalog import Catalog
from tests.factories import create_citizen, create_staff


def test_demo_complaints_cover_every_state(db: Session, catalog: Catalog, settings: Settings) -> None:
    for agency in ("cm-city-engineering", "cm-city-environment", "maehia-municipality", "cm-damrongdhama"):
        create_staff(db, "officer", agency, username=f"officer.{agency}")
    create_staff(db, "inspector", "cm-damrongdhama", username="inspector.cm-damrongdhama")
    people = [create_citizen(db) for _ in range(20)]
    seed_complaints(db, catalog, settings, b"demo", people, utcnow())
    db.commit()
    made = list(db.scalars(select(Complaint)))
    assert len(made) == len(STORIES) + 1
    assert set(Counter(c.status for c in made)) >= {"new", "accepted", "needs_info", "closed", "rejected", "reopened"}
    assert any(c.confidential for c in made) and any(c.anonymous for c in made) and any(c.private_place for c in made)
    assert any(c.sla_due_at < utcnow() and c.status == "new" for c in made)  # overdue
    assert any(e.action == "forward" for c in made for e in c.events)
    assert any(c.rating for c in made) and any(p.stage == "after" for c in made for p in c.photos)
    assert max(len(p.content) for p in db.scalars(select(ComplaintPhoto))) <= 30_000
    somying = [c for c in made if c.reporter_id == people[1].id]
    assert len(somying) == 1 and somying[0].first_response_at is not None
