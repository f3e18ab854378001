"""The pages, without JavaScript, on both engines: the father authorises his daughter on
/me/delegations (errors beside the fields, in Thai); she chooses to act for him on /me/acting-for, sees
the banner on every page, and acts for herself again; either of them ends it with a button."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.db import utcnow
from tests.delegation.conftest import Browser, Family


def test_grant_switch_and_revoke_through_the_pages(db: Session, family: Family,
                                                   browser: Callable[..., Browser]) -> None:
    father, daughter = browser(family.father), browser(family.daughter)
    page = father.get("/me/delegations")
    assert page.status_code == 200 and "มอบอำนาจ" in page.text and 'href="/me/delegations"' in page.text
    today = utcnow().astimezone(BANGKOK).date()
    bad = father.form("/me/delegations", {"national_id": "123", "relationship": "child", "services": "*",
                                          "valid_from": today.isoformat(), "valid_until": "2000-01-01"})
    assert bad.status_code == 422 and 'id="error-national_id"' in bad.text and 'id="error-valid_until"' in bad.text
    assert 'id="field-national_id"' in bad.text and 'aria-invalid="true"' in bad.text
    made = father.form("/me/delegations", {"national_id": family.daughter.national_id, "relationship": "child",
                                           "services": ["elderly-allowance", "residence-certificate"],
                                           "valid_from": today.isoformat(), "valid_until": ""})
    assert made.status_code == 303 and made.headers["location"] == "/me/delegations?granted=1"
    given = father.get("/me/delegations?granted=1").text
    assert "สมใจ ใจดี" in given and "เบี้ยยังชีพผู้สูงอายุ" in given and 'role="status"' in given

    mine = daughter.get("/me/delegations").text
    assert "บุญมี ใจดี" in mine and 'name="grantor"' in mine
    choose = daughter.get("/me/acting-for")
    assert choose.status_code == 200 and f'value="{family.father.id}"' in choose.text
    switched = daughter.form("/me/acting-for", {"grantor": str(family.father.id)})
    assert switched.status_code == 303 and switched.headers["location"] == "/me"
    me = daughter.get("/me")
    assert me.status_code == 200 and "acting-banner" in me.text and "บุญมี ใจดี" in me.text
    assert daughter.get("/me/delegations").status_code == 403  # his delegations are his own
    assert daughter.get("/me/acting-for").status_code == 200  # the banner's "Switch"
    nobody = daughter.form("/me/acting-for", {"grantor": str(family.neighbour.id)})
    assert nobody.status_code == 403 and "error-summary" in nobody.text
    back = daughter.form("/me/acting-for", {"grantor": "self"})
    assert back.status_code == 303
    assert "acting-banner" not in daughter.get("/me").text

    delegation_id = daughter.get("/api/v1/delegations").json()["received"][0]["id"]
    ended = daughter.form(f"/me/delegations/{delegation_id}/revoke", {})
    assert ended.status_code == 303 and ended.headers["location"] == "/me/delegations?revoked=1"
    assert "เพิกถอนแล้ว" in father.get("/me/delegations").text or "Revoked" in father.get("/me/delegations").text
