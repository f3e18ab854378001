"""The demo's hearings: one open with about forty answers, one reported with its open data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from pracha.opendata.models import OpenDataset
from pracha.participation import hearings
from pracha.participation.hearings_answers import public_comments, response_count
from pracha.participation.models import Hearing
from pracha.services.catalog import Catalog
from tests.test_demo import seed_fresh


def test_demo_has_an_open_and_a_reported_hearing(tmp_path: Path, catalog: Catalog) -> None:
    seeded = seed_fresh(tmp_path, catalog)
    try:
        with seeded.sessions() as db:
            found = {hearings.status_of(h): h for h in db.scalars(select(Hearing))}
            assert set(found) == {"open", "reported"}
            waste, pavement = found["open"], found["reported"]
            assert "มูลฝอย" in waste.title_th and waste.document is not None and waste.document.startswith(b"%PDF")
            assert 35 <= response_count(db, waste.id) <= 40 and public_comments(db, waste)
            assert len(waste.sections) == 4 and len(waste.questions) == 3
            assert pavement.report is not None and pavement.dataset_name is not None
            assert db.scalar(select(OpenDataset).where(OpenDataset.name == pavement.dataset_name)) is not None
    finally:
        seeded.engine.dispose()
