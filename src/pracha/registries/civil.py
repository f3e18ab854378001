"""Civil registration (กรมการปกครอง, `TH/GOV/DOPA/civil-registry`): people, their house and household."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import Boolean, Date, ForeignKey, Integer, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.registries.base import RegistryError, db, known_citizen
from pracha.registries.world import Address, World

DESCRIPTION = ("The civil registration database (ทะเบียนราษฎร) of the Department of Provincial Administration: "
               "name, birth date, sex, whether the person is alive, their registered address (house "
               "registration, ทะเบียนบ้าน) with the local authority responsible for it, and the household.")
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class House(Base):
    __tablename__ = "civil_houses"
    house_id: Mapped[str] = mapped_column(String(11), primary_key=True)
    house_no: Mapped[str] = mapped_column(String(20))
    moo: Mapped[str | None] = mapped_column(String(4))
    road: Mapped[str | None] = mapped_column(String(100))
    tambon: Mapped[str] = mapped_column(String(100))
    amphoe: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(5))
    local_authority: Mapped[str] = mapped_column(String(200))


class Person(Base):
    __tablename__ = "civil_people"
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    title_th: Mapped[str] = mapped_column(String(20))
    first_name_th: Mapped[str] = mapped_column(String(100))
    last_name_th: Mapped[str] = mapped_column(String(100))
    first_name_en: Mapped[str] = mapped_column(String(100))
    last_name_en: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    alive: Mapped[bool] = mapped_column(Boolean)
    house_id: Mapped[str] = mapped_column(ForeignKey("civil_houses.house_id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    member_no: Mapped[int] = mapped_column(Integer)  # order in the household; the head is 0


class AddressOut(BaseModel):
    house_no: str = Field(description="บ้านเลขที่")
    moo: str | None = Field(description="หมู่ที่ (none in municipal areas)")
    road: str | None = Field(description="ถนน")
    tambon: str = Field(description="ตำบล / แขวง")
    amphoe: str = Field(description="อำเภอ / เขต")
    province: str = Field(description="จังหวัด")
    postcode: str
    house_id: str = Field(description="รหัสประจำบ้าน (11 digits)")
    local_authority: str = Field(description="The local government organisation (อปท.) of the address")
    text: str = Field(description="The whole address on one line, as written on Thai forms")


class PersonOut(BaseModel):
    national_id: str
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    birth_date: dt.date = Field(description="Gregorian, ISO 8601")
    sex: str = Field(description="male or female")
    alive: bool
    address: AddressOut


class MemberOut(BaseModel):
    national_id: str
    first_name_th: str
    last_name_th: str
    relation: str = Field(description="Relation to the head of the household (เจ้าบ้าน, คู่สมรส, บุตร, ...)")


class HouseholdOut(BaseModel):
    house_id: str
    address: AddressOut
    members: list[MemberOut] = Field(description="The head of the household first")


def _address(house: House) -> AddressOut:
    fields = {k: getattr(house, k) for k in ("house_no", "moo", "road", "tambon", "amphoe", "province", "postcode",
                                             "house_id", "local_authority")}
    return AddressOut(**fields, text=Address(**fields).text)


router = APIRouter(tags=["civil registration"])


def _person(session: Session, cid: str) -> tuple[Person, House]:
    row = session.execute(select(Person, House).join(House).where(Person.national_id == cid)).one_or_none()
    if row is None:
        known_citizen(session, metadata, cid)  # 400 or 404
        raise RegistryError(404, "not_found")
    return row[0], row[1]


@router.get("/persons/{cid}", response_model=PersonOut, summary="A person's civil record",
            description="Name (Thai and English), birth date, sex, alive, and the registered address.")
def get_person(cid: str, session: Session = Depends(db)) -> PersonOut:
    person, house = _person(session, cid)
    return PersonOut(national_id=person.national_id, title_th=person.title_th, first_name_th=person.first_name_th,
                     last_name_th=person.last_name_th, first_name_en=person.first_name_en,
                     last_name_en=person.last_name_en, birth_date=person.birth_date, sex=person.sex,
                     alive=person.alive, address=_address(house))


@router.get("/persons/{cid}/address", response_model=AddressOut, summary="A person's registered address",
            description="The address of the house registration (ทะเบียนบ้าน) the person is listed in.")
def get_address(cid: str, session: Session = Depends(db)) -> AddressOut:
    return _address(_person(session, cid)[1])


@router.get("/households/{house_id}", response_model=HouseholdOut, summary="A household",
            description="The house's address and everyone registered in it, with their relation to the head.")
def get_household(house_id: str, session: Session = Depends(db)) -> HouseholdOut:
    house = session.get(House, house_id)
    if house is None:
        raise RegistryError(404, "not_found")
    members = session.scalars(select(Person).where(Person.house_id == house_id).order_by(Person.member_no))
    return HouseholdOut(house_id=house_id, address=_address(house), members=[
        MemberOut(national_id=m.national_id, first_name_th=m.first_name_th, last_name_th=m.last_name_th,
                  relation=m.relation) for m in members])


def seed(session: Session, world: World) -> None:
    session.execute(insert(House), [vars(h.address).copy() for h in world.households])
    rows = []
    for household in world.households:
        ordered = sorted(household.members, key=lambda m: m.relation != "เจ้าบ้าน")
        for number, p in enumerate(ordered):
            rows.append({"national_id": p.national_id, "title_th": p.title_th, "first_name_th": p.first_name_th,
                         "last_name_th": p.last_name_th, "first_name_en": p.first_name_en,
                         "last_name_en": p.last_name_en, "birth_date": p.birth_date, "sex": p.sex,
                         "alive": p.alive, "house_id": p.house_id, "relation": p.relation, "member_no": number})
    session.execute(insert(Person), rows)
