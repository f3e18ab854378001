"""Bundles: one guided application fanned out to several agencies (issue 16, part 4), on SQLite and
PostgreSQL: the parts with the mapped answers and the bundle's id, all or none, the co-approval of a
second director, the derived status, and the HTTP contract."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.business import bundles as service
from pracha.business.bundle_catalog import BundleCatalogError, load_bundles, parse_bundle
from pracha.config import Settings
from pracha.services import coapproval, workflow
from pracha.services.catalog import Catalog, default_catalog_dir
from pracha.services.errors import DeclarationRequired, FormInvalid
from pracha.services.models import Application, Bundle, CoApproval
from tests.business.helpers import (
    ANSWERS,
    JURISTIC_ID,
    OTHER_JURISTIC_ID,
    TEST_BUNDLE,
    act_for,
    complete_parts,
    director,
    example_bundle,
    use_test_bundle,
)
from tests.factories import create_citizen, sign_in


def test_start_creates_one_part_per_agency_with_the_mapped_answers(db: Session, catalog: Catalog) -> None:
    bundle_def = example_bundle(catalog)
    somying = director(create_citizen(db, first_name="สมหญิง"))
    bundle = service.start_bundle(db, catalog, {bundle_def.id: bundle_def}, somying, bundle_def.id, ANSWERS)
    db.commit()
    parts = db.scalars(select(Application).where(Application.bundle_id == bundle.id)).all()
    assert bundle.reference.startswith("OW") and bundle.status == service.DRAFT
    assert {a.service_id for a in parts} == {"commercial-registration", "building-permit", "residence-certificate"}
    assert len({a.agency for a in parts}) == 3
    assert all(a.organisation_id == JURISTIC_ID and a.status == workflow.DRAFT for a in parts)
    by = {a.service_id: a.data for a in parts}
    address = ANSWERS["address"]
    assert by["commercial-registration"]["business_address"] == address == by["building-permit"]["site_address"]
    assert by["residence-certificate"]["living_since"] == "2025-01-15"
    assert by["commercial-registration"]["capital"] == 500000 and "capital" not in by["building-permit"]


def test_all_or_none_when_one_part_is_refused(db: Session, catalog: Catalog) -> None:
    """A part refused at start (here the juristic person already has an open commercial registration)
    leaves no bundle and no other part behind."""
    bundle_def = example_bundle(catalog)
    somying = director(create_citizen(db))
    from pracha.services import service as services

    services.create_application(db, catalog, somying, "commercial-registration", {"trade_name": "เดิม"})
    db.commit()
    with pytest.raises(Exception) as raised:
        service.start_bundle(db, catalog, {bundle_def.id: bundle_def}, somying, bundle_def.id, ANSWERS)
    assert getattr(raised.value, "code", "") == "duplicate_application"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Bundle)) == 0
    assert db.scalar(select(func.count()).select_from(Application)) == 1


def test_submit_refuses_every_part_while_one_is_incomplete(settings: Settings, db: Session, catalog: Catalog,
        tmp_path: Path) -> None:
    bundle_def = example_bundle(catalog)
    bundles = {bundle_def.id: bundle_def}
    wichai = director(create_citizen(db), required=1)
    bundle = service.start_bundle(db, catalog, bundles, wichai, bundle_def.id, ANSWERS)
    complete_parts(db, catalog, wichai, bundle, tmp_path)
    residence = next(a for a in bundle.parts if a.service_id == "residence-certificate")
    db.delete(residence.documents[0])
    db.commit()
    db.refresh(residence)
    with pytest.raises(FormInvalid) as raised:
        service.submit_bundle(db, catalog, bundles, wichai, bundle, True, settings=settings)
    assert set(raised.value.fields) == {"residence-certificate"}
    db.rollback()
    assert {a.status for a in db.scalars(select(Application))} == {workflow.DRAFT}
    with pytest.raises(DeclarationRequired):
        service.submit_bundle(db, catalog, bundles, wichai, bundle, False, settings=settings)


def test_one_director_company_submits_every_part_at_once(settings: Settings, db: Session, catalog: Catalog,
        tmp_path: Path) -> None:
    bundle_def = example_bundle(catalog)
    bundles = {bundle_def.id: bundle_def}
    sole = director(create_citizen(db), required=1)
    bundle = service.start_bundle(db, catalog, bundles, sole, bundle_def.id, ANSWERS)
    complete_parts(db, catalog, sole, bundle, tmp_path)
    service.submit_bundle(db, catalog, bundles, sole, bundle, True, settings=settings)
    db.commit()
    assert bundle.status == service.SUBMITTED and service.bundle_status(bundle) == service.IN_PROGRESS
    assert {a.status for a in bundle.parts} == {workflow.SUBMITTED}
    assert all(a.due_date is not None and a.declared_at is not None for a in bundle.parts)


def test_two_directors_the_second_co_approves_and_the_same_one_is_refused(
        settings: Settings, db: Session, catalog: Catalog, tmp_path: Path) -> None:
    bundle_def = example_bundle(catalog)
    bundles = {bundle_def.id: bundle_def}
    somying, wichai = director(create_citizen(db)), director(create_citizen(db, first_name="วิชัย"))
    bundle = service.start_bundle(db, catalog, bundles, somying, bundle_def.id, ANSWERS)
    complete_parts(db, catalog, somying, bundle, tmp_path)
    service.submit_bundle(db, catalog, bundles, somying, bundle, True, settings=settings)
    db.commit()
    assert service.bundle_status(bundle) == service.AWAITING
    assert {a.status for a in bundle.parts} == {workflow.DRAFT}  # nothing sent before the second director
    assert [w.bundle_id for w in coapproval.waiting_for(db, JURISTIC_ID)] == [bundle.id]
    with pytest.raises(coapproval.SameDirector):
        service.co_approve_bundle(db, catalog, bundles, somying, bundle, True, settings=settings)
    db.rollback()
    stranger = director(create_citizen(db), juristic_id=OTHER_JURISTIC_ID)
    with pytest.raises(Exception) as raised:
        service.co_approve_bundle(db, catalog, bundles, stranger, bundle, True, settings=settings)
    assert getattr(raised.value, "status_code", 0) == 403
    db.rollback()
    service.co_approve_bundle(db, catalog, bundles, wichai, bundle, True, settings=settings)
    db.commit()
    assert {a.status for a in bundle.parts} == {workflow.SUBMITTED}
    row = db.scalar(select(CoApproval).where(CoApproval.bundle_id == bundle.id))
    assert row is not None and row.approved_by_id == wichai.user_id and row.requested_by_id == somying.user_id
    assert coapproval.waiting_for(db, JURISTIC_ID) == []


def test_a_part_changed_while_held_asks_again(settings: Settings, db: Session, catalog: Catalog,
        tmp_path: Path) -> None:
    bundle_def = example_bundle(catalog)
    bundles = {bundle_def.id: bundle_def}
    somying, wichai = director(create_citizen(db)), director(create_citizen(db))
    bundle = service.start_bundle(db, catalog, bundles, somying, bundle_def.id, ANSWERS)
    complete_parts(db, catalog, somying, bundle, tmp_path)
    service.submit_bundle(db, catalog, bundles, somying, bundle, True, settings=settings)
    from pracha.services import service as services

    part = bundle.parts[0]
    services.update_application(db, catalog, somying, part, {**part.data, "phone": "0899999999"})
    db.commit()
    with pytest.raises(coapproval.CoApprovalChanged):
        service.co_approve_bundle(db, catalog, bundles, wichai, bundle, True, settings=settings)
    db.commit()
    assert bundle.status == service.DRAFT and {a.status for a in bundle.parts} == {workflow.DRAFT}


def test_status_is_derived_from_the_parts(settings: Settings, db: Session, catalog: Catalog,
        tmp_path: Path) -> None:
    bundle_def = example_bundle(catalog)
    bundles = {bundle_def.id: bundle_def}
    sole = director(create_citizen(db), required=1)
    bundle = service.start_bundle(db, catalog, bundles, sole, bundle_def.id, ANSWERS)
    assert service.bundle_status(bundle) == service.DRAFT
    complete_parts(db, catalog, sole, bundle, tmp_path)
    service.submit_bundle(db, catalog, bundles, sole, bundle, True, settings=settings)
    bundle.parts[0].status = workflow.NEEDS_INFO
    assert service.bundle_status(bundle) == service.NEEDS_ATTENTION
    for part in bundle.parts:
        part.status = workflow.APPROVED
    assert service.bundle_status(bundle) == service.DONE
    bundle.parts[1].status = workflow.REJECTED
    assert service.bundle_status(bundle) == service.NEEDS_ATTENTION


def test_the_catalogue_refuses_unknown_services_fields_and_unused_questions(catalog: Catalog) -> None:
    for broken, message in (
        ({**TEST_BUNDLE, "parts": [{"service": "no-such", "fields": {"x": "phone"}}, *TEST_BUNDLE["parts"]]},
         "no service"),
        ({**TEST_BUNDLE, "parts": [{"service": "building-permit", "fields": {"nope": "phone"}},
                                   TEST_BUNDLE["parts"][0]]}, "not a field"),
        ({**TEST_BUNDLE, "questions": {**TEST_BUNDLE["questions"], "unused": {
            "type": "string", "title": "U", "x-title-th": "ใ", "maxLength": 5}}}, "answer no part"),
    ):
        with pytest.raises(BundleCatalogError, match=message):
            parse_bundle(broken, catalog, "test")


def test_the_real_start_a_business_bundle_loads(catalog: Catalog) -> None:
    """catalog/bundles/start-a-business.yaml: four parts, four agencies."""
    bundles = load_bundles(default_catalog_dir() / "bundles", catalog)
    bundle = bundles["start-a-business"]
    assert len({catalog.services[p.service].agency for p in bundle.parts}) == 4
    raw = yaml.safe_load((default_catalog_dir() / "bundles" / "start-a-business.yaml").read_text(encoding="utf-8"))
    assert raw["id"] == bundle.id


# --- HTTP ---------------------------------------------------------------------------------------------


def test_api_start_read_submit_co_approve(app: FastAPI, db: Session, catalog: Catalog, make_client,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    bundle_def = use_test_bundle(app, catalog)
    first, second = make_client(), make_client()
    somying, wichai = create_citizen(db), create_citizen(db, first_name="วิชัย", last_name="ศรีสุข")
    csrf1, csrf2 = sign_in(db, first, somying), sign_in(db, second, wichai)
    act_for(db, first.cookies["pracha_session"])
    act_for(db, second.cookies["pracha_session"])
    listed = first.get("/api/v1/bundles").json()["bundles"]
    assert [b["id"] for b in listed] == [bundle_def.id] and len(listed[0]["parts"]) == 3
    started = first.post(f"/api/v1/bundles/{bundle_def.id}", headers={"X-CSRF-Token": csrf1}, json={"answers": ANSWERS})
    assert started.status_code == 201, started.text
    body = started.json()
    reference = body["reference"]
    assert body["status"] == "draft" and body["organisation"]["juristic_id"] == JURISTIC_ID
    agencies = {"cm-commercial-registry", "cm-building-control", "cm-district-admin"}
    assert {p["agency"] for p in body["parts"]} == agencies
    assert all(p["missing_documents"] for p in body["parts"])
    bundle = db.scalar(select(Bundle).where(Bundle.reference == reference))
    assert bundle is not None
    complete_parts(db, catalog, director(somying), bundle, tmp_path / "uploads")
    no_declaration = first.post(f"/api/v1/bundles/{reference}/submit", headers={"X-CSRF-Token": csrf1}, json={})
    assert no_declaration.status_code == 422
    held = first.post(f"/api/v1/bundles/{reference}/submit", headers={"X-CSRF-Token": csrf1},
                      json={"declaration": True})
    assert held.status_code == 200 and held.json()["status"] == "awaiting_co_approval"
    same = first.post(f"/api/v1/bundles/{reference}/co-approve", headers={"X-CSRF-Token": csrf1},
                      json={"declaration": True})
    assert same.status_code == 409 and same.json()["error"] == "co_approval_same_director"
    done = second.post(f"/api/v1/bundles/{reference}/co-approve", headers={"X-CSRF-Token": csrf2},
                       json={"declaration": True})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "in_progress" and {p["status"] for p in done.json()["parts"]} == {"submitted"}
    read = second.get(f"/api/v1/bundles/{reference}").json()
    assert all(p["reference"] for p in read["parts"])
    # one Thai QR for every part's fee: commercial registration 50 + building permit 20 + 120 m² × 0.50
    payment = read["payment"]
    assert (payment["amount"], payment["status"]) == ("130.00", "due") and payment["pay_url"].endswith("/pay")
    page = second.get(f"/bundles/{reference}")
    assert page.status_code == 200 and reference in page.text and "cm-building-control" not in page.text
    assert 'id="pay-bundle"' in page.text and "130.00" in page.text
    pay = second.get(payment["pay_url"])
    assert pay.status_code == 200 and 'id="bundle-fees"' in pay.text and payment["id"] in pay.text


def test_api_refuses_citizens_not_acting_and_other_companies(app: FastAPI, db: Session, catalog: Catalog,
                                                             client: TestClient, make_client) -> None:  # type: ignore[no-untyped-def]
    bundle_def = use_test_bundle(app, catalog)
    csrf = sign_in(db, client, create_citizen(db))
    alone = client.post(f"/api/v1/bundles/{bundle_def.id}", headers={"X-CSRF-Token": csrf}, json={"answers": ANSWERS})
    assert alone.status_code == 403 and alone.json()["error"] == "act_for_organisation_first"
    act_for(db, client.cookies["pracha_session"])
    reference = client.post(f"/api/v1/bundles/{bundle_def.id}", headers={"X-CSRF-Token": csrf},
                            json={"answers": ANSWERS}).json()["reference"]
    other = make_client()
    sign_in(db, other, create_citizen(db))
    act_for(db, other.cookies["pracha_session"], juristic_id=OTHER_JURISTIC_ID)
    assert other.get(f"/api/v1/bundles/{reference}").status_code == 404
    assert client.get("/api/v1/bundles/no-such-kind-x").status_code == 404
    bad = client.post(f"/api/v1/bundles/{bundle_def.id}", headers={"X-CSRF-Token": csrf},
                      json={"answers": {"phone": "12"}})
    assert bad.status_code in (409, 422)  # the open parts of the first bundle (409) or the bad phone (422)
