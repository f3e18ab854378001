"""Slots, booking, moving, cancelling, the officer's flag and the counter's check-in, over HTTP on both
engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments.models import SlotLoad
from pracha.calendar import BANGKOK
from pracha.notices.models import InboxMessage
from tests.appointments.helpers import BIRTH, CITY, catalog_of, first_slot, in_person, next_working_day, office
from tests.factories import create_citizen, create_staff, sign_in


def signed_in(db: Session, make_client: Callable[..., TestClient], user: object) -> TestClient:
    client = make_client()
    client.headers["x-csrf-token"] = sign_in(db, client, user)  # type: ignore[arg-type]
    return client


def load(db: Session, starts_at: dt.datetime) -> int:
    db.commit()  # a new read transaction: see what the server committed since
    return db.scalar(select(SlotLoad.booked).where(SlotLoad.office_id == CITY, SlotLoad.starts_at == starts_at)) or 0


def test_slots_follow_hours_working_days_and_capacity(app: FastAPI, client: TestClient) -> None:
    day = next_working_day(app)
    found = client.get(f"/api/v1/offices/{CITY}/slots", params={"service_id": BIRTH, "from": day.isoformat(),
                                                                "to": (day + dt.timedelta(days=13)).isoformat()})
    assert found.status_code == 200
    items = found.json()["items"]
    starts = [dt.datetime.fromisoformat(s["starts_at"]).astimezone(BANGKOK) for s in items]
    calendar = catalog_of(app).calendar
    assert starts and all(calendar.is_working_day(s.date()) for s in starts)
    assert all(s.weekday() < 5 for s in starts)
    times = {s.strftime("%H:%M") for s in starts}
    assert "08:30" in times and "16:00" in times and "12:00" not in times and "12:30" not in times
    assert "16:30" not in times  # the last slot must end by closing time
    assert {s["capacity"] for s in items} == {3} and all(s["free"] == 3 for s in items)
    assert len([s for s in starts if s.date() == day]) == 14  # 7 in the morning, 7 in the afternoon
    assert client.get(f"/api/v1/offices/{CITY}/slots", params={"service_id": BIRTH, "from": "5/12/2569"}
                      ).status_code == 422
    assert client.get("/api/v1/offices/nowhere/slots", params={"service_id": BIRTH}).status_code == 404
    assert client.get(f"/api/v1/offices/{CITY}/slots", params={"service_id": "building-permit"}).status_code == 422
    assert client.get("/api/v1/offices").json()["items"][0]["id"] == CITY


def test_book_move_cancel_and_the_last_place(app: FastAPI, db: Session, make_client: Callable[..., TestClient]
                                             ) -> None:
    starts = first_slot(app)
    later = starts + dt.timedelta(minutes=30)
    people = [in_person(db) for _ in range(4)]
    clients = [signed_in(db, make_client, db.get(type(p.citizen), p.citizen_id)) for p in people]
    body = {"office_id": CITY, "starts_at": starts.isoformat()}
    for i in range(3):
        made = clients[i].post(f"/api/v1/applications/{people[i].reference}/appointment", json=body)
        assert made.status_code == 201, made.text
    full = clients[3].post(f"/api/v1/applications/{people[3].reference}/appointment", json=body)
    assert full.status_code == 409 and full.json()["error"] == "slot_full"
    assert load(db, starts) == 3
    again = clients[0].post(f"/api/v1/applications/{people[0].reference}/appointment", json=body)
    assert again.status_code == 200 and load(db, starts) == 3
    moved = clients[0].post(f"/api/v1/applications/{people[0].reference}/appointment",
                            json={"office_id": CITY, "starts_at": later.isoformat()})
    assert moved.status_code == 200 and moved.json()["starts_at"] == later.isoformat()
    assert load(db, starts) == 2 and load(db, later) == 1
    assert clients[3].post(f"/api/v1/applications/{people[3].reference}/appointment", json=body).status_code == 201
    cancelled = clients[1].delete(f"/api/v1/applications/{people[1].reference}/appointment")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled" and load(db, starts) == 2
    assert clients[1].get(f"/api/v1/applications/{people[1].reference}/appointment").status_code == 404
    mine = clients[3].get(f"/api/v1/applications/{people[3].reference}/appointment").json()
    assert mine["status"] == "booked" and mine["check_in_url"].endswith(f"/counter/check-in/{mine['token']}")
    # someone else's application, a closed office hour, a Saturday, an application needing no visit
    assert clients[1].post(f"/api/v1/applications/{people[0].reference}/appointment", json=body).status_code == 404
    noon = dt.datetime.combine(starts.astimezone(BANGKOK).date(), dt.time(12, 0), BANGKOK)
    assert clients[1].post(f"/api/v1/applications/{people[1].reference}/appointment",
                           json={"office_id": CITY, "starts_at": noon.isoformat()}).json()["error"] == "no_such_slot"
    day = starts.astimezone(BANGKOK).date()
    saturday = dt.datetime.combine(day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7), dt.time(9), BANGKOK)
    assert clients[1].post(f"/api/v1/applications/{people[1].reference}/appointment",
                           json={"office_id": CITY, "starts_at": saturday.isoformat()}).status_code == 422
    allowance = in_person(db, db.get(type(people[1].citizen), people[1].citizen_id), service_id="elderly-allowance",
                          agency="cm-elderly-welfare")
    assert clients[1].post(f"/api/v1/applications/{allowance.reference}/appointment", json=body
                           ).json()["error"] == "no_appointment_needed"
    assert db.scalar(select(InboxMessage.id).where(InboxMessage.user_id == people[0].citizen_id))


def test_officer_asks_for_a_visit_and_only_the_offices_agency_checks_in(
        app: FastAPI, db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = create_citizen(db)
    moving = in_person(db, citizen, service_id="change-of-address", agency="cm-district-registry")
    mover = signed_in(db, make_client, citizen)
    body = {"office_id": "cm-district-registry-office",
            "starts_at": first_slot(app, "cm-district-registry-office").isoformat()}
    path = f"/api/v1/applications/{moving.reference}/appointment"
    assert mover.post(path, json=body).json()["error"] == "no_appointment_needed"
    other_agency = signed_in(db, make_client, create_staff(db, "officer", "cm-city-registry"))
    assert other_agency.post(f"{path}-required").status_code == 404
    officer = signed_in(db, make_client, create_staff(db, "officer", "cm-district-registry"))
    assert officer.post(f"{path}-required").json() == {"application": moving.reference, "appointment_required": True}
    assert mover.post(f"{path}-required").status_code == 403
    booked = mover.post(path, json=body)
    assert booked.status_code == 201
    token = booked.json()["token"]
    assert other_agency.post("/api/v1/appointments/check-in", json={"token": token}).status_code == 404
    assert mover.post("/api/v1/appointments/check-in", json={"token": token}).status_code == 403
    done = officer.post("/api/v1/appointments/check-in", json={"token": token})
    assert done.status_code == 200 and done.json()["status"] == "checked_in"
    again = officer.post("/api/v1/appointments/check-in", json={"token": token})
    assert again.status_code == 409 and again.json()["error"] == "appointment_not_open"
    assert office(app, "cm-district-registry-office").agency == "cm-district-registry"
