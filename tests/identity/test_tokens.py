"""Bearer tokens for agency systems: scoped to one agency, shown once, stored hashed, revocable."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import ApiToken
from tests.factories import create_citizen, create_staff, sign_in
from tests.services.helpers import act, ready_application

AGENCY = "cm-elderly-welfare"


def test_token_lifecycle(db: Session, make_client: Callable[..., TestClient]) -> None:
    admin, citizen, system = make_client(), make_client(), make_client()
    admin_csrf = sign_in(db, admin, create_staff(db, "agency_admin", AGENCY))
    citizen_csrf = sign_in(db, citizen, create_citizen(db))
    reference = ready_application(citizen, citizen_csrf)
    act(citizen, citizen_csrf, reference, "submit")

    created = admin.post("/api/v1/tokens", headers={"X-CSRF-Token": admin_csrf},
                         json={"name": "ระบบสารสนเทศเบี้ยยังชีพ", "scopes": ["applications:read"]})
    assert created.status_code == 201
    raw, token_id = created.json()["token"], created.json()["id"]
    stored = db.scalar(select(ApiToken).where(ApiToken.id == token_id))
    assert stored is not None and stored.agency == AGENCY and raw not in stored.token_hash
    assert "token" not in admin.get("/api/v1/tokens").json()["items"][0]

    bearer = {"Authorization": f"Bearer {raw}"}
    queue = system.get("/api/v1/applications", headers=bearer)
    assert queue.status_code == 200 and [a["reference"] for a in queue.json()["items"]] == [reference]
    refused = system.post(f"/api/v1/applications/{reference}/actions", headers=bearer, json={"action": "review"})
    assert refused.status_code == 403  # read scope only
    assert system.get("/me", headers=bearer).status_code == 403  # tokens are for the API, not pages

    assert admin.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRF-Token": admin_csrf}).status_code == 200
    revoked = system.get("/api/v1/applications", headers=bearer)
    assert revoked.status_code == 401 and revoked.json()["error"] == "invalid_token"
    assert system.get("/api/v1/applications", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_write_token_moves_applications(db: Session, make_client: Callable[..., TestClient]) -> None:
    admin, citizen, system = make_client(), make_client(), make_client()
    admin_csrf = sign_in(db, admin, create_staff(db, "agency_admin", AGENCY))
    citizen_csrf = sign_in(db, citizen, create_citizen(db))
    reference = ready_application(citizen, citizen_csrf)
    act(citizen, citizen_csrf, reference, "submit")
    raw = admin.post("/api/v1/tokens", headers={"X-CSRF-Token": admin_csrf},
                     json={"name": "bot", "scopes": ["applications:read", "applications:write"]}).json()["token"]
    moved = system.post(f"/api/v1/applications/{reference}/actions", headers={"Authorization": f"Bearer {raw}"},
                        json={"action": "review"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_review"
    assert moved.json()["events"][-1]["actor_role"] == "api_token"


def test_agency_admins_manage_only_their_agency(db: Session, make_client: Callable[..., TestClient]) -> None:
    admin, platform = make_client(), make_client()
    admin_csrf = sign_in(db, admin, create_staff(db, "agency_admin", AGENCY))
    platform_csrf = sign_in(db, platform, create_staff(db, "platform_admin"))
    other = admin.post("/api/v1/tokens", headers={"X-CSRF-Token": admin_csrf},
                       json={"name": "x", "agency": "cm-building-control", "scopes": ["applications:read"]})
    assert other.status_code == 403
    unknown_scope = admin.post("/api/v1/tokens", headers={"X-CSRF-Token": admin_csrf},
                               json={"name": "x", "scopes": ["everything"]})
    assert unknown_scope.status_code == 422
    unknown_agency = platform.post("/api/v1/tokens", headers={"X-CSRF-Token": platform_csrf},
                                   json={"name": "x", "agency": "nasa", "scopes": ["applications:read"]})
    assert unknown_agency.status_code == 422
    made = platform.post("/api/v1/tokens", headers={"X-CSRF-Token": platform_csrf},
                         json={"name": "x", "agency": "cm-building-control", "scopes": ["applications:read"]})
    assert made.status_code == 201
    assert admin.delete(f"/api/v1/tokens/{made.json()['id']}", headers={"X-CSRF-Token": admin_csrf}).status_code == 403
    assert [t["agency"] for t in admin.get("/api/v1/tokens").json()["items"]] == []


def test_token_page(db: Session, client: TestClient) -> None:
    sign_in(db, client, create_staff(db, "agency_admin", AGENCY))
    page = client.get("/admin/tokens")
    assert page.status_code == 200 and "applications:write" in page.text
