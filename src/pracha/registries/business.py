"""Business registry (กรมพัฒนาธุรกิจการค้า, `TH/GOV/DBD/business-registry`): the businesses a citizen owns."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.identity import thai_id
from pracha.registries.base import RegistryError, add_known_people, db, known_citizen
from pracha.registries.world import World

DESCRIPTION = ("The commercial registration (ทะเบียนพาณิชย์) and juristic person register of the Department of "
               "Business Development: every business a citizen owns or is the managing partner of, and the "
               "registered partnerships and companies with their directors and signing rule.")
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class KnownPerson(Base):
    __tablename__ = "business_people"
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True)


class Business(Base):
    __tablename__ = "business_businesses"
    registration_no: Mapped[str] = mapped_column(String(13), primary_key=True)
    owner: Mapped[str] = mapped_column(String(13), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    address: Mapped[dict[str, str | None]] = mapped_column(JSON)


class JuristicPerson(Base):
    __tablename__ = "business_juristic_persons"
    juristic_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    capital_baht: Mapped[int] = mapped_column(BigInteger)
    objectives: Mapped[list[str]] = mapped_column(JSON)
    address: Mapped[dict[str, str | None]] = mapped_column(JSON)
    signing_rule: Mapped[dict[str, object]] = mapped_column(JSON)


class Director(Base):
    __tablename__ = "business_directors"
    juristic_id: Mapped[str] = mapped_column(ForeignKey("business_juristic_persons.juristic_id"), primary_key=True)
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True, index=True)
    position_th: Mapped[str] = mapped_column(String(60))
    position_en: Mapped[str] = mapped_column(String(60))
    rank: Mapped[int] = mapped_column(Integer)  # the order the register lists them in


class BusinessOut(BaseModel):
    registration_no: str = Field(description="เลขทะเบียนพาณิชย์ / เลขทะเบียนนิติบุคคล (13 digits)")
    name_th: str
    kind: str = Field(description="sole-proprietorship, ordinary-partnership, limited-partnership or "
                                  "limited-company")
    registered_on: dt.date
    status: str = Field(description="active or closed")
    address: dict[str, str | None] = Field(description="The place of business, with the fields of the civil "
                                                       "registry's address and `text`, the whole address")


class BusinessesOut(BaseModel):
    businesses: list[BusinessOut]


class DirectorOut(BaseModel):
    national_id: str
    position_th: str
    position_en: str


class SigningRule(BaseModel):
    directors_required: int = Field(description="How many directors must sign together to bind it")
    text_th: str
    text_en: str


class JuristicPersonOut(BaseModel):
    juristic_id: str = Field(description="เลขทะเบียนนิติบุคคล, 13 digits")
    kind: str = Field(description="limited-company, limited-partnership or registered-ordinary-partnership")
    name_th: str
    name_en: str
    registered_on: dt.date
    status: str = Field(description="active or closed")
    capital_baht: int
    objectives: list[str]
    address: dict[str, str | None] = Field(description="The registered office, as `BusinessOut.address`")
    signing_rule: SigningRule
    directors: list[DirectorOut] = Field(description="Authorised directors (or managing partners), in register order")


class DirectorshipOut(BaseModel):
    juristic_id: str
    name_th: str
    name_en: str
    status: str
    position_th: str
    position_en: str


class DirectorshipsOut(BaseModel):
    juristic_persons: list[DirectorshipOut]


router = APIRouter(tags=["business registry"])


@router.get("/juristic-persons/{jid}", response_model=JuristicPersonOut, summary="A juristic person",
            description="The registered particulars of a partnership or company, with its authorised directors and "
                        "signing rule; 404 if the number is not registered.")
def get_juristic_person(jid: str, session: Session = Depends(db)) -> JuristicPersonOut:
    if not thai_id.is_valid(jid):
        raise RegistryError(400, "invalid_juristic_id")
    row = session.get(JuristicPerson, jid)
    if row is None:
        raise RegistryError(404, "not_found")
    directors = session.scalars(select(Director).where(Director.juristic_id == jid).order_by(Director.rank))
    return JuristicPersonOut(
        juristic_id=row.juristic_id, kind=row.kind, name_th=row.name_th, name_en=row.name_en,
        registered_on=row.registered_on, status=row.status, capital_baht=row.capital_baht,
        objectives=row.objectives, address=row.address, signing_rule=SigningRule.model_validate(row.signing_rule),
        directors=[DirectorOut(national_id=d.national_id, position_th=d.position_th, position_en=d.position_en)
                   for d in directors])


@router.get("/directors/{cid}/juristic-persons", response_model=DirectorshipsOut,
            summary="Juristic persons a citizen is a director of",
            description="Every registered partnership or company that lists the citizen as an authorised director "
                        "or managing partner, by name; an empty list if none.")
def get_directorships(cid: str, session: Session = Depends(db)) -> DirectorshipsOut:
    known_citizen(session, metadata, cid)
    rows = session.execute(select(JuristicPerson, Director).join(Director).where(Director.national_id == cid)
                           .order_by(JuristicPerson.name_th))
    return DirectorshipsOut(juristic_persons=[
        DirectorshipOut(juristic_id=j.juristic_id, name_th=j.name_th, name_en=j.name_en, status=j.status,
                        position_th=d.position_th, position_en=d.position_en) for j, d in rows])


@router.get("/owners/{cid}/businesses", response_model=BusinessesOut, summary="Businesses a citizen owns",
            description="Registered businesses of the citizen, oldest first; an empty list if none.")
def get_businesses(cid: str, session: Session = Depends(db)) -> BusinessesOut:
    known_citizen(session, metadata, cid)
    rows = session.scalars(select(Business).where(Business.owner == cid)
                           .order_by(Business.registered_on, Business.registration_no))
    return BusinessesOut(businesses=[BusinessOut(registration_no=b.registration_no, name_th=b.name_th, kind=b.kind,
                                                 registered_on=b.registered_on, status=b.status, address=b.address)
                                     for b in rows])


def seed(session: Session, world: World) -> None:
    add_known_people(session, metadata, world)
    session.execute(insert(Business), [
        {"registration_no": b.registration_no, "owner": b.owner, "name_th": b.name_th, "kind": b.kind,
         "registered_on": b.registered_on, "status": b.status, "address": vars(b.address) | {"text": b.address.text}}
        for b in world.businesses])
    session.execute(insert(JuristicPerson), [
        {"juristic_id": j.juristic_id, "kind": j.kind, "name_th": j.name_th, "name_en": j.name_en,
         "registered_on": j.registered_on, "status": j.status, "capital_baht": j.capital_baht,
         "objectives": j.objectives, "address": vars(j.address) | {"text": j.address.text},
         "signing_rule": j.signing_rule} for j in world.juristic_persons])
    session.flush()
    session.execute(insert(Director), [
        {"juristic_id": j.juristic_id, "national_id": d.national_id, "position_th": d.position_th,
         "position_en": d.position_en, "rank": rank}
        for j in world.juristic_persons for rank, d in enumerate(j.directors)])
