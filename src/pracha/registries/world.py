"""The demo registries' world: the portal's demo citizens (`pracha.demo.demo_people`) given households,
addresses, businesses, allowances, land and tax records. Deterministic for a seed and a day, so five
registry processes seeding their own databases agree with each other and with `pracha seed --demo`.

SOMCHAI (born 1955) lives in ต.ศรีภูมิ with his wife, owns land, and gets no allowance and no state
pension: he is eligible for the elderly allowance. SOMYING runs a registered coffee shop in
ต.ช้างเผือก and pays tax. Of the other elderly, about half already receive the allowance from their
local authority, some are state pensioners or in state care; about one household in eight lives
outside Chiang Mai city (another local authority).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from faker.providers.person.th_TH import Provider as ThaiNames
from pythainlp.transliterate import romanize

from pracha.demo import CHIANG_MAI_TAMBONS, KHAOSOI_LANNA, SOMCHAI, SOMYING, WICHAI, DemoPerson
from pracha.identity import thai_id

CITY = "เทศบาลนครเชียงใหม่"
LOCAL_AUTHORITY = dict.fromkeys(CHIANG_MAI_TAMBONS, CITY) | {
    "สุเทพ": "เทศบาลตำบลสุเทพ", "แม่เหียะ": "เทศบาลเมืองแม่เหียะ"}
# (tambon, amphoe, province, postcode, local authority) outside Mueang Chiang Mai
OUTSIDE = (("สันทรายน้อย", "สันทราย", "เชียงใหม่", "50210", "เทศบาลตำบลสันทรายน้อย"),
           ("หนองควาย", "หางดง", "เชียงใหม่", "50230", "องค์การบริหารส่วนตำบลหนองควาย"),
           ("ในเมือง", "เมืองลำพูน", "ลำพูน", "51000", "เทศบาลเมืองลำพูน"),
           ("ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", "กรุงเทพมหานคร"))
ROADS = ("ถนนราชวิถี", "ถนนพระปกเกล้า", "ถนนห้วยแก้ว", "ถนนนิมมานเหมินท์", "ถนนช้างคลาน", "ถนนเจริญประเทศ",
         "ถนนมหิดล", "ถนนสุเทพ", "ถนนโชตนา", "ถนนช้างเผือก", "ถนนวัวลาย", "ถนนทิพย์เนตร", None, None)
CHILD_SUPPORT_PAYER = "กรมกิจการเด็กและเยาวชน"
BUSINESS_KINDS = (("sole-proprietorship", 70), ("ordinary-partnership", 8), ("limited-partnership", 12),
                  ("limited-company", 10))
LAND_KINDS = (("chanote", 70), ("nor-sor-3-kor", 20), ("nor-sor-3", 10))
_MALE, _FEMALE = set(ThaiNames.first_names_male), set(ThaiNames.first_names_female)


@dataclass
class Address:
    house_no: str
    moo: str | None
    road: str | None
    tambon: str
    amphoe: str
    province: str
    postcode: str
    house_id: str
    local_authority: str

    @property
    def text(self) -> str:
        """One line, as written on Thai forms."""
        bangkok = self.province == "กรุงเทพมหานคร"
        parts = [self.house_no, f"หมู่ {self.moo}" if self.moo else "", self.road or "",
                 ("แขวง" if bangkok else "ต.") + self.tambon, ("เขต" if bangkok else "อ.") + self.amphoe,
                 self.province if bangkok else "จ." + self.province, self.postcode]
        return " ".join(p for p in parts if p)


@dataclass
class Person:
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    birth_date: dt.date
    sex: str  # "male" | "female"
    alive: bool
    house_id: str = ""
    relation: str = ""  # to the head of the household, in Thai


@dataclass
class Household:
    address: Address
    members: list[Person] = field(default_factory=list)


@dataclass
class Business:
    owner: str
    registration_no: str
    name_th: str
    kind: str
    registered_on: dt.date
    status: str
    address: Address


@dataclass
class Director:
    national_id: str
    position_th: str  # กรรมการ, กรรมการผู้จัดการ, หุ้นส่วนผู้จัดการ
    position_en: str


@dataclass
class JuristicPerson:
    """A registered partnership or company (นิติบุคคล) and the people who may sign for it."""

    juristic_id: str
    kind: str  # limited-company | limited-partnership | registered-ordinary-partnership
    name_th: str
    name_en: str
    registered_on: dt.date
    status: str  # active | closed
    capital_baht: int
    objectives: list[str]
    address: Address
    directors: list[Director]
    directors_required: int  # how many directors must sign together to bind it

    @property
    def signing_rule(self) -> dict[str, object]:
        n = self.directors_required
        th = "กรรมการคนใดคนหนึ่งลงลายมือชื่อ" if n == 1 else f"กรรมการ {n} คนลงลายมือชื่อร่วมกัน"
        en = "any one director signs" if n == 1 else f"{n} directors sign jointly"
        return {"directors_required": n, "text_th": th + "และประทับตราสำคัญของบริษัท" * (self.kind == "limited-company"),
                "text_en": en}


@dataclass
class Allowance:
    national_id: str
    kind: str  # elderly | child-support | disability
    status: str  # paying | stopped
    monthly_baht: int
    since: dt.date
    paying_authority: str


@dataclass
class Parcel:
    owner: str
    deed_no: str
    kind: str
    tambon: str
    amphoe: str
    province: str
    area_rai: int
    area_ngan: int
    area_sq_wa: int


@dataclass
class Taxpayer:
    national_id: str
    registered: bool
    filed_years: list[int]
    outstanding_baht: float


@dataclass
class World:
    today: dt.date
    people: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)
    juristic_persons: list[JuristicPerson] = field(default_factory=list)
    allowances: list[Allowance] = field(default_factory=list)
    state_pension: set[str] = field(default_factory=set)
    in_state_care: set[str] = field(default_factory=set)
    parcels: list[Parcel] = field(default_factory=list)
    taxpayers: list[Taxpayer] = field(default_factory=list)

    def age(self, person: Person) -> int:
        born, today = person.birth_date, self.today
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def address_of(self, person: Person) -> Address:
        return next(h.address for h in self.households if h.address.house_id == person.house_id)


@lru_cache(maxsize=4096)
def _english(thai: str) -> str:
    return romanize(thai, engine="royin").capitalize()


def build_world(demo: list[DemoPerson], *, today: dt.date, seed: int = 2569) -> World:
    """Everything the five registries hold about `demo` (SOMCHAI and SOMYING first, as demo_people gives)."""
    rng = random.Random(f"registries-{seed}")
    world = World(today=today)
    for p in demo:
        sex = ("male" if p.first_name in _MALE and p.first_name not in _FEMALE else
               "female" if p.first_name in _FEMALE and p.first_name not in _MALE else rng.choice(("male", "female")))
        sex = {SOMCHAI[2]: "male", SOMYING[2]: "female"}.get(p.national_id, sex)
        world.people.append(Person(p.national_id, "", p.first_name, p.last_name, _english(p.first_name),
                                   _english(p.last_name), p.birth_date, sex, alive=True))
    _Builder(world, rng).build()
    return world


class _Builder:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.house_ids: set[str] = set()

    def build(self) -> None:
        world, rng = self.world, self.rng
        somchai, somying, *others = world.people
        pool = others[:]
        rng.shuffle(pool)
        wife = self.take(pool, lambda p: p.sex == "female" and 60 <= world.age(p) <= 80)
        child = self.take(pool, lambda p: world.age(p) < 6)
        self.household(self.address("ศรีภูมิ", house_no="12", road="ถนนราชวิถี"),
                       [somchai] + ([wife] if wife else []))
        self.household(self.address("ช้างเผือก", house_no="45/7", road="ถนนช้างเผือก"),
                       [somying] + ([child] if child else []))
        while pool:
            size = min(len(pool), rng.choice((1, 2, 2, 3, 3, 4, 5)))
            members, pool = pool[:size], pool[size:]
            self.household(self.address(), members)
        for person in others:
            if world.age(person) > 85 and rng.random() < 0.05:
                person.alive = False
        self.welfare(somchai, somying)
        self.businesses(somying)
        self.juristic_persons(somying)
        self.land(somchai)
        self.revenue(somchai, somying)

    @staticmethod
    def take(pool: list[Person], wanted: Callable[[Person], bool]) -> Person | None:
        for i, person in enumerate(pool):
            if wanted(person):
                return pool.pop(i)
        return None

    def address(self, tambon: str | None = None, *, house_no: str | None = None,
                road: str | None = None) -> Address:
        rng = self.rng
        if tambon is None and rng.random() < 0.12:
            name, amphoe, province, postcode, authority = rng.choice(OUTSIDE)
            moo = None if province == "กรุงเทพมหานคร" else str(rng.randint(1, 12))
        else:
            name = tambon or rng.choice(list(CHIANG_MAI_TAMBONS))
            amphoe, province, postcode, authority = "เมืองเชียงใหม่", "เชียงใหม่", CHIANG_MAI_TAMBONS[name], \
                LOCAL_AUTHORITY[name]
            moo = None
        while True:
            house_id = postcode[:2] + "01" + "".join(rng.choices("0123456789", k=7))
            if house_id not in self.house_ids:
                self.house_ids.add(house_id)
                break
        number = house_no or (str(rng.randint(1, 299)) + (f"/{rng.randint(1, 30)}" if rng.random() < 0.4 else ""))
        return Address(number, moo, road if house_no else rng.choice(ROADS), name, amphoe, province, postcode,
                       house_id, authority)

    def household(self, address: Address, members: list[Person]) -> None:
        age = self.world.age
        adults = [m for m in members if 18 <= age(m) <= 75] or members
        head = adults[0] if members[0] in adults else max(adults, key=age)
        spouse = False
        for m in members:
            m.house_id = address.house_id
            if m is head:
                m.relation = "เจ้าบ้าน"
            elif age(head) - age(m) >= 18:
                m.relation = "บุตร"
            elif age(m) - age(head) >= 18:
                m.relation = "บิดา" if m.sex == "male" else "มารดา"
            elif not spouse and m.sex != head.sex and abs(age(m) - age(head)) <= 15 and age(m) >= 18:
                m.relation, spouse = "คู่สมรส", True
            else:
                m.relation = "ผู้อาศัย"
        for m in members:
            married = m.relation == "คู่สมรส" or (m is head and spouse)
            m.title_th = ("เด็กชาย" if m.sex == "male" else "เด็กหญิง") if age(m) < 15 else \
                "นาย" if m.sex == "male" else "นาง" if married or (age(m) > 40 and self.rng.random() < 0.7) \
                else "นางสาว"
        self.world.households.append(Household(address, members))

    def welfare(self, somchai: Person, somying: Person) -> None:
        world, rng = self.world, self.rng
        for person in world.people:
            if person in (somchai, somying) or not person.alive:
                continue
            age, address = world.age(person), world.address_of(person)
            if age >= 60:
                draw = rng.random()
                if draw < 0.15:
                    world.state_pension.add(person.national_id)
                elif draw < 0.20:
                    world.in_state_care.add(person.national_id)
                elif draw < 0.75:
                    sixty = person.birth_date.replace(year=person.birth_date.year + 60, day=1)
                    since = max(sixty + dt.timedelta(days=31), dt.date(2009, 10, 1)).replace(day=1)
                    baht = 600 if age < 70 else 700 if age < 80 else 800 if age < 90 else 1000
                    status = "stopped" if rng.random() < 0.05 else "paying"
                    world.allowances.append(Allowance(person.national_id, "elderly", status, baht, since,
                                                      address.local_authority))
            if rng.random() < 0.03:
                since = max(person.birth_date, world.today - dt.timedelta(days=rng.randint(60, 3650))).replace(day=1)
                world.allowances.append(Allowance(person.national_id, "disability", "paying",
                                                  1000 if age < 18 else 800, since, address.local_authority))
        for household in world.households:
            young = [m for m in household.members if world.age(m) < 6]
            carers = [m for m in household.members if m.relation in ("เจ้าบ้าน", "คู่สมรส") and world.age(m) >= 18
                      and m is not somying]
            if young and carers and rng.random() < 0.6:
                carer = next((m for m in carers if m.sex == "female"), carers[0])
                since = (max(m.birth_date for m in young) + dt.timedelta(days=31)).replace(day=1)
                world.allowances.append(Allowance(carer.national_id, "child-support", "paying", 600, since,
                                                  CHILD_SUPPORT_PAYER))

    def businesses(self, somying: Person) -> None:
        world, rng = self.world, self.rng
        world.businesses.append(Business(somying.national_id, "5500100123456", "ร้านกาแฟสมหญิง", "sole-proprietorship",
                                         world.today - dt.timedelta(days=2 * 365), "active",
                                         world.address_of(somying)))
        for person in world.people[4:]:
            if not (20 <= world.age(person) <= 70) or rng.random() >= 0.12:
                continue
            kind = rng.choices([k for k, _ in BUSINESS_KINDS], [w for _, w in BUSINESS_KINDS])[0]
            name = {"sole-proprietorship": f"ร้าน{person.first_name_th}",
                    "ordinary-partnership": f"ห้างหุ้นส่วนสามัญ {person.last_name_th}",
                    "limited-partnership": f"ห้างหุ้นส่วนจำกัด {person.last_name_th} เทรดดิ้ง",
                    "limited-company": f"บริษัท {person.last_name_th} กรุ๊ป จำกัด"}[kind]
            earliest = person.birth_date.replace(year=person.birth_date.year + 20, day=1)
            registered = earliest + dt.timedelta(days=rng.randint(0, max(1, (world.today - earliest).days - 30)))
            number = ("0" if kind != "sole-proprietorship" else "5") + "505" + "".join(rng.choices("0123456789", k=8))
            number = thai_id.make(number)  # juristic person numbers carry the national ID's check digit
            world.businesses.append(Business(person.national_id, number, name, kind, registered,
                                             "closed" if rng.random() < 0.1 else "active", world.address_of(person)))

    def juristic_persons(self, somying: Person) -> None:
        """The demo company, then a juristic person for each registered partnership or company: its owner
        a director, with one or two others; about a third need two directors to sign."""
        world, rng = self.world, self.rng
        wichai = next(p for p in world.people if p.national_id == WICHAI[2])
        world.juristic_persons.append(JuristicPerson(
            KHAOSOI_LANNA, "limited-company", "บริษัท ข้าวซอยล้านนา จำกัด", "Khao Soi Lanna Company Limited",
            world.today - dt.timedelta(days=3 * 365 + 40), "active", 2_000_000,
            ["ประกอบกิจการร้านอาหารและเครื่องดื่ม", "จำหน่ายอาหารสำเร็จรูปและเครื่องปรุงอาหารพื้นเมืองภาคเหนือ"],
            self.address("ช้างคลาน", house_no="88/1", road="ถนนช้างคลาน"),
            [Director(somying.national_id, "กรรมการผู้จัดการ", "managing director"),
             Director(wichai.national_id, "กรรมการ", "director")], 2))
        adults = [p for p in world.people[4:] if 25 <= world.age(p) <= 70 and p.alive]
        for business in world.businesses:
            if business.kind in ("sole-proprietorship", "ordinary-partnership"):
                continue
            owner = next(p for p in world.people if p.national_id == business.owner)
            others = rng.sample([p for p in adults if p is not owner], rng.randint(1, 2))
            company = business.kind == "limited-company"
            title = "กรรมการ" if company else "หุ้นส่วนผู้จัดการ"
            directors = [Director(p.national_id, title, "director" if company else "managing partner")
                         for p in (owner, *others)]
            name_en = (_english(owner.last_name_th) + (" Group Company Limited" if company
                                                        else " Trading Limited Partnership"))
            world.juristic_persons.append(JuristicPerson(
                business.registration_no, business.kind, business.name_th, name_en, business.registered_on,
                business.status, rng.choice((1, 2, 5, 10)) * (1_000_000 if company else 100_000),
                [rng.choice(("ค้าปลีกสินค้าทั่วไป", "ให้บริการที่พักและอาหาร", "รับเหมาก่อสร้าง",
                             "จำหน่ายสินค้าหัตถกรรม", "ให้บริการซ่อมบำรุงยานยนต์"))],
                business.address, directors, 2 if company and rng.random() < 0.35 else 1))

    def land(self, somchai: Person) -> None:
        world, rng = self.world, self.rng
        home = world.address_of(somchai)
        world.parcels += [Parcel(somchai.national_id, "12345", "chanote", home.tambon, home.amphoe, home.province,
                                 0, 1, 20),
                          Parcel(somchai.national_id, "884", "nor-sor-3-kor", "สันทรายน้อย", "สันทราย", "เชียงใหม่",
                                 2, 0, 0)]
        for person in world.people[2:]:
            if world.age(person) < 30 or rng.random() >= 0.25:
                continue
            for _ in range(rng.choice((1, 1, 2))):
                home = world.address_of(person) if rng.random() < 0.6 else self.address()
                kind = rng.choices([k for k, _ in LAND_KINDS], [w for _, w in LAND_KINDS])[0]
                world.parcels.append(Parcel(person.national_id, str(rng.randint(1000, 99999)), kind, home.tambon,
                                            home.amphoe, home.province, rng.choice((0, 0, 1, 2, 5)),
                                            rng.randint(0, 3), rng.randint(0, 99)))

    def revenue(self, somchai: Person, somying: Person) -> None:
        world, rng = self.world, self.rng
        year = world.today.year
        for person in world.people:
            age = world.age(person)
            chance = 0.0 if age < 20 else 0.75 if age <= 60 else 0.3
            if person is somying:
                chance = 1.0
            registered = person is not somchai and rng.random() < chance
            adult_years = [y for y in range(year - 5, year) if y - person.birth_date.year >= 20]
            filed = [y for y in adult_years if rng.random() < 0.8] if registered else []
            if person is somying:
                filed = list(range(year - 5, year))
            owed = round(rng.uniform(500, 20000), 2) if registered and person is not somying and rng.random() < 0.08 \
                else 0.0
            world.taxpayers.append(Taxpayer(person.national_id, registered, filed, owed))
