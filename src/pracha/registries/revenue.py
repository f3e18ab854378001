"""Revenue registry (กรมสรรพากร, `TH/GOV/RD/revenue-registry`): whether a citizen is a registered taxpayer,
which years they filed personal income tax (ภ.ง.ด.90/91) for, and any tax outstanding."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import JSON, Boolean, MetaData, Numeric, String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.registries.base import db, known_citizen
from pracha.registries.world import World

DESCRIPTION = ("The taxpayer register of the Revenue Department: registration, the tax years (Gregorian) a "
               "personal income tax return was filed for, and the amount outstanding in baht.")
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class Taxpayer(Base):
    __tablename__ = "revenue_people"
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    registered: Mapped[bool] = mapped_column(Boolean)
    filed_years: Mapped[list[int]] = mapped_column(JSON)
    outstanding_baht: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))


class TaxpayerOut(BaseModel):
    national_id: str
    registered: bool = Field(description="Has a taxpayer registration (the national ID is the tax ID)")
    filed_years: list[int] = Field(description="Gregorian tax years with a return filed, oldest first")
    outstanding_baht: float = Field(description="Tax, surcharge and penalty not yet paid")


router = APIRouter(tags=["revenue registry"])


@router.get("/taxpayers/{cid}", response_model=TaxpayerOut, summary="A citizen's taxpayer record",
            description="Registration, years filed and amount outstanding; `registered` false if never registered.")
def get_taxpayer(cid: str, session: Session = Depends(db)) -> TaxpayerOut:
    known_citizen(session, metadata, cid)
    row = session.get(Taxpayer, cid)
    assert row is not None  # known_citizen found it
    return TaxpayerOut(national_id=cid, registered=row.registered, filed_years=sorted(row.filed_years),
                       outstanding_baht=float(row.outstanding_baht))


def seed(session: Session, world: World) -> None:
    session.execute(insert(Taxpayer), [
        {"national_id": t.national_id, "registered": t.registered, "filed_years": t.filed_years,
         "outstanding_baht": t.outstanding_baht} for t in world.taxpayers])
