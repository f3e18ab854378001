"""A world of applications and exchange requests for the platform statistics' tests, with its truth:
who is behind each published cell, known from how the world was built (not from the code under test)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK
from pracha.exchange.models import MessageLog
from pracha.identity.models import User
from pracha.identity.principal import SYSTEM
from pracha.services import workflow
from pracha.services.models import Application, ApplicationEvent
from tests.factories import _HASH, new_national_id

TODAY = dt.date(2026, 12, 5)  # November is the last complete month
ELDERLY, BUILDING = "elderly-allowance", "building-permit"
AGENCY = {ELDERLY: "cm-elderly-welfare", BUILDING: "cm-building-control"}
CLIENT = "TH/GOV/DSDW/elderly-welfare"
_refs = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BANGKOK)


def address(district: str) -> str:
    return f"12 ถนนราชวิถี ต.ศรีภูมิ อ.{district} จ.เชียงใหม่ 50200"


@dataclass
class World:
    # (service, month, district) -> citizen ids; (agency, month) -> citizen ids of decisions; …
    applicants: dict[tuple[str, str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    decided: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    decided_by_service: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    subjects: dict[tuple[str, str, str], set[Any]] = field(default_factory=lambda: defaultdict(set))
    citizens: list[User] = field(default_factory=list)


def add_citizens(db: Session, count: int, **values: Any) -> list[User]:
    users = [User(role="citizen", national_id=new_national_id(), first_name="ทดสอบ", last_name=f"สถิติ{n}",
                  birth_date=dt.date(1950, 1, 1), password_hash=_HASH, language="th", **values)
             for n in range(count)]
    db.add_all(users)
    db.flush()
    return users


def apply(db: Session, world: World, citizen: User, service: str, submitted: dt.date, district: str | None, *,
          decided: dt.date | None = None, by_bot: bool = False, late: bool = False, in_answers: bool = True) -> None:
    """One application; `district` None: no address anywhere. `in_answers` False: the address is only
    the account's (which the caller set)."""
    data: dict[str, Any] = {"current_address": address(district)} if district and in_answers else {}
    application = Application(
        reference=f"ST-{next(_refs):06d}", service_id=service, agency=AGENCY[service], citizen_id=citizen.id,
        status=workflow.APPROVED if decided else workflow.SUBMITTED, data=data, submitted_at=at(submitted),
        created_at=at(submitted), due_date=(decided - dt.timedelta(days=1) if late else decided + dt.timedelta(days=3))
        if decided else submitted + dt.timedelta(days=20), decided_at=at(decided) if decided else None)
    db.add(application)
    db.flush()
    db.add(ApplicationEvent(application_id=application.id, at=at(submitted), actor_id=citizen.id, actor_role="citizen",
                            action="submit", from_status=workflow.DRAFT, to_status=workflow.SUBMITTED))
    if decided:
        db.add(ApplicationEvent(application_id=application.id, at=at(decided),
                                actor_role=SYSTEM if by_bot else "officer", action="approve",
                                from_status=workflow.SUBMITTED, to_status=workflow.APPROVED))
    if at(submitted) < at(TODAY.replace(day=1)):
        world.applicants[(service, submitted.strftime("%Y-%m"), district or "ไม่ระบุ")].add(citizen.id)
    if decided and at(decided) < at(TODAY.replace(day=1)):
        world.decided[(AGENCY[service], decided.strftime("%Y-%m"))].add(citizen.id)
        world.decided_by_service[(service, decided.strftime("%Y-%m"))].add(citizen.id)


def request(db: Session, world: World, purpose: str, day: dt.date, subject: User | None) -> None:
    number = next(_refs)
    log = MessageLog(reference=f"MSG{number:08d}", message_id=f"m-{number}", client_id=CLIENT,
                     service_id="TH/GOV/DOPA/civil-registry/persons", path="/persons/x", purpose=purpose,
                     subject_user_id=subject.id if subject else None, categories=["identity"], decision="allowed",
                     status=200, created_at=at(day))
    db.add(log)
    db.flush()
    if at(day) < at(TODAY.replace(day=1)):
        world.subjects[(CLIENT, day.strftime("%Y-%m"), purpose)].add(("person", subject.id) if subject else log.id)


def build(db: Session) -> World:
    """October: 25 people in เมืองเชียงใหม่, 12 in หางดง, 3 in สันทราย, 9 people with 12 applications in
    แม่ริม (only the account knows the address of those), 1 with no address. November: more, decided
    partly by the bot. December (the running month): not published. Exchange requests alike."""
    world = World()
    oct_, nov, dec = dt.date(2026, 10, 6), dt.date(2026, 11, 3), dt.date(2026, 12, 2)
    for district, count in (("เมืองเชียงใหม่", 25), ("หางดง", 12), ("สันทราย", 3)):
        for n, citizen in enumerate(add_citizens(db, count)):
            apply(db, world, citizen, ELDERLY, oct_ + dt.timedelta(days=n % 5), district,
                  decided=nov + dt.timedelta(days=n % 7), by_bot=n % 3 == 0, late=n % 4 == 0)
    account = add_citizens(db, 9, address={"formatted": address("แม่ริม"), "locality": "แม่ริม"})
    for n, citizen in enumerate(account + account[:3]):  # 12 building permits by 9 people
        apply(db, world, citizen, BUILDING, oct_ + dt.timedelta(days=n % 9), "แม่ริม", in_answers=False)
    nobody = add_citizens(db, 1)
    apply(db, world, nobody[0], ELDERLY, oct_, None)
    for n, citizen in enumerate(add_citizens(db, 14)):
        apply(db, world, citizen, ELDERLY, nov + dt.timedelta(days=n % 10), "เมืองเชียงใหม่")
        if n < 2:
            apply(db, world, citizen, BUILDING, nov, "เมืองเชียงใหม่")
    for citizen in add_citizens(db, 4):
        apply(db, world, citizen, ELDERLY, dec, "สันทราย")
    people = add_citizens(db, 15)
    for n in range(30):
        request(db, world, "service-application", oct_, people[n % 15])
    for n in range(4):
        request(db, world, "eligibility-check", oct_, people[n])
    for _ in range(3):
        request(db, world, "eligibility-check", nov, None)  # no subject: each request counts as one
    request(db, world, "service-application", dec, people[0])
    world.citizens = people
    db.commit()
    return world
