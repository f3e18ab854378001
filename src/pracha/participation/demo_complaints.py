"""The demo's complaints (`pracha seed --demo`): fifteen reports across the categories and Chiang Mai's
sub-districts, in every state (new, accepted, waiting for details, resolved with an "after" photo and a
rating, rejected, forwarded, overdue, reopened), one confidential corruption report, one anonymous, one
at a home. Each has a small photo drawn here (no downloads). สมหญิง's (people[1]) was answered."""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.participation import complaints
from pracha.participation.photos import clean_photo
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog

_SKY, _GROUND = (170, 200, 230), (110, 110, 105)


def draw_scene(kind: str, fixed: bool = False) -> bytes:
    """A 320×240 drawing of the problem (or, `fixed`, of the result): a JPEG of a few KB."""
    image = Image.new("RGB", (320, 240), _SKY)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 150, 320, 240), fill=_GROUND)
    if kind == "road" and not fixed:
        pen.ellipse((120, 175, 210, 215), fill=(60, 50, 40))
    elif kind == "lighting":
        pen.rectangle((150, 40, 158, 150), fill=(80, 80, 80))
        pen.ellipse((135, 30, 175, 55), fill=(250, 230, 120) if fixed else (60, 60, 60))
    elif kind == "waste" and not fixed:
        for x in range(60, 260, 30):
            pen.ellipse((x, 130, x + 45, 175), fill=(40, 90 + x // 5, 40))
    elif kind == "flooding":
        pen.rectangle((0, 150 if fixed else 120, 320, 240), fill=_GROUND if fixed else (90, 120, 150))
    elif kind == "tree":
        pen.rectangle((60, 60, 80, 150), fill=(100, 70, 40))
        pen.ellipse((20, 20, 120, 90), fill=(50, 120, 50))
        if not fixed:
            pen.line((80, 80, 200, 165), fill=(100, 70, 40), width=10)
    elif kind == "noise":
        pen.rectangle((130, 90, 190, 150), fill=(40, 40, 40))
        for r in (20, 35, 50):
            pen.arc((160 - r + 40, 120 - r, 160 + r + 40, 120 + r), -40, 40, fill=(200, 40, 40), width=3)
    elif kind == "corruption":
        pen.rectangle((100, 60, 220, 200), fill=(245, 245, 240))
        for y in range(80, 190, 15):
            pen.line((115, y, 205, y), fill=(120, 120, 120), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass(frozen=True)
class Story:
    category: str
    tambon: str
    title: str
    description: str
    days_ago: int
    steps: tuple[tuple[str, str, int], ...] = ()  # (action, note or forward target "agency|reason", day after)
    rating: int | None = None
    anonymous: bool = False
    private_place: bool = False
    point: tuple[float, float] | None = None


STORIES = (
    Story("road", "ศรีภูมิ", "หลุมบนถนนมูลเมือง ซอย 5", "หลุมลึกประมาณ 20 ซม. กลางถนน รถจักรยานยนต์ล้มไปแล้วสองคัน",
          20, (("accept", "", 1), ("reply", "นัดทีมช่างเข้าพื้นที่วันพฤหัสบดี", 3),
               ("resolve", "ปะผิวถนนเรียบร้อยแล้ว ขอบคุณที่แจ้ง", 6)), rating=5, point=(18.7915, 98.9902)),
    Story("lighting", "ช้างม่อย", "ไฟถนนดับทั้งซอย", "ไฟส่องสว่างในซอยช้างม่อย 3 ดับมาหนึ่งสัปดาห์ กลางคืนมืดมาก",
          3, (("accept", "", 1),), point=(18.7925, 98.9985)),
    Story("waste", "หายยา", "ขยะไม่ได้เก็บสามวัน", "จุดทิ้งขยะหน้าตลาดหายยาไม่มีรถมาเก็บสามวันแล้ว มีกลิ่นเหม็น", 1),
    Story("flooding", "วัดเกต", "น้ำท่วมขังหลังฝนตก", "ท่อระบายน้ำอุดตัน น้ำท่วมขังสูงครึ่งล้อรถทุกครั้งที่ฝนตก",
          10, (("accept", "", 2), ("request_info", "รบกวนระบุจุดที่น้ำขังชัดเจน เช่น หน้าบ้านเลขที่", 4))),
    Story("tree", "สุเทพ", "กิ่งไม้ใหญ่หักพาดสายไฟ", "กิ่งไม้ใหญ่หักพาดสายไฟหน้าหมู่บ้าน อันตรายมาก",
          9, (("accept", "", 0), ("resolve", "ตัดกิ่งไม้และเคลียร์พื้นที่แล้ว", 1)), rating=4),
    Story("noise", "ช้างคลาน", "ร้านเปิดเพลงเสียงดังหลังเที่ยงคืน", "ร้านริมถนนเปิดเพลงเสียงดังจนถึงตีสองทุกคืน",
          8, (("accept", "", 1), ("reply", "เจ้าหน้าที่ตรวจวัดระดับเสียงแล้ว และตักเตือนผู้ประกอบการ", 4))),
    Story("road", "แม่เหียะ", "ทางเท้าชำรุด", "แผ่นทางเท้าหน้าตลาดแม่เหียะแตกหลายแผ่น ผู้สูงอายุสะดุดล้ม", 40, (),
          point=(18.7611, 98.9472)),  # overdue, never answered
    Story("waste", "ป่าแดด", "ถังขยะล้นหน้าโรงเรียน", "ถังขยะหน้าโรงเรียนล้นทุกวันจันทร์",
          12, (("reject", "จุดนี้อยู่ในความดูแลของโรงเรียน ได้ประสานโรงเรียนแล้ว", 2),)),
    Story("road", "ท่าศาลา", "ป้ายจราจรล้ม", "ป้ายหยุดที่สี่แยกล้มลงกับพื้น",
          6, (("forward", "maehia-municipality|เป็นถนนในเขตรับผิดชอบของเทศบาลเมืองแม่เหียะ", 1),)),
    Story("corruption", "ศรีภูมิ", "เรียกรับเงินเพื่อเร่งใบอนุญาต", "มีผู้อ้างว่าเป็นเจ้าหน้าที่เรียกเงินเพื่อเร่งออกใบอนุญาต",
          4, (("accept", "", 1),)),
    Story("noise", "หนองหอย", "เสียงก่อสร้างกลางคืน", "ไซต์ก่อสร้างทำงานเสียงดังหลังสี่ทุ่ม", 2, anonymous=True),
    Story("flooding", "ฟ้าฮ่าม", "น้ำรั่วจากท่อหน้าบ้าน", "ท่อประปาหน้าบ้านรั่ว น้ำไหลลงถนนตลอดเวลา", 5,
          private_place=True, point=(18.8093612, 99.0101871)),
    Story("lighting", "ป่าตัน", "ไฟกะพริบที่ทางม้าลาย", "ไฟสัญญาณกะพริบที่ทางม้าลายหน้าโรงเรียนไม่ทำงาน",
          18, (("accept", "", 2), ("resolve", "เปลี่ยนหลอดไฟแล้ว", 5), ("reopen", "ไฟดับอีกครั้งในสองวัน", 7))),
    Story("waste", "สันผีเสื้อ", "ทิ้งขยะริมคลอง", "มีการลักลอบทิ้งขยะริมคลองแม่ข่า", 7, (("accept", "", 3),)),
)
SOMYING = Story("tree", "พระสิงห์", "ต้นไม้บังป้ายรถเมล์", "กิ่งไม้บังป้ายรถเมล์หน้าวัดพระสิงห์ มองไม่เห็นป้าย",
                5, (("accept", "", 1), ("reply", "จะเข้าตัดแต่งกิ่งภายในสัปดาห์นี้", 2)))


def _staff(session: Session, agency: str, confidential: bool) -> Principal:
    username = f"inspector.{agency}" if confidential else f"officer.{agency}"
    user = session.scalar(select(User).where(User.username == username))
    if user is None:  # a catalogue without the agency's staff: its admin, or nobody acts
        user = session.scalar(select(User).where(User.agency == agency, User.role.in_(("officer", "agency_admin"))))
    return Principal(user=user)


def _tell(session: Session, story: Story, reporter: User, catalog: Catalog, settings: Settings,
          now: dt.datetime) -> None:
    rules = load_rules(settings.catalog_dir.resolve())
    made = now - dt.timedelta(days=story.days_ago, hours=3)
    lat, lon = story.point or (None, None)
    complaint = create_complaint(session, Principal(user=reporter), rules, Report(
        story.category, story.title, story.description, story.tambon, latitude=lat, longitude=lon,
        private_place=story.private_place, anonymous=story.anonymous,
        photos=[clean_photo(draw_scene(story.category))]), now=made)
    for action, note, day in story.steps:
        when = made + dt.timedelta(days=day, hours=2)
        if action == "reopen":
            complaints.reopen(session, Principal(user=reporter), rules, complaint, note, now=when)
            continue
        staff = _staff(session, complaint.agency, complaint.confidential)
        if staff.user is None:
            return
        agency, _, reason = note.partition("|") if action == "forward" else ("", "", note)
        photos = [clean_photo(draw_scene(story.category, fixed=True))] if action == "resolve" else []
        complaints.act(session, staff, rules, complaint, action, reason, agency=agency or None,
                       agencies=catalog.agencies.keys(), photos=photos, now=when)
    if story.rating is not None and complaint.resolved_at is not None:
        complaints.rate(session, Principal(user=reporter), complaint, story.rating, "ขอบคุณที่แก้ไขรวดเร็ว",
                        now=complaint.resolved_at + dt.timedelta(hours=5))


def seed_complaints(session: Session, catalog: Catalog, settings: Settings, secret: bytes, people: list[User],
                    now: dt.datetime) -> None:
    """`people`: the demo citizens (people[0] สมชาย, people[1] สมหญิง, then วิชัย, มาลี, then random ones)."""
    reporters = people[4:] or people
    chosen = random.Random(2569).sample(reporters, k=min(len(STORIES), len(reporters)))
    for i, story in enumerate(STORIES):
        _tell(session, story, chosen[i % len(chosen)], catalog, settings, now)
    if len(people) > 1:
        _tell(session, SOMYING, people[1], catalog, settings, now)
    session.flush()
