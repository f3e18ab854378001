"""Moderation-area parts registered by `install.py`: the LINE report handler and the complaints'
open-data dataset."""

from __future__ import annotations

from pracha.assistant.line_hooks import LINE_HANDLERS
from pracha.config import Settings
from pracha.hooks import Registry
from pracha.opendata.platform import PLATFORM_STATISTICS, PlatformStatistic
from pracha.participation import statistics
from pracha.participation.line_reports import handle_line_event
from pracha.participation.rules import load_rules

_NOTE_TH = "\n\nข้อมูลนี้ระบบประชาคำนวณจากเรื่องแจ้งจริงทุกวันโดยอัตโนมัติ ช่อง suppressed = true คือช่องที่ปิดบังเพื่อคุ้มครองข้อมูลส่วนบุคคล"
_NOTE_EN = ("\n\nComputed by Pracha from its live complaints every day. Rows with suppressed = true are withheld "
            "to protect personal data.")


def install_line_reports(registry: Registry) -> None:
    registry.add(LINE_HANDLERS, handle_line_event)


def install_complaint_statistics(registry: Registry, settings: Settings) -> None:
    rules = load_rules(settings.catalog_dir.resolve())

    def make() -> PlatformStatistic:
        return PlatformStatistic(
            "complaints-by-agency-month", "pracha-complaints-by-agency-month",
            "เรื่องแจ้งและร้องเรียนจำแนกตามหน่วยงานและเดือน: ความทันเวลาและความพึงพอใจ",
            "Complaints by agency and month: timeliness and satisfaction",
            "จำนวนเรื่องแจ้งปัญหาที่แต่ละหน่วยงานได้รับในแต่ละเดือน ร้อยละที่ตอบครั้งแรกภายใน "
            f"{rules.first_response_days} วัน (พ.ร.ฎ. การบริหารกิจการบ้านเมืองที่ดี พ.ศ. 2546 มาตรา 38) ค่ามัธยฐานของจำนวนวัน"
            "จนตอบครั้งแรกและจนแก้ไขเสร็จ ร้อยละที่แก้ไขเสร็จภายในเวลามาตรฐานของประเภทเรื่อง และคะแนนความพึงพอใจเฉลี่ย "
            "ไม่รวมเรื่องร้องเรียนการทุจริตหรือประพฤติมิชอบซึ่งเป็นความลับ" + _NOTE_TH,
            "Complaints each agency received each month, the percentage first answered within "
            f"{rules.first_response_days} days (Royal Decree on Good Governance 2546 s. 38), the median days to the "
            "first answer and to resolution, the percentage resolved within the category's standard time, and "
            "the mean satisfaction rating. Confidential complaints (corruption, misconduct) are left out." + _NOTE_EN,
            ("government",), ("เรื่องร้องเรียน", "การมีส่วนร่วม", "สถิติ"),
            lambda session, catalog, today: statistics.complaints_by_agency_month(session, catalog, today, rules))

    registry.add(PLATFORM_STATISTICS, make)
