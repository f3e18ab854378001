"""The demo's counter session: closed, with a residence certificate submitted for สมชาย at the city's civil
registration counter, so his timeline, data tracker, inbox and the printed summary show it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.counter.demo import DEMO_OFFICER, seed_counter
from pracha.services.catalog import Catalog
from pracha.services.models import Application
from tests.counter.helpers import signed_in
from tests.factories import create_citizen, create_staff


def test_demo_counter_session(db: Session, catalog: Catalog, settings: Settings,
                              make_client: Callable[..., TestClient]) -> None:
    officer = create_staff(db, "officer", "cm-city-registry", username=DEMO_OFFICER, first_name="สมศักดิ์",
                           last_name="ทะเบียนดี")
    somchai = create_citizen(db)
    counter = seed_counter(db, catalog, settings, somchai, var_dir=settings.var_dir)
    db.commit()
    assert counter is not None and counter.closed_at is not None and counter.officer_id == officer.id
    application = db.scalars(select(Application).where(Application.citizen_id == somchai.id)).one()
    assert application.status == "submitted"
    assert {e.counter_session_id for e in application.events} == {counter.id}

    citizen = signed_in(db, make_client, somchai)
    assert "เจ้าหน้าที่ สมศักดิ์ ทะเบียนดี" in citizen.get(f"/applications/{application.reference}").text
    assert application.reference in citizen.get(f"/counter/sessions/{counter.id}/summary").text
    rows = citizen.get("/api/v1/me/data-tracker").json()["items"]
    assert any(r["source"] == "counter" and application.reference in r["service_name"] for r in rows)
