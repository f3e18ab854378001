"""Staff tools (issue 14, item 8) through real HTTP on SQLite and PostgreSQL: /admin and the menu, /docs,
assigning cases, internal notes, inline documents and bulk actions."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pracha.http.openapi import rule_of
from pracha.identity.models import User
from pracha.services.casework import CaseNote
from pracha.services.models import Application
from pracha.services.views import StaffView
from pracha.web.menu import MENU
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import PNG, act, ready_application, upload
from tests.web.test_access_matrix import MATRIX, app_routes

AGENCY = "cm-elderly-welfare"
OTHER = "bkk-civil-registration"
Client = Callable[..., TestClient]


def submitted(db: Session, make_client: Client, count: int = 1) -> list[str]:
    """`count` elderly-allowance applications, each of a fresh citizen (one open per person), submitted
    to AGENCY."""
    references = []
    for _ in range(count):
        client = make_client()
        csrf = sign_in(db, client, create_citizen(db))
        reference = ready_application(client, csrf)
        assert act(client, csrf, reference, "submit").status_code == 200
        references.append(reference)
    return references


def staff_client(db: Session, make_client: Client, role: str, agency: str | None = AGENCY,
                 **names: str) -> tuple[TestClient, str, User]:
    user = create_staff(db, role, agency, **names)
    client = make_client()
    return client, sign_in(db, client, user), user


def assign(client: TestClient, csrf: str, reference: str, user_id: int | None) -> object:
    return client.post(f"/api/v1/applications/{reference}/assignee", headers={"X-CSRF-Token": csrf},
                       json={"user_id": user_id})


def test_finding_8_officers_assign_cases_and_filter_the_queue(db: Session, make_client: Client) -> None:
    first, second = submitted(db, make_client, 2)
    officer, csrf, me = staff_client(db, make_client, "officer", first_name="สมศรี", last_name="ขยันดี")
    colleague_client, colleague_csrf, colleague = staff_client(db, make_client, "officer", first_name="ประยูร",
                                                               last_name="ตั้งใจ")
    admin, admin_csrf, _ = staff_client(db, make_client, "agency_admin")
    stranger = create_staff(db, "officer", OTHER)

    taken = assign(officer, csrf, first, me.id)
    assert taken.status_code == 200, taken.text
    assert taken.json()["assignee"] == {"id": me.id, "name": "สมศรี ขยันดี", "role": "officer"}
    refused = assign(officer, csrf, first, stranger.id)  # not of this agency
    assert refused.status_code == 422 and refused.json()["error"] == "not_a_colleague"
    assert "user_id" in refused.json()["fields"]
    assert assign(officer, csrf, first, colleague.id).json()["assignee"]["id"] == colleague.id  # handed on
    held = assign(officer, csrf, first, me.id)  # now a colleague's: only they or an admin may move it
    assert held.status_code == 409 and held.json()["error"] == "not_assignable"
    assert "ประยูร ตั้งใจ" in held.json()["message"]
    assert assign(admin, admin_csrf, first, me.id).json()["assignee"]["id"] == me.id  # the admin may

    mine = officer.get("/api/v1/applications?assignee=mine").json()["items"]
    assert [a["reference"] for a in mine] == [first]
    unassigned = officer.get("/api/v1/applications?assignee=unassigned").json()["items"]
    assert [a["reference"] for a in unassigned] == [second]
    page = officer.get("/officer/queue?assignee=mine")
    assert page.status_code == 200 and first in page.text and second not in page.text
    assert "สมศรี ขยันดี" in page.text  # the "assigned to" column
    assert colleague_client.get("/api/v1/applications?assignee=mine").json()["items"] == []
    assert officer.get("/api/v1/applications?assignee=" + "9" * 19).status_code == 200  # no overflow: no match
    assert officer.get("/api/v1/applications?assignee=" + "9" * 25).status_code == 422

    log = officer.get(f"/api/v1/applications/{first}/notes").json()
    assert [(n["kind"], n["assignee"]["id"] if n["assignee"] else None) for n in log] == [
        ("assigned", me.id), ("assigned", colleague.id), ("assigned", me.id)]
    assert assign(officer, csrf, first, None).json()["assignee"] is None  # dropping one's own case


def test_finding_8_assigning_a_closed_or_draft_application_is_refused(db: Session, make_client: Client) -> None:
    citizen = make_client()
    csrf = sign_in(db, citizen, create_citizen(db))
    draft = ready_application(citizen, csrf)
    officer, officer_csrf, me = staff_client(db, make_client, "officer")
    assert assign(officer, officer_csrf, draft, me.id).status_code == 404  # drafts are the citizen's alone
    assert act(citizen, csrf, draft, "submit").status_code == 200
    assert act(citizen, csrf, draft, "withdraw").status_code == 200
    closed = assign(officer, officer_csrf, draft, me.id)
    assert closed.status_code == 409 and closed.json()["error"] == "not_assignable"
    auditor, auditor_csrf, _ = staff_client(db, make_client, "auditor", None)
    assert assign(auditor, auditor_csrf, draft, me.id).status_code == 403


def test_finding_8_internal_notes_are_for_staff_encrypted_and_in_the_pdpa_export(
        db: Session, make_client: Client) -> None:
    citizen = make_client()
    citizen_csrf = sign_in(db, citizen, create_citizen(db))
    reference = ready_application(citizen, citizen_csrf)
    assert act(citizen, citizen_csrf, reference, "submit").status_code == 200
    officer, csrf, _ = staff_client(db, make_client, "officer", first_name="สมศรี", last_name="ขยันดี")
    note = "โทรยืนยันบัญชีธนาคารแล้ว ผู้ยื่นสะดวกช่วงบ่าย"

    written = officer.post(f"/api/v1/applications/{reference}/notes", headers={"X-CSRF-Token": csrf},
                           json={"text": note})
    assert written.status_code == 201, written.text
    assert written.json()["text"] == note and written.json()["author"]["name"] == "สมศรี ขยันดี"
    form = officer.post(f"/applications/{reference}/notes", data={"csrf_token": csrf, "note": "  "})
    assert form.status_code == 422 and 'id="error-note"' in form.text  # beside the field, form kept

    auditor, auditor_csrf, _ = staff_client(db, make_client, "auditor", None)
    assert [n["text"] for n in auditor.get(f"/api/v1/applications/{reference}/notes").json()] == [note]
    assert auditor.post(f"/api/v1/applications/{reference}/notes", headers={"X-CSRF-Token": auditor_csrf},
                        json={"text": "x"}).status_code == 403
    other, _, _ = staff_client(db, make_client, "officer", OTHER)
    assert other.get(f"/api/v1/applications/{reference}/notes").status_code == 404
    page = officer.get(f"/applications/{reference}")
    assert note in page.text and 'id="casework"' in page.text

    # The citizen: not on the page, not in the API, refused the notes route
    assert note not in citizen.get(f"/applications/{reference}").text
    assert 'id="casework"' not in citizen.get(f"/applications/{reference}").text
    assert note not in citizen.get(f"/api/v1/applications/{reference}").text
    assert citizen.get(f"/api/v1/applications/{reference}/notes").status_code == 403
    # ... but in the PDPA export (s. 30), without the officer's name
    exported = citizen.get("/api/v1/me/export").json()
    notes = next(a for a in exported["applications"] if a["reference"] == reference)["staff_notes"]
    assert [(n["text"], n["author_role"]) for n in notes] == [(note, "officer")]
    assert "ขยันดี" not in str(notes)

    raw = db.execute(text("SELECT body FROM case_notes WHERE kind = 'note'")).scalar_one()
    assert note.encode() not in bytes(raw)  # encrypted at rest, under the citizen's key


def test_finding_8_officers_view_documents_inline_and_the_view_is_recorded(
        db: Session, make_client: Client) -> None:
    citizen = make_client()
    citizen_csrf = sign_in(db, citizen, create_citizen(db))
    reference = ready_application(citizen, citizen_csrf)
    assert upload(citizen, citizen_csrf, reference, "bank-book", name="สมุดบัญชี.png", content=PNG,
                  content_type="image/png").status_code == 201
    assert act(citizen, citizen_csrf, reference, "submit").status_code == 200
    documents = citizen.get(f"/api/v1/applications/{reference}").json()["documents"]
    pdf, png = documents[0], documents[-1]
    officer, _, me = staff_client(db, make_client, "officer")

    page = officer.get(f"/applications/{reference}?view={pdf['id']}")
    assert f'<iframe src="/applications/{reference}/documents/{pdf["id"]}/inline"' in page.text
    assert f'<img src="/applications/{reference}/documents/{png["id"]}/inline"' in officer.get(
        f"/applications/{reference}?view={png['id']}").text
    shown = officer.get(f"/applications/{reference}/documents/{pdf['id']}/inline")
    assert shown.status_code == 200 and shown.content.startswith(b"%PDF")
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]
    assert shown.headers["x-frame-options"] == "SAMEORIGIN"
    image = officer.get(f"/applications/{reference}/documents/{png['id']}/inline")
    assert "filename*=UTF-8''" in image.headers["content-disposition"]  # the Thai name survives
    db.rollback()
    seen = db.scalars(select(StaffView).where(StaffView.reference == reference, StaffView.what == "document")).all()
    assert [v.staff_id for v in seen] == [me.id, me.id]
    # The page around it still refuses to be framed
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    other, _, _ = staff_client(db, make_client, "officer", OTHER)
    assert other.get(f"/applications/{reference}/documents/{pdf['id']}/inline").status_code == 404


def test_finding_8_bulk_actions_report_each_application(db: Session, make_client: Client, app: FastAPI) -> None:
    fresh, busy, taken = submitted(db, make_client, 3)
    officer, csrf, me = staff_client(db, make_client, "officer")
    colleague_client, colleague_csrf, colleague = staff_client(db, make_client, "officer")
    assert act(officer, csrf, busy, "review").status_code == 200  # already in review
    assert assign(colleague_client, colleague_csrf, taken, colleague.id).status_code == 200

    response = officer.post("/api/v1/applications/bulk-actions", headers={"X-CSRF-Token": csrf},
                            json={"references": [fresh, busy, "XX99-NOPE"], "action": "review"})
    assert response.status_code == 200, response.text
    results = {r["reference"]: r for r in response.json()["results"]}
    assert results[fresh]["ok"] is True
    assert results[busy]["ok"] is False and results[busy]["error"] == "illegal_transition"
    assert "เจ้าหน้าที่กำลังพิจารณา" in results[busy]["message"]
    assert results["XX99-NOPE"]["error"] == "application_not_found"

    page = officer.post("/officer/queue/bulk", data={"csrf_token": csrf, "action": "assign_me",
                                                     "reference": [fresh, taken]})
    assert page.status_code == 200 and 'id="bulk-results"' in page.text
    assert re.search(r"1 (จาก|of) 2", page.text)
    db.rollback()
    holders = dict(db.execute(select(Application.reference, Application.assignee_id)
                              .where(Application.reference.in_([fresh, taken]))).all())
    assert holders == {fresh: me.id, taken: colleague.id}  # the colleague's case stayed theirs
    statuses = dict(db.execute(select(Application.reference, Application.status)
                               .where(Application.reference.in_([fresh, busy]))).all())
    assert statuses == {fresh: "in_review", busy: "in_review"}
    assert db.scalar(select(CaseNote).where(CaseNote.assignee_id == me.id)) is not None

    empty = officer.post("/api/v1/applications/bulk-actions", headers={"X-CSRF-Token": csrf},
                         json={"references": [], "action": "review"})
    assert empty.status_code == 422
    nobody = officer.post("/officer/queue/bulk", data={"csrf_token": csrf, "action": "assign", "reference": [fresh]})
    assert nobody.status_code == 422 and "role=\"alert\"" in nobody.text


def test_finding_8_admin_lists_what_the_role_may_open_and_each_opens(db: Session, make_client: Client) -> None:
    expected = {"officer": {"/officer/queue"}, "agency_admin": {"/officer/queue", "/admin/automation", "/admin/tokens"},
                "auditor": {"/officer/queue", "/admin/automation", "/admin/exchange", "/privacy/ropa"},
                "platform_admin": {"/admin/automation", "/admin/exchange", "/admin/oidc/clients", "/metrics"},
                "dpo": {"/privacy/requests", "/privacy/ropa", "/privacy/breaches"}}
    for role, must in expected.items():
        client, _, _ = staff_client(db, make_client, role, AGENCY if role in ("officer", "agency_admin") else None)
        page = client.get("/admin")
        assert page.status_code == 200, role
        listed = set(re.findall(r'<li><a href="(/[^"]*)"><strong>', page.text))
        assert must <= listed, (role, must - listed)
        for path in listed:  # never a page that answers 403
            assert client.get(path).status_code == 200, (role, path)
        menu = page.text.split("</nav>")[0]
        assert all(f'href="{p}"' in menu for p in must - {"/ledger", "/docs"}), role  # every page in the menu
        assert 'href="/admin"' in menu
    citizen = make_client()
    sign_in(db, citizen, create_citizen(db))
    assert citizen.get("/admin").status_code == 403
    assert 'href="/admin' not in citizen.get("/me").text


def test_finding_8_docs_is_the_api_reference_under_our_csp(client: TestClient, app: FastAPI) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "cdn" not in page.text.lower()
    for path in app.openapi()["paths"]:
        assert path in page.text
    assert "/api/v1/applications/{reference}/assignee" in page.text
    # one page per tag and one of the schemas (the whole reference on one page weighed 390 KB)
    assert 'href="/docs/casework#op-post--api-v1-applications--reference--assignee"' in page.text
    casework = client.get("/docs/casework").text
    assert 'id="op-post--api-v1-applications--reference--assignee"' in casework
    assert 'id="schema-Error"' in client.get("/docs/schemas").text and 'href="/docs/schemas"' in page.text
    assert client.get("/docs/no-such-section").status_code == 404
    assert 'href="/docs"' in client.get("/").text and 'href="/openapi.json"' not in client.get("/").text
    assert "คู่มือ API" in page.text and "API reference" in client.get("/docs?lang=en").text


STAFF_ROLES = ("officer", "agency_admin", "auditor", "platform_admin", "dpo")


def test_finding_8_every_staff_page_is_listed_and_agrees_with_the_access_matrix(app: FastAPI) -> None:
    """A new staff-only page fails here until it is in `web.menu.STAFF_PAGES`; each listed page is offered
    to exactly the roles for which the access matrix expects a 200."""
    pages = app.state.pracha.registry.get(MENU)
    listed = {page.path for page in pages}
    staff_only = set()
    for route in app_routes():
        rule = rule_of(route)
        if "GET" in (route.methods or ()) and "{" not in route.path and not route.path.startswith("/api/") \
                and rule is not None and not rule.roles & {"public", "citizen"}:
            staff_only.add(route.path)
    assert staff_only - listed == set(), "add these staff pages to pracha.web.menu.STAFF_PAGES"
    matrix = {call.path: call.expected for call in MATRIX if call.method == "GET"}
    for page in pages:
        assert page.path in matrix, page.path
        assert {r for r in STAFF_ROLES if matrix[page.path][r] == 200} == {r for r in STAFF_ROLES if page.open_to(r)}
