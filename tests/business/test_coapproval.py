"""Co-approval under the demo company's signing rule (two directors jointly): the director's submit is
held; the same director cannot approve it; the other director approves and it is submitted; a change
after the request cancels it (409)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pracha.demo import KHAOSOI_LANNA
from tests.business.conftest import COMMERCIAL_FORM, Browser, People

pytestmark = pytest.mark.xdist_group("business-registry")


def _held(people: People, browser: Callable[..., Browser]) -> tuple[Browser, Browser, str]:
    somying, wichai = browser(people.somying), browser(people.wichai)
    somying.act_for(KHAOSOI_LANNA)
    wichai.act_for(KHAOSOI_LANNA)
    reference = somying.draft("commercial-registration", COMMERCIAL_FORM)
    somying.complete(reference, "commercial-registration")
    held = somying.call("POST", f"/api/v1/applications/{reference}/actions",
                        json={"action": "submit", "declaration": True})
    assert held.status_code == 202 and held.json()["status"] == "draft"
    assert held.json()["co_approval"]["requested_by"] == "สมหญิง รักไทย"
    return somying, wichai, reference


def test_second_director_co_approves_and_submits(people: People, browser: Callable[..., Browser]) -> None:
    somying, wichai, reference = _held(people, browser)
    page = wichai.get(f"/applications/{reference}")
    assert "รอกรรมการอีกท่านอนุมัติร่วม" in page.text and "อนุมัติร่วมและยื่นคำขอ" in page.text
    assert "อนุมัติร่วมและยื่นคำขอ" not in somying.get(f"/applications/{reference}").text
    same = somying.call("POST", f"/api/v1/applications/{reference}/co-approve", json={"declaration": True})
    assert same.status_code == 409 and same.json()["error"] == "co_approval_same_director"
    assert wichai.call("POST", f"/api/v1/applications/{reference}/co-approve", json={}).status_code == 422
    done = wichai.call("POST", f"/api/v1/applications/{reference}/co-approve", json={"declaration": True})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    shown = somying.get(f"/api/v1/applications/{reference}").json()
    assert shown["status"] == "submitted" and shown["co_approval"] is None


def test_changed_after_the_request_is_refused(people: People, browser: Callable[..., Browser]) -> None:
    somying, wichai, reference = _held(people, browser)
    changed = somying.call("PATCH", f"/api/v1/applications/{reference}",
                           json={"data": {**COMMERCIAL_FORM, "trade_name": "ข้าวซอยล้านนา สาขา 2"}})
    assert changed.status_code == 200 and changed.json()["co_approval"] is None
    refused = wichai.call("POST", f"/api/v1/applications/{reference}/co-approve", json={"declaration": True})
    assert refused.status_code == 409
    assert wichai.get(f"/api/v1/applications/{reference}").json()["status"] == "draft"


def test_the_check_page_holds_for_the_second_director(people: People, browser: Callable[..., Browser]) -> None:
    somying, wichai = browser(people.somying), browser(people.wichai)
    somying.act_for(KHAOSOI_LANNA)
    reference = somying.draft("commercial-registration", COMMERCIAL_FORM)
    somying.complete(reference, "commercial-registration")
    posted = somying.client.post(f"/applications/{reference}/check",
                                 data={"csrf_token": somying.csrf, "declaration": "on"})
    assert posted.status_code == 303 and "held=1" in posted.headers["location"]
    wichai.act_for(KHAOSOI_LANNA)
    approved = wichai.client.post(f"/applications/{reference}/co-approve",
                                  data={"csrf_token": wichai.csrf, "declaration": "yes"})
    assert approved.status_code == 303
    assert wichai.get(f"/api/v1/applications/{reference}").json()["status"] == "submitted"
