"""Shapes of the services API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Localized(BaseModel):
    th: str
    en: str


class ServiceSummary(BaseModel):
    id: str
    agency: str
    name: Localized
    summary: Localized
    life_events: list[str]
    audience: list[Literal["citizen", "business"]] = Field(description="Who the service is for: people, "
                                                          "businesses (juristic persons) or both")
    fee_amount: float
    sla_days: int


class DocumentRequirementOut(BaseModel):
    id: str
    name: Localized
    required: bool


class StepOut(BaseModel):
    id: str
    actor: str
    text: Localized


class ServiceOut(ServiceSummary):
    description: Localized
    legal_basis: Localized
    eligibility: list[Localized]
    documents: list[DocumentRequirementOut]
    steps: list[StepOut]
    form_schema: dict[str, Any] = Field(description="JSON Schema (draft 2020-12) of the application form")


class ApplicationIn(BaseModel):
    service_id: str
    data: dict[str, Any] = Field(default_factory=dict)


class ApplicationPatch(BaseModel):
    data: dict[str, Any]


class ActionIn(BaseModel):
    action: str = Field(description="submit, resubmit, withdraw (citizen); review, request_info, approve, "
                                    "reject (officer)")
    message: str | None = None
    declaration: bool = Field(False, description="submit only: the citizen confirms the declaration that the "
                                                 "information is true (422 `declaration_required` without it)")


class EventOut(BaseModel):
    at: dt.datetime
    action: str
    from_status: str | None
    to_status: str
    actor_role: str
    step_text: Localized | None = Field(None, description="What the step was, labelled by who took it")
    message: str | None = Field(description="As typed by a person; a system's message in Thai")
    message_text: Localized | None = Field(None, description="The message in Thai and English")
    ledger_index: int | None = Field(None, description="The event's entry in the ledger, once sequenced")
    receipt_url: str | None = None


class DocumentOut(BaseModel):
    id: int
    requirement: str
    filename: str
    content_type: str
    size: int
    sha256: str


class StatusOut(BaseModel):
    reference: str
    status: str
    status_text: Localized
    updated_at: dt.datetime
    due_date: dt.date | None
    overdue: bool


class CoApprovalOut(BaseModel):
    requested_by: str  # the director who asked, by name
    requested_at: dt.datetime


class ApplicationOut(StatusOut):
    service_id: str
    agency: str
    data: dict[str, Any]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    declared_at: dt.datetime | None = Field(None, description="When the citizen confirmed the declaration of "
                                                              "truth")
    documents: list[DocumentOut]
    events: list[EventOut]
    allowed_actions: list[str]
    co_approval: CoApprovalOut | None = Field(None, description="A company's submit waiting for a second "
                                                                 "director's co-approval (its signing rule)")


class InboxMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class RuleCheckOut(BaseModel):
    id: str
    text: str = Field(description="The condition, in the language asked for (`?lang=en`; Thai by default)")
    result: Literal["pass", "fail", "unknown"]
    because: str = Field(description="Why, in plain words: the data used and where it came from")


class EligibilityOut(BaseModel):
    outcome: Literal["eligible", "not_eligible", "cannot_tell"]
    rules: list[RuleCheckOut]
    open_application: str | None = Field(description="The reference of the citizen's open application of "
                                                     "this service (a draft or with the agency), if any")
