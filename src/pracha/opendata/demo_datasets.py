"""The demo's open data (`pracha seed --demo`): three agency datasets with full Thai metadata and a CSV
each (demo figures, said so in their notes), then the platform's own statistics. Made once: a dataset
whose name exists is left alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.opendata import platform
from pracha.opendata.catalogue import OpenData, Upload, add_resource, create_package, find_dataset
from pracha.opendata.publishers import SYSTEM_PUBLISHER, Publisher, publisher_of
from pracha.opendata.statistics import month_th, months_between
from pracha.services.catalog import Catalog

DEMO_NOTE_TH = "\n\nหมายเหตุ: ข้อมูลสาธิต (demo) สร้างขึ้นเพื่อทดลองใช้ระบบ ไม่ใช่ตัวเลขจริง"
DEMO_NOTE_EN = "\n\nNote: demo data made up to try the system; not real figures."
# The 16 sub-districts (ตำบล) of Mueang Chiang Mai district, with their postcodes
MUEANG_CHIANG_MAI = (("ศรีภูมิ", "50200"), ("พระสิงห์", "50200"), ("หายยา", "50100"), ("ช้างม่อย", "50300"),
                     ("ช้างคลาน", "50100"), ("วัดเกต", "50000"), ("ช้างเผือก", "50300"), ("สุเทพ", "50200"),
                     ("แม่เหียะ", "50100"), ("ป่าแดด", "50100"), ("หนองหอย", "50000"), ("ท่าศาลา", "50000"),
                     ("หนองป่าครั่ง", "50000"), ("ฟ้าฮ่าม", "50000"), ("ป่าตัน", "50300"), ("สันผีเสื้อ", "50300"))


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def common(owner: str, maintainer: str, email: str) -> dict[str, Any]:
    return {"owner_org": owner, "license_id": "Open Data Common", "data_type": "ข้อมูลสถิติ",
            "objective": ["เพื่อการให้บริการประชาชน", "พันธกิจหน่วยงาน"], "data_format": ["CSV"],
            "data_category": "ข้อมูลสาธารณะ", "disclosure": "เปิดเผย", "maintainer": maintainer,
            "maintainer_email": email}


def elderly_recipients(rng: random.Random) -> tuple[dict[str, Any], bytes]:
    rows = []
    for tambon, postcode in MUEANG_CHIANG_MAI:
        women = rng.randint(450, 2300)
        men = int(women * rng.uniform(0.72, 0.86))
        rows.append([tambon, "เมืองเชียงใหม่", "เชียงใหม่", postcode, 2569, men, women, men + women])
    package = common("cm-elderly-welfare", "กองสวัสดิการสังคม เทศบาลนครเชียงใหม่", "welfare@cmcity.example.go.th") | {
        "name": "cm-elderly-allowance-recipients-by-subdistrict",
        "title": "จำนวนผู้ได้รับเบี้ยยังชีพผู้สูงอายุ อำเภอเมืองเชียงใหม่ จำแนกตามตำบล ปีงบประมาณ 2569",
        "title_en": "Elderly-allowance recipients in Mueang Chiang Mai by sub-district, fiscal year 2569",
        "notes": "จำนวนผู้สูงอายุที่ได้รับเบี้ยยังชีพผู้สูงอายุในปีงบประมาณ พ.ศ. 2569 ของ 16 ตำบลในอำเภอเมืองเชียงใหม่ "
                 "จำแนกตามเพศ (จำนวนคน ไม่มีข้อมูลรายบุคคล)" + DEMO_NOTE_TH,
        "notes_en": "Older people receiving the elderly allowance in fiscal year 2569 in the 16 sub-districts of "
                    "Mueang Chiang Mai, by sex (counts of people; no individual records)." + DEMO_NOTE_EN,
        "update_frequency_unit": "ปี", "update_frequency_interval": 1, "geo_coverage": "ตำบล",
        "data_source": "ทะเบียนผู้รับเบี้ยยังชีพผู้สูงอายุ", "groups": ["population"],
        "tags": ["ผู้สูงอายุ", "เบี้ยยังชีพ", "เชียงใหม่", "สวัสดิการ"]}
    header = ["subdistrict", "district", "province", "postcode", "fiscal_year", "recipients_male",
              "recipients_female", "recipients_total"]
    return package, csv_bytes(header, rows)


def building_permits(rng: random.Random, owner: str, today: dt.date) -> tuple[dict[str, Any], bytes]:
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    first = f"{int(last[:4]) - 2}-{last[5:]}"
    rows = []
    for month in months_between(first, last)[1:]:
        homes, shops, others = rng.randint(28, 70), rng.randint(6, 22), rng.randint(1, 8)
        area = homes * rng.randint(120, 220) + shops * rng.randint(180, 600) + others * rng.randint(300, 1500)
        rows.append([month, month_th(month), homes, shops, others, homes + shops + others, area])
    package = common(owner, "ฝ่ายควบคุมอาคาร", "building@cmcity.example.go.th") | {
        "name": "cm-building-permits-by-month",
        "title": "จำนวนใบอนุญาตก่อสร้างอาคารที่ออกรายเดือน เทศบาลนครเชียงใหม่",
        "title_en": "Building permits issued by month, Chiang Mai City Municipality",
        "notes": "จำนวนใบอนุญาตก่อสร้าง ดัดแปลง หรือรื้อถอนอาคาร (อ.1) ที่ออกในแต่ละเดือน จำแนกตามประเภทการใช้อาคาร "
                 "และพื้นที่อาคารรวม (ตารางเมตร) ย้อนหลัง 24 เดือน" + DEMO_NOTE_TH,
        "notes_en": "Building permits (Form Or.1) issued each month by building use, and the total floor area "
                    "(square metres), for the last 24 months." + DEMO_NOTE_EN,
        "update_frequency_unit": "เดือน", "update_frequency_interval": 1, "geo_coverage": "เทศบาล/อบต.",
        "data_source": "ทะเบียนใบอนุญาตก่อสร้างอาคาร", "groups": ["city"],
        "tags": ["ใบอนุญาตก่อสร้าง", "อาคาร", "เชียงใหม่"]}
    header = ["month", "month_th", "residential", "commercial", "other", "permits_total", "floor_area_sqm"]
    return package, csv_bytes(header, rows)


def service_catalogue(catalog: Catalog) -> tuple[dict[str, Any], bytes]:
    rows = [[s.id, s.name.th, s.name.en, s.agency, catalog.agencies[s.agency].name.th, s.fee_amount,
             s.sla_days, s.legal_basis.th] for s in catalog.services.values()]
    package = common("pracha", "ทีมแพลตฟอร์มประชา", "opendata@pracha.go.th") | {
        "name": "pracha-service-catalogue", "title": "บัญชีบริการภาครัฐบนแพลตฟอร์มประชา",
        "title_en": "The catalogue of government services on Pracha",
        "notes": "บริการทุกรายการที่ยื่นผ่านระบบประชาได้ หน่วยงานเจ้าของ ค่าธรรมเนียม (บาท) ระยะเวลาดำเนินการ (วันทำการ) "
                 "และกฎหมายที่เป็นฐาน สร้างจากคู่มือบริการของระบบโดยตรง",
        "notes_en": "Every service one can apply for on Pracha: the agency, the fee (baht), the processing time "
                    "(working days) and the legal basis, generated from the platform's service definitions.",
        "update_frequency_unit": "ไม่ทราบ", "geo_coverage": "จังหวัด", "data_source": "คู่มือบริการของระบบประชา",
        "data_type": "ข้อมูลระเบียน", "groups": ["government"], "tags": ["บริการภาครัฐ", "คู่มือประชาชน"]}
    header = ["service_id", "name_th", "name_en", "agency", "agency_th", "fee_baht", "sla_working_days",
              "legal_basis"]
    return package, csv_bytes(header, rows)


def agency_publisher(session: Session, agency: str) -> Publisher:
    """The agency admin of the demo (`admin.<agency>`) publishes for the agency."""
    admin = session.scalar(select(User).where(User.username == f"admin.{agency}"))
    found = publisher_of(Principal(user=admin)) if admin is not None else None
    return found or SYSTEM_PUBLISHER


def seed_open_data(session: Session, catalog: Catalog, settings: Settings, today: dt.date) -> None:
    od = OpenData(catalog, settings.catalog_dir.resolve(), settings.public_base_url)
    rng = random.Random(2569)
    made = [elderly_recipients(rng), service_catalogue(catalog)]
    building = catalog.get("building-permit")
    if building is not None:
        made.append(building_permits(rng, building.agency, today))
    for package, content in made:
        if find_dataset(session, package["name"]) is None:
            publisher = agency_publisher(session, package["owner_org"])
            resource = {"name": package["title"], "name_en": package["title_en"], "format": "CSV"}
            dataset = create_package(session, od, publisher, package)
            add_resource(session, od, publisher, dataset, resource,
                         upload=Upload(f"{package['name']}.csv", content, "text/csv"))
    platform.refresh(session, od, today)
