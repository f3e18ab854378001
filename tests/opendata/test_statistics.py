"""The platform statistics' tables (pracha.opendata.statistics) over a built world, on both engines:
each figure against the world's truth, small cells suppressed, the running month left out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pracha.opendata import statistics
from pracha.opendata.disclosure import K
from pracha.services.catalog import Catalog
from tests.opendata.statistics_world import BUILDING, CLIENT, ELDERLY, TODAY, build


def rows(table: statistics.Table, **where: object) -> list[dict[str, object]]:
    return [r for r in table.rows if all(r.get(k) == v for k, v in where.items())]


def test_district_comes_from_answers_then_account_then_place() -> None:
    home = {"current_address": "1 ต.หายยา อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50100", "site_address": "อ.สารภี จ.เชียงใหม่"}
    assert statistics.district_of(home, None) == ("เชียงใหม่", "เมืองเชียงใหม่")
    assert statistics.district_of({"site_address": "9 อำเภอสารภี จังหวัดเชียงใหม่"},
                                  {"formatted": "5 ถนนโชตนา อ.แม่ริม จ.เชียงใหม่"}) == ("เชียงใหม่", "แม่ริม")
    assert statistics.district_of({"site_address": "9 อำเภอสารภี จังหวัดเชียงใหม่"}, None) == ("เชียงใหม่", "สารภี")
    assert statistics.district_of({"shop_address": "99 แขวงลุมพินี เขตปทุมวัน กรุงเทพมหานคร"}, None) == \
        ("กรุงเทพมหานคร", "ปทุมวัน")
    assert statistics.district_of({"reason": "ย้ายงาน"}, {}) == ("ไม่ระบุ", "ไม่ระบุ")
    assert statistics.month_th("2026-01") == "ม.ค. 2569"


def test_applications_by_district(db: Session, catalog: Catalog) -> None:
    world = build(db)
    table = statistics.applications_by_district(db, catalog, TODAY)
    october = rows(table, service_id=ELDERLY, month="2026-10")
    cells = {r["district"]: r for r in october if r["row_type"] == "district"}
    assert cells["เมืองเชียงใหม่"]["applications"] == 25 and cells["เมืองเชียงใหม่"]["suppressed"] is False
    assert cells["สันทราย"]["applications"] is None and cells["ไม่ระบุ"]["applications"] is None  # 3 and 1 people
    # 3 + 1 suppressed people are fewer than K: the next smallest (หางดง, 12) goes too
    assert cells["หางดง"]["applications"] is None
    assert cells["แม่ริม"]["applications"] is None  # empty cells are listed, suppressed
    assert rows(table, service_id=ELDERLY, month="2026-10", row_type="total")[0]["applications"] == 41
    assert october[0]["month_th"] == "ต.ค. 2569" and october[0]["service_th"] == catalog.services[ELDERLY].name.th
    # 12 building permits by 9 people (address known only from their accounts): suppressed, total too
    building = rows(table, service_id=BUILDING, month="2026-10")
    assert {r["applications"] for r in building} == {None}
    assert ("แม่ริม") in {r["district"] for r in building}
    assert not rows(table, month="2026-12")  # the running month is never published
    assert len(world.applicants[(BUILDING, "2026-10", "แม่ริม")]) == 9


def test_processing_times_and_sla_share(db: Session, catalog: Catalog) -> None:
    world = build(db)
    table = statistics.processing_times(db, catalog, TODAY)
    [row] = rows(table, agency="cm-elderly-welfare", month="2026-11")
    assert row["decided"] == len(world.decided[("cm-elderly-welfare", "2026-11")]) == 40
    assert row["suppressed"] is False
    assert isinstance(row["median_working_days"], float) and row["p90_working_days"] >= row["median_working_days"]
    assert row["within_sla_percent"] == round(100 * 29 / 40, 1)  # 11 late (n % 4 == 0 in each district)


def test_automation_rate(db: Session, catalog: Catalog) -> None:
    build(db)
    table = statistics.automation_rate(db, catalog, TODAY)
    [row] = rows(table, service_id=ELDERLY, month="2026-11")
    assert row["decided"] == 40 and row["automated_percent"] == 35.0  # 9 + 4 + 1 by the bot


def test_exchange_requests(db: Session, catalog: Catalog) -> None:
    build(db)
    table = statistics.exchange_requests(db, catalog, TODAY)
    october = {r["purpose"]: r for r in rows(table, client_id=CLIENT, month="2026-10")}
    # 30 requests about 15 people published alone would let the total reveal the 4 eligibility checks
    assert october["eligibility-check"]["requests"] is None and october["service-application"]["requests"] is None
    assert october[""]["requests"] == 34  # the total: 19 distinct people
    november = rows(table, client_id=CLIENT, month="2026-11")
    assert {r["requests"] for r in november} == {None}  # 3 requests without subjects: 3 < K
    assert not rows(table, month="2026-12")


def test_every_published_count_covers_k_people(db: Session, catalog: Catalog) -> None:
    """Against the world's truth, not the code's own counting."""
    world = build(db)
    table = statistics.applications_by_district(db, catalog, TODAY)
    for row in table.rows:
        if row["applications"] is None:
            continue
        key = (str(row["service_id"]), str(row["month"]))
        people = world.applicants[(*key, str(row["district"]))] if row["row_type"] == "district" else \
            set().union(*(v for (s, m, _), v in world.applicants.items() if (s, m) == key))
        assert len(people) >= K, row
    for row in statistics.processing_times(db, catalog, TODAY).rows:
        if row["decided"] is not None:
            assert len(world.decided[(str(row["agency"]), str(row["month"]))]) >= K
    for row in statistics.automation_rate(db, catalog, TODAY).rows:
        if row["decided"] is not None:
            assert len(world.decided_by_service[(str(row["service_id"]), str(row["month"]))]) >= K


def test_months_between_crosses_the_year() -> None:
    assert statistics.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert statistics.cutoff(dt.date(2026, 12, 5)).date() == dt.date(2026, 12, 1)
