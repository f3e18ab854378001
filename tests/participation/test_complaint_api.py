"""The complaints API end to end, on both engines: a citizen reports with a photo, the responsible unit
acts, the citizen answers, rates and (not) reopens; refusals are 403/404/409/422, never 500."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.notices.models import InboxMessage
from tests.factories import create_citizen, create_staff, sign_in


def jpeg(color: tuple[int, int, int] = (90, 90, 90), gps: bool = True) -> bytes:
    """A small phone photo; with an EXIF GPS position (18°47'24"N 98°59'06"E, Chiang Mai) when `gps`."""
    image = Image.new("RGB", (80, 60), color)
    exif = Image.Exif()
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (18.0, 47.0, 24.0), 3: "E", 4: (98.0, 59.0, 6.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


FORM = {"category": "road", "title": "ถนนเป็นหลุม", "description": "หลุมลึกหน้าวัดพระสิงห์ รถล้มบ่อย",
        "tambon": "ศรีภูมิ"}


def signed_in(make_client: Callable[..., TestClient], db: Session, user: object) -> tuple[TestClient, dict[str, str]]:
    client = make_client()
    csrf = sign_in(db, client, user)  # type: ignore[arg-type]
    return client, {"X-CSRF-Token": csrf}


def report(client: TestClient, headers: dict[str, str], **fields: str) -> dict[str, object]:
    response = client.post("/api/v1/complaints", data={**FORM, **fields}, headers=headers,
                           files=[("photos", ("p.jpg", jpeg(), "image/jpeg"))])
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_complaint_journey_through_the_api(db: Session, make_client: Callable[..., TestClient]) -> None:
    reporter = create_citizen(db)
    citizen, c_headers = signed_in(make_client, db, reporter)
    officer, o_headers = signed_in(make_client, db, create_staff(db, "officer", "cm-city-engineering"))
    stranger, s_headers = signed_in(make_client, db, create_staff(db, "officer", "cm-city-environment"))
    made = report(citizen, c_headers)
    ref = made["reference"]
    assert made["agency"]["code"] == "cm-city-engineering" and made["status"] == "new"  # type: ignore[index]
    assert made["location"] == {"latitude": 18.79, "longitude": 98.985, "exact": True}
    photo_url = made["photos"][0]["url"]  # type: ignore[index]
    photo = make_client().get(photo_url)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff" and "public" in photo.headers["cache-control"]
    assert not Image.open(io.BytesIO(photo.content)).getexif()  # the position was read, then dropped

    def act(client: TestClient, headers: dict[str, str], **body: object) -> object:
        return client.post(f"/api/v1/complaints/{ref}/actions", json=body, headers=headers)

    assert act(stranger, s_headers, action="accept").status_code == 403  # type: ignore[attr-defined]
    assert act(citizen, c_headers, action="accept").status_code == 403  # type: ignore[attr-defined]
    accepted = act(officer, o_headers, action="accept")
    assert accepted.status_code == 200 and accepted.json()["first_response_at"]  # type: ignore[attr-defined]
    assert act(officer, o_headers, action="accept").status_code == 409  # type: ignore[attr-defined]
    assert act(officer, o_headers, action="request_info", note="").status_code == 422  # type: ignore[attr-defined]
    asked = act(officer, o_headers, action="request_info", note="บ้านเลขที่ใกล้ที่สุดคือเลขใด")
    assert asked.json()["status"] == "needs_info"  # type: ignore[attr-defined]
    public = make_client().get(f"/api/v1/complaints/{ref}").json()
    assert [e["action"] for e in public["events"]] == ["submit", "accept"] and public["mine"] is False
    details = citizen.post(f"/api/v1/complaints/{ref}/details", json={"note": "หน้าบ้านเลขที่ 12"}, headers=c_headers)
    assert details.status_code == 200 and details.json()["status"] == "accepted"
    assert [e["action"] for e in details.json()["events"]][-2:] == ["request_info", "add_details"]
    assert act(officer, o_headers, action="resolve", note="ซ่อมแล้ว").status_code == 422  # type: ignore[attr-defined]
    resolved = officer.post(f"/api/v1/complaints/{ref}/actions", headers=o_headers,
                            data={"action": "resolve", "note": "ปะผิวถนนเรียบร้อย"},
                            files=[("photos", ("after.jpg", jpeg((30, 30, 30), gps=False), "image/jpeg"))])
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert [p["stage"] for p in resolved.json()["photos"]] == ["before", "after"]
    assert citizen.post(f"/api/v1/complaints/{ref}/rating", json={"rating": 6}, headers=c_headers).status_code == 422
    other, other_headers = signed_in(make_client, db, create_citizen(db))
    assert other.post(f"/api/v1/complaints/{ref}/rating", json={"rating": 5},
                      headers=other_headers).status_code == 403
    rated = citizen.post(f"/api/v1/complaints/{ref}/rating", json={"rating": 4, "comment": "เร็วดี"},
                         headers=c_headers)
    assert rated.status_code == 200 and rated.json()["status"] == "closed" and rated.json()["rating"] == 4
    assert citizen.post(f"/api/v1/complaints/{ref}/rating", json={"rating": 5},
                        headers=c_headers).status_code == 409
    assert citizen.post(f"/api/v1/complaints/{ref}/reopen", json={"reason": "ยังเป็นหลุม"},
                        headers=c_headers).status_code == 409
    told = db.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.user_id == reporter.id))
    assert told == 3  # one message per staff step: accept, request_info, resolve
    mine = citizen.get("/api/v1/complaints/mine").json()["items"]
    assert [c["reference"] for c in mine] == [ref] and mine[0]["mine"] is True


