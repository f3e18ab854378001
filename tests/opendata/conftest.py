"""The open-data tests' world: a few datasets as agencies publish them (Thai metadata, resources),
and API tokens of an agency admin: one that may publish, one that may not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pracha.identity import service as identity
from pracha.opendata import catalogue
from pracha.opendata.catalogue import OpenData, Upload
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from pracha.services.catalog import Catalog, default_catalog_dir
from tests.factories import create_staff

AGENCY = "cm-elderly-welfare"
OTHER_AGENCY = "cm-building-control"


def package(name: str, **overrides: Any) -> dict[str, Any]:
    """A valid CKAN package dict with the Thai Government Data Catalog fields."""
    values: dict[str, Any] = {
        "name": name, "title": "ผู้รับเบี้ยยังชีพผู้สูงอายุ จังหวัดเชียงใหม่ รายตำบล",
        "title_en": "Elderly allowance recipients in Chiang Mai by sub-district",
        "notes": "จำนวนผู้สูงอายุที่ได้รับเบี้ยยังชีพ แยกตามตำบล ในจังหวัดเชียงใหม่",
        "owner_org": AGENCY, "license_id": "Open Data Common", "data_type": "ข้อมูลสถิติ",
        "objective": ["เพื่อการให้บริการประชาชน"], "update_frequency_unit": "เดือน", "update_frequency_interval": 1,
        "geo_coverage": "ตำบล", "data_source": "กองสวัสดิการสังคม เทศบาลนครเชียงใหม่", "data_format": ["CSV"],
        "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย", "maintainer": "กองสวัสดิการสังคม",
        "maintainer_email": "welfare@chiangmai.go.th", "tags": ["ผู้สูงอายุ", "เบี้ยยังชีพ"],
        "groups": ["population"],
    }
    values.update(overrides)
    return values


@dataclass(frozen=True)
class Seeded:
    elderly_id: str
    elderly_resource: str
    link_resource: str
    permits_id: str
    private_id: str
    internal_id: str


def open_data(catalog: Catalog) -> OpenData:
    return OpenData(catalog, default_catalog_dir().resolve(), "http://testserver/")


@pytest.fixture
def seeded(db: Session, catalog: Catalog) -> Seeded:
    od = open_data(catalog)
    elderly = catalogue.create_package(db, od, SYSTEM_PUBLISHER, package("elderly-allowance-recipients"))
    upload = catalogue.add_resource(db, od, SYSTEM_PUBLISHER, elderly, {"name": "ข้อมูล JSON", "format": "JSON"},
                                    Upload("recipients.json", '[{"tambon": "ศรีภูมิ", "recipients": 412}]'.encode()))
    link = catalogue.add_resource(db, od, SYSTEM_PUBLISHER, elderly,
                                  {"name": "หน้าเว็บหน่วยงาน", "url": "https://welfare.chiangmai.go.th/data"})
    permits = catalogue.create_package(db, od, SYSTEM_PUBLISHER, package(
        "building-permits-by-month", title="ใบอนุญาตก่อสร้างอาคารรายเดือน", title_en="Building permits by month",
        notes="จำนวนใบอนุญาตก่อสร้างที่ออกในแต่ละเดือน", owner_org=OTHER_AGENCY, tags=["อาคาร"],
        groups=["city"], geo_coverage="อำเภอ", license_id="cc-by", data_source="สำนักการช่าง"))
    private = catalogue.create_package(db, od, SYSTEM_PUBLISHER, package(
        "draft-elderly-survey", title="แบบสำรวจผู้สูงอายุ (ร่าง)", private=True, tags=["ร่าง"]))
    internal = catalogue.create_package(db, od, SYSTEM_PUBLISHER, package(
        "internal-caseload", title="ภาระงานภายใน", data_category="ข้อมูลใช้ภายใน", tags=["ภายใน"]))
    db.commit()
    return Seeded(elderly.id, upload.id, link.id, permits.id, private.id, internal.id)


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    """Raw API tokens of the elderly-welfare agency: "publish" (scope opendata:publish), "read" (not)."""
    admin = create_staff(db, "agency_admin", AGENCY)
    agencies = [AGENCY, OTHER_AGENCY]
    _, publish = identity.create_api_token(db, admin, name="opendata", agency=AGENCY,
                                           scopes=["opendata:publish"], agencies=agencies)
    _, read = identity.create_api_token(db, admin, name="reader", agency=AGENCY,
                                        scopes=["applications:read"], agencies=agencies)
    db.commit()
    return {"publish": publish, "read": read}
