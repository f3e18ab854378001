"""The hot API routes (submit, status) do their blocking work in one worker-thread call and keep every
rule of the routes declared with `allow`: who may call, CSRF, acting for a person, the JSON errors. The
hand-offs are counted by wrapping `anyio.to_thread.run_sync`, the call every thread hand-off goes
through (instrumentation: the wrapped function still does the work)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.http.access import SESSION_COOKIE
from pracha.services.models import Application
from tests.factories import create_citizen, create_staff, new_national_id, sign_in
from tests.services.helpers import ELDERLY_FORM
from tests.web.matrix_acting import act_for_citizen, acting_people

AGENCY = "cm-elderly-welfare"
SUBMIT = {"service_id": "elderly-allowance", "data": ELDERLY_FORM}
# a service a person may have several open applications of
BIRTH = {
    "service_id": "birth-registration",
    "data": {
        "child_first_name": "ปัณณวัฒน์",
        "child_last_name": "ใจดี",
        "child_sex": "male",
        "birth_date": "2026-11-20",
        "birth_place_type": "hospital",
        "hospital_notification_no": "ชม 123/2569",
        "mother_id": "3100100123451",
        "house_code": "50010012345",
        "notifier_relationship": "mother",
    },
}


class HandOffs:
    """How many calls went to a worker thread since the last `take()`."""

    def __init__(self) -> None:
        self.count = 0

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Iterator[HandOffs]:
    counted = HandOffs()
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        counted.count += 1
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield counted


def submit(client: TestClient, csrf: str | None, body: dict[str, Any] | None = None) -> Any:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return client.post("/api/v1/applications", headers=headers, json=SUBMIT if body is None else body)


def applications(db: Session) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Application)) or 0


def test_one_hand_off_per_request(db: Session, make_client: Callable[..., TestClient], hand_offs: HandOffs) -> None:
    client = make_client()
    csrf = sign_in(db, client, create_citizen(db))
    hand_offs.take()

    created = submit(client, csrf)
    assert created.status_code == 201, created.text
    assert hand_offs.take() == 1
    reference = created.json()["reference"]
    assert created.json()["status"] == "draft" and created.json()["events"][0]["to_status"] == "draft"

    status = client.get(f"/api/v1/applications/{reference}/status")
    assert status.status_code == 200 and status.json()["status"] == "draft"
    assert hand_offs.take() == 1
    assert applications(db) == 1


def test_nobody_signed_in_is_refused_without_a_thread(
    db: Session, make_client: Callable[..., TestClient], hand_offs: HandOffs
) -> None:
    owner = make_client()
    reference = submit(owner, sign_in(db, owner, create_citizen(db))).json()["reference"]
    hand_offs.take()
    anonymous = make_client()

    status = anonymous.get(f"/api/v1/applications/{reference}/status")
    assert status.status_code == 401 and status.json()["error"] == "unauthenticated"
    created = submit(anonymous, None)
    assert created.status_code == 401 and created.json()["error"] == "unauthenticated"
    assert hand_offs.take() == 0

    anonymous.cookies.set(SESSION_COOKIE, "not-a-session")  # looked up (one thread), found to be nobody
    assert anonymous.get(f"/api/v1/applications/{reference}/status").status_code == 401
    assert hand_offs.take() == 1
    assert applications(db) == 1


def test_csrf_is_refused_before_anything_is_read(
    db: Session, make_client: Callable[..., TestClient], hand_offs: HandOffs
) -> None:
    client = make_client()
    sign_in(db, client, create_citizen(db))
    hand_offs.take()
    for csrf in (None, "0" * 64):
        refused = submit(client, csrf)
        assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    assert hand_offs.take() == 0
    assert applications(db) == 0


def test_another_citizens_application_is_not_found(db: Session, make_client: Callable[..., TestClient]) -> None:
    owner, stranger, officer = make_client(), make_client(), make_client()
    reference = submit(owner, sign_in(db, owner, create_citizen(db))).json()["reference"]
    sign_in(db, stranger, create_citizen(db, national_id=new_national_id()))
    sign_in(db, officer, create_staff(db, "officer", "another-agency"))

    for client in (stranger, officer):
        refused = client.get(f"/api/v1/applications/{reference}/status")
        assert refused.status_code == 404 and refused.json()["error"] == "application_not_found"


def test_who_may_submit(db: Session, make_client: Callable[..., TestClient]) -> None:
    officer = make_client()
    refused = submit(officer, sign_in(db, officer, create_staff(db, "officer", AGENCY)))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert applications(db) == 0


def test_errors_are_json_and_a_refusal_comes_before_a_bad_body(
    db: Session, make_client: Callable[..., TestClient]
) -> None:
    citizen, officer = make_client(), make_client()
    csrf = sign_in(db, citizen, create_citizen(db))
    officer_csrf = sign_in(db, officer, create_staff(db, "officer", AGENCY))

    unknown = submit(citizen, csrf, {"service_id": "no-such-service", "data": {}})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/json")
    assert unknown.json()["error"] == "unknown_service" and unknown.json()["message"]
    bad = submit(citizen, csrf, {"data": "not an object"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_input"
    assert set(bad.json()["fields"]) == {"service_id", "data"}
    # a caller the rule refuses learns nothing from the body: 403/401, as for every route
    assert submit(officer, officer_csrf, {"data": "not an object"}).json()["error"] == "forbidden"
    citizen.cookies.set(SESSION_COOKIE, "expired-or-forged")
    assert submit(citizen, csrf, {"data": "not an object"}).status_code in (401, 403)
    assert applications(db) == 0


def test_a_delegate_and_the_counter_act_for_the_person(
    db: Session, make_client: Callable[..., TestClient], hand_offs: HandOffs
) -> None:
    citizen = create_citizen(db)
    people = acting_people(db, AGENCY)
    delegate, counter, owner = make_client(), make_client(), make_client()
    for client, user in ((delegate, people["delegate"]), (counter, people["counter"]), (owner, citizen)):
        sign_in(db, client, user)
    act_for_citizen(
        db, citizen, people, {"delegate": delegate.cookies[SESSION_COOKIE], "counter": counter.cookies[SESSION_COOKIE]}
    )
    csrfs = {
        role: client.get("/api/v1/session").json()["csrf_token"]
        for role, client in (("delegate", delegate), ("counter", counter))
    }
    hand_offs.take()

    for role, client in (("delegate", delegate), ("counter", counter)):
        created = submit(client, csrfs[role], BIRTH)
        assert created.status_code == 201, created.text
        assert hand_offs.take() == 1
        reference = created.json()["reference"]
        db.rollback()  # a fresh snapshot: the row was written by the server
        row = db.scalar(select(Application).where(Application.reference == reference))
        assert row is not None and row.citizen_id == citizen.id  # the person's, not the helper's
        for reader in (owner, delegate, counter):
            assert reader.get(f"/api/v1/applications/{reference}/status").json()["status"] == "draft"
        assert hand_offs.take() == 3
    assert applications(db) == 2
