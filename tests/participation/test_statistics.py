"""Complaints' monthly statistics: the public API and page (live month, confidential complaints left out
of per-agency figures, mean rating only over K ratings) and the open-data dataset (complete months,
k = 10 distinct reporters per published figure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.opendata.platform import statistics_of
from pracha.participation.models import Complaint
from pracha.participation.rules import load_rules
from pracha.participation.statistics import complaints_by_agency_month
from pracha.services.catalog import Catalog, default_catalog_dir
from tests.factories import create_citizen
from tests.participation import moderation_world as world

OCTOBER = dt.datetime(2026, 10, 5, 3, 0, tzinfo=dt.UTC)


def _road(db: Session, *, answered_days: float | None, resolved_days: float | None, rating: int | None,
          category: str = "road", tambon: str = "ศรีภูมิ") -> Complaint:
    made = world.complaint(db, create_citizen(db), category=category, tambon=tambon, now=OCTOBER)
    if answered_days is not None:
        made.first_response_at = OCTOBER + dt.timedelta(days=answered_days)
    if resolved_days is not None:
        made.resolved_at = OCTOBER + dt.timedelta(days=resolved_days)
    made.rating = rating
    db.commit()
    return made


def test_month_statistics_api_and_page(db: Session, client: TestClient) -> None:
    for i in range(10):  # 10 road complaints to the city engineers: 8 answered in time, 2 late
        _road(db, answered_days=2 if i < 8 else 20, resolved_days=5 if i < 6 else 30, rating=4 if i % 2 else 5)
    _road(db, answered_days=None, resolved_days=None, rating=None, category="tree")
    world.complaint(db, create_citizen(db), category="corruption", title="เรียกรับสินบน", now=OCTOBER)
    found = client.get("/api/v1/complaint-statistics", params={"month": "2026-10"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["confidential_received"] is None  # 1 < K: not even the platform-wide count
    assert [a["agency"] for a in body["agencies"]] == ["cm-city-engineering"]  # no cm-damrongdhama row
    row = body["agencies"][0]
    assert row["received"] == 11 and row["by_category"] == {"road": 10, "tree": 1}
    assert row["first_response_within_percent"] == round(100 * 8 / 11, 1)
    assert row["median_days_to_first_response"] == 2.0 and row["median_days_to_resolution"] == 5.0
    assert row["resolved_within_sla_percent"] == round(100 * 6 / 11, 1)  # road: 15 days
    assert row["mean_rating"] == 4.5 and row["ratings"] == 10
    assert client.get("/api/v1/complaint-statistics", params={"month": "2026-09"}).json()["agencies"] == []
    for bad in ("2026-13", "26-10", "october"):
        assert client.get("/api/v1/complaint-statistics", params={"month": bad}).status_code == 422
    page = client.get("/complaints/statistics?month=2026-10")
    assert page.status_code == 200 and "ตุลาคม 2569" in page.text and "<caption>" in page.text
    assert "สินบน" not in page.text and "ทุจริต" not in page.text.split("<table")[1].split("</table>")[0]
    assert "October 2026" in client.get("/complaints/statistics?month=2026-10&lang=en").text


def test_few_ratings_give_no_mean(db: Session, client: TestClient) -> None:
    _road(db, answered_days=1, resolved_days=2, rating=1)
    row = client.get("/api/v1/complaint-statistics", params={"month": "2026-10"}).json()["agencies"][0]
    assert row["mean_rating"] is None and row["ratings"] == 1


def test_open_data_table_suppresses_small_cells(db: Session, catalog: Catalog) -> None:
    for _ in range(10):
        _road(db, answered_days=1, resolved_days=3, rating=5)
    for _ in range(3):
        _road(db, answered_days=1, resolved_days=3, rating=5, category="waste")  # to the environment office
    rules = load_rules(default_catalog_dir().resolve())
    table = complaints_by_agency_month(db, catalog, dt.date(2026, 11, 2), rules)
    rows = {r["agency"]: r for r in table.rows}
    assert rows["cm-city-engineering"]["received"] == 10 and rows["cm-city-engineering"]["suppressed"] is False
    assert rows["cm-city-engineering"]["month"] == "2026-10"
    small = rows["cm-city-environment"]
    assert small["suppressed"] is True and small["received"] is None and small["mean_rating"] is None
    assert complaints_by_agency_month(db, catalog, dt.date(2026, 10, 20), rules).rows == []  # month not over


def test_dataset_is_registered(db: Session, make_client: Callable[..., TestClient]) -> None:
    assert "complaints-by-agency-month" in {s.key for s in statistics_of(db)}
