"""The complaint pages without a browser: the form (errors shown beside the fields, in Thai or
English), the citizen's page and forms, the officer's queue and actions; confidential photos."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import create_citizen, create_staff, sign_in
from tests.participation.test_complaint_api import FORM, jpeg


def test_report_form_shows_errors_then_sends(db: Session, make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    csrf = sign_in(db, client, create_citizen(db))
    page = client.get("/complaints/new")
    assert page.status_code == 200 and 'accept="image/*"' in page.text and 'lang="th"' in page.text
    refused = client.post("/complaints/new?lang=en", data={"csrf_token": csrf, "title": "<script>x</script>"})
    assert refused.status_code == 422 and "Choose a category." in refused.text
    assert "&lt;script&gt;x&lt;/script&gt;" in refused.text and "<script>x</script>" not in refused.text
    sent = client.post("/complaints/new", data={"csrf_token": csrf, **FORM, "private_place": "1"},
                       files=[("photos", ("p.jpg", jpeg(), "image/jpeg"))], follow_redirects=False)
    assert sent.status_code == 303
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200 and FORM["title"] in shown.text and "18.79, 98.985" in shown.text
    public = make_client().get(sent.headers["location"].split("?")[0] + "?lang=en")
    assert "approximate: a private place" in public.text and "Report inappropriate content" in public.text
    assert "18.79, 98.985" in public.text  # 3 decimals: 18.790, 98.985
    bad_photo = client.post("/complaints/new", data={"csrf_token": csrf, **FORM},
                            files=[("photos", ("x.jpg", b"<svg onload=alert(1)>", "image/jpeg"))])
    assert bad_photo.status_code == 422


def test_officer_acts_through_the_page(db: Session, make_client: Callable[..., TestClient]) -> None:
    citizen = make_client()
    c_csrf = sign_in(db, citizen, create_citizen(db))
    location = citizen.post("/complaints/new", data={"csrf_token": c_csrf, **FORM},
                            follow_redirects=False).headers["location"]
    reference = location.split("/complaints/")[1].split("?")[0]
    officer = make_client()
    o_csrf = sign_in(db, officer, create_staff(db, "officer", "cm-city-engineering"))
    queue = officer.get("/officer/complaints")
    assert reference in queue.text
    no_note = officer.post(f"/officer/complaints/{reference}/actions", data={"csrf_token": o_csrf, "action": "reject"})
    assert no_note.status_code == 422 and "กรุณากรอกข้อความ" in no_note.text
    asked = officer.post(f"/officer/complaints/{reference}/actions", follow_redirects=False,
                         data={"csrf_token": o_csrf, "action": "request_info", "note": "ขอรูปเพิ่ม"})
    assert asked.status_code == 303
    page = citizen.get(f"/complaints/{reference}")
    assert "ขอรูปเพิ่ม" in page.text and 'action="/complaints/' + reference + '/details"' in page.text
    assert "ขอรูปเพิ่ม" not in make_client().get(f"/complaints/{reference}").text  # not public
    forwarded = officer.post(f"/officer/complaints/{reference}/actions", follow_redirects=False, data={
        "csrf_token": o_csrf, "action": "forward", "note": "เป็นเรื่องขยะ", "agency": "cm-city-environment"})
    assert forwarded.headers["location"] == "/officer/complaints?forwarded=1"
    assert officer.get(f"/officer/complaints/{reference}").status_code == 403


def test_confidential_photo_is_not_cacheable(db: Session, make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    headers = {"X-CSRF-Token": sign_in(db, client, create_citizen(db))}
    made = client.post("/api/v1/complaints", data={**FORM, "category": "corruption"}, headers=headers,
                       files=[("photos", ("p.jpg", jpeg(), "image/jpeg"))]).json()
    url = made["photos"][0]["url"]
    mine = client.get(url)
    assert mine.status_code == 200 and "no-store" in mine.headers["cache-control"]
    assert make_client().get(url).status_code == 404
