"""Participation in the PDPA export and erasure, through the real routes: a closed complaint loses what
could identify its reporter, an open one is kept (and the account with it), hearing comments go."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.principal import Principal
from pracha.participation.models import CLOSED, Complaint, ComplaintPhoto, Hearing, HearingResponse, Petition
from pracha.participation.photos import clean_photo
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import default_catalog_dir
from tests.factories import create_citizen, sign_in
from tests.participation.test_reports import phone_photo
from tests.privacy.helpers import ask, decide, dpo_client


def _world(db: Session) -> tuple[Any, Complaint, Complaint]:
    rules = load_rules(default_catalog_dir())
    citizen = create_citizen(db, first_name="ผู้แจ้ง")
    me = Principal(user=citizen)
    photo = clean_photo(phone_photo())
    done = create_complaint(db, me, rules, Report("lighting", "ไฟทางดับทั้งซอย", "ไฟทางดับทั้งซอย 3 มาสองสัปดาห์แล้ว",
                                                  "ช้างคลาน", 18.7761234, 98.9987654, photos=[photo]))
    done.status = CLOSED
    still_open = create_complaint(db, me, rules, Report("waste", "ขยะไม่ถูกเก็บ", "ขยะไม่ถูกเก็บมาหนึ่งสัปดาห์แล้ว",
                                                        "หายยา"))
    now = dt.datetime.now(dt.UTC)
    hearing = Hearing(agency="cm-city-environment", kind="ordinance", title_th="ร่างเทศบัญญัติทดสอบ", summary_th="สรุป",
                      opens_at=now, closes_at=now + dt.timedelta(days=15), status="open")
    db.add(hearing)
    db.flush()
    db.add(HearingResponse(hearing_id=hearing.id, user_id=citizen.id, answers={"q1": "agree"},
                           comments={"s1": "บ้านเลขที่ 9 ของผม"}, publish_consent=True, commitment="hmac-sha256:00"))
    db.add(Petition(agency="cm-city-environment", creator_id=citizen.id, title="ขอถังขยะเพิ่ม", body="ขอถังขยะเพิ่มในชุมชน",
                    threshold=1000, response_days=30))
    db.commit()
    return citizen, done, still_open


def test_export_has_complaints_answers_and_petitions(db: Session, make_client: Any) -> None:
    citizen, done, still_open = _world(db)
    client = make_client()
    sign_in(db, client, citizen)
    part = client.get("/api/v1/me/export").json()["participation"]
    assert [c["reference"] for c in part["complaints"]] == [done.reference, still_open.reference]
    assert part["complaints"][0]["latitude"] == 18.7761234
    assert part["hearing_answers"][0]["comments"] == {"s1": "บ้านเลขที่ 9 ของผม"}
    assert [p["title"] for p in part["petitions_started"]] == ["ขอถังขยะเพิ่ม"]


def test_erasure_keeps_open_complaints_and_clears_the_rest(db: Session, make_client: Any) -> None:
    citizen, done, still_open = _world(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    made = ask(client, csrf, kind="erasure", fields=["participation"]).json()
    _, dpo, dpo_csrf = dpo_client(db, make_client)
    response = decide(dpo, dpo_csrf, made["id"], "approve", "ลบส่วนที่ลบได้")
    assert response.status_code == 200, response.text
    outcome = response.json()["outcome"]
    assert "participation" in outcome["erased"]
    assert f"complaint:{still_open.reference}" in {k["what"] for k in outcome["restricted"]}
    db.expire_all()
    erased, kept = db.get(Complaint, done.id), db.get(Complaint, still_open.id)
    assert erased is not None and kept is not None
    assert erased.latitude is None and erased.anonymous and "ไฟทางดับ" not in erased.description
    assert db.scalar(select(ComplaintPhoto).where(ComplaintPhoto.complaint_id == done.id)) is None
    assert kept.description == "ขยะไม่ถูกเก็บมาหนึ่งสัปดาห์แล้ว"
    answer = db.scalar(select(HearingResponse).where(HearingResponse.user_id == citizen.id))
    assert answer is not None and answer.comments == {} and answer.answers == {"q1": "agree"}
    assert db.scalar(select(Petition.creator_id).where(Petition.title == "ขอถังขยะเพิ่ม")) is None
