"""One test per complaint rule: routing and forwarding, the reopen window, one rating, who sees a
confidential complaint, rounding of a private place, hidden text, and the deadline job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput
from pracha.identity.principal import Principal
from pracha.notices.models import InboxMessage
from pracha.participation import complaints
from pracha.participation.complaint_deadlines import check_deadlines
from pracha.participation.complaint_view import complaint_view, get_complaint
from pracha.participation.errors import ComplaintNotFound
from pracha.participation.models import Complaint
from pracha.participation.photos import clean_photo
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import Rules, load_rules
from pracha.services.catalog import Catalog, default_catalog_dir
from tests.factories import create_citizen, create_staff, sign_in
from tests.participation.test_complaint_api import jpeg

AGENCIES = ("cm-city-engineering", "cm-city-environment", "maehia-municipality", "cm-damrongdhama")


@pytest.fixture
def rules() -> Rules:
    return load_rules(default_catalog_dir())


def new(db: Session, rules: Rules, category: str = "road", tambon: str = "ศรีภูมิ", **more: object
        ) -> tuple[Principal, Complaint]:
    reporter = Principal(user=create_citizen(db))
    complaint = create_complaint(db, reporter, rules, Report(category, "เรื่องทดสอบ", "รายละเอียดของปัญหาที่พบ",
                                                             tambon, **more))  # type: ignore[arg-type]
    db.commit()
    return reporter, complaint


def staff(db: Session, role: str, agency: str) -> Principal:
    return Principal(user=create_staff(db, role, agency))


def test_routing_by_category_and_sub_district(db: Session, rules: Rules) -> None:
    assert new(db, rules, "road", "แม่เหียะ")[1].agency == "maehia-municipality"
    assert new(db, rules, "lighting", "สุเทพ")[1].agency == "cm-city-engineering"
    assert new(db, rules, "noise", "แม่เหียะ")[1].agency == "cm-city-environment"
    assert new(db, rules, "corruption", "สุเทพ")[1].agency == "cm-damrongdhama"


def test_forward_changes_the_unit_needs_a_reason_and_not_itself(db: Session, rules: Rules) -> None:
    _, complaint = new(db, rules, "road", "สุเทพ")
    engineer, environment = staff(db, "officer", "cm-city-engineering"), staff(db, "officer", "cm-city-environment")
    with pytest.raises(InvalidInput):
        complaints.act(db, engineer, rules, complaint, "forward", "", agency="cm-city-environment", agencies=AGENCIES)
    with pytest.raises(InvalidInput):
        complaints.act(db, engineer, rules, complaint, "forward", "ไม่ใช่งานเรา", agency="cm-city-engineering",
                       agencies=AGENCIES)
    with pytest.raises(InvalidInput):
        complaints.act(db, engineer, rules, complaint, "forward", "ไม่ใช่งานเรา", agency="nowhere", agencies=AGENCIES)
    complaints.act(db, engineer, rules, complaint, "forward", "เป็นเรื่องขยะ", agency="cm-city-environment",
                   agencies=AGENCIES)
    assert complaint.agency == "cm-city-environment" and complaint.status == "new"
    assert complaint.first_response_at is not None
    with pytest.raises(Forbidden):
        complaints.act(db, engineer, rules, complaint, "accept", agencies=AGENCIES)
    complaints.act(db, environment, rules, complaint, "accept", agencies=AGENCIES)
    assert complaint.status == "accepted"


def test_reopen_once_within_the_window(db: Session, rules: Rules) -> None:
    officer = staff(db, "officer", "cm-city-engineering")
    after = [clean_photo(jpeg(gps=False))]
    reporter, complaint = new(db, rules)
    answered = utcnow() - dt.timedelta(days=rules.reopen_within_days + 1)
    complaints.act(db, officer, rules, complaint, "resolve", "เสร็จแล้ว", photos=after, now=answered)
    with pytest.raises(complaints.WrongStatus):  # too late
        complaints.reopen(db, reporter, rules, complaint, "ยังไม่เสร็จ")
    reporter, complaint = new(db, rules)
    complaints.act(db, officer, rules, complaint, "reject", "ไม่อยู่ในเขตรับผิดชอบ")
    complaints.reopen(db, reporter, rules, complaint, "อยู่ในเขตจริง")
    assert complaint.status == "reopened" and complaint.sla_due_at > utcnow() + dt.timedelta(days=14)
    complaints.act(db, officer, rules, complaint, "resolve", "เสร็จแล้ว", photos=after)
    with pytest.raises(complaints.WrongStatus):  # only once
        complaints.reopen(db, reporter, rules, complaint, "อีกครั้ง")


def test_rating_once_and_only_after_the_answer(db: Session, rules: Rules) -> None:
    reporter, complaint = new(db, rules)
    with pytest.raises(complaints.WrongStatus):
        complaints.rate(db, reporter, complaint, 5)
    complaints.act(db, staff(db, "agency_admin", "cm-city-engineering"), rules, complaint, "reject", "ซ้ำกับเรื่องเดิม")
    complaints.rate(db, reporter, complaint, 2, "ไม่พอใจ")
    assert (complaint.status, complaint.rating) == ("closed", 2)
    with pytest.raises(complaints.WrongStatus):
        complaints.rate(db, reporter, complaint, 5)


def test_confidential_is_for_the_reporter_and_the_units_inspectors(
        db: Session, rules: Rules, make_client: Callable[..., TestClient]) -> None:
    reporter, complaint = new(db, rules, "corruption")
    inspector = staff(db, "inspector", "cm-damrongdhama")
    for outsider in (Principal(), Principal(user=create_citizen(db)), staff(db, "officer", "cm-damrongdhama"),
                     staff(db, "platform_admin", "cm-damrongdhama"), staff(db, "auditor", "cm-damrongdhama"),
                     staff(db, "inspector", "cm-city-engineering")):
        with pytest.raises(ComplaintNotFound):
            get_complaint(db, outsider, complaint.reference)
    assert get_complaint(db, reporter, complaint.reference) is complaint
    assert get_complaint(db, inspector, complaint.reference) is complaint
    with pytest.raises(Forbidden):
        complaints.act(db, staff(db, "officer", "cm-damrongdhama"), rules, complaint, "accept")
    complaints.act(db, inspector, rules, complaint, "reject", "ไม่มีมูล")
    assert not any(e.public for e in complaint.events)
    client = make_client()
    assert client.get(f"/api/v1/complaints/{complaint.reference}").status_code == 404
    assert complaint.reference not in client.get("/api/v1/complaints").text
    inspector_client = make_client()
    assert inspector is not None and inspector.user is not None
    sign_in(db, inspector_client, inspector.user)
    assert inspector_client.get(f"/api/v1/complaints/{complaint.reference}").status_code == 200
    _, still_open = new(db, rules, "corruption")
    assert still_open.reference in inspector_client.get("/officer/complaints").text
    officer_client = make_client()
    sign_in(db, officer_client, create_staff(db, "officer", "cm-damrongdhama"))
    assert still_open.reference not in officer_client.get("/officer/complaints").text


def test_private_place_is_rounded_for_the_public(db: Session, rules: Rules, catalog: Catalog) -> None:
    reporter, complaint = new(db, rules, latitude=18.7883456, longitude=98.9853219, private_place=True)
    public = complaint_view(complaint, Principal(), rules, catalog)
    assert public["location"] == {"latitude": 18.788, "longitude": 98.985, "exact": False}
    assert complaint_view(complaint, reporter, rules, catalog)["location"]["latitude"] == 18.7883456
    _, open_place = new(db, rules, latitude=18.7883456, longitude=98.9853219)
    assert complaint_view(open_place, Principal(), rules, catalog)["location"]["exact"] is True
    _, nowhere = new(db, rules)
    assert complaint_view(nowhere, Principal(), rules, catalog)["location"] is None


def test_hidden_text_shows_the_public_only_the_reason(db: Session, rules: Rules, catalog: Catalog) -> None:
    reporter, complaint = new(db, rules)
    event = complaints.act(db, staff(db, "officer", "cm-city-engineering"), rules, complaint, "reply", "ข้อความ")
    complaint.hidden_at, complaint.hidden_reason = utcnow(), "ข้อมูลส่วนบุคคลของผู้อื่น"
    event.hidden_at, event.hidden_reason = utcnow(), "ถ้อยคำไม่เหมาะสม"
    public = complaint_view(complaint, Principal(), rules, catalog)
    assert public["title"] == public["description"] == "ข้อมูลส่วนบุคคลของผู้อื่น" and public["photos"] == []
    assert public["events"][-1]["note"] == "ถ้อยคำไม่เหมาะสม"
    own = complaint_view(complaint, reporter, rules, catalog)
    assert own["description"] == "รายละเอียดของปัญหาที่พบ" and own["events"][-1]["note"] == "ข้อความ"


def test_deadlines_remind_once_then_escalate_once(db: Session, rules: Rules) -> None:
    officer, admin = create_staff(db, "officer", "cm-city-environment"), create_staff(
        db, "agency_admin", "cm-city-environment")
    _, complaint = new(db, rules, "waste")  # due in 3 days; reminded 2 days before
    start = complaint.sla_due_at - dt.timedelta(days=3)
    assert check_deadlines(db, rules, start) == {"reminded": 0, "escalated": 0}
    soon = complaint.sla_due_at - dt.timedelta(days=1)
    assert check_deadlines(db, rules, soon) == {"reminded": 1, "escalated": 0}
    assert check_deadlines(db, rules, soon + dt.timedelta(hours=1)) == {"reminded": 0, "escalated": 0}
    late = complaint.sla_due_at + dt.timedelta(hours=1)
    assert check_deadlines(db, rules, late) == {"reminded": 0, "escalated": 1}
    assert check_deadlines(db, rules, late + dt.timedelta(hours=1)) == {"reminded": 0, "escalated": 0}
    db.commit()
    assert complaint.events[-1].action == "escalate" and not complaint.events[-1].public
    inbox = {u: db.scalars(select(InboxMessage).where(InboxMessage.user_id == u)).all() for u in (officer.id, admin.id)}
    assert len(inbox[officer.id]) == 1 and len(inbox[admin.id]) == 1
