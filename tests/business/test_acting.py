"""Acting for an organisation against the real business registry: a director lists and switches; a
director of company A is refused for company B; an employee without an authorisation is refused; what
is made while acting carries the company and the person, and the ledger names the company."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.demo import KHAOSOI_LANNA
from pracha.ledger.log import keyed, subject_key
from pracha.ledger.models import LedgerOpening
from pracha.services import service
from pracha.services.models import Application
from tests.business.conftest import COMMERCIAL_FORM, Browser, People
from tests.factories import create_citizen

pytestmark = pytest.mark.xdist_group("business-registry")


def test_director_lists_and_switches(people: People, browser: Callable[..., Browser]) -> None:
    somying = browser(people.somying)
    listed = somying.get("/api/v1/me/organisations")
    assert listed.status_code == 200
    assert {"juristic_id": KHAOSOI_LANNA, "name_th": "บริษัท ข้าวซอยล้านนา จำกัด",
            "name_en": "Khao Soi Lanna Company Limited", "role": "director"} in listed.json()
    assert somying.get("/api/v1/me/acting-for").json() == {"juristic_id": None, "name_th": None, "name_en": None,
                                                           "role": None}
    switched = somying.act_for(KHAOSOI_LANNA)
    assert switched.status_code == 200
    assert switched.json()["role"] == "director" and switched.json()["name_th"] == "บริษัท ข้าวซอยล้านนา จำกัด"
    assert somying.get("/api/v1/me/acting-for").json()["juristic_id"] == KHAOSOI_LANNA
    page = somying.get("/me")
    assert "กำลังดำเนินการในนาม" in page.text and "บริษัท ข้าวซอยล้านนา จำกัด" in page.text
    assert 'href="/me/organisations"' in page.text
    assert somying.call("DELETE", "/api/v1/me/acting-for").json()["juristic_id"] is None
    assert "กำลังดำเนินการในนาม" not in somying.get("/me").text


def test_the_switch_by_form_and_back(people: People, browser: Callable[..., Browser]) -> None:
    wichai = browser(people.wichai)
    page = wichai.get("/me/organisations")
    assert page.status_code == 200 and "ดำเนินการในนามตนเอง" in page.text
    chosen = wichai.client.post("/me/organisations", data={"csrf_token": wichai.csrf, "juristic_id": KHAOSOI_LANNA})
    assert chosen.status_code == 303
    assert wichai.get("/api/v1/me/acting-for").json()["role"] == "director"
    back = wichai.client.post("/me/organisations", data={"csrf_token": wichai.csrf, "juristic_id": "self"})
    assert back.status_code == 303 and wichai.get("/api/v1/me/acting-for").json()["juristic_id"] is None


def test_director_of_a_is_refused_for_b(people: People, browser: Callable[..., Browser], other_company: str) -> None:
    somying = browser(people.somying)
    refused = somying.act_for(other_company)
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_director"
    assert somying.get("/api/v1/me/acting-for").json()["juristic_id"] is None
    unknown = somying.act_for("0505999999999")
    assert unknown.status_code == 404 and unknown.json()["error"] == "organisation_not_found"
    assert somying.act_for("12345").status_code == 422


def test_employee_without_authorisation_is_refused(people: People, browser: Callable[..., Browser]) -> None:
    malee = browser(people.malee)
    assert malee.get("/api/v1/me/organisations").json() == []
    refused = malee.act_for(KHAOSOI_LANNA)
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_director"


def test_a_stranger_sees_no_company_application(db: Session, people: People, browser: Callable[..., Browser]) -> None:
    somying = browser(people.somying)
    assert somying.act_for(KHAOSOI_LANNA).status_code == 200
    reference = somying.draft("commercial-registration", COMMERCIAL_FORM)
    stranger = browser(create_citizen(db))
    assert stranger.get(f"/api/v1/applications/{reference}").status_code == 404
    own = browser(people.somying)  # her other browser, acting for herself, does not see the company's
    assert own.get(f"/api/v1/applications/{reference}").status_code == 404


def test_applications_made_while_acting_name_the_company_and_the_person(
        db: Session, people: People, browser: Callable[..., Browser]) -> None:
    somying = browser(people.somying)
    assert somying.act_for(KHAOSOI_LANNA).status_code == 200
    reference = somying.draft("commercial-registration", COMMERCIAL_FORM)
    somying.complete(reference, "commercial-registration")
    wichai = browser(people.wichai)
    wichai.act_for(KHAOSOI_LANNA)
    held = somying.call("POST", f"/api/v1/applications/{reference}/actions",
                        json={"action": "submit", "declaration": True})
    assert held.status_code == 202, held.text
    assert wichai.call("POST", f"/api/v1/applications/{reference}/co-approve",
                       json={"declaration": True}).status_code == 200
    db.expire_all()
    application = db.scalar(select(Application).where(Application.reference == reference))
    assert application is not None
    assert application.organisation_id == KHAOSOI_LANNA and application.citizen_id == people.somying.id
    entry = application.events[-1].ledger_entry
    assert entry is not None and entry.kind == "application.submit"
    opening = db.get(LedgerOpening, entry.id)
    assert opening is not None
    statement = json.loads(opening.body)
    key = subject_key(db, f"user:{people.somying.id}")
    snapshot = service._snapshot(application, None)  # what the submit's entry committed to
    assert snapshot["organisation"] == KHAOSOI_LANNA
    assert statement["digest"] == keyed(key, rfc8785.dumps(snapshot))
