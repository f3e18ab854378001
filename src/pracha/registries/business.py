"""Business registry (กรมพัฒนาธุรกิจการค้า, `TH/GOV/DBD/business-registry`): the businesses a citizen owns."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Date, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.registries.base import add_known_people, db, known_citizen
from pracha.registries.world import World

DESCRIPTION = ("The commercial registration (ทะเบียนพาณิชย์) and juristic person register of the Department of "
               "Business Development: every business a citizen owns or is the managing partner of.")
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


router = APIRouter(tags=["business registry"])


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
