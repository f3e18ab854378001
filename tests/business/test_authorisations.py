"""A director authorises an employee for one service: the employee switches, sees and acts on that
service's applications of the company only; after the revoke, the same session is refused (403). Grants
and revokes are in the ledger (naming the organisation), the grantee's inbox, both data trackers and the
privacy export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.demo import KHAOSOI_LANNA, MALEE
from pracha.identity.models import ActingGrant
from pracha.ledger.models import LedgerOpening
from tests.business.conftest import COMMERCIAL_FORM, Browser, People

pytestmark = pytest.mark.xdist_group("business-registry")
AUTHORISATIONS = f"/api/v1/organisations/{KHAOSOI_LANNA}/authorisations"


def _grant(director: Browser, services: list[str], days: int = 365) -> dict:
    today = dt.date.today()
    made = director.call("POST", AUTHORISATIONS, json={
        "national_id": MALEE[2], "services": services, "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=days)).isoformat()})
    assert made.status_code == 201, made.text
    return made.json()


def test_employee_acts_on_granted_service_only_until_revoked(db: Session, people: People,
                                                             browser: Callable[..., Browser]) -> None:
    somying = browser(people.somying)
    somying.act_for(KHAOSOI_LANNA)
    granted_ref = somying.draft("commercial-registration", COMMERCIAL_FORM)
    other_ref = somying.draft("residence-certificate", {"purpose": "job"})
    grant = _grant(somying, ["commercial-registration"])
    assert grant["grantee"]["national_id_masked"].startswith("1-xxxx") and grant["revoked_at"] is None

    malee = browser(people.malee)
    assert {"juristic_id": KHAOSOI_LANNA, "name_th": "บริษัท ข้าวซอยล้านนา จำกัด",
            "name_en": "Khao Soi Lanna Company Limited", "role": "authorised"} in malee.get(
        "/api/v1/me/organisations").json()
    assert malee.act_for(KHAOSOI_LANNA).json()["role"] == "authorised"
    assert malee.get(f"/api/v1/applications/{granted_ref}").status_code == 200
    changed = malee.call("PATCH", f"/api/v1/applications/{granted_ref}", json={"data": COMMERCIAL_FORM})
    assert changed.status_code == 200
    denied = malee.get(f"/api/v1/applications/{other_ref}")
    assert denied.status_code == 403 and denied.json()["error"] == "not_authorised_for_organisation"
    assert malee.call("GET", AUTHORISATIONS).status_code == 403  # only a director manages them
    assert malee.call("POST", "/api/v1/applications", json={
        "service_id": "residence-certificate", "data": {"purpose": "job"}}).status_code == 403

    revoked = somying.call("DELETE", f"{AUTHORISATIONS}/{grant['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert somying.call("DELETE", f"{AUTHORISATIONS}/{grant['id']}").status_code == 200  # idempotent
    after = malee.get(f"/api/v1/applications/{granted_ref}")  # the same session
    assert after.status_code == 403 and after.json()["error"] == "not_authorised_for_organisation"

    db.expire_all()
    row = db.scalar(select(ActingGrant).where(ActingGrant.id == grant["id"]))
    assert row is not None and row.ledger_entry_id is not None
    kinds = [json.loads(o.body) for o in db.scalars(select(LedgerOpening).where(
        LedgerOpening.subject == f"user:{people.malee.id}"))]
    assert [(k["kind"], k["object"]) for k in kinds if k["kind"].startswith("acting.")] == [
        ("acting.granted", f"organisation:{KHAOSOI_LANNA}"), ("acting.revoked", f"organisation:{KHAOSOI_LANNA}")]
    inbox = malee.get("/api/v1/me/inbox").json()["items"]
    assert any("บริษัท ข้าวซอยล้านนา จำกัด" in m["subject"] for m in inbox)
    for who in (malee, somying):
        rows = who.get("/api/v1/me/data-tracker").json()["items"]
        assert any(r["source"] == "acting" for r in rows)
    exported = malee.get("/api/v1/me/export").json()["acting_authorisations"]
    assert [(e["juristic_id"], e["side"]) for e in exported] == [(KHAOSOI_LANNA, "received")]


def test_only_a_director_grants_and_the_dates_are_checked(people: People, browser: Callable[..., Browser]) -> None:
    somying = browser(people.somying)
    assert somying.call("GET", AUTHORISATIONS).status_code == 403  # not acting for it yet
    somying.act_for(KHAOSOI_LANNA)
    today = dt.date.today()
    body = {"national_id": MALEE[2], "services": ["*"], "valid_from": today.isoformat()}
    backwards = somying.call("POST", AUTHORISATIONS, json={**body, "valid_until": (today - dt.timedelta(days=1))
                                                           .isoformat()})
    assert backwards.status_code == 422 and "valid_until" in backwards.json()["fields"]
    too_long = somying.call("POST", AUTHORISATIONS, json={**body, "valid_until": (today + dt.timedelta(days=4 * 365))
                                                          .isoformat()})
    assert too_long.status_code == 422
    nobody = somying.call("POST", AUTHORISATIONS, json={**body, "national_id": "1101700203451",
                                                        "valid_until": today.isoformat()})
    assert nobody.status_code == 422 and "national_id" in nobody.json()["fields"]
    assert somying.call("POST", AUTHORISATIONS, json={**body, "services": ["no-such-service"],
                                                      "valid_until": today.isoformat()}).status_code == 422
    page = somying.get("/business/people")
    assert page.status_code == 200 and "มอบอำนาจให้บุคคล" in page.text
