"""Demo data: reproducible Thai citizens, staff for every agency, and applications in every state.

`pracha seed --demo` calls `seed_demo`. The same seed gives the same people, national IDs and form
data; a database that already has the `admin` account is left alone. Applications go through the real
service functions (so timelines, inbox and outbox are real); afterwards their dates are moved into the
past, so the officer queue has a history and some overdue work.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments.demo import seed_appointments
from pracha.calendar import BANGKOK
from pracha.config import get_settings
from pracha.counter.demo import seed_counter
from pracha.db import begin_write, utcnow
from pracha.delegation.demo import seed_delegation
from pracha.exchange.seed import seed_exchange
from pracha.identity import factors, thai_id
from pracha.identity.models import (
    AGENCY_ADMIN,
    AUDITOR,
    CITIZEN,
    DPO,
    INSPECTOR,
    MODERATOR,
    OFFICER,
    PLATFORM_ADMIN,
    STAFF_ROLES,
    User,
)
from pracha.identity.passwords import hash_password
from pracha.identity.principal import DIRECTOR, Acting, Principal
from pracha.identity.service import create_staff
from pracha.notices.demo import seed_line_demo
from pracha.notices.models import InboxMessage
from pracha.opendata.demo_datasets import seed_open_data
from pracha.participation.demo_complaints import seed_complaints
from pracha.participation.demo_hearings import seed_hearings
from pracha.participation.demo_moderation import seed_moderation
from pracha.participation.demo_petitions import seed_petitions
from pracha.payments.seed import finance_accounts, seed_payments
from pracha.payments.service import owes
from pracha.services import casework, forms
from pracha.services import workflow as wf
from pracha.services.catalog import Catalog, DocumentRequirement, Service
from pracha.services.duplicates import OPEN_OR_DRAFT
from pracha.services.models import Application, Document
from pracha.services.service import Storage, act, add_document, create_application
from pracha.services.status_notices import BY_ACTION
from pracha.web.app import load_secret

DEMO_PASSWORD = "pracha-demo"  # noqa: S105 -- public on purpose: the same for every demo account
# The demo staff's second factor (TOTP), public on purpose like the password: add it to an
# authenticator app, or print the current code with `pyotp.TOTP(DEMO_TOTP_SECRET).now()`.
DEMO_TOTP_SECRET = "PRACHADEMOSTAFFTOTPSECRETKEYTHAI"  # noqa: S105
# (first name, last name, national ID, birth date): Somchai may claim the elderly allowance.
SOMCHAI = ("สมชาย", "ใจดี", thai_id.make("110170020345"), dt.date(1955, 3, 14))
SOMYING = ("สมหญิง", "รักไทย", thai_id.make("110370045612"), dt.date(1990, 8, 12))
# The demo company บริษัท ข้าวซอยล้านนา จำกัด (registries.world): Somying and Wichai are its directors,
# who sign jointly; Malee works in its shop and is authorised for the food-shop permit's renewal.
WICHAI = ("วิชัย", "ศรีสุข", thai_id.make("350100061234"), dt.date(1976, 2, 3))
MALEE = ("มาลี", "ใจงาม", thai_id.make("150990023456"), dt.date(1997, 11, 20))
KHAOSOI_LANNA = thai_id.make("050556901234")  # its juristic person number
# Their own applications, so signing in as them shows something to do: (person, service, status).
_SHOWCASE = ((0, "elderly-allowance", wf.NEEDS_INFO), (0, "residence-certificate", wf.APPROVED),
             (0, "change-of-address", wf.DRAFT), (1, "birth-registration", wf.IN_REVIEW),
             (1, "commercial-registration", wf.APPROVED), (1, "child-support-grant", wf.SUBMITTED),
             (1, "building-permit", wf.APPROVED))
_STATUS_WEIGHTS = (10, 15, 15, 8, 5, 30, 8, 5)  # in the order of workflow.STATUSES
_PATHS = {  # the actions that lead from a new draft to each status (withdrawn: see _path)
    wf.DRAFT: (), wf.SUBMITTED: ("submit",), wf.IN_REVIEW: ("submit", "review"),
    wf.NEEDS_INFO: ("submit", "review", "request_info"),
    wf.RESUBMITTED: ("submit", "review", "request_info", "resubmit"),
    wf.APPROVED: ("submit", "review", "approve"), wf.REJECTED: ("submit", "review", "reject"),
}
_MESSAGES = {
    "request_info": ("เอกสารที่แนบมาไม่ชัดเจน กรุณาแนบใหม่อีกครั้ง", "กรุณาแนบสำเนาทะเบียนบ้านหน้าที่มีชื่อของท่าน",
                     "กรุณายืนยันหมายเลขโทรศัพท์ที่ติดต่อได้"),
    "resubmit": ("แนบเอกสารเพิ่มเติมตามที่ขอแล้วค่ะ", "ส่งข้อมูลเพิ่มเติมแล้วครับ"),
    "approve": ("อนุมัติแล้ว สามารถติดต่อรับเอกสารได้ที่สำนักงานในวันและเวลาราชการ",),
    "reject": ("ผู้ยื่นคำขอไม่มีคุณสมบัติตามหลักเกณฑ์", "ข้อมูลไม่ตรงกับฐานข้อมูลทะเบียนราษฎร",
               "ยื่นซ้ำกับคำขอที่ได้รับอนุมัติแล้ว"),
}
_AGES = {"elderly-allowance": (60, 130), "birth-registration": (18, 45), "child-support-grant": (18, 55)}
_TAMBONS = {"ศรีภูมิ": "50200", "พระสิงห์": "50200", "สุเทพ": "50200", "ช้างม่อย": "50300", "ช้างเผือก": "50300",
            "ป่าตัน": "50300", "ช้างคลาน": "50100", "หายยา": "50100", "แม่เหียะ": "50100", "วัดเกต": "50000",
            "หนองหอย": "50000", "ฟ้าฮ่าม": "50000"}
CHIANG_MAI_TAMBONS = _TAMBONS  # tambon -> postcode, Mueang Chiang Mai (the demo registries use them too)
_BUSINESSES = ("ขายอาหารตามสั่ง", "ร้านกาแฟและเบเกอรี่", "ขายเสื้อผ้าออนไลน์", "ร้านขายของชำ", "ร้านเสริมสวย",
               "ซ่อมรถจักรยานยนต์", "ขายงานหัตถกรรมผ้าทอ", "เกสต์เฮาส์ขนาดเล็ก")
_REASONS = ("ย้ายตามครอบครัว", "ย้ายมาทำงาน", "ย้ายมาเรียนต่อ", "ซื้อบ้านใหม่", "สมัครงานบริษัทเอกชน")
_LIKELY = {"receives_state_pension": False, "lives_in_state_care": False, "receives_state_salary": False,
           "in_state_care": False, "house_owner_consents": True, "child_lives_with_you": True,
           "promptpay_linked": True, "matches_house_registration": True}
_DAYS = {"birth_date": (-14, -1), "move_in_date": (-14, -1), "child_birth_date": (-6 * 365, -30),
         "living_since": (-20 * 365, -60), "disability_card_expiry": (90, 5 * 365), "start_date": (-30, 30)}
_DIGITS = re.compile(r"^\^(\d*)\[0-9\]\{(\d+)(?:,(\d+))?\}\$$")  # ^<prefix>[0-9]{n} or {n,m}$


def _pdf() -> bytes:
    """A minimal valid one-page PDF, built here so the demo needs no files."""
    text = b"BT /F1 24 Tf 72 760 Td (Pracha demo document) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DEMO_PDF = _pdf()


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    national_id: str
    birth_date: dt.date
    email: str | None
    phone: str | None


@dataclass
class SeedSummary:
    already_seeded: bool
    accounts: list[tuple[str, str, str]]  # (who, sign in with, where) rows to print


def demo_accounts(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(who, sign in with, where); narrow enough for an 80-column terminal."""
    rows = [(f"{first} {last} (เกิด {born.year + 543})", thai_id.format_dashed(nid), "/signin")
            for first, last, nid, born in (SOMCHAI, SOMYING, WICHAI, MALEE)]
    for code in catalog.agencies:
        rows += [("officer", f"officer.{code}", "/staff/signin"), ("agency admin", f"admin.{code}", "/staff/signin")]
    rows += [("finance officer", username, "/staff/signin") for username, _ in finance_accounts(get_settings())]
    return rows + [("auditor", "auditor", "/staff/signin"), ("platform admin", "admin", "/staff/signin"),
                   ("data-protection officer", "dpo", "/staff/signin")]


