""""แจ้งปัญหา" on LINE through the real webhook (signed bodies) and a local stand-in of LINE's reply and
content APIs: every step, cancel, a bad photo, an expired link, and the web confirmation that makes
the complaint."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import select

from pracha.participation.line_reports import nearest_tambon
from pracha.participation.models import Complaint, ComplaintPhoto, LineReport
from pracha.web.app import create_app
from tests.assistant.standins import serve
from tests.factories import create_citizen, sign_in
from tests.participation.test_reports import phone_photo

SECRET = "line-channel-secret"
URL = "/channels/line/webhook"


def line_api(replies: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v2/bot/message/reply")
    async def reply(request: Request) -> Any:
        replies.append(await request.json())
        return {}

    @app.get("/v2/bot/message/{message_id}/content")
    async def content(message_id: str) -> Response:
        if message_id == "photo-good":
            return Response(phone_photo(), media_type="image/jpeg")
        return Response(b"<svg onload=alert(1)>", media_type="image/svg+xml")

    return app


@pytest.fixture
def line(make_settings: Callable[..., Any]) -> Iterator[tuple[TestClient, list[dict[str, Any]], Any]]:
    replies: list[dict[str, Any]] = []
    with serve(line_api(replies)) as url:
        app = create_app(make_settings(line_channel_secret=SECRET, line_channel_access_token="tok",
                                       line_api_url=url, line_data_api_url=url))
        with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
            yield client, replies, app
        app.state.pracha.db.engine.dispose()


def send(client: TestClient, replies: list[dict[str, Any]], message: dict[str, Any], user: str = "U4af4980629"
         ) -> list[str]:
    event = {"type": "message", "mode": "active", "timestamp": 1764000000000, "webhookEventId": "01HX",
             "deliveryContext": {"isRedelivery": False}, "replyToken": f"reply-{len(replies)}",
             "source": {"type": "user", "userId": user}, "message": {"id": "m1", "quoteToken": "q", **message}}
    body = json.dumps({"destination": "Uxxx", "events": [event]}, ensure_ascii=False).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    count = len(replies)
    response = client.post(URL, content=body, headers={"Content-Type": "application/json",
                                                       "X-Line-Signature": signature})
    assert response.status_code == 200, response.text
    assert len(replies) == count + 1
    return [m["text"] for m in replies[-1]["messages"]]


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def test_every_step_to_a_link_then_the_web_confirmation_makes_the_complaint(line: Any) -> None:
    client, replies, app = line
    asked = send(client, replies, text("แจ้งปัญหา"))
    assert "1. ถนน ทางเท้า" in asked[0] and "ทุจริต" not in asked[0].split("\n\n")[0]
    assert "ประเภทใด" in send(client, replies, text("99"))[1]  # not on the list: asked again
    assert "รายละเอียด" in send(client, replies, text("1"))[0]
    assert "10–5,000" in send(client, replies, text("สั้น"))[0]
    assert "ตำแหน่ง" in send(client, replies, text("ถนนหน้าโรงเรียนเป็นหลุมใหญ่ รถล้มทุกวัน"))[0]
    located = send(client, replies, {"type": "location", "title": "x", "address": "เชียงใหม่",
                                     "latitude": 18.7953421, "longitude": 98.9523874})
    assert "ตำบลสุเทพ" in located[0] and "ข้าม" in located[1]
    bad = send(client, replies, {"type": "image", "contentProvider": {"type": "line"}, "id": "photo-bad"})
    assert "ใช้ไม่ได้" in bad[0]
    done = send(client, replies, {"type": "image", "contentProvider": {"type": "line"}, "id": "photo-good"})
    link = re.search(r"http://testserver(/complaints/line/[\w-]+)", done[-1])
    assert link is not None
    path = link.group(1)

    with app.state.pracha.db.sessions() as db:
        report = db.scalar(select(LineReport))
        assert report is not None and report.step == "done" and report.photo is not None
        assert b"PhoneMaker" not in report.photo
        assert len(report.line_user) == 64 and "U4af4980629" not in json.dumps(report.data)
        # end the read before writing: on SQLite a read transaction that another connection has written
        # past (the app's own commits) cannot become a write ("database is locked" at once, no wait)
        db.commit()
        citizen = create_citizen(db)
        assert client.get(path).status_code == 401  # signed in first
        csrf = sign_in(db, client, citizen)
        page = client.get(path)
        assert page.status_code == 200 and "ถนนหน้าโรงเรียนเป็นหลุมใหญ่" in page.text and 'value="สุเทพ"' in page.text
        invalid = client.post(path, data={"csrf_token": csrf, "category": "road", "title": "",
                                          "description": "ถนนหน้าโรงเรียนเป็นหลุมใหญ่", "tambon": "สุเทพ"})
        assert invalid.status_code == 422 and "หัวข้อ" in invalid.text
        sent = client.post(path, data={"csrf_token": csrf, "category": "road", "title": "ถนนหน้าโรงเรียนเป็นหลุม",
                                       "description": "ถนนหน้าโรงเรียนเป็นหลุมใหญ่ รถล้มทุกวัน", "tambon": "สุเทพ",
                                       "private_place": "1"})
        assert sent.status_code == 303
        complaint = db.scalar(select(Complaint))
        assert complaint is not None and complaint.channel == "line" and complaint.reporter_id == citizen.id
        assert (complaint.latitude, complaint.tambon, complaint.private_place) == (18.7953421, "สุเทพ", True)
        assert db.scalar(select(ComplaintPhoto.stage)) == "before"
        shown = client.get(path)
        assert complaint.reference in shown.text and f'href="/complaints/{complaint.reference}"' in shown.text
        again = client.post(path, data={"csrf_token": csrf, "category": "road", "title": "ซ้ำอีกครั้ง",
                                        "description": "ส่งซ้ำจากลิงก์เดิมอีกครั้ง", "tambon": "สุเทพ"})
        assert again.status_code == 303 and len(db.scalars(select(Complaint)).all()) == 1
        db.commit()
        other = create_citizen(db)
        sign_in(db, client, other)
        assert client.get(path).status_code == 404  # the link is used: nobody else may see it


def test_cancel_at_any_step_and_other_text_goes_to_the_assistant(line: Any) -> None:
    client, replies, app = line
    send(client, replies, text("ร้องเรียน"))
    send(client, replies, text("2"))
    assert "ยกเลิก" in send(client, replies, text("ยกเลิก"))[0]
    with app.state.pracha.db.sessions() as db:
        assert db.scalars(select(LineReport)).all() == []
    answer = send(client, replies, text("เบี้ยคนแก่ได้เดือนละเท่าไหร่"))
    assert "600" in answer[0]  # no report in progress: the assistant answered


def test_typed_sub_district_and_skipped_photo(line: Any) -> None:
    client, replies, app = line
    send(client, replies, text("แจ้งเรื่อง"))
    send(client, replies, text("3"))
    send(client, replies, text("ขยะไม่ถูกเก็บมาหนึ่งสัปดาห์แล้ว"))
    outside = send(client, replies, {"type": "location", "title": "x", "address": "กรุงเทพ",
                                     "latitude": 13.7563, "longitude": 100.5018})
    assert "นอกพื้นที่" in outside[0]
    assert "ตำบลหายยา" in send(client, replies, text("3"))[0]
    assert "/complaints/line/" in send(client, replies, text("ข้าม"))[0]
    with app.state.pracha.db.sessions() as db:
        report = db.scalar(select(LineReport))
        assert report is not None and report.data["category"] == "waste" and report.data["tambon"] == "หายยา"
        assert report.photo is None


def test_expired_link_is_refused(line: Any) -> None:
    client, replies, app = line
    send(client, replies, text("แจ้งปัญหา"))
    send(client, replies, text("1"))
    send(client, replies, text("ไฟถนนดับทั้งซอยมาสามคืนแล้ว"))
    send(client, replies, text("1"))
    path = re.search(r"(/complaints/line/[\w-]+)", send(client, replies, text("ข้าม"))[0]).group(1)  # type: ignore[union-attr]
    with app.state.pracha.db.sessions() as db:
        report = db.scalar(select(LineReport))
        assert report is not None
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        report.data = {**report.data, "link_expires_at": past.isoformat()}
        db.commit()
        csrf = sign_in(db, client, create_citizen(db))
        assert client.get(path).status_code == 404
        refused = client.post(path, data={"csrf_token": csrf, "category": "lighting", "title": "ไฟดับ",
                                          "description": "ไฟถนนดับทั้งซอยมาสามคืนแล้ว", "tambon": "ศรีภูมิ"})
        assert refused.status_code == 404
        assert db.scalars(select(Complaint)).all() == []
    assert client.get("/complaints/line/" + "x" * 65).status_code in (404, 422)


def test_nearest_sub_district() -> None:
    tambons = ("ศรีภูมิ", "สุเทพ", "แม่เหียะ")
    assert nearest_tambon(18.7960, 98.9890, tambons) == "ศรีภูมิ"
    assert nearest_tambon(18.751, 98.951, tambons) == "แม่เหียะ"
    assert nearest_tambon(13.75, 100.5, tambons) is None
