from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from pracha.identity.principal import Principal
from pracha.participation.errors import TooManyPosts
from pracha.participation.limits import LIMITS, check_rate
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import default_catalog_dir
from tests.factories import create_citizen


def test_complaints_are_limited_per_hour_with_retry_after(db: Session) -> None:
    rules = load_rules(default_catalog_dir())
    citizen = Principal(user=create_citizen(db))
    start = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)
    for minute in range(LIMITS["complaint"].per_hour):
        create_complaint(db, citizen, rules, Report("road", f"หลุมที่ {minute}", "ถนนเป็นหลุมหน้าบ้านเลขที่ 12",
                                                    "ศรีภูมิ"), now=start + dt.timedelta(minutes=minute))
    db.commit()
    with pytest.raises(TooManyPosts) as refused:
        create_complaint(db, citizen, rules, Report("road", "อีกหลุม", "ถนนเป็นหลุมหน้าบ้านเลขที่ 14", "ศรีภูมิ"),
                         now=start + dt.timedelta(minutes=30))
    assert refused.value.status_code == 429
    assert refused.value.headers["Retry-After"] == str(30 * 60 + 1)  # when the first of the hour leaves the window
    assert citizen.user is not None
    check_rate(db, "complaint", citizen.user.id, now=start + dt.timedelta(hours=1, minutes=1))  # an hour later: fine
