"""The last place of a slot goes to exactly one of 50 citizens booking it at once, through a real uvicorn
server, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments.models import BOOKED, Appointment, SlotLoad
from pracha.config import Settings
from pracha.http.access import SESSION_COOKIE
from pracha.identity import service as identity
from tests.appointments.helpers import CITY, first_slot, in_person
from tests.servers import process

BOOKERS = 50


def test_fifty_citizens_race_for_the_last_place_and_one_wins(app: FastAPI, db: Session, settings: Settings,
                                                             tmp_path: Path) -> None:
    starts = first_slot(app)
    for _ in range(2):  # capacity 3: two places already taken
        in_person(db)
    db.add(SlotLoad(office_id=CITY, service_id="birth-registration", starts_at=starts, booked=2))
    applications = [in_person(db) for _ in range(BOOKERS)]
    tokens = [identity.start_web_session(db, a.citizen, hours=1, amr="pwd") for a in applications]
    db.commit()
    env = {"PRACHA_DATABASE_URL": settings.database_url, "PRACHA_VAR_DIR": str(settings.var_dir),
           "PRACHA_DATA_KEY_FILE": str(settings.data_key_file), "PRACHA_SECRET_KEY": "test-secret",
           "PRACHA_WARM_UP": "false"}
    with process(["serve"], env, tmp_path, "portal") as url:
        clients = []
        for token in tokens:
            client = httpx.Client(base_url=url, cookies={SESSION_COOKIE: token}, timeout=120)
            client.headers["x-csrf-token"] = client.get("/api/v1/session").json()["csrf_token"]
            clients.append(client)
        start = threading.Barrier(BOOKERS)
        codes: list[int] = []
        odd: list[str] = []  # anything but 201/409, with its body, for the failure message

        def book(client: httpx.Client, reference: str) -> None:
            start.wait()
            answer = client.post(f"/api/v1/applications/{reference}/appointment",
                                 json={"office_id": CITY, "starts_at": starts.isoformat()})
            codes.append(answer.status_code)
            if answer.status_code not in (201, 409):
                odd.append(f"{answer.status_code}: {answer.text[:300]}")

        threads = [threading.Thread(target=book, args=(c, a.reference)) for c, a in zip(clients, applications,
                                                                                          strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for client in clients:
            client.close()
    assert sorted(codes) == [201] + [409] * (BOOKERS - 1), (codes, odd)
    db.commit()
    assert db.scalar(select(SlotLoad.booked).where(SlotLoad.starts_at == starts)) == 3
    assert len(db.scalars(select(Appointment).where(Appointment.status == BOOKED)).all()) == 1
