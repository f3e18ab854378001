"""Finding 4: a Buddhist-Era 29 February at sign-up answered 500 (parsed as a Gregorian date first)
or was refused although the person was born on a leap day."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import parse_day
from pracha.identity.models import User
from tests.factories import csrf_token, new_national_id
from tests.identity.test_signup_signin import signup


@pytest.mark.parametrize(("text", "day"), [
    ("2543-02-29", dt.date(2000, 2, 29)), ("29/02/2543", dt.date(2000, 2, 29)), ("2000-02-29", dt.date(2000, 2, 29)),
    ("2547-02-29", dt.date(2004, 2, 29)), ("1/5/2510", dt.date(1967, 5, 1)),
    ("2542-02-29", None), ("2544-02-29", None), ("29/02/2542", None), ("1999-02-29", None),
    ("2543-13-01", None), ("๒๕๔๓-๐๒-๒๙", None), ("", None), ("2543/02", None),
])
def test_parse_day_settles_the_era_before_the_day(text: str, day: dt.date | None) -> None:
    assert parse_day(text) == day


def test_finding_4_leap_day_in_the_buddhist_era_by_api(client: TestClient, db: Session) -> None:
    headers = {"X-CSRF-Token": csrf_token(client)}
    body = {"first_name": "สมศรี", "last_name": "มีสุข", "password": "a long enough password"}
    ok = client.post("/api/v1/citizens", headers=headers,
                     json={**body, "national_id": new_national_id(), "birth_date": "2543-02-29"})
    assert ok.status_code == 201, ok.text
    assert db.scalar(select(User.birth_date).where(User.id == ok.json()["user"]["id"])) == dt.date(2000, 2, 29)
    for wrong in ("2542-02-29", "2544-02-29"):  # 1999 and 2001: no 29 February (2544 was leap as a CE year)
        bad = client.post("/api/v1/citizens", headers={"X-CSRF-Token": csrf_token(client)},
                          json={**body, "national_id": new_national_id(), "birth_date": wrong})
        assert bad.status_code == 422, bad.text
        assert "ไม่มีวันที่นี้ในปฏิทิน" in bad.json()["fields"]["birth_date"]


def test_finding_4_leap_day_in_the_buddhist_era_by_form(client: TestClient, db: Session) -> None:
    bad = signup(client, birth_date="2544-02-29")
    assert bad.status_code == 422 and "ไม่มีวันที่นี้ในปฏิทิน" in bad.text  # was 500
    nid = new_national_id()
    ok = signup(client, national_id=nid, birth_date="29/02/2543")
    assert ok.status_code == 303
    assert db.scalar(select(User.birth_date).where(User.national_id_index == nid)) == dt.date(2000, 2, 29)
