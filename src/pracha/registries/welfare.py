"""Welfare registry (กรมส่งเสริมการปกครองท้องถิ่น, `TH/GOV/DLA/welfare-registry`): allowances already paid,
state pensions and state care -- what decides whether someone may claim the elderly allowance."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import Boolean, Date, ForeignKey, Integer, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pracha.db import NAMING
from pracha.registries.base import db, known_citizen
from pracha.registries.world import World

DESCRIPTION = ("The national welfare payment register kept for the local authorities: elderly allowance "
               "(เบี้ยยังชีพผู้สูงอายุ), disability allowance, child-support grant, and whether the person "
               "receives a state pension or lives in state care (which rule out the elderly allowance).")
class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


class Beneficiary(Base):
    __tablename__ = "welfare_people"
    national_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    state_pension: Mapped[bool] = mapped_column(Boolean)
    in_state_care: Mapped[bool] = mapped_column(Boolean)


class Allowance(Base):
    __tablename__ = "welfare_allowances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    national_id: Mapped[str] = mapped_column(ForeignKey("welfare_people.national_id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    monthly_baht: Mapped[int] = mapped_column(Integer)
    since: Mapped[dt.date] = mapped_column(Date)
    paying_authority: Mapped[str] = mapped_column(String(200))


class AllowanceOut(BaseModel):
    kind: str = Field(description="elderly, child-support or disability")
    status: str = Field(description="paying or stopped")
    monthly_baht: int
    since: dt.date = Field(description="First month paid")
    paying_authority: str = Field(description="The local authority (or department) that pays it")


class WelfareOut(BaseModel):
    allowances: list[AllowanceOut]
    state_pension: bool = Field(description="Receives a government pension (rules out the elderly allowance)")
    in_state_care: bool = Field(description="Lives in a state care home (rules out the elderly allowance)")


router = APIRouter(tags=["welfare registry"])


@router.get("/persons/{cid}/allowances", response_model=WelfareOut, summary="A citizen's allowances",
            description="Allowances paid or stopped, oldest first, with the state pension and state care flags.")
def get_allowances(cid: str, session: Session = Depends(db)) -> WelfareOut:
    known_citizen(session, metadata, cid)
    person = session.get(Beneficiary, cid)
    rows = session.scalars(select(Allowance).where(Allowance.national_id == cid).order_by(Allowance.since,
                                                                                           Allowance.id))
    return WelfareOut(allowances=[AllowanceOut(kind=a.kind, status=a.status, monthly_baht=a.monthly_baht,
                                               since=a.since, paying_authority=a.paying_authority) for a in rows],
                      state_pension=bool(person and person.state_pension),
                      in_state_care=bool(person and person.in_state_care))


def seed(session: Session, world: World) -> None:
    session.execute(insert(Beneficiary), [
        {"national_id": p.national_id, "state_pension": p.national_id in world.state_pension,
         "in_state_care": p.national_id in world.in_state_care} for p in world.people])
    if world.allowances:
        session.execute(insert(Allowance), [
            {"national_id": a.national_id, "kind": a.kind, "status": a.status, "monthly_baht": a.monthly_baht,
             "since": a.since, "paying_authority": a.paying_authority} for a in world.allowances])
