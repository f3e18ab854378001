"""What the business tests share: a test bundle of existing services (three agencies), directors acting
for a juristic person, and the parts' documents."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.business.bundle_catalog import BUNDLES, BundleDef, parse_bundle
from pracha.identity.models import User, WebSession
from pracha.identity.principal import AUTHORISED, DIRECTOR, Acting, Principal
from pracha.identity.service import digest
from pracha.services import service as services
from pracha.services.catalog import Catalog
from pracha.services.models import Bundle
from tests.services.helpers import PDF

JURISTIC_ID = "0505569012341"
OTHER_JURISTIC_ID = "0105569099991"
TEST_BUNDLE: dict[str, Any] = {
    "id": "open-a-workshop", "name": {"th": "เปิดโรงงานเล็ก", "en": "Open a workshop"},
    "summary": {"th": "ทดสอบ", "en": "A test bundle"}, "audience": ["business"], "life_event": "starting-a-business",
    "questions": {
        "trade_name": {"type": "string", "title": "Trading name", "x-title-th": "ชื่อร้าน", "maxLength": 200},
        "address": {"type": "string", "title": "Address", "x-title-th": "ที่ตั้ง", "maxLength": 500},
        "start_date": {"type": "string", "format": "date", "title": "Start", "x-title-th": "วันเริ่ม"},
        "capital": {"type": "integer", "title": "Capital", "x-title-th": "ทุน", "minimum": 0},
        "phone": {"type": "string", "title": "Phone", "x-title-th": "โทรศัพท์", "pattern": "^0[0-9]{8,9}$"},
        "storeys": {"type": "integer", "title": "Storeys", "x-title-th": "จำนวนชั้น", "minimum": 1},
        "floor_area": {"type": "number", "title": "Floor area", "x-title-th": "พื้นที่", "minimum": 1},
    },
    "parts": [
        {"service": "commercial-registration",
         "fields": {"trade_name": "trade_name", "business_address": "address", "start_date": "start_date",
                    "capital": "capital", "phone": "phone"},
         "fixed": {"business_form": "individual", "business_category": "ร้านอาหาร", "premises": "rented",
                   "sells_online": False}},
        {"service": "building-permit",
         "fields": {"site_address": "address", "phone": "phone", "storeys": "storeys", "floor_area": "floor_area"},
         "fixed": {"building_use": "shophouse", "height": 8.5, "land_title_number": "12345", "owns_land": True}},
        {"service": "residence-certificate", "fields": {"current_address": "address", "living_since": "start_date"},
         "fixed": {"purpose": "job", "matches_house_registration": True, "copies": 1, "delivery": "pickup"}},
    ],
}
ANSWERS = {"trade_name": "ข้าวซอยล้านนา", "address": "99 ถนนนิมมานเหมินท์ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่",
           "start_date": "2025-01-15", "capital": 500000, "phone": "0812345678", "storeys": 2, "floor_area": 120}
# What the test bundle's questions do not ask, each part's own (filled in on the part's page).
PART_EXTRAS = {
    "commercial-registration": {"business_form": "individual", "business_category": "ร้านอาหาร", "premises": "rented",
                                "sells_online": False},
    "building-permit": {"building_use": "shophouse", "height": 8.5, "land_title_number": "12345", "owns_land": True},
    "residence-certificate": {"purpose": "job", "matches_house_registration": True, "copies": 1, "delivery": "pickup"},
}


def example_bundle(catalog: Catalog) -> BundleDef:
    return parse_bundle(TEST_BUNDLE, catalog, "test")


def use_test_bundle(app: FastAPI, catalog: Catalog) -> BundleDef:
    bundle = example_bundle(catalog)
    app.state.pracha.registry.provide(BUNDLES, {bundle.id: bundle})
    return bundle


def director(user: User, juristic_id: str = JURISTIC_ID, required: int = 2) -> Principal:
    return Principal(user=user, acting=Acting(juristic_id, "บริษัท ข้าวซอยล้านนา จำกัด", "Khao Soi Lanna Co., Ltd.",
                                              DIRECTOR, required))


def authorised(user: User, services_granted: frozenset[str], juristic_id: str = JURISTIC_ID) -> Principal:
    return Principal(user=user, acting=Acting(juristic_id, "บริษัท ข้าวซอยล้านนา จำกัด", "Khao Soi Lanna Co., Ltd.",
                                              AUTHORISED, 2, services_granted))


def act_for(db: Session, token: str, juristic_id: str = JURISTIC_ID, role: str = DIRECTOR, required: int = 2) -> None:
    """What the acting helper's switch does to the session row (it lands at the merge)."""
    row = db.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    assert row is not None
    row.acting_for = juristic_id
    row.acting = {"name_th": "บริษัท ข้าวซอยล้านนา จำกัด", "name_en": "Khao Soi Lanna Co., Ltd.", "role": role,
                  "directors_required": required}
    db.commit()


def complete_parts(db: Session, catalog: Catalog, principal: Principal, bundle: Bundle, upload_dir: Path) -> None:
    """Each part's own fields and its required documents, as the citizen would on the part's page."""
    storage = services.Storage(upload_dir=upload_dir, max_bytes=10_000_000)
    for application in bundle.parts:
        services.update_application(db, catalog, principal, application,
                                    {**application.data, **PART_EXTRAS[application.service_id]})
        service = catalog.services[application.service_id]
        for requirement in (d.id for d in service.documents if d.required):
            services.add_document(db, storage, catalog, principal, application, requirement=requirement,
                                  filename="doc.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
    db.commit()
