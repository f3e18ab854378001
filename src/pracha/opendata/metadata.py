"""The Thai Government Data Catalog metadata (the fields and choices of data.go.th's dataset schema),
licences and themes from the catalogue folder, and the organisations that publish: the catalogue's
agencies and Pracha itself. Plain values; `validate_package` turns a CKAN package dict into clean
columns or CKAN-shaped field errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pracha.services.catalog import Catalog

DATA_TYPES = ("ข้อมูลระเบียน", "ข้อมูลสถิติ", "ข้อมูลภูมิสารสนเทศเชิงพื้นที่", "ข้อมูลหลากหลายประเภท", "ข้อมูลประเภทอื่นๆ")
PUBLIC_CATEGORY = "ข้อมูลสาธารณะ"
PERSONAL_CATEGORY = "ข้อมูลส่วนบุคคล"
DATA_CATEGORIES = (PUBLIC_CATEGORY, "ข้อมูลใช้ภายใน", PERSONAL_CATEGORY, "ข้อมูลความลับทางราชการ", "ข้อมูลความมั่นคง")
OPEN_DISCLOSURE = "เปิดเผย"
DISCLOSURES = (OPEN_DISCLOSURE, "ชั้นเผยแพร่ภายในองค์กร", "ลับ", "ลับมาก", "ลับที่สุด")
OBJECTIVES = (
    "ยุทธศาสตร์ชาติ", "แผนพัฒนาเศรษฐกิจและสังคมแห่งชาติ", "แผนความมั่นคงแห่งชาติ", "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ",
    "แผนปฏิรูปประเทศ", "แผนระดับที่ 3 (มติครม. 4 ธ.ค. 2560)", "นโยบายรัฐบาล/ข้อสั่งการนายกรัฐมนตรี", "มติคณะรัฐมนตรี",
    "เพื่อการให้บริการประชาชน", "กฎหมายที่เกี่ยวข้อง", "พันธกิจหน่วยงาน", "ดัชนี/ตัวชี้วัดระดับนานาชาติ", "ไม่ทราบ", "อื่นๆ")
UPDATE_FREQUENCY_UNITS = ("ไม่ทราบ", "ปี", "ครึ่งปี", "ไตรมาส", "เดือน", "สัปดาห์", "วัน", "วันทำการ", "ชั่วโมง", "นาที",
                          "ตามเวลาจริง", "ไม่มีการปรับปรุงหลังจากการจัดเก็บข้อมูล", "อื่นๆ")
GEO_COVERAGES = ("ไม่มี", "โลก", "ทวีป/กลุ่มประเทศในทวีป", "กลุ่มประเทศทางเศรษฐกิจ", "ประเทศ", "ภาค", "จังหวัด", "อำเภอ",
                 "ตำบล", "หมู่บ้าน", "เทศบาล/อบต.", "พิกัด", "ไม่ทราบ", "อื่นๆ")
DATA_FORMATS = ("Database", "CSV", "XML", "Image", "Video", "Audio", "Text", "JSON", "HTML", "DOC/DOCX", "XLS", "PDF",
                "RDF", "NoSQL", "Arc/Info Coverage", "Shapefile", "GeoTiff", "GML", "ไม่ทราบ", "อื่นๆ")

PLATFORM_ORG = "pracha"  # the platform's own statistics are published under this organisation
PLATFORM_TITLE = {"th": "แพลตฟอร์มประชา (สถิติจากระบบ)", "en": "Pracha platform (statistics from the system)"}
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TAG = re.compile(r"^[\w .\-\u0e00-\u0e7f]{1,100}$")

# CKAN package keys mapped to the dataset's columns of the same meaning
SIMPLE_FIELDS = ("data_type", "update_frequency_unit", "geo_coverage", "data_source", "data_category", "disclosure",
                 "maintainer", "maintainer_email", "license_id", "owner_org")
REQUIRED = ("name", "title", "owner_org", "license_id", "notes", "data_type", "objective", "update_frequency_unit",
            "geo_coverage", "data_source", "data_format", "data_category", "disclosure", "maintainer",
            "maintainer_email")


@dataclass(frozen=True)
class Licence:
    id: str
    title_th: str
    title_en: str
    url: str
    to_confirm: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    name: str
    title_th: str
    title_en: str
    description_th: str
    description_en: str


@dataclass(frozen=True)
class Organisation:
    name: str  # the agency code
    title_th: str
    title_en: str


@lru_cache(maxsize=4)
def licences(catalog_dir: Path) -> dict[str, Licence]:
    raw = yaml.safe_load((catalog_dir / "opendata" / "licences.yaml").read_text(encoding="utf-8"))
    return {item["id"]: Licence(item["id"], item["title"]["th"], item["title"]["en"], item["url"],
                                tuple(item.get("to_confirm", ()))) for item in raw}


@lru_cache(maxsize=4)
def groups(catalog_dir: Path) -> dict[str, Group]:
    raw = yaml.safe_load((catalog_dir / "opendata" / "groups.yaml").read_text(encoding="utf-8"))
    return {item["name"]: Group(item["name"], item["title"]["th"], item["title"]["en"],
                                item["description"]["th"], item["description"]["en"]) for item in raw}


def organisations(catalog: Catalog) -> dict[str, Organisation]:
    found = {code: Organisation(code, agency.name.th, agency.name.en) for code, agency in catalog.agencies.items()}
    found[PLATFORM_ORG] = Organisation(PLATFORM_ORG, PLATFORM_TITLE["th"], PLATFORM_TITLE["en"])
    return found


def publishable(data_category: str, disclosure: str) -> bool:
    """Only public, openly disclosed data is served to the public; personal data never is."""
    return data_category == PUBLIC_CATEGORY and disclosure == OPEN_DISCLOSURE


def _text(value: Any, limit: int) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() and len(value) <= limit else None


def _choices(value: Any, allowed: tuple[str, ...]) -> list[str] | None:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or any(v not in allowed for v in values):
        return None
    return list(dict.fromkeys(values))


def validate_package(data: dict[str, Any], *, catalog: Catalog, catalog_dir: Path,
                     partial: bool = False) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(columns, errors) from a CKAN package dict. `partial` (package_patch): only the keys given.
    Errors are CKAN's shape, {field: [message]}, with the Thai message first in each list."""
    columns: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def bad(field: str, th: str, en: str) -> None:
        errors[field] = [f"{th} ({en})"]

    def given(field: str) -> bool:
        return field in data and data[field] not in (None, "", [])

    for field in REQUIRED:
        if not partial and not given(field) and not (field == "title" and given("title_th")):
            bad(field, "ต้องกรอก", "Missing value")
    if given("name"):
        if isinstance(data["name"], str) and NAME.match(data["name"]):
            columns["name"] = data["name"]
        else:
            bad("name", "ใช้ได้เฉพาะ a-z 0-9 - และ _ ยาว 2–100 ตัว",
                "Must be 2-100 characters of lowercase a-z, 0-9, - and _")
    for key, column, limit in (("title", "title_th", 300), ("title_th", "title_th", 300),
                               ("title_en", "title_en", 300), ("notes", "notes_th", 20000),
                               ("notes_en", "notes_en", 20000), ("data_source", "data_source", 300),
                               ("maintainer", "maintainer", 200)):
        if given(key):
            if (text := _text(data[key], limit)) is None:
                bad(key, f"ข้อความยาวไม่เกิน {limit} ตัวอักษร", f"Text of at most {limit} characters")
            else:
                columns[column] = text
    single: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("data_type", DATA_TYPES), ("update_frequency_unit", UPDATE_FREQUENCY_UNITS),
        ("geo_coverage", GEO_COVERAGES), ("data_category", DATA_CATEGORIES), ("disclosure", DISCLOSURES))
    for key, allowed in single:
        if given(key):
            if data[key] in allowed:
                columns[key] = data[key]
            else:
                bad(key, "ค่าไม่อยู่ในรายการที่กำหนด", f"Value must be one of: {', '.join(allowed)}")
    multiple: tuple[tuple[str, tuple[str, ...]], ...] = (("objective", OBJECTIVES), ("data_format", DATA_FORMATS))
    for key, allowed in multiple:
        if given(key):
            if (chosen := _choices(data[key], allowed)) is None:
                bad(key, "ค่าไม่อยู่ในรายการที่กำหนด", f"Values must be among: {', '.join(allowed)}")
            else:
                columns[key] = chosen
    if given("update_frequency_interval"):
        try:
            interval = int(data["update_frequency_interval"])
            if not 1 <= interval <= 1000:
                raise ValueError
            columns["update_frequency_interval"] = interval
        except (TypeError, ValueError):
            bad("update_frequency_interval", "ต้องเป็นจำนวนเต็ม 1–1000", "Must be a whole number from 1 to 1000")
    if given("maintainer_email"):
        if isinstance(data["maintainer_email"], str) and EMAIL.match(data["maintainer_email"]):
            columns["maintainer_email"] = data["maintainer_email"].strip()
        else:
            bad("maintainer_email", "อีเมลไม่ถูกต้อง", "Not a valid email address")
    if given("license_id"):
        if data["license_id"] in licences(catalog_dir):
            columns["license_id"] = data["license_id"]
        else:
            bad("license_id", "ไม่รู้จักสัญญาอนุญาตนี้", "Unknown licence: see license_list")
    if given("owner_org"):
        if data["owner_org"] in organisations(catalog):
            columns["owner_org"] = data["owner_org"]
        else:
            bad("owner_org", "ไม่รู้จักหน่วยงานนี้", "Unknown organization: see organization_list")
    if "tags" in data:
        tags = data["tags"] or []
        names = [t.get("name") if isinstance(t, dict) else t for t in tags] if isinstance(tags, list) else None
        if names is None or any(not isinstance(n, str) or not TAG.match(n.strip()) for n in names):
            bad("tags", "คำสำคัญยาวไม่เกิน 100 ตัวอักษร", "Each tag: 1-100 letters, digits, spaces, . - _")
        else:
            columns["tags"] = list(dict.fromkeys(str(n).strip() for n in names))
    if "groups" in data:
        chosen_groups = data["groups"] or []
        names = [g.get("name") if isinstance(g, dict) else g for g in chosen_groups] \
            if isinstance(chosen_groups, list) else None
        known = groups(catalog_dir)
        if names is None or any(n not in known for n in names):
            bad("groups", "ไม่รู้จักกลุ่มนี้", "Unknown group: see group_list")
        else:
            columns["groups"] = list(dict.fromkeys(names))
    if "private" in data:
        columns["private"] = data["private"] in (True, "true", "True", "1", 1)
    category = columns.get("data_category", data.get("data_category"))
    if category == PERSONAL_CATEGORY and not columns.get("private", data.get("private", False)):
        bad("data_category", "ข้อมูลส่วนบุคคลเผยแพร่เป็นข้อมูลเปิดไม่ได้ ให้ตั้งเป็นชุดข้อมูลส่วนตัว (private)",
            "Personal data can never be published: mark the dataset private")
    return columns, errors
