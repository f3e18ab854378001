"""Shapes of the assistant API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MessageIn(BaseModel):
    text: str = Field(..., max_length=1000, description="The question, in Thai or English.")
    conversation_id: str | None = Field(None, max_length=64, description="From an earlier reply, to continue.")


class Link(BaseModel):
    title: str
    url: str
    kind: str = Field(..., description="faq, service, application, apply, sign_in or password_reset")


class MessageOut(BaseModel):
    reply: str
    service_id: str | None = Field(..., description="Catalogue id of the best service; null when out of scope.")
    sources: list[Link]
    actions: list[Link] = Field(default_factory=list, description="Buttons, e.g. the application form.")
    conversation_id: str
    language: str
    intent: str = Field(..., description="answer, generated, elsewhere (a state service Pracha does not offer: "
                        "the reply names the agency and channel), password_reset, out_of_scope, status, sign_in, "
                        "greeting or thanks")
