"""The datasets Pracha publishes about itself, and their daily refresh.

Each `PlatformStatistic` is one dataset (owner "pracha", ข้อมูลสถิติ, ข้อมูลสาธารณะ, เปิดเผย, the Open
Data Common licence) with one CSV resource computed by `statistics` after small-cell suppression. The
daily job (`install.py`) calls `refresh`: the first run creates the datasets; each run computes every
CSV and publishes a new version only when its bytes differ (each version in the ledger). Other packages
add datasets through the `PLATFORM_STATISTICS` hook (complaints and petitions, issue 18): a function
returning a `PlatformStatistic` whose `compute` suppresses with `disclosure` like the ones here.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import registry_of
from pracha.hooks import Hook
from pracha.opendata import metadata, statistics
from pracha.opendata.catalogue import OpenData, Upload, add_resource, create_package, update_resource
from pracha.opendata.disclosure import K
from pracha.opendata.models import ACTIVE, OpenDataset
from pracha.opendata.publishers import SYSTEM_PUBLISHER
from pracha.opendata.statistics import Table
from pracha.services.catalog import Catalog

PRIVACY = {
    "method": "small-cell suppression", "k": K, "unit": "distinct people", "secondary": True,
    "complete_months_only": True,
    "text_th": (f"ทุกตัวเลขที่เผยแพร่ครอบคลุมบุคคลอย่างน้อย {K} คนที่ไม่ซ้ำกัน ช่องที่มีน้อยกว่านั้น (รวมถึงช่องที่เป็นศูนย์) "
                "จะเว้นว่างและมีเครื่องหมาย suppressed และในกลุ่มที่เผยแพร่ยอดรวม จะปิดช่องอื่นเพิ่ม (การปิดบังลำดับที่สอง) "
                f"จนช่องที่ปิดทั้งหมดรวมกันครอบคลุมอย่างน้อย {K} คน จึงคำนวณย้อนกลับจากยอดรวมไม่ได้ "
                "ค่ามัธยฐานและสัดส่วนเผยแพร่เฉพาะเมื่อครอบคลุมอย่างน้อย 10 คน และเผยแพร่เฉพาะเดือนที่สิ้นสุดแล้ว "
                "ตัวเลขของเดือนหนึ่งจึงไม่เปลี่ยนระหว่างฉบับรายวัน"),
    "text_en": (f"Every published figure covers at least {K} distinct people. Smaller cells (empty ones too) are "
                "left blank and flagged `suppressed`; where a group's total is published, further cells are "
                f"suppressed (secondary suppression) until the suppressed cells together cover at least {K} "
                "people, so no cell can be worked out from the total. Medians and shares are published only "
                f"over at least {K} people. Only months that have ended are published, so a month's figures do "
                "not change from one daily version to the next."),
}


@dataclass(frozen=True)
class PlatformStatistic:
    key: str  # the dataset's platform_key
    name: str  # its URL name
    title_th: str
    title_en: str
    notes_th: str
    notes_en: str
    groups: tuple[str, ...]
    tags: tuple[str, ...]
    compute: Callable[[Session, Catalog, dt.date], Table]


log = logging.getLogger(__name__)

# More platform datasets, from packages above the automation (issue 18: complaints and petitions).
PLATFORM_STATISTICS: Hook[Callable[[], PlatformStatistic]] = Hook("platform_statistics")

_NOTE_TH = "\n\nข้อมูลนี้ระบบประชาคำนวณจากธุรกรรมจริงทุกวันโดยอัตโนมัติ ช่อง suppressed = true คือช่องที่ปิดบังเพื่อคุ้มครองข้อมูลส่วนบุคคล"
_NOTE_EN = ("\n\nComputed by Pracha from its live transactions every day. Rows with suppressed = true are "
            "withheld to protect personal data.")
BUILTIN = (
    PlatformStatistic(
        "applications-by-district", "pracha-applications-by-service-district",
        "จำนวนคำขอรับบริการจำแนกตามบริการ เดือน และอำเภอของผู้ยื่น",
        "Applications by service, month and applicant's district",
        "จำนวนคำขอที่ยื่นผ่านระบบประชาในแต่ละเดือน (พ.ศ. และ ค.ศ. ในคอลัมน์ month) จำแนกตามบริการและอำเภอที่ผู้ยื่นอาศัยอยู่ "
        "ตามที่อยู่ในคำขอหรือในบัญชีผู้ใช้ (ไม่ทราบ: ไม่ระบุ) พร้อมยอดรวมของแต่ละบริการต่อเดือน (row_type = total)" + _NOTE_TH,
        "Applications submitted through Pracha each month, by service and the district the applicant lives in (from "
        "the application's or the account's address; unknown: ไม่ระบุ), with each service-month's total "
        "(row_type = total)." + _NOTE_EN,
        ("government", "population"), ("คำขอ", "บริการภาครัฐ", "สถิติ"), statistics.applications_by_district),
    PlatformStatistic(
        "processing-times", "pracha-processing-times-by-agency",
        "ระยะเวลาพิจารณาคำขอและการพิจารณาทันกำหนดจำแนกตามหน่วยงานและเดือน",
        "Processing times and SLA compliance by agency and month",
        "จำนวนคำขอที่พิจารณาแล้ว (อนุมัติหรือไม่อนุมัติ) ในแต่ละเดือน ค่ามัธยฐานและเปอร์เซ็นไทล์ที่ 90 ของจำนวนวันทำการ "
        "ตั้งแต่ยื่นถึงวันพิจารณา และร้อยละที่พิจารณาภายในกำหนดตามคู่มือบริการ" + _NOTE_TH,
        "Decided applications (approved or rejected) each month, the median and 90th percentile of working days "
        "from submission to decision, and the percentage decided by the due date of the service's SLA." + _NOTE_EN,
        ("government",), ("ระยะเวลาดำเนินการ", "SLA", "สถิติ"), statistics.processing_times),
    PlatformStatistic(
        "automation-rate", "pracha-automation-rate-by-service",
        "สัดส่วนคำขอที่ระบบอัตโนมัติพิจารณาจำแนกตามบริการและเดือน", "Automation rate by service and month",
        "จำนวนคำขอที่พิจารณาแล้วในแต่ละเดือน และร้อยละที่ระบบอัตโนมัติพิจารณาตามกฎของบริการโดยไม่ต้องรอเจ้าหน้าที่" + _NOTE_TH,
        "Decided applications each month and the percentage decided by the platform's rules without waiting for "
        "an officer." + _NOTE_EN,
        ("government",), ("ระบบอัตโนมัติ", "สถิติ"), statistics.automation_rate),
    PlatformStatistic(
        "exchange-requests", "pracha-data-exchange-requests",
        "จำนวนคำขอแลกเปลี่ยนข้อมูลระหว่างหน่วยงานจำแนกตามวัตถุประสงค์ หน่วยงานผู้ขอ และเดือน",
        "Data-exchange requests by purpose, requesting agency and month",
        "จำนวนคำขอข้อมูลผ่านระบบแลกเปลี่ยนข้อมูล (ทั้งที่อนุญาตและปฏิเสธ) ของแต่ละระบบผู้ขอ จำแนกตามวัตถุประสงค์ "
        "พร้อมยอดรวมต่อเดือน นับเฉพาะจำนวน ไม่มีเนื้อหาข้อมูล" + _NOTE_TH,
        "Requests through the data-exchange mediator (allowed and denied) per client system, by purpose, with each "
        "month's total: counts only, never contents." + _NOTE_EN,
        ("government",), ("แลกเปลี่ยนข้อมูล", "สถิติ"), statistics.exchange_requests),
)


def statistics_of(session: Session) -> tuple[PlatformStatistic, ...]:
    return BUILTIN + tuple(make() for make in registry_of(session).each(PLATFORM_STATISTICS))


def to_csv(table: Table) -> bytes:
    """UTF-8 CSV (no BOM), a header of machine names; None is empty, booleans are true/false."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if (v := row.get(c)) is None else str(v).lower() if isinstance(v, bool) else v
                         for c in table.columns])
    return out.getvalue().encode("utf-8")


