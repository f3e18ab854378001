"""The JSON shapes of pracha.delegation's API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from pracha.http.params import MAX_INT


class PartyOut(BaseModel):
    id: int
    name: str


class DelegationOut(BaseModel):
    id: int
    grantor: PartyOut
    delegate: PartyOut
    relationship: str = Field(description="child | spouse | parent | relative | carer | other")
    services: list[str] = Field(description='Catalogue service ids, or ["*"] for all citizen services')
    valid_from: dt.date
    valid_until: dt.date
    status: Literal["active", "scheduled", "expired", "revoked"]
    made_at_counter: bool = Field(description="Registered by an officer at the counter, with a power of attorney")
    ledger_entry: int | None = Field(description="The grant's ledger index (null until sequenced)")


class DelegationsOut(BaseModel):
    granted: list[DelegationOut]
    received: list[DelegationOut]


class DelegationIn(BaseModel):
    national_id: str = Field(max_length=20, description="The delegate's national ID (a Pracha citizen)")
    relationship: str = Field(max_length=20, description="child | spouse | parent | relative | carer | other")
    services: list[str] = Field(max_length=50, description='Citizen service ids, or ["*"] for all')
    valid_from: dt.date | None = Field(None, description="Default: today; not in the past")
    valid_until: dt.date | None = Field(None, description="Default: a year after valid_from; at most three years")


class PersonOut(BaseModel):
    id: int
    name: str
    services: list[str]


class ActingForPersonOut(BaseModel):
    person: PersonOut | None


class ActingForPersonIn(BaseModel):
    grantor_id: int = Field(ge=1, le=MAX_INT)
