"""The demo's petitions (`pracha seed --demo`): one open petition three supports short of its threshold
(the browser journey reaches it), one the agency has answered, one waiting for the moderator.

Supports are committed from synthetic valid national IDs (the commitments hide them anyway) and each
has its real public ledger entry; the rows are added in one flush (about 1,500 entries: measured 1.2 s
for the whole seeding on SQLite)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity import thai_id
from pracha.identity.models import User
from pracha.participation import tally
from pracha.participation.models import P_OPEN, P_PENDING, P_RESPONDED, ModerationAction, Petition, PetitionSupport
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog

HAZARDOUS_WASTE = "ขอให้เพิ่มจุดทิ้งขยะอันตรายในชุมชนเขตเทศบาลนครเชียงใหม่"
OPEN_SUPPORTS = 997  # three short of 1,000: the browser test's three fresh citizens reach it


def add_supports(session: Session, secret: bytes, petition: Petition, count: int, rng: random.Random,
                 since: dt.datetime, until: dt.datetime) -> None:
    """`count` supports with their tally entries, spread between `since` and `until`, oldest first."""
    span = (until - since).total_seconds()
    times = sorted(since + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    for at in times:
        national_id = thai_id.make(str(rng.randrange(1_0000_00000_00, 8_9999_99999_99)))
        value = tally.commitment(secret, "petition", petition.id, national_id)
        entry = tally.record_tally(session, tally.PETITION_SUPPORT, "petition", petition.id, value)
        entry.created_at = at
        session.add(PetitionSupport(petition_id=petition.id, commitment=value, created_at=at, ledger_entry=entry))
    petition.support_count = count


def seed_petitions(session: Session, catalog: Catalog, settings: Settings, secret: bytes, people: list[User],
                   now: dt.datetime) -> None:
    """`people`: the demo citizens (people[0] สมชาย, people[1] สมหญิง, then วิชัย, มาลี, then random ones)."""
    rules, rng = load_rules(settings.catalog_dir.resolve()), random.Random(2569)
    creators = people[4:] or people

    def petition(agency: str, title: str, body: str, status: str, opened_days_ago: int | None,
                 creator: User) -> Petition:
        threshold = rules.threshold(agency)
        opens = now - dt.timedelta(days=opened_days_ago) if opened_days_ago is not None else None
        row = Petition(agency=agency, creator_id=creator.id, title=title, body=body, status=status, days_open=90,
                       threshold=threshold.supports, response_days=threshold.response_days, support_count=0,
                       opens_at=opens, closes_at=opens + dt.timedelta(days=90) if opens else None,
                       created_at=(opens or now) - dt.timedelta(days=1))
        session.add(row)
        session.flush()
        if opens is not None:
            session.add(ModerationAction(target_kind="petition", target_id=row.id, action="approve", reason="-",
                                         at=opens))
        return row

    waste = petition("cm-city-environment", HAZARDOUS_WASTE,
                     "ถ่านไฟฉาย หลอดไฟ กระป๋องสเปรย์ และแบตเตอรี่โทรศัพท์ยังถูกทิ้งรวมกับขยะทั่วไป เพราะจุดรับขยะอันตราย"
                     "มีเพียงที่สำนักงานเทศบาล ขอให้เทศบาลนครเชียงใหม่ตั้งถังรับขยะอันตรายอย่างน้อยหนึ่งจุดในทุกชุมชน "
                     "พร้อมประกาศวันเก็บที่แน่นอนเดือนละครั้ง", P_OPEN, 24, creators[0])
    add_supports(session, secret, waste, OPEN_SUPPORTS, rng, waste.opens_at or now, now - dt.timedelta(hours=1))

    lights = petition("maehia-municipality", "ขอให้ติดตั้งไฟส่องสว่างถนนสายหลังมหาวิทยาลัยเชียงใหม่ ตำบลแม่เหียะ",
                      "ถนนช่วงหลังมหาวิทยาลัยยาวประมาณ 1.2 กิโลเมตรไม่มีไฟส่องสว่าง นักศึกษาและผู้ใช้ถนนเดินทางกลับบ้าน"
                      "ในเวลากลางคืนด้วยความไม่ปลอดภัย ขอให้เทศบาลเมืองแม่เหียะติดตั้งไฟถนนพลังงานแสงอาทิตย์ตลอดสาย",
                      P_OPEN, 75, creators[1 % len(creators)])
    add_supports(session, secret, lights, lights.threshold + 37, rng, lights.opens_at or now,
                 now - dt.timedelta(days=30))
    reached = now - dt.timedelta(days=31)
    lights.status, lights.threshold_reached_at = P_RESPONDED, reached
    lights.response_due_at = reached + dt.timedelta(days=lights.response_days)
    lights.responded_at = now - dt.timedelta(days=6)
    lights.response_th = ("เทศบาลเมืองแม่เหียะได้บรรจุโครงการติดตั้งไฟถนนพลังงานแสงอาทิตย์ 40 ต้นในข้อบัญญัติงบประมาณ "
                          "ปี 2570 แล้ว คาดว่าจะติดตั้งแล้วเสร็จภายในเดือนมีนาคม 2570 ระหว่างนี้ได้ขอให้ตำรวจเพิ่มการตรวจ"
                          "ตราในช่วงกลางคืน")
    lights.response_en = ("Mae Hia Municipality has put 40 solar street lights for this road into its 2027 budget; "
                          "they should be in place by March 2027. Meanwhile the police patrol the road more at night.")

    petition("cm-city-engineering", "ขอทางม้าลายและสัญญาณไฟกดข้ามหน้าโรงเรียนวัดศรีสุพรรณ",
             "นักเรียนต้องข้ามถนนวัวลายในช่วงเช้าซึ่งรถหนาแน่น ขอให้ทาสีทางม้าลายใหม่และติดสัญญาณไฟแบบกดปุ่มข้าม",
             P_PENDING, None, people[0])
