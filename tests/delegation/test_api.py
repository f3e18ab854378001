"""The delegation API on both engines: a father authorises his daughter, she switches to him, applies
and submits for him; he sees what she did, and his revoke stops her at once. Refusals: the fields, a
company, strangers, the services limit, a delegation that expired or has not started."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.identity.models import Delegation
from pracha.ledger.models import LedgerOpening
from pracha.services.models import Application, ApplicationEvent
from tests.delegation.conftest import Browser, Family, fresh

ACTING = "/api/v1/session/acting-for-person"


def today() -> dt.date:
    return utcnow().astimezone(BANGKOK).date()


def test_daughter_acts_for_her_father_until_he_revokes(db: Session, family: Family,
                                                       browser: Callable[..., Browser]) -> None:
    father, daughter = browser(family.father), browser(family.daughter)
    made = father.grant(family.daughter.national_id or "")
    assert made.status_code == 201, made.text
    d = made.json()
    assert (d["grantor"], d["delegate"]) == ({"id": family.father.id, "name": "บุญมี ใจดี"},
                                             {"id": family.daughter.id, "name": "สมใจ ใจดี"})
    assert (d["relationship"], d["services"], d["status"], d["made_at_counter"]) == ("child", ["*"], "active", False)
    assert d["valid_from"] == today().isoformat() and dt.date.fromisoformat(d["valid_until"]) > today()
    assert [x["id"] for x in father.get("/api/v1/delegations").json()["granted"]] == [d["id"]]
    assert [x["id"] for x in daughter.get("/api/v1/delegations").json()["received"]] == [d["id"]]
    assert daughter.get(ACTING).json() == {"person": None}

    switched = daughter.act_for(family.father.id)
    assert switched.status_code == 200 and switched.json() == {
        "person": {"id": family.father.id, "name": "บุญมี ใจดี", "services": ["*"]}}
    assert daughter.get(ACTING).json()["person"]["id"] == family.father.id
    assert daughter.get("/api/v1/delegations").status_code == 403  # his account is not hers to manage
    reference = daughter.ready()
    submitted = daughter.submit(reference)
    assert submitted.status_code == 200, submitted.text

    fresh(db)
    application = db.scalar(select(Application).where(Application.reference == reference))
    assert application is not None and application.citizen_id == family.father.id
    events = db.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)).all()
    assert {(e.actor_id, e.actor_role, e.on_behalf_of) for e in events} == {
        (family.daughter.id, "delegate", family.father.id)}
    assert father.get(f"/api/v1/applications/{reference}").status_code == 200  # it is his
    page = father.get("/me/delegations")
    assert page.status_code == 200 and reference in page.text and "สมใจ ใจดี" in page.text
    timeline = father.get(f"/applications/{reference}")
    assert "สมใจ ใจดี (ผู้รับมอบอำนาจ)" in timeline.text
    his_inbox = father.get("/api/v1/me/inbox").json()["items"]
    assert any(reference in m["subject"] and "สมใจ ใจดี" in m["subject"] for m in his_inbox)
    assert daughter.get("/api/v1/me/inbox").status_code == 403  # acting for him: her own inbox waits

    given = father.get("/api/v1/me/export").json()["delegations"]  # PDPA s. 30: in his export
    assert [(x["id"], x["side"], x["delegate"]) for x in given] == [(d["id"], "given", "สมใจ ใจดี")]

    assert father.call("DELETE", f"/api/v1/delegations/{d['id']}").status_code == 204
    assert daughter.get(ACTING).json() == {"person": None}  # the same session, the next request
    received = daughter.get("/api/v1/me/export").json()["delegations"]  # herself again: her own export
    assert [(x["id"], x["side"], x["status"]) for x in received] == [(d["id"], "received", "revoked")]
    assert daughter.get(f"/api/v1/applications/{reference}").status_code == 404
    assert daughter.get("/api/v1/delegations").json()["received"][0]["status"] == "revoked"
    assert father.call("DELETE", f"/api/v1/delegations/{d['id']}").status_code == 204  # again: no change
    told = [m["subject"] for m in daughter.get("/api/v1/me/inbox").json()["items"]]
    assert sum("บุญมี ใจดี" in s for s in told) == 2  # authorised, then ended

    fresh(db)
    row = db.get(Delegation, d["id"])
    assert row is not None and row.revoked_by_id == family.father.id and row.ledger_entry_id is not None
    openings = [json.loads(o.body) for o in db.scalars(select(LedgerOpening).where(
        LedgerOpening.subject == f"user:{family.father.id}"))]
    kinds = [(o["kind"], o["object"]) for o in openings if o["kind"].startswith("delegation.")]
    assert kinds == [("delegation.granted", f"delegation:{d['id']}"), ("delegation.revoked", f"delegation:{d['id']}")]
    for text in (json.dumps(o, ensure_ascii=False) for o in openings):
        for secret in ("บุญมี", "สมใจ", "ใจดี", family.father.national_id, family.daughter.national_id):
            assert secret not in text
    for who in (father, daughter):
        rows = who.get("/api/v1/me/data-tracker").json()["items"]
        assert [r["reference"] for r in rows if r["source"] == "delegation"] == [f"delegation-{d['id']}"]


def test_the_fields_are_checked_and_a_company_cannot_delegate(db: Session, family: Family,
                                                              browser: Callable[..., Browser]) -> None:
    father = browser(family.father)
    nid = family.daughter.national_id or ""
    cases = {
        "national_id": {"national_id": "1101700203451"},
        "relationship": {"relationship": "friend"},
        "services": {"services": ["vat-registration"]},
        "valid_from": {"valid_from": (today() - dt.timedelta(days=1)).isoformat()},
    }
    for field, change in cases.items():
        refused = father.call("POST", "/api/v1/delegations", json={
            "national_id": nid, "relationship": "child", "services": ["*"], **change})
        assert refused.status_code == 422 and refused.json()["error"] == "invalid_input", field
        assert field in refused.json()["fields"], (field, refused.json())
    myself = father.grant(family.father.national_id or "")
    assert myself.status_code == 422 and "national_id" in myself.json()["fields"]
    backwards = father.grant(nid, valid_from=(today() + dt.timedelta(days=5)).isoformat(),
                             valid_until=(today() + dt.timedelta(days=4)).isoformat())
    assert backwards.status_code == 422 and "valid_until" in backwards.json()["fields"]
    too_long = father.grant(nid, valid_until=(today() + dt.timedelta(days=3 * 366 + 1)).isoformat())
    assert too_long.status_code == 422 and "valid_until" in too_long.json()["fields"]
    several = father.call("POST", "/api/v1/delegations", json={"national_id": "", "relationship": "",
                                                               "services": []})
    assert set(several.json()["fields"]) == {"national_id", "relationship", "services"}
    assert db.scalar(select(Delegation.id)) is None  # nothing half-made

    session = father.web_session(db)  # what pracha.business's switch does to the session row
    session.acting_for, session.acting = "0505569012341", {"name_th": "บริษัท ทดสอบ จำกัด", "role": "director"}
    db.commit()
    company = father.grant(nid)
    assert company.status_code == 403 and company.json()["error"] == "acting_for_someone"


def test_either_side_ends_it_and_nobody_else_can(db: Session, family: Family, browser: Callable[..., Browser]) -> None:
    father, daughter, neighbour = browser(family.father), browser(family.daughter), browser(family.neighbour)
    first = father.grant(family.daughter.national_id or "").json()
    refused = neighbour.call("DELETE", f"/api/v1/delegations/{first['id']}")
    assert refused.status_code == 404 and refused.json()["error"] == "delegation_not_found"
    assert neighbour.call("DELETE", "/api/v1/delegations/999999").status_code == 404
    assert daughter.call("DELETE", f"/api/v1/delegations/{first['id']}").status_code == 204  # she gives it up
    assert father.get("/api/v1/delegations").json()["granted"][0]["status"] == "revoked"
    fresh(db)
    row = db.get(Delegation, first["id"])
    assert row is not None and row.revoked_by_id == family.daughter.id


def test_the_services_limit_holds(db: Session, family: Family, browser: Callable[..., Browser]) -> None:
    father, daughter = browser(family.father), browser(family.daughter)
    his = father.draft()
    assert his.status_code == 201
    assert father.grant(family.daughter.national_id or "", ["residence-certificate"]).status_code == 201
    assert daughter.act_for(family.father.id).json()["person"]["services"] == ["residence-certificate"]
    for refused in (daughter.draft(), daughter.get(f"/api/v1/applications/{his.json()['reference']}")):
        assert refused.status_code == 403 and refused.json()["error"] == "not_authorised_for_service"
    allowed = daughter.draft("residence-certificate", {"purpose": "job", "copies": 1, "delivery": "pickup"})
    assert allowed.status_code == 201, allowed.text


def test_no_switch_without_a_live_delegation_and_expiry_stops_it(db: Session, family: Family,
                                                                 browser: Callable[..., Browser]) -> None:
    father, daughter, neighbour = browser(family.father), browser(family.daughter), browser(family.neighbour)
    refused = neighbour.act_for(family.father.id)
    assert refused.status_code == 403 and refused.json()["error"] == "not_a_delegate"
    later = father.grant(family.neighbour.national_id or "", valid_from=(today() + dt.timedelta(days=2)).isoformat())
    assert later.status_code == 201 and later.json()["status"] == "scheduled"
    assert neighbour.act_for(family.father.id).json()["error"] == "not_a_delegate"  # not yet

    live = father.grant(family.daughter.national_id or "").json()
    session = daughter.web_session(db)
    session.acting_for, session.acting = "0505569012341", {"name_th": "บริษัท ทดสอบ จำกัด", "role": "director"}
    db.commit()
    assert daughter.act_for(family.father.id).status_code == 200
    fresh(db)
    session = daughter.web_session(db)
    assert (session.acting_for, session.acting, session.acting_for_person) == (None, None, family.father.id)
    reference = daughter.draft().json()["reference"]

    fresh(db)  # SQLite cannot turn a stale read into a write
    row = db.get(Delegation, live["id"])
    assert row is not None
    row.valid_until = today() - dt.timedelta(days=1)  # the last day has passed
    db.commit()
    assert daughter.get(ACTING).json() == {"person": None}
    assert daughter.get(f"/api/v1/applications/{reference}").status_code == 404
    assert daughter.get("/api/v1/delegations").json()["received"][0]["status"] == "expired"
    assert daughter.call("DELETE", ACTING).json() == {"person": None}
    fresh(db)
    assert daughter.web_session(db).acting_for_person is None