def test_public_responses_name_nobody(db: Session, make_client: Callable[..., TestClient]) -> None:
    reporter = create_citizen(db, first_name="ประภาพร", last_name="ทดสอบชื่อ")
    citizen, headers = signed_in(make_client, db, reporter)
    officer_user = create_staff(db, "officer", "cm-city-engineering", first_name="ชื่อเจ้าหน้าที่")
    officer, o_headers = signed_in(make_client, db, officer_user)
    ref = report(citizen, headers)["reference"]
    officer.post(f"/api/v1/complaints/{ref}/actions", json={"action": "reply", "note": "กำลังดำเนินการ"},
                 headers=o_headers)
    anyone = make_client()
    for url in ("/api/v1/complaints", f"/api/v1/complaints/{ref}", "/complaints", f"/complaints/{ref}"):
        text = anyone.get(url).text
        for secret in (reporter.national_id, "ประภาพร", "ทดสอบชื่อ", "ชื่อเจ้าหน้าที่", "reporter_id", "actor_id"):
            assert secret not in text.replace(ref, ""), (url, secret)


def test_list_filters_and_pages(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen, headers = signed_in(make_client, db, create_citizen(db))
    refs = [report(citizen, headers, tambon=t)["reference"] for t in ("ศรีภูมิ", "สุเทพ", "สุเทพ")]
    report(citizen, headers, category="noise", title="เสียงดังกลางคืน")
    anyone = make_client()
    first = anyone.get("/api/v1/complaints?tambon=สุเทพ&limit=1")
    assert first.status_code == 200 and [c["reference"] for c in first.json()["items"]] == [refs[2]]
    second = anyone.get(f"/api/v1/complaints?tambon=สุเทพ&limit=1&cursor={first.json()['next_cursor']}").json()
    assert [c["reference"] for c in second["items"]] == [refs[1]]
    noise = anyone.get("/api/v1/complaints?agency=cm-city-environment").json()["items"]
    assert [c["category"]["code"] for c in noise] == ["noise"]
    assert anyone.get("/api/v1/complaints?cursor=broken").status_code == 400
    assert anyone.get("/api/v1/complaints/NOPE").status_code == 404
    assert anyone.get(f"/api/v1/complaints/{refs[0]}/photos/99999999999999999999").status_code == 422
    bad = citizen.post("/api/v1/complaints", content=b"{not json", headers={**headers,
                                                                           "Content-Type": "application/json"})
    assert bad.status_code == 422
    assert citizen.post("/api/v1/complaints", json=FORM, headers=headers).status_code == 201  # JSON works too
