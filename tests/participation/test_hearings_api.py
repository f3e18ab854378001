"""Public hearings through the HTTP API, on SQLite and PostgreSQL: drafting rules, one answer per
citizen (editable until the close), the tally entry, the summary after the close and its open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.ledger.models import LedgerEntry
from pracha.opendata.models import OpenDataset
from pracha.participation.models import Hearing, HearingResponse
from tests.factories import create_citizen, create_staff, sign_in

AGENCY = "cm-city-environment"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def draft_body(days: int = 20, start: dt.timedelta = dt.timedelta(minutes=-1), **overrides: Any) -> dict[str, Any]:
    opens = dt.datetime.now(dt.UTC) + start
    body = {"kind": "ordinance", "title_th": "ร่างเทศบัญญัติการจัดการขยะ พ.ศ. 2570",
            "summary_th": "ร่างนี้กำหนดอัตราค่าธรรมเนียมเก็บขนขยะและการคัดแยกขยะที่ต้นทางของครัวเรือน",
            "sections": [{"id": "s1", "title_th": "หมวด 1 บททั่วไป"}, {"id": "s2", "title_th": "หมวด 2 ค่าธรรมเนียม"}],
            "questions": [{"id": "q1", "kind": "choice", "text_th": "เห็นด้วยกับอัตราค่าธรรมเนียมหรือไม่",
                           "choices": [{"id": "yes", "th": "เห็นด้วย"}, {"id": "no", "th": "ไม่เห็นด้วย"}]},
                          {"id": "q2", "kind": "text", "text_th": "ข้อเสนอแนะอื่น"}],
            "opens_at": opens.isoformat(), "closes_at": (opens + dt.timedelta(days=days)).isoformat()}
    return body | overrides


class World:
    def __init__(self, db: Session, make_client: Callable[..., TestClient]) -> None:
        self.db, self.make_client = db, make_client
        self.staff = make_client()
        self.staff_csrf = sign_in(db, self.staff, create_staff(db, "officer", AGENCY))

    def staff_post(self, path: str, **kwargs: Any) -> Any:
        return self.staff.post(path, headers={"X-CSRF-Token": self.staff_csrf}, **kwargs)

    def open_hearing(self) -> int:
        made = self.staff_post("/api/v1/hearings", json=draft_body())
        assert made.status_code == 201, made.text
        hid = made.json()["id"]
        assert self.staff_post(f"/api/v1/hearings/{hid}/document",
                               files={"file": ("draft.pdf", PDF, "application/pdf")}).status_code == 201
        assert self.staff_post(f"/api/v1/hearings/{hid}/publish").status_code == 200
        return int(hid)

    def citizen(self) -> tuple[TestClient, str]:
        client = self.make_client()
        return client, sign_in(self.db, client, create_citizen(self.db))

    def close(self, hid: int) -> None:
        hearing = self.db.get(Hearing, hid)
        assert hearing is not None
        self.db.refresh(hearing)
        hearing.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        self.db.commit()


def put(client: TestClient, csrf: str, hid: int, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/hearings/{hid}/response", json=body, headers={"X-CSRF-Token": csrf})


def test_a_hearing_lasts_at_least_the_minimum_days(db: Session, make_client: Callable[..., TestClient]) -> None:
    world = World(db, make_client)
    short = world.staff_post("/api/v1/hearings", json=draft_body(days=14))
    assert short.status_code == 422 and "closes_at" in short.json()["fields"]
    assert "15" in short.json()["fields"]["closes_at"]
    no_choices = [{"id": "q1", "kind": "choice", "text_th": "ข้อ", "choices": []}]
    bad = world.staff_post("/api/v1/hearings", json=draft_body(kind="poem", questions=no_choices))
    assert bad.status_code == 422 and {"kind", "questions"} <= set(bad.json()["fields"])
    made = world.staff_post("/api/v1/hearings", json=draft_body(days=15, start=dt.timedelta(hours=1)))
    assert made.status_code == 201 and made.json()["status"] == "draft"
    hid = made.json()["id"]
    # a draft is not public, and cannot be published without its PDF
    assert make_client().get(f"/api/v1/hearings/{hid}").status_code == 404
    assert world.staff_post(f"/api/v1/hearings/{hid}/publish").json()["fields"].keys() == {"file"}
    assert world.staff_post(f"/api/v1/hearings/{hid}/document",
                            files={"file": ("x.pdf", b"<html>", "application/pdf")}).status_code == 422
    assert world.staff_post(f"/api/v1/hearings/{hid}/document",
                            files={"file": ("x.pdf", PDF, "application/pdf")}).status_code == 201
    assert world.staff_post(f"/api/v1/hearings/{hid}/publish").status_code == 200
    public = make_client().get(f"/api/v1/hearings/{hid}")
    assert public.status_code == 200 and public.json()["status"] == "upcoming"
    assert make_client().get(f"/api/v1/hearings/{hid}/document").content == PDF
    # the period is fixed once published
    assert world.staff_post(f"/api/v1/hearings/{hid}/document",
                            files={"file": ("x.pdf", PDF, "application/pdf")}).status_code == 409
    assert world.staff_post(f"/api/v1/hearings/{hid}/publish").status_code == 409


def test_once_per_citizen_editable_and_one_tally_entry(db: Session, make_client: Callable[..., TestClient]) -> None:
    world = World(db, make_client)
    hid = world.open_hearing()
    client, csrf = world.citizen()
    assert client.get(f"/api/v1/hearings/{hid}/response").status_code == 404
    first = put(client, csrf, hid, {"answers": {"q1": "yes"}, "comments": {"s2": "แพงไป"}, "publish_consent": True})
    assert first.status_code == 201, first.text
    commitment = first.json()["commitment"]
    again = put(client, csrf, hid, {"answers": {"q1": "no", "q2": "ลดค่าธรรมเนียมผู้สูงอายุ"}, "comments": {}})
    assert again.status_code == 200 and again.json()["answers"] == {"q1": "no", "q2": "ลดค่าธรรมเนียมผู้สูงอายุ"}
    assert again.json()["commitment"] == commitment
    assert db.scalar(select(func.count()).select_from(HearingResponse).where(HearingResponse.hearing_id == hid)) == 1
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "tally.hearing.response")).all()
    assert len(entries) == 1 and entries[0].opening is not None
    assert f"hearing:{hid}/{commitment}".encode() in entries[0].opening.body
    assert client.get(f"/api/v1/hearings/{hid}/response").json()["answers"]["q1"] == "no"
    # answers are checked against the questions
    wrong = put(client, csrf, hid, {"answers": {"q1": "maybe", "q9": "x"}, "comments": {"s1": "ก" * 2001}})
    assert wrong.status_code == 422
    assert set(wrong.json()["fields"]) == {"answers.q1", "answers.q9", "comments.s1"}
    other, other_csrf = world.citizen()
    assert put(other, other_csrf, hid, {"answers": {"q1": "yes"}}).status_code == 201
    detail = make_client().get(f"/api/v1/hearings/{hid}").json()
    assert detail["responses"] == 2 and detail["counts"] == {"q1": {"yes": 1, "no": 1}}
    tally = detail["tally"]
    assert tally["ledger_first_index"] is not None and tally["ledger_last_index"] > tally["ledger_first_index"]


def test_no_answer_after_the_close(db: Session, make_client: Callable[..., TestClient]) -> None:
    world = World(db, make_client)
    hid = world.open_hearing()
    client, csrf = world.citizen()
    assert put(client, csrf, hid, {"answers": {"q1": "yes"}}).status_code == 201
    world.close(hid)
    late = put(client, csrf, hid, {"answers": {"q1": "no"}})
    assert late.status_code == 409 and late.json()["error"] == "not_open"
    newcomer, newcomer_csrf = world.citizen()
    assert put(newcomer, newcomer_csrf, hid, {"answers": {"q1": "no"}}).status_code == 409
    assert make_client().get(f"/api/v1/hearings/{hid}").json()["status"] == "closed"


def test_report_only_after_close_and_consent_respected_in_open_data(db: Session,
                                                                  make_client: Callable[..., TestClient]) -> None:
    world = World(db, make_client)
    hid = world.open_hearing()
    answers = [("yes", "ควรเก็บขยะทุกวัน", True), ("no", "ข้อความที่ไม่ยินยอมเผยแพร่", False),
               ("yes", "ข้อความที่ผู้ดูแลซ่อน", True)]
    for choice, comment, consent in answers:
        client, csrf = world.citizen()
        assert put(client, csrf, hid, {"answers": {"q1": choice}, "comments": {"s1": comment},
                                       "publish_consent": consent}).status_code == 201
    hidden = db.scalars(select(HearingResponse).where(HearingResponse.hearing_id == hid)
                        .order_by(HearingResponse.id.desc())).first()
    assert hidden is not None
    hidden.hidden_at, hidden.hidden_reason = dt.datetime.now(dt.UTC), "ถ้อยคำไม่สุภาพ"
    db.commit()
    report = {"text_th": "ผู้แสดงความคิดเห็นส่วนใหญ่เห็นด้วย", "issues": [
        {"issue_th": "ความถี่ในการเก็บขยะ", "response_th": "จะเพิ่มรอบเก็บในเขตตลาด"}]}
    early = world.staff_post(f"/api/v1/hearings/{hid}/report", json=report)
    assert early.status_code == 409 and early.json()["error"] == "hearing_not_closed"
    public = make_client().get(f"/api/v1/hearings/{hid}").json()
    assert [(c["number"], c["text"], c["hidden_reason"]) for c in public["comments"]] == [
        (1, "ควรเก็บขยะทุกวัน", None), (3, None, "ถ้อยคำไม่สุภาพ")]
    world.close(hid)
    citizen, citizen_csrf = world.citizen()
    assert citizen.post(f"/api/v1/hearings/{hid}/report", json=report,
                        headers={"X-CSRF-Token": citizen_csrf}).status_code == 403
    done = world.staff_post(f"/api/v1/hearings/{hid}/report", json=report)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "reported" and done.json()["report"]["issues"][0]["issue_th"] == "ความถี่ในการเก็บขยะ"
    assert done.json()["dataset"]["name"] == f"hearing-{hid}-results"
    assert world.staff_post(f"/api/v1/hearings/{hid}/report", json=report).status_code == 409
    dataset = db.scalar(select(OpenDataset).where(OpenDataset.name == f"hearing-{hid}-results"))
    assert dataset is not None and dataset.owner_org == AGENCY
    package = make_client().get("/api/3/action/package_show", params={"id": dataset.name}).json()["result"]
    texts = {}
    for resource in package["resources"]:
        got = make_client().get(resource["url"].replace("http://testserver", ""), follow_redirects=True)
        assert got.status_code == 200
        texts[resource["name"]] = list(csv.reader(io.StringIO(got.content.decode("utf-8"))))
    counts = texts["จำนวนคำตอบแยกตามคำถามและตัวเลือก"]
    assert counts[1:] == [["q1", "เห็นด้วยกับอัตราค่าธรรมเนียมหรือไม่", "yes", "เห็นด้วย", "2"],
                          ["q1", "เห็นด้วยกับอัตราค่าธรรมเนียมหรือไม่", "no", "ไม่เห็นด้วย", "1"]]
    comments = texts["ความคิดเห็นที่ยินยอมให้เผยแพร่"]
    assert comments[1:] == [["1", "s1", "หมวด 1 บททั่วไป", "ควรเก็บขยะทุกวัน"]]
