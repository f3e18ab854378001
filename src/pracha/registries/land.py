"""Land registry (กรมที่ดิน, `TH/GOV/DOL/land-registry`): the land parcels a citizen holds title to."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import Integer, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.registries.base import add_known_people, db, known_citizen
from pracha.registries.world import World

DESCRIPTION = ("The land title register of the Department of Lands: title deeds (โฉนดที่ดิน) and certificates "
               "of use (น.ส.3ก, น.ส.3) held by a citizen, where the parcel lies and its area in rai, ngan and "
               "square wa (1 rai = 4 ngan = 400 square wa = 1,600 m²).")
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class KnownPerson(Base):
    __tablename__ = "land_people"
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True)


class Parcel(Base):
    __tablename__ = "land_parcels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(13), index=True)
    deed_no: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    tambon: Mapped[str] = mapped_column(String(100))
    amphoe: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(100))
    area_rai: Mapped[int] = mapped_column(Integer)
    area_ngan: Mapped[int] = mapped_column(Integer)
    area_sq_wa: Mapped[int] = mapped_column(Integer)


class ParcelOut(BaseModel):
    deed_no: str = Field(description="The number of the title deed or certificate")
    kind: str = Field(description="chanote (โฉนดที่ดิน), nor-sor-3-kor (น.ส.3ก) or nor-sor-3 (น.ส.3)")
    tambon: str
    amphoe: str
    province: str
    area_rai: int
    area_ngan: int = Field(description="0-3")
    area_sq_wa: int = Field(description="0-99")


class ParcelsOut(BaseModel):
    parcels: list[ParcelOut]


router = APIRouter(tags=["land registry"])


@router.get("/owners/{cid}/parcels", response_model=ParcelsOut, summary="Land a citizen holds",
            description="Every parcel the citizen holds a title deed or certificate of use for; empty if none.")
def get_parcels(cid: str, session: Session = Depends(db)) -> ParcelsOut:
    known_citizen(session, metadata, cid)
    rows = session.scalars(select(Parcel).where(Parcel.owner == cid).order_by(Parcel.id))
    return ParcelsOut(parcels=[ParcelOut(deed_no=p.deed_no, kind=p.kind, tambon=p.tambon, amphoe=p.amphoe,
                                         province=p.province, area_rai=p.area_rai, area_ngan=p.area_ngan,
                                         area_sq_wa=p.area_sq_wa) for p in rows])


def seed(session: Session, world: World) -> None:
    add_known_people(session, metadata, world)
    session.execute(insert(Parcel), [
        {"owner": p.owner, "deed_no": p.deed_no, "kind": p.kind, "tambon": p.tambon, "amphoe": p.amphoe,
         "province": p.province, "area_rai": p.area_rai, "area_ngan": p.area_ngan, "area_sq_wa": p.area_sq_wa}
        for p in world.parcels])
