"""Complaints' monthly statistics, per agency: received, answered within the first-response deadline
(Royal Decree on Good Governance 2546 s. 38: 15 days), median days to the first response and to the
resolution, resolved within the category's SLA, mean satisfaction, and counts by category.

Confidential complaints (corruption, misconduct) are left out of every per-agency and per-category
figure: they go to one dedicated agency, so even a count per agency would say "someone reported an
official this month" in a unit small enough to guess who; they are counted only in one platform-wide
monthly number, shown when it reaches K (10). Satisfaction is a citizen's own opinion: its mean is
shown only over at least K ratings. The open-data dataset (`complaints_by_agency_month`) publishes
only complete months and suppresses every figure covering fewer than K distinct reporters.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK, THAI_MONTHS
from pracha.errors import InvalidInput
from pracha.opendata import disclosure
from pracha.opendata.disclosure import K
from pracha.opendata.platform import PlatformStatistic
from pracha.opendata.statistics import Table, cutoff, month_of, month_th
from pracha.participation.models import Complaint
from pracha.participation.rules import Rules
from pracha.services.catalog import Catalog

DAY = 86400.0


@dataclass
class AgencyMonth:
    agency: str
    month: str
    received: int = 0
    first_response_within_percent: float | None = None
    median_days_to_first_response: float | None = None
    median_days_to_resolution: float | None = None
    resolved_within_sla_percent: float | None = None
    mean_rating: float | None = None
    ratings: int = 0
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class MonthStatistics:
    month: str
    agencies: list[AgencyMonth]
    confidential_received: int | None  # platform-wide; None below K


def parse_month(value: str | None, today: dt.date) -> str:
    """'YYYY-MM' (checked; 422 otherwise); the current Bangkok month when empty."""
    if not value:
        return today.strftime("%Y-%m")
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m")
    except ValueError:
        parsed = None
    if parsed is None or not 2000 <= parsed.year <= 2200 or len(value) != 7:
        raise InvalidInput(fields={"month": {"th": "เดือนต้องอยู่ในรูปแบบ ปปปป-ดด (ค.ศ.) เช่น 2026-11",
                                             "en": "The month must look like 2026-11."}})
    return value


def month_label(month: str, lang: str) -> str:
    """"2026-11" as "พฤศจิกายน 2569" (Buddhist Era) or "November 2026"."""
    year, number = (int(part) for part in month.split("-"))
    if lang == "en":
        return dt.date(year, number, 1).strftime("%B %Y")
    return f"{THAI_MONTHS[number - 1]} {year + 543}"


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=BANGKOK)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=BANGKOK)
    return start, end


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / DAY


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def summarise(agency: str, month: str, items: list[Complaint], rules: Rules) -> AgencyMonth:
    within = dt.timedelta(days=rules.first_response_days)
    answered = [c.first_response_at - c.created_at for c in items if c.first_response_at is not None]
    resolved = [(c.resolved_at, c) for c in items if c.resolved_at is not None]
    ratings = [c.rating for c in items if c.rating is not None]
    row = AgencyMonth(agency, month, received=len(items), ratings=len(ratings),
                      by_category=dict(sorted(Counter(c.category for c in items).items())))
    row.first_response_within_percent = _percent(sum(1 for span in answered if span <= within), len(items))
    if answered:
        row.median_days_to_first_response = round(statistics.median(s.total_seconds() / DAY for s in answered), 1)
    if resolved:
        row.median_days_to_resolution = round(statistics.median(
            _days(c.created_at, at) for at, c in resolved), 1)
    row.resolved_within_sla_percent = _percent(sum(1 for at, c in resolved if at <= c.sla_due_at), len(items))
    if len(ratings) >= K:
        row.mean_rating = round(sum(ratings) / len(ratings), 2)
    return row


def _complaints(session: Session, since: dt.datetime | None, before: dt.datetime) -> Iterable[Complaint]:
    query = select(Complaint).where(Complaint.created_at < before).order_by(Complaint.id)
    if since is not None:
        query = query.where(Complaint.created_at >= since)
    return session.scalars(query)


def month_statistics(session: Session, rules: Rules, month: str) -> MonthStatistics:
    """One month (Bangkok time) of every agency that received a complaint, live (the month may be running)."""
    start, end = month_range(month)
    groups: dict[str, list[Complaint]] = defaultdict(list)
    confidential = 0
    for complaint in _complaints(session, start, end):
        if complaint.confidential:
            confidential += 1
        else:
            groups[complaint.agency].append(complaint)
    agencies = [summarise(agency, month, items, rules) for agency, items in sorted(groups.items())]
    return MonthStatistics(month, agencies, confidential if confidential >= K else None)


def statistics_out(found: MonthStatistics, catalog: Catalog) -> dict[str, Any]:
    def name(code: str) -> dict[str, str]:
        agency = catalog.agencies.get(code)
        return {"th": agency.name.th, "en": agency.name.en} if agency else {"th": code, "en": code}

    return {"month": found.month, "confidential_received": found.confidential_received, "k": K,
            "agencies": [{"agency": a.agency, "agency_name": name(a.agency), "received": a.received,
                          "first_response_within_percent": a.first_response_within_percent,
                          "median_days_to_first_response": a.median_days_to_first_response,
                          "median_days_to_resolution": a.median_days_to_resolution,
                          "resolved_within_sla_percent": a.resolved_within_sla_percent,
                          "mean_rating": a.mean_rating, "ratings": a.ratings, "by_category": a.by_category}
                         for a in found.agencies]}


COLUMNS = ("agency", "agency_th", "agency_en", "month", "month_th", "received", "first_response_within_percent",
           "median_days_to_first_response", "median_days_to_resolution", "resolved_within_sla_percent",
           "mean_rating", "suppressed")


def complaints_by_agency_month(session: Session, catalog: Catalog, today: dt.date, rules: Rules,
                                k: int = K) -> Table:
    """The open-data table: complete months only, every figure over at least k distinct reporters."""
    table = Table(COLUMNS)
    groups: dict[tuple[str, str], list[Complaint]] = defaultdict(list)
    for complaint in _complaints(session, None, cutoff(today)):
        if not complaint.confidential:
            groups[(complaint.agency, month_of(complaint.created_at))].append(complaint)
    for (agency, month), items in sorted(groups.items()):
        known = catalog.agencies.get(agency)
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row |= {"agency": agency, "agency_th": known.name.th if known else agency,
                "agency_en": known.name.en if known else agency, "month": month, "month_th": month_th(month),
                "suppressed": True}
        people = {c.reporter_id for c in items}
        if disclosure.enough(people, k):
            summary = summarise(agency, month, items, rules)
            row |= {"received": summary.received, "suppressed": False,
                    "median_days_to_first_response": summary.median_days_to_first_response,
                    "median_days_to_resolution": summary.median_days_to_resolution}
            within = {c.reporter_id for c in items if c.first_response_at is not None
                      and c.first_response_at - c.created_at <= dt.timedelta(days=rules.first_response_days)}
            if disclosure.share_safe(len(within), len(people - within), k):
                row["first_response_within_percent"] = summary.first_response_within_percent
            on_time = {c.reporter_id for c in items if c.resolved_at is not None and c.resolved_at <= c.sla_due_at}
            if disclosure.share_safe(len(on_time), len(people - on_time), k):
                row["resolved_within_sla_percent"] = summary.resolved_within_sla_percent
            row["mean_rating"] = summary.mean_rating
        table.rows.append(row)
    return table


_NOTE_TH = "\n\nข้อมูลนี้ระบบประชาคำนวณจากเรื่องแจ้งจริงทุกวันโดยอัตโนมัติ ช่อง suppressed = true คือช่องที่ปิดบังเพื่อคุ้มครองข้อมูลส่วนบุคคล"
_NOTE_EN = ("\n\nComputed by Pracha from its live complaints every day. Rows with suppressed = true are withheld "
            "to protect personal data.")


def platform_statistic(rules: Rules) -> PlatformStatistic:
    """The open-data dataset of these statistics (registered with opendata's PLATFORM_STATISTICS)."""
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
        lambda session, catalog, today: complaints_by_agency_month(session, catalog, today, rules))