def package_data(spec: PlatformStatistic) -> dict[str, object]:
    return {
        "name": spec.name, "title": spec.title_th, "title_en": spec.title_en, "notes": spec.notes_th,
        "notes_en": spec.notes_en, "owner_org": metadata.PLATFORM_ORG, "license_id": "Open Data Common",
        "data_type": "ข้อมูลสถิติ", "objective": ["เพื่อการให้บริการประชาชน", "พันธกิจหน่วยงาน"],
        # the job runs daily, but a month is published once it has ended: the file changes monthly
        "update_frequency_unit": "เดือน", "update_frequency_interval": 1, "geo_coverage": "ประเทศ",
        "data_source": "ระบบประชา (ธุรกรรมในระบบ)", "data_format": ["CSV"],
        "data_category": metadata.PUBLIC_CATEGORY, "disclosure": metadata.OPEN_DISCLOSURE,
        "maintainer": "ทีมแพลตฟอร์มประชา", "maintainer_email": "opendata@pracha.go.th",
        "tags": list(spec.tags), "groups": list(spec.groups),
    }


def refresh(session: Session, od: OpenData, today: dt.date) -> list[str]:
    """Create the platform's datasets when missing and publish each CSV whose bytes changed; returns
    the keys that got a new version. A dataset someone deleted stays deleted. Runs in the caller's
    transaction (the daily task's), each dataset in a savepoint: one that fails is logged and left
    for tomorrow without undoing the others or the day's reminders."""
    published = []
    for spec in statistics_of(session):
        try:
            with session.begin_nested():
                if refresh_one(session, od, spec, today):
                    published.append(spec.key)
        except Exception:
            log.exception("platform statistics %s: not published today", spec.key)
    return published


def refresh_one(session: Session, od: OpenData, spec: PlatformStatistic, today: dt.date) -> bool:
    """Publish `spec`'s CSV when it changed (creating its dataset on the first run); True if it did."""
    dataset = session.scalar(select(OpenDataset).where(OpenDataset.platform_key == spec.key))
    if dataset is not None and dataset.state != ACTIVE:
        return False
    table = spec.compute(session, od.catalog, today)
    if not table.rows:
        return False  # nothing to publish yet (a file of headers only says nothing)
    content = to_csv(table)
    upload = Upload(f"{spec.name}.csv", content, "text/csv")
    if dataset is None:
        dataset = create_package(session, od, SYSTEM_PUBLISHER, package_data(spec), platform_key=spec.key,
                                 privacy=PRIVACY)
    if not dataset.resources:
        add_resource(session, od, SYSTEM_PUBLISHER, dataset, {"name": spec.title_th, "name_en": spec.title_en,
                                                               "format": "CSV"}, upload=upload)
    elif dataset.resources[0].sha256 != hashlib.sha256(content).hexdigest():
        update_resource(session, od, SYSTEM_PUBLISHER, dataset.resources[0].id, {}, upload=upload)
    else:
        return False
    return True
