"""The hearings' pages on both engines: the agency drafts through the form, a citizen answers through
the form (prefilled on return), the public page never names anyone, and the summary is written on the
staff page after the close."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.participation.models import Hearing
from tests.factories import create_citizen, create_staff, sign_in
from tests.participation.test_hearings_api import AGENCY, PDF


def test_draft_answer_and_summary_through_the_pages(db: Session, make_client: Callable[..., TestClient]) -> None:
    staff = make_client()
    officer = create_staff(db, "officer", AGENCY, first_name="ประเสริฐ", last_name="เจ้าหน้าที่")
    staff_csrf = sign_in(db, staff, officer)
    assert staff.get("/officer/hearings").status_code == 200
    today = dt.date.today()
    form = {"csrf_token": staff_csrf, "kind": "project", "title_th": "โครงการปรับปรุงทางเท้าถนนนิมมานเหมินท์",
            "summary_th": "ปรับปรุงทางเท้าให้กว้างขึ้น ปลูกต้นไม้ให้ร่มเงา และนำสายไฟลงดิน",
            "sections": "ทางเท้า | Pavements\nต้นไม้", "questions": "เห็นด้วยหรือไม่ :: เห็นด้วย / ไม่เห็นด้วย\nข้อเสนอแนะ",
            "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=10)).isoformat()}
    short = staff.post("/officer/hearings", data=form)
    assert short.status_code == 422 and "15" in short.text
    made = staff.post("/officer/hearings", data=form | {"closes_on": (today + dt.timedelta(days=20)).isoformat()})
    assert made.status_code == 303
    hid = int(made.headers["location"].split("/")[-1].split("?")[0])
    assert staff.post(f"/officer/hearings/{hid}/document", data={"csrf_token": staff_csrf},
                      files={"file": ("draft.pdf", PDF, "application/pdf")}).status_code == 303
    assert staff.post(f"/officer/hearings/{hid}/publish", data={"csrf_token": staff_csrf}).status_code == 303

    citizen_user = create_citizen(db, first_name="บุญมี", last_name="มีสุข")
    citizen = make_client()
    csrf = sign_in(db, citizen, citizen_user)
    page = citizen.get(f"/hearings/{hid}")
    assert page.status_code == 200 and 'name="answer_q1"' in page.text
    saved = citizen.post(f"/hearings/{hid}/response", data={
        "csrf_token": csrf, "answer_q1": "c1", "answer_q2": "<script>alert(1)</script>", "comment_s1": "ขอที่จอดจักรยาน",
        "publish_consent": "yes"})
    assert saved.status_code == 303
    again = citizen.get(f"/hearings/{hid}")
    assert 'value="c1" checked' in again.text and "ขอที่จอดจักรยาน" in again.text
    public = make_client().get(f"/hearings/{hid}")
    assert "ขอที่จอดจักรยาน" in public.text and 'name="target_kind" value="hearing_response"' in public.text
    for secret in ("บุญมี", "มีสุข", citizen_user.national_id, "ประเสริฐ"):
        assert secret not in public.text
    assert make_client().get("/hearings").text.count(f'href="/hearings/{hid}"') == 1

    hearing = db.get(Hearing, hid)
    assert hearing is not None
    db.refresh(hearing)
    hearing.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.commit()
    staff_page = staff.get(f"/officer/hearings/{hid}")
    assert staff_page.status_code == 200 and "&lt;script&gt;" in staff_page.text and "บุญมี" not in staff_page.text
    refused = staff.post(f"/officer/hearings/{hid}/report", data={"csrf_token": staff_csrf, "text_th": " "})
    assert refused.status_code == 422
    done = staff.post(f"/officer/hearings/{hid}/report", data={
        "csrf_token": staff_csrf, "text_th": "ประชาชนส่วนใหญ่เห็นด้วย", "issue_th_1": "ที่จอดจักรยาน",
        "response_th_1": "จะจัดที่จอดจักรยานทุก 200 เมตร"})
    assert done.status_code == 303
    shown = make_client().get(f"/hearings/{hid}?lang=en")
    assert "จะจัดที่จอดจักรยานทุก 200 เมตร" in shown.text and f"/data/dataset/hearing-{hid}-results" in shown.text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown.text.split("<main", 1)[-1])  # no ISO dates for citizens
