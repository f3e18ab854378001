"""The business dashboard (issue 16, part 5): an expiring licence with its renewal link, open
applications and bundles, co-approvals waiting, and who in the company did what (newest first)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.business import bundles as service
from pracha.services import service as services
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.service import today_in_thailand
from tests.business.helpers import (
    ANSWERS,
    JURISTIC_ID,
    OTHER_JURISTIC_ID,
    act_for,
    complete_parts,
    director,
    use_test_bundle,
)
from tests.factories import create_citizen, sign_in


def add_licence(db: Session, catalog: Catalog, holder_principal, days_left: int) -> Certificate:  # type: ignore[no-untyped-def]
    application = services.create_application(db, catalog, holder_principal, "commercial-registration",
                                               {"trade_name": "ข้าวซอยล้านนา"})
    application.status = workflow.APPROVED  # decided long ago: the licence it issued is what matters here
    certificate = Certificate(id=f"C{application.id:08d}", application=application, title_th="ใบทะเบียนพาณิชย์",
                              title_en="Certificate of commercial registration", content_sha256="0" * 64,
                              signature="s", pdf=b"%PDF", citizen_id=holder_principal.user_id,
                              service_id="commercial-registration", number=f"ชม พ. {application.id}",
                              valid_until=today_in_thailand() + dt.timedelta(days=days_left),
                              organisation_id=holder_principal.organisation_id)
    db.add(certificate)
    db.commit()
    return certificate


def test_dashboard_lists_the_expiring_licence_and_who_did_what(app: FastAPI, db: Session, catalog: Catalog,
                                                               client: TestClient, tmp_path: Path) -> None:
    bundle_def = use_test_bundle(app, catalog)
    somying = create_citizen(db, first_name="สมหญิง", last_name="รักไทย")
    as_somying = director(somying)
    add_licence(db, catalog, as_somying, 25)
    bundle = service.start_bundle(db, catalog, {bundle_def.id: bundle_def}, as_somying, bundle_def.id, ANSWERS)
    complete_parts(db, catalog, as_somying, bundle, tmp_path)
    service.submit_bundle(db, catalog, {bundle_def.id: bundle_def}, as_somying, bundle, True,
                          settings=app.state.pracha.settings)
    db.commit()
    csrf = sign_in(db, client, somying)
    assert csrf
    assert client.get("/business").headers["location"] == "/me/organisations"  # not acting yet
    act_for(db, client.cookies["pracha_session"])
    body = client.get(f"/api/v1/organisations/{JURISTIC_ID}/dashboard").json()
    assert [d["number"] for d in body["renewals_due"]] == [body["licences"][0]["number"]]
    assert body["renewals_due"][0]["renew_url"] == "/services/commercial-registration"
    assert body["renewals_due"][0]["days_left"] == 25
    assert [b["reference"] for b in body["bundles"]] == [bundle.reference]
    assert body["bundles"][0]["status"] == "awaiting_co_approval"
    waiting = body["co_approvals"][0]
    assert waiting["url"] == f"/bundles/{bundle.reference}" and waiting["requested_by_me"]
    assert len(body["applications"]) == 3
    assert body["activity"] and all(e["who"] == "สมหญิง รักไทย" for e in body["activity"])
    assert body["activity"][0]["at"] >= body["activity"][-1]["at"]
    page = client.get("/business")
    assert page.status_code == 200 and "ใบทะเบียนพาณิชย์" in page.text and bundle.reference in page.text
    assert "สมหญิง รักไทย" in page.text
    assert client.get(f"/api/v1/organisations/{OTHER_JURISTIC_ID}/dashboard").status_code == 403
    assert client.get("/api/v1/organisations/12/dashboard").status_code == 422


def test_a_licence_far_from_expiry_is_not_due(app: FastAPI, db: Session, catalog: Catalog,
                                              client: TestClient) -> None:
    somying = create_citizen(db)
    add_licence(db, catalog, director(somying), 200)
    sign_in(db, client, somying)
    act_for(db, client.cookies["pracha_session"])
    body = client.get(f"/api/v1/organisations/{JURISTIC_ID}/dashboard").json()
    assert len(body["licences"]) == 1 and body["renewals_due"] == [] and body["licences"][0]["renew_url"] is None


def test_finding_dashboard_an_employee_sees_only_granted_co_approvals_and_a_revoked_one_nothing(
        db: Session, catalog: Catalog) -> None:
    """Found by the access matrix: the waiting co-approvals were shown to any authorised person, and a
    person whose authorisation was revoked while acting still got the dashboard."""
    from pracha.business.dashboard import dashboard
    from pracha.services import coapproval
    from pracha.services.errors import NotAuthorisedForService
    from tests.business.helpers import authorised

    somying = director(create_citizen(db))
    held = services.create_application(db, catalog, somying, "residence-certificate", {"purpose": "job"})
    coapproval.hold(db, somying, held)
    employee = create_citizen(db, first_name="มาลี", last_name="ใจงาม")
    today = today_in_thailand()
    granted = dashboard(db, catalog, authorised(employee, frozenset({"commercial-registration"})), today, "th")
    assert granted["co_approvals"] == [] and granted["bundles"] == []
    assert len(dashboard(db, catalog, somying, today, "th")["co_approvals"]) == 1
    everything = dashboard(db, catalog, authorised(employee, frozenset({"*"})), today, "th")
    assert len(everything["co_approvals"]) == 1
    with pytest.raises(NotAuthorisedForService):  # no live authorisation left
        dashboard(db, catalog, authorised(employee, frozenset()), today, "th")
