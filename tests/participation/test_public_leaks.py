"""Nothing personal on any public page or API of participation: every public GET route under the
prefixes below (walked from `routers()`, so routes added later are checked too) is requested by an
anonymous client over a world holding an anonymous reporter with a known name, a private-place
complaint with precise coordinates, a confidential complaint, hidden texts and named officers. No
response may contain a national ID (any spelling), a citizen's or officer's name, the coordinates'
digits beyond the rounding, the confidential complaint's title, or a hidden text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.identity.models import OFFICER
from pracha.web.app import routers
from tests.factories import create_citizen, create_staff
from tests.participation import moderation_world as world
from tests.test_no_clear_national_ids import id_pattern, spelled

PREFIXES = ("/complaints", "/hearings", "/petitions", "/participation", "/api/v1/complaints",
            "/api/v1/complaint-statistics", "/api/v1/hearings", "/api/v1/petitions")
LAT, LON = 18.7953421, 98.9523874  # private place: the public may see 3 decimals (18.795, 98.952)
PRECISE = re.compile(rb"18\.795\d|98\.952\d|7953421|9523874")
CONFIDENTIAL_TITLE = "ปลัดเรียกเงินใต้โต๊ะค่าใบอนุญาต"
HIDDEN_TEXTS = ("ข้อความหยาบคายที่ถูกซ่อนแล้ว", "ความเห็นที่ผู้ดูแลซ่อนไว้")


def build(db: Session) -> dict[str, Any]:
    reporter = create_citizen(db, first_name="วรรณวิสาข์", last_name="ศรีสวัสดิ์วงศ์")
    other = create_citizen(db, first_name="ธีรยุทธ", last_name="บุญประคองสุข")
    officer = create_staff(db, OFFICER, "cm-city-engineering", first_name="ประภัสสร", last_name="แก้วมณีรัตน์")
    private = world.complaint(db, reporter, title="น้ำท่วมขังหน้าบ้าน", category="flooding", latitude=LAT,
                              longitude=LON, private_place=True, anonymous=True, tambon="สุเทพ")
    public = world.complaint(db, other, title="ไฟถนนดับทั้งซอย", category="lighting", latitude=18.8001234,
                             longitude=98.9612345)  # not private: may be shown as given
    secret = world.complaint(db, other, category="corruption", title=CONFIDENTIAL_TITLE,
                             description="เรียกรับเงินสามพันบาทเพื่อเร่งใบอนุญาต")
    reply = world.event(db, private, "รับเรื่องแล้ว จะส่งทีมไปตรวจ")
    reply.actor_id = officer.id
    rude = world.event(db, public, HIDDEN_TEXTS[0])
    rude.hidden_at, rude.hidden_reason = dt.datetime.now(dt.UTC), "ถ้อยคำไม่สุภาพ"
    hearing, response = world.hearing_with_response(db, reporter, HIDDEN_TEXTS[1])
    response.hidden_at, response.hidden_reason = dt.datetime.now(dt.UTC), "ข้อมูลส่วนบุคคลของผู้อื่น"
    petition = world.petition(db, reporter)
    db.commit()
    return {"references": [private.reference, public.reference, secret.reference], "hearing_id": hearing.id,
            "petition_id": petition.id, "names": [u.first_name for u in (reporter, other, officer)]
            + [u.last_name for u in (reporter, other, officer)],
            "national_ids": [reporter.national_id, other.national_id]}


def public_paths(found: dict[str, Any]) -> list[str]:
    paths = set()
    for route in (r for router in routers() for r in router.routes if isinstance(r, APIRoute)):
        if "GET" not in (route.methods or ()) or not route.path.startswith(PREFIXES):
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        reference_name = next((n for n in names if n in ("reference", "complaint_ref")), None)
        for reference in found["references"] if reference_name else [None]:
            values = {n: found.get(n, "1") for n in names} | ({reference_name: reference} if reference_name else {})
            paths.add(re.sub(r"{(\w+)(?::\w+)?}", lambda m, v=values: str(v[m.group(1)]), route.path))
    return sorted(paths)


def test_no_public_route_leaks_personal_data(db: Session, client: TestClient) -> None:
    found = build(db)
    paths = public_paths(found)
    assert {"/participation", "/complaints/statistics", "/api/v1/complaint-statistics"} <= set(paths)
    forbidden = re.compile(b"|".join([id_pattern(n) for n in found["national_ids"]]
                                     + [re.escape(n.encode()) for n in found["names"]]
                                     + [re.escape(t.encode()) for t in (CONFIDENTIAL_TITLE, *HIDDEN_TEXTS)]))
    assert forbidden.search(spelled(found["national_ids"][0], "thai", " ").encode())  # the pattern catches spellings
    private = found["references"][0]
    must_show = {f"/complaints/{private}", f"/api/v1/complaints/{private}", f"/hearings/{found['hearing_id']}",
                 f"/api/v1/hearings/{found['hearing_id']}", f"/petitions/{found['petition_id']}",
                 f"/api/v1/petitions/{found['petition_id']}", "/complaints", "/api/v1/complaints"}
    assert must_show <= set(paths), must_show - set(paths)
    shown = set()
    for path in paths:
        for lang in ("th", "en"):
            response = client.get(path, params={"lang": lang})
            assert response.status_code < 500, (path, response.status_code)
            body = response.content
            assert forbidden.findall(body) == [], (path, forbidden.findall(body)[:3])
            assert PRECISE.findall(body) == [], path
            if response.status_code == 200:
                shown.add(path)
    assert must_show <= shown, must_show - shown  # the pages that matter were really checked, not refused
    assert b"18.795" in client.get(f"/api/v1/complaints/{private}").content  # rounded, not dropped