def seed_demo(session: Session, catalog: Catalog, *, citizens: int = 500, seed: int = 2569,
              upload_dir: Path | None = None, secret: bytes | None = None) -> SeedSummary:
    """Two fixed citizens plus `citizens` random ones, staff for every agency, and applications."""
    accounts = demo_accounts(catalog)
    begin_write(session)
    if session.scalar(select(User.id).where(User.username == "admin")) is not None:
        session.rollback()
        return SeedSummary(already_seeded=True, accounts=accounts)
    settings = get_settings()
    population = Population(seed)
    seeder = _Seeder(session, catalog, Storage(upload_dir or settings.upload_dir, settings.max_upload_bytes),
                     population)
    people = seeder.add_citizens(population.fixed_people())
    officers = seeder.add_staff()
    people += seeder.add_citizens(population.random_people(citizens))
    seeder.add_applications(people, officers, count=max(150, citizens * 2 // 5))
    add_casework(session, officers, people[:2])
    seed_exchange(session, settings, catalog, var_dir=upload_dir.parent if upload_dir else None)
    add_privacy_requests(session, catalog, people, seeder.password_hash, population.today)
    seed_accountability(session, catalog, population.now, password_hash=seeder.password_hash)
    seed_payments(session, catalog, settings, people[1], password=DEMO_PASSWORD, password_hash=seeder.password_hash,
                  var_dir=upload_dir.parent if upload_dir else settings.var_dir)
    add_business_showcase(session, catalog, seeder, people[1:4], officers,
                          var_dir=upload_dir.parent if upload_dir else settings.var_dir)
    enrol_demo_staff(session, secret if secret is not None else load_secret(settings))
    issue_showcase_documents(session, catalog, people[:2], var_dir=upload_dir.parent if upload_dir else None)
    app_secret = secret if secret is not None else load_secret(settings)
    seed_complaints(session, catalog, settings, app_secret, people, population.now)
    seed_hearings(session, catalog, settings, app_secret, people, population.now)
    seed_petitions(session, catalog, settings, app_secret, people, population.now)
    seed_moderation(session, people, population.now)
    seed_open_data(session, catalog, settings, population.today)  # agency datasets, then the platform's statistics
    seed_appointments(session, catalog, settings, people[1])  # Somying's visit to the registry tomorrow
    seed_counter(session, catalog, settings, people[0], var_dir=upload_dir.parent if upload_dir else settings.var_dir,
                 pdf=DEMO_PDF)  # สมชาย helped at the registry's counter
    seed_line_demo(session, people[1])  # สมหญิง reads her notices on LINE
    seed_delegation(session, catalog, people[0], people[1])  # สมชาย authorised his daughter สมหญิง
    session.commit()
    return SeedSummary(already_seeded=False, accounts=accounts)


KHAOSOI_SHOP = {"application_kind": "new", "shop_name": "ร้านข้าวซอยล้านนา สาขาช้างคลาน",
                "shop_address": "88/1 ถนนช้างคลาน ตำบลช้างคลาน อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50100",
                "floor_area": 240, "seats": 60, "food_handlers": 8, "opening_hours": "08.00–20.00 น.",
                "phone": "0812345670"}


def add_business_showcase(session: Session, catalog: Catalog, seeder: _Seeder, people: list[User],
                          officers: dict[str, User], *, var_dir: Path) -> None:
    """บริษัท ข้าวซอยล้านนา จำกัด (the registry's demo company, directors Somying and Wichai signing
    jointly): its food-shop permit, approved eleven months ago, expires next month; Malee is authorised
    for the permit's renewal; Wichai's building permit for the shop waits for Somying's co-approval."""
    from pracha.automation import certificates
    from pracha.business import grants
    from pracha.ledger.keys import load_or_create_signer
    from pracha.payments import service as payments
    from pracha.services import coapproval

    somying, wichai, malee = people
    company = Acting(KHAOSOI_LANNA, "บริษัท ข้าวซอยล้านนา จำกัด", "Khao Soi Lanna Company Limited", DIRECTOR, 2)
    as_somying, as_wichai = Principal(user=somying, acting=company), Principal(user=wichai, acting=company)
    health, settings = officers.get("cm-city-health"), get_settings()
    service = catalog.get("food-shop-permit")
    if health is None or service is None:
        return
    permit = create_application(session, catalog, as_somying, service.id, KHAOSOI_SHOP)
    for doc in service.documents:
        if doc.required:
            seeder.upload(as_somying, permit, doc)
    coapproval.hold(session, as_somying, permit)
    coapproval.approve(session, as_wichai, permit)
    officer = Principal(user=health)
    act(session, catalog, as_wichai, permit, "submit", declaration=True)
    act(session, catalog, officer, permit, "review")
    act(session, catalog, officer, permit, "approve", "ตรวจสถานที่แล้ว ถูกสุขลักษณะตามเทศบัญญัติ")
    approved = seeder.now - dt.timedelta(days=335)
    seeder.backdate(permit, service, [approved - dt.timedelta(days=9), approved - dt.timedelta(days=8),
                                      approved - dt.timedelta(days=5), approved])
    finance = session.scalar(select(User).where(User.username == "finance.cm-city-health"))
    if finance is not None and payments.owes(session, catalog, permit, "approve"):
        payments.record_cash(session, catalog, settings, permit, officer_id=finance.id, now=approved)
    session.flush()
    certificates.issue(session, catalog, permit, signer=load_or_create_signer(var_dir, settings.ledger_origin),
                       base_url=settings.public_base_url)
    today = seeder.today
    grants.grant(session, catalog, as_somying, KHAOSOI_LANNA, malee.national_id or "", [service.id],
                 today - dt.timedelta(days=10), today + dt.timedelta(days=355))
    building = catalog.get("building-permit")
    if building is not None:
        form = seeder.form(building, wichai, today) | {"site_address": KHAOSOI_SHOP["shop_address"]}
        held = create_application(session, catalog, as_wichai, building.id, form)
        for doc in building.documents:
            if doc.required:
                seeder.upload(as_wichai, held, doc)
        coapproval.hold(session, as_wichai, held)


def add_casework(session: Session, officers: dict[str, User], fixed: list[User]) -> None:
    """Staff tools: in each agency, the two open applications due first are the officer's, the first with
    an internal note (the fixed demo people's are left alone for the walkthroughs)."""
    for agency, officer in sorted(officers.items()):
        staff = Principal(user=officer)
        found = session.scalars(select(Application).where(
            Application.agency == agency, Application.status.in_(wf.OPEN),
            Application.citizen_id.not_in([u.id for u in fixed])).order_by(Application.due_date, Application.id)
            .limit(2)).all()
        for number, application in enumerate(found):
            casework.assign(session, staff, application, officer.id)
            if number == 0:
                casework.add_note(session, staff, application, "ตรวจเอกสารเบื้องต้นแล้ว รอผลตรวจจากทะเบียน")


def issue_showcase_documents(session: Session, catalog: Catalog, people: list[User], *,
                             var_dir: Path | None = None) -> None:
    """The fixed people's approved applications get their documents now, so their wallets show them at
    once; every other approval's document is queued, and the task runner issues it."""
    from pracha.automation import certificates
    from pracha.ledger.keys import load_or_create_signer

    settings = get_settings()
    signer = load_or_create_signer(var_dir or settings.var_dir, settings.ledger_origin)
    approved = select(Application).where(Application.citizen_id.in_([p.id for p in people]),
                                         Application.status == wf.APPROVED).order_by(Application.id)
    for application in session.scalars(approved):
        if application.service_id in certificates.specs(catalog) and not owes(session, catalog, application,
                                                                              "approve"):
            certificates.issue(session, catalog, application, signer=signer, base_url=settings.public_base_url)


def enrol_demo_staff(session: Session, secret: bytes) -> None:
    """Every demo staff account gets the public demo TOTP secret, so `make run` needs no enrolment."""
    for user in session.scalars(select(User).where(User.role.in_(STAFF_ROLES))):
        factors.set_totp(session, user, secret, DEMO_TOTP_SECRET)


def seed_accountability(session: Session, catalog: Catalog, now: dt.datetime, *, password_hash: str) -> None:
    """The DPO's register: one breach (Thai text) with its affected people computed, and one retention
    run report. The demo DPO (`dpo`) is looked up, or made when missing."""
    from pracha.privacy import breaches, retention

    dpo = session.scalar(select(User).where(User.username == "dpo"))
    if dpo is None:
        dpo = create_staff(session, username="dpo", password=DEMO_PASSWORD, role=DPO, first_name="ศิริพร",
                           last_name="ปกป้องสิทธิ์", agency=None, password_hash=password_hash)
    breaches.record_breach(session, catalog, dpo, breaches.BreachIn(
        title="อีเมลแจ้งผลเบี้ยยังชีพผู้สูงอายุส่งถึงผู้รับผิดคน",
        description="ระบบส่งอีเมลของผู้ให้บริการภายนอกจับคู่ผู้รับผิดพลาด ทำให้อีเมลแจ้งผลการอนุมัติเบี้ยยังชีพผู้สูงอายุ "
                    "ซึ่งมีชื่อ เลขคำขอ และเลขบัญชีธนาคารสี่หลักท้าย ถูกส่งถึงผู้สมัครรายอื่นเป็นเวลาประมาณ 3 ชั่วโมง",
        discovered_at=now - dt.timedelta(hours=30), data_categories=["identity", "bank-account"],
        criteria={"services": ["elderly-allowance"], "statuses": ["approved"]},
        consequences="ผู้ได้รับอีเมลผิดคนทราบชื่อและเลขบัญชีบางส่วนของผู้อื่น อาจถูกนำไปใช้หลอกลวงทางโทรศัพท์",
        measures="ระงับการส่งอีเมลของผู้ให้บริการรายนี้ ขอให้ผู้รับลบอีเมล และตรวจสอบการจับคู่ผู้รับทุกครั้งก่อนส่ง"),
        now=now)
    retention.run_retention(session, get_settings(), trigger="demo", now=now)


def staff_accounts(agencies: Iterable[str]) -> list[tuple[str, str, str | None]]:
    """(username, role, agency) of the demo staff, in the order they are made."""
    rows: list[tuple[str, str, str | None]] = []
    for code in agencies:
        rows += [(f"officer.{code}", OFFICER, code), (f"admin.{code}", AGENCY_ADMIN, code)]
    return rows + [("auditor", AUDITOR, None), ("admin", PLATFORM_ADMIN, None), ("moderator", MODERATOR, None),
                   ("inspector.cm-damrongdhama", INSPECTOR, "cm-damrongdhama")]


def demo_people(agencies: Iterable[str], *, citizens: int = 500, seed: int = 2569,
                today: dt.date | None = None) -> list[DemoPerson]:
    """The citizens `seed_demo` makes (same seed, agencies and day), without a database: for the
    demo registries, which must know the same people."""
    population = Population(seed, today)
    people = population.fixed_people()
    population.staff_names(len(staff_accounts(agencies)))
    return people + population.random_people(citizens)


class Population:
    """The random sources of the demo, and the people drawn from them in `seed_demo`'s order."""

    def __init__(self, seed: int, today: dt.date | None = None) -> None:
        self.fake = Faker("th_TH")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.now = utcnow()
        self.today = today or self.now.astimezone(BANGKOK).date()
        self.ids: set[str] = {SOMCHAI[2], SOMYING[2], WICHAI[2], MALEE[2]}

    def national_id(self, born: dt.date) -> str:
        """A new valid ID: 3 for people registered before 1984, 1 for births after, sometimes others."""
        while True:
            kind = self.rng.choice("245678") if self.rng.random() < 0.1 else "3" if born.year < 1984 else "1"
            candidate = thai_id.make(kind + "50" + "".join(self.rng.choices("0123456789", k=9)))
            if candidate not in self.ids:
                self.ids.add(candidate)
                return candidate

    def phone(self) -> str:
        return "0" + self.rng.choice("689") + "".join(self.rng.choices("0123456789", k=8))

    def random_person(self) -> tuple[str, str, str, dt.date]:
        age = self.rng.randint(60, 95) if self.rng.random() < 0.35 else self.rng.randint(0, 59)
        born = self.today - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
        return self.fake.first_name(), self.fake.last_name(), self.national_id(born), born

    def with_contacts(self, people: list[tuple[str, str, str, dt.date]]) -> list[DemoPerson]:
        return [DemoPerson(first, last, nid, born, email=self.fake.email() if self.rng.random() < 0.4 else None,
                           phone=self.phone() if self.rng.random() < 0.6 else None)
                for first, last, nid, born in people]

    def fixed_people(self) -> list[DemoPerson]:
        return self.with_contacts([SOMCHAI, SOMYING, WICHAI, MALEE])

    def random_people(self, count: int) -> list[DemoPerson]:
        return self.with_contacts([self.random_person() for _ in range(count)])

    def staff_names(self, count: int) -> list[tuple[str, str]]:
        return [(self.fake.first_name(), self.fake.last_name()) for _ in range(count)]


def _path(status: str, rng: random.Random) -> tuple[str, ...]:
    if status == wf.WITHDRAWN:
        return _PATHS[rng.choice((wf.DRAFT, wf.SUBMITTED, wf.IN_REVIEW, wf.NEEDS_INFO))] + ("withdraw",)
    if status in (wf.APPROVED, wf.REJECTED) and rng.random() < 0.3:  # after a round of questions
        return _PATHS[wf.RESUBMITTED] + _PATHS[status][-1:]
    return _PATHS[status]


def _matching(pattern: str, rng: random.Random) -> str:
    match = _DIGITS.match(pattern)
    if match is None:
        raise ValueError(f"the demo cannot make a value for the pattern {pattern!r}")
    prefix, low, high = match.group(1), int(match.group(2)), int(match.group(3) or match.group(2))
    return prefix + "".join(rng.choices("0123456789", k=rng.randint(low, high)))


class _Seeder:
    def __init__(self, session: Session, catalog: Catalog, storage: Storage, population: Population) -> None:
        self.session, self.catalog, self.storage, self.population = session, catalog, storage, population
        self.fake, self.rng, self.now, self.today = population.fake, population.rng, population.now, population.today
        self.password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow by design
        self.national_id, self.phone = population.national_id, population.phone

    def address(self) -> str:
        tambon, postcode = self.rng.choice(list(_TAMBONS.items()))
        return f"{self.fake.building_number()} {self.fake.street_name()} ต.{tambon} อ.เมืองเชียงใหม่ จ.เชียงใหม่ {postcode}"

    def add_citizens(self, people: list[DemoPerson]) -> list[User]:
        users = [User(role=CITIZEN, national_id=p.national_id, first_name=p.first_name, last_name=p.last_name,
                      birth_date=p.birth_date, email=p.email, phone=p.phone, language="th",
                      password_hash=self.password_hash)
                 for p in people]
        self.session.add_all(users)
        self.session.flush()
        return users

    def add_staff(self) -> dict[str, User]:
        """An officer and an agency admin per agency, an auditor and the platform admin; the officers."""
        accounts = staff_accounts(self.catalog.agencies)
        officers = {}
        for (username, role, agency), (first, last) in zip(accounts, self.population.staff_names(len(accounts)),
                                                          strict=True):
            user = create_staff(self.session, username=username, password=DEMO_PASSWORD, role=role,
                                first_name=first, last_name=last, agency=agency, password_hash=self.password_hash)
            if role == OFFICER and agency is not None:
                officers[agency] = user
        return officers

    def add_applications(self, people: list[User], officers: dict[str, User], *, count: int) -> None:
        """The showcase, then every status of every service, then random ones up to `count`."""
        services = list(self.catalog.services.values())
        pools = {s.id: [u for u in people[4:] if self.may_apply(u, s)] or people for s in services}
        plan = [(people[who], self.catalog.services[sid], status)
                for who, sid, status in _SHOWCASE if sid in self.catalog.services]
        combos = [(s, status) for status in wf.STATUSES for s in services]
        combos += [(self.rng.choice(services), self.rng.choices(wf.STATUSES, _STATUS_WEIGHTS)[0])
                   for _ in range(count - len(plan) - len(combos))]
        plan += [(self.rng.choice(pools[s.id]), s, status) for s, status in combos]
        busy: set[tuple[int, str]] = set()
        for chosen, service, status in plan:
            citizen = self.free_applicant(chosen, service, status, pools[service.id], busy)
            if citizen is not None:
                self.add_application(citizen, service, status, officers[service.agency])

    @staticmethod
    def free_applicant(citizen: User, service: Service, status: str, pool: list[User],
                       busy: set[tuple[int, str]]) -> User | None:
        """`citizen`, or the next one in `pool` with nothing open of `service` (one open application per
        service unless it allows several); None when everyone has one. An application left open marks
        its citizen busy for the service."""
        if service.multiple:
            return citizen
        start = pool.index(citizen) if citizen in pool else 0
        for candidate in [citizen, *pool[start:], *pool[:start]]:
            if (candidate.id, service.id) not in busy:
                if status in OPEN_OR_DRAFT:
                    busy.add((candidate.id, service.id))
                return candidate
        return None

    def may_apply(self, citizen: User, service: Service) -> bool:
        low, high = _AGES.get(service.id, (18, 130))
        return citizen.birth_date is not None and low <= (self.today - citizen.birth_date).days // 365.25 <= high

    def add_application(self, citizen: User, service: Service, status: str, officer: User) -> Application:
        rng = self.rng
        path = _path(status, rng)
        days = self.days_ago(status, service.sla_days)
        start = self.now - dt.timedelta(days=days, minutes=rng.randint(0, 600))
        step = dt.timedelta(hours=rng.randint(2, 72) if status in wf.FINAL else rng.randint(1, 8))
        me, staff = Principal(user=citizen), Principal(user=officer)
        # The form's dates count from the day, not the clock: the same seed on the same day gives the same
        # forms whatever the hour (`start` minus up to ten hours may fall on either side of midnight).
        form = self.form(service, citizen, self.today - dt.timedelta(days=days))
        application = create_application(self.session, self.catalog, me, service.id, form)
        uploads = [(self.upload(me, application, doc), 0) for doc in service.documents
                   if (doc.required and path[:1] == ("submit",)) or rng.random() < 0.25]
        for done, action in enumerate(path, start=1):
            if action == "resubmit":  # the document the officer asked for
                uploads.append((self.upload(me, application, rng.choice(service.documents)), done))
            actor = me if action in wf.CITIZEN_ACTIONS else staff
            message = rng.choice(_MESSAGES[action]) if action in _MESSAGES else None
            act(self.session, self.catalog, actor, application, action, message, declaration=action == "submit")
        self.backdate(application, service, [min(self.now, start + k * step) for k in range(len(path) + 1)])
        for document, at in uploads:
            document.uploaded_at = min(self.now, start + at * step)
        return application

    def days_ago(self, status: str, sla_days: int) -> int:
        """When the application was made; a quarter of the open ones are past their due date."""
        if status == wf.DRAFT:
            return self.rng.randint(0, 20)
        if status in wf.FINAL:
            return self.rng.randint(sla_days + 1, 120)
        if self.rng.random() < 0.25:  # overdue: made before the working day sla + 1 working days ago
            before = self.catalog.calendar.add_working_days(self.today, -(sla_days + 1))
            return (self.today - before).days + self.rng.randint(1, 10)
        return self.rng.randint(0, sla_days - 1)

    def upload(self, me: Principal, application: Application, doc: DocumentRequirement) -> Document:
        return add_document(self.session, self.storage, self.catalog, me, application, requirement=doc.id,
                            filename=f"{doc.id}.pdf", content_type="application/pdf", stream=io.BytesIO(DEMO_PDF))

    def backdate(self, application: Application, service: Service, times: list[dt.datetime]) -> None:
        """Move the timeline, its notices and the SLA dates to `times` (one per event)."""
        for event, at in zip(application.events, times, strict=True):
            event.at = at
        notices = list(self.session.scalars(select(InboxMessage).where(InboxMessage.application_id == application.id)
                                            .order_by(InboxMessage.id)))
        told = [at for event, at in zip(application.events, times, strict=True) if event.action in BY_ACTION]
        statuses = [n for n in notices if n.key in BY_ACTION.values()]
        for notice, at in zip(statuses, told, strict=True):
            notice.created_at = at
        for notice in notices:  # a fee due on submit is told with the submit
            if notice.key not in BY_ACTION.values():
                notice.created_at = times[min(1, len(times) - 1)]
        application.created_at, application.updated_at = times[0], times[-1]
        if application.submitted_at is not None:
            application.submitted_at = times[1]
            application.declared_at = times[1]
            application.due_date = self.catalog.calendar.add_working_days(times[1].astimezone(BANGKOK).date(),
                                                                          service.sla_days)
        if application.decided_at is not None:
            application.decided_at = times[-1]

    def form(self, service: Service, citizen: User, day: dt.date) -> dict[str, Any]:
        """Every required field and some optional ones, valid for the schema (or a loud error)."""
        schema = service.form_schema
        props, required = schema["properties"], set(schema.get("required", ()))
        data = {name: self.value(name, prop, citizen, day) for name, prop in props.items()
                if name in required or self.rng.random() < 0.4}
        for name in forms.validate(schema, data, complete=True):  # if/then rules may require more
            if name in props and name not in data:
                data[name] = self.value(name, props[name], citizen, day)
        if problems := forms.validate(schema, data, complete=True):
            raise RuntimeError(f"demo data for {service.id} does not fit its form: {problems} in {data}")
        return data

    def value(self, name: str, prop: dict[str, Any], citizen: User, day: dt.date) -> Any:
        rng, kind, fmt = self.rng, prop.get("type"), prop.get("format")
        if name in _NAMED:
            return _NAMED[name](self, citizen, day)
        if "enum" in prop:
            return rng.choice(prop["enum"])
        if kind == "boolean":
            likely = _LIKELY.get(name)  # 9 times in 10, or a coin toss
            return rng.random() < 0.5 if likely is None else (rng.random() < 0.9) == likely
        if fmt == "thai-id":
            return self.national_id(day)
        if fmt == "date":
            low, high = _DAYS.get(name, (-30, 0))
            base = self.today if low > 0 else day  # a date still to come must still be to come today
            return (base + dt.timedelta(days=rng.randint(low, high))).isoformat()
        if fmt == "email":
            return self.fake.email()
        if "pattern" in prop:
            return _matching(prop["pattern"], rng)
        if kind in ("integer", "number"):
            low = int(prop.get("minimum", 0))
            return rng.randint(low, min(int(prop.get("maximum", low + 10)), low + 10))
        return self.fake.sentence()[: prop.get("maxLength", 200)].strip()


# Plausible values for the fields we know by name; any other field gets one from its schema.
_NAMED: dict[str, Callable[[_Seeder, User, dt.date], Any]] = {
    "child_first_name": lambda s, u, d: s.fake.first_name(),
    "child_last_name": lambda s, u, d: u.last_name,
    "child_name": lambda s, u, d: f"{s.fake.first_name()} {u.last_name}",
    "phone": lambda s, u, d: u.phone or s.phone(),
    **dict.fromkeys(("site_address", "new_address", "current_address", "business_address"),
                    lambda s, u, d: s.address()),
    "trade_name": lambda s, u, d: f"ร้าน{s.fake.first_name()}",
    "business_category": lambda s, u, d: s.rng.choice(_BUSINESSES),
    "reason": lambda s, u, d: s.rng.choice(_REASONS),
    "purpose_detail": lambda s, u, d: f"ยื่นต่อ {s.fake.company()}",
    "website": lambda s, u, d: s.fake.url(),
    "land_title_number": lambda s, u, d: str(s.rng.randint(1000, 99999)),
    "engineer_licence": lambda s, u, d: f"สย.{s.rng.randint(10000, 99999)}",
    "hospital_notification_no": lambda s, u, d: f"{s.rng.randint(1, 9999)}/{d.year + 543}",
    "storeys": lambda s, u, d: s.rng.randint(1, 3),
    "floor_area": lambda s, u, d: s.rng.randint(60, 400),
    "height": lambda s, u, d: round(s.rng.uniform(3.5, 12.0), 1),
    "capital": lambda s, u, d: s.rng.choice((10_000, 50_000, 100_000, 500_000)),
    "monthly_income": lambda s, u, d: s.rng.choice((0, 0, 1_500, 3_000, 6_000)),
    "household_income": lambda s, u, d: s.rng.randint(20, 100) * 1_000,
    "household_members": lambda s, u, d: s.rng.randint(3, 7),
}


def add_privacy_requests(session: Session, catalog: Catalog, people: list[User], password_hash: str,
                         today: dt.date) -> None:
    """The data-protection officer and a few PDPA requests in different states: one waiting with 4 days
    left (the DPO's reminder is due), a registry correction forwarded to the DOPA, a correction done,
    and an erasure refused with its reason."""
    from pracha.privacy import rights

    dpo = create_staff(session, username="dpo", password=DEMO_PASSWORD, role=DPO, first_name="ปกรณ์",
                       last_name="รักษ์ข้อมูล", agency=None, password_hash=password_hash)
    officer = Principal(user=dpo)
    somying, others = people[1], people[4:8]
    plan: list[tuple[User, int, dict[str, Any]]] = [
            (somying, 26, {"kind": "erasure", "fields": ["assistant", "contacts"],
                           "details": "ขอให้ลบบทสนทนากับผู้ช่วยและเบอร์โทรศัพท์ เพราะไม่ใช้บริการแล้ว"}),
            (others[0], 12, {"kind": "rectification", "fields": ["last_name"],
                             "details": "เปลี่ยนนามสกุลหลังจดทะเบียนสมรส ทะเบียนราษฎรยังเป็นนามสกุลเดิม"}),
            (others[1], 20, {"kind": "rectification", "fields": ["email"], "values": {"email": "napa.k@example.co.th"},
                             "details": "อีเมลเดิมเลิกใช้แล้ว"}),
            (others[2], 9, {"kind": "erasure", "details": "ขอให้ลบข้อมูลทั้งหมด"}),
            (others[3], 3, {"kind": "objection", "details": "ไม่ประสงค์ให้ใช้ข้อมูลกรอกแบบฟอร์มให้อัตโนมัติ"})]
    made = []
    for citizen, days_ago, body in plan:
        received = today - dt.timedelta(days=days_ago)
        request = rights.create_request(session, Principal(user=citizen), today=received, calendar=catalog.calendar,
                                        **body)
        request.created_at = dt.datetime.combine(received, dt.time(10, 30), tzinfo=BANGKOK)
        made.append(request)
    rights.forward(session, officer, made[1].id)
    rights.decide(session, officer, made[2].id, decision="approve", reason="ตรวจสอบตัวตนแล้ว")
    rights.decide(session, officer, made[3].id, decision="refuse",
                  reason="มีคำขอรับเบี้ยยังชีพที่อนุมัติแล้ว ต้องเก็บรักษาตามระเบียบงานสารบรรณ")
