"""Request and response bodies of the exchange API (described in /openapi.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ConsentIn(BaseModel):
    recipient_id: str = Field(max_length=200, examples=["TH/GOV/PRACHA/portal"])
    purpose: str = Field(max_length=64, examples=["service-application"])
    categories: list[str] | None = Field(
        None, description="The data categories consented to. Omitted: every category the recipient's services "
        "return. An empty list consents to nothing and is refused (422 `no_categories`).")


class ConsentOut(BaseModel):
    id: int
    recipient: str
    purpose: str
    categories: list[str]
    notice_version: str
    granted_at: str | None
    expires_at: str | None
    withdrawn_at: str | None
    active: bool
    grant_ledger_index: int | None
    withdraw_ledger_index: int | None
    receipt_url: str


class OfferOut(BaseModel):
    recipient_id: str
    recipient_name: dict[str, str]
    purpose: str
    categories: list[str]
    services: list[str]


class TrackerRow(BaseModel):
    time: str
    source: str = "exchange"  # "exchange" (through the mediator), "staff_view" or "privacy" (your PDPA rights)
    reference: str
    client: str
    client_name: str
    user: str | None
    service: str
    service_name: str
    purpose: str
    purpose_name: str
    categories: list[str]
    legal_basis: str | None
    legal_basis_text: str
    decision: str
    status: int
    reason: str | None
    ledger_index: int | None
    receipt_url: str | None


class SubsystemOut(BaseModel):
    id: str
    member_code: str
    name: dict[str, str]
    public_key: str | None
    provider: bool


class ServiceOut(BaseModel):
    id: str
    provider: str
    name: dict[str, str]
    categories: list[str]
    purposes: list[str]
    legal_duty_purposes: list[str]
    legal_duty: dict[str, Any] | None
    openapi_url: str


class AccessRightIn(BaseModel):
    client_id: str = Field(max_length=200)
    service_id: str = Field(max_length=250)
    purpose: str = Field(max_length=64)


class AccessRightOut(BaseModel):
    id: int
    client_id: str
    service_id: str
    purpose: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None
