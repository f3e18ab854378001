"""Datasets published through the catalogue service, for the DCAT and versions tests: non-tabular
files (JSON, PDF) so they do not depend on the datastore."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from pracha.opendata import catalogue
from pracha.opendata.catalogue import OpenData, Upload
from pracha.opendata.models import OpenDataset, OpenResource
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from pracha.services.hooks import CATALOG

AGENCY = "cm-city-registry"
SITE = "http://testserver/"


def open_data(app: FastAPI) -> OpenData:
    state = app.state.pracha
    return OpenData(state.registry.get(CATALOG), state.settings.catalog_dir.resolve(), SITE)


def package(name: str = "elderly-allowance-by-subdistrict", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name, "title": "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุ รายตำบล",
        "title_en": "Elderly allowance recipients by sub-district",
        "notes": "จำนวนผู้รับเบี้ยยังชีพผู้สูงอายุในเขตเทศบาลนครเชียงใหม่ แยกตามตำบล (เฉพาะจำนวน)",
        "notes_en": "Counts of elderly-allowance recipients in Chiang Mai city, by sub-district",
        "owner_org": AGENCY, "license_id": "Open Data Common", "data_type": "ข้อมูลสถิติ",
        "objective": ["เพื่อการให้บริการประชาชน"], "update_frequency_unit": "เดือน", "update_frequency_interval": 1,
        "geo_coverage": "ตำบล", "data_source": "ระบบประชา", "data_format": ["JSON"],
        "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย", "maintainer": "งานสวัสดิการสังคม",
        "maintainer_email": "opendata@cmcity.example.go.th", "tags": ["ผู้สูงอายุ", "welfare"], "groups": ["population"]}
    data.update(overrides)
    return data


def counts(month: str, **by_area: int) -> bytes:
    return json.dumps({"month": month, "counts": by_area}, ensure_ascii=False).encode()


def publish(db: Session, od: OpenData, data: dict[str, Any] | None = None, content: bytes | None = None,
            filename: str = "ผู้สูงอายุ-2569-10.json") -> tuple[OpenDataset, OpenResource]:
    dataset = catalogue.create_package(db, od, SYSTEM_PUBLISHER, data or package())
    upload = Upload(filename, content or counts("2569-10", ช้างม่อย=131), "application/json")
    resource = catalogue.add_resource(db, od, SYSTEM_PUBLISHER, dataset,
                                      {"name": "จำนวนรายเดือน", "name_en": "Monthly counts", "format": "JSON"}, upload)
    catalogue.add_resource(db, od, SYSTEM_PUBLISHER, dataset,
                           {"name": "หน้าข้อมูลของเทศบาล", "url": "https://cmcity.example.go.th/data"})
    db.commit()
    return dataset, resource


def new_version(db: Session, od: OpenData, resource: OpenResource, content: bytes, filename: str) -> None:
    catalogue.update_resource(db, od, SYSTEM_PUBLISHER, resource.id, {}, Upload(filename, content, "application/json"))
    db.commit()
