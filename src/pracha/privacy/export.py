"""Access and portability (PDPA ss. 30–31): everything Pracha holds about the signed-in citizen as
one document with a documented schema (`PrivacyExport`, in the OpenAPI document), immediately. The
export is itself recorded: a ledger entry and a row in the citizen's data tracker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.assistant.models import Conversation
from pracha.automation.models import Certificate
from pracha.business import grants
from pracha.counter import summary as counter_sessions
from pracha.db import utcnow
from pracha.delegation import tracker as delegations
from pracha.exchange import consent, tracker
from pracha.exchange.models import Consent
from pracha.exchange.schemas import TrackerRow
from pracha.identity.models import WebSession
from pracha.identity.oidc.models import OidcConsent, OidcToken
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.notices.models import InboxMessage
from pracha.payments import fees
from pracha.payments.models import Payment
from pracha.privacy import rights
from pracha.privacy.events import record_event
from pracha.privacy.models import PrivacyRequest
from pracha.privacy.parts import export_parts
from pracha.services import casework
from pracha.services.catalog import Catalog
from pracha.services.models import Application
from pracha.services.schemas import EventOut

SCHEMA_VERSION = "pracha-export/1"


class Profile(BaseModel):
    national_id: str | None
    first_name: str
    last_name: str
    first_name_en: str | None
    last_name_en: str | None
    birth_date: dt.date | None
    email: str | None
    phone: str | None
    address: dict[str, Any] | None
    language: str
    created_at: dt.datetime
    processing_restricted_at: dt.datetime | None = Field(description="Set while a restriction (s. 34) applies")


class DocumentOut(BaseModel):
    id: int
    requirement: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    download_url: str


class CertificateOut(BaseModel):
    id: str
    title_th: str
    title_en: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    download_url: str


class PaymentOut(BaseModel):
    id: str
    status: str
    amount: str = Field(description="Baht, two decimals")
    created_at: dt.datetime
    paid_at: dt.datetime | None
    method: str | None
    transaction_id: str | None
    receipt_number: str | None
    refunds: list[dict[str, Any]]


class StaffNoteOut(BaseModel):
    at: dt.datetime
    author_role: str = Field(description="officer or agency_admin; the officer's name is theirs, not yours")
    text: str


class ApplicationOut(BaseModel):
    reference: str
    service_id: str
    service_name: dict[str, str]
    agency: str
    status: str
    data: dict[str, Any] = Field(description="The form as the citizen filled it in")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    decided_at: dt.datetime | None
    events: list[EventOut]
    documents: list[DocumentOut]
    certificate: CertificateOut | None
    payments: list[PaymentOut] = Field(default_factory=list, description="The fees paid or due for it")
    staff_notes: list[StaffNoteOut] = Field(description="Internal notes the agency's staff wrote about the "
                                            "application (not shown on the citizen's pages; given here under s. 30)")


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


class InboxOut(BaseModel):
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class TurnOut(BaseModel):
    at: dt.datetime
    role: str
    text: str


class ConversationOut(BaseModel):
    id: str
    channel: str
    created_at: dt.datetime
    messages: list[TurnOut]


class SessionOut(BaseModel):
    id: str = Field(description="A short handle to revoke it by (never the token)")
    created_at: dt.datetime
    expires_at: dt.datetime
    this_device: bool


class ConnectedAppOut(BaseModel):
    client_id: str
    name: str
    scopes: list[str]
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None


class AppTokenOut(BaseModel):
    client_id: str
    kind: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class RequestOut(BaseModel):
    id: int
    reference: str
    kind: str
    target: str
    registry: str | None
    fields: list[str]
    details: str
    status: str
    created_at: dt.datetime
    due_on: dt.date
    decided_at: dt.datetime | None
    decision: str | None
    reason: str | None
    outcome: dict[str, Any]


class AuthorisationOut(BaseModel):
    juristic_id: str
    side: str = Field(description='"received" (you may act for the company) or "given" (you authorised someone)')
    services: list[str]
    valid_from: dt.date
    valid_until: dt.date
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class PrivacyExport(BaseModel):
    """Everything Pracha holds about one citizen (PDPA ss. 30–31)."""

    schema_version: str = Field(description=f'Always "{SCHEMA_VERSION}" for this shape')
    generated_at: dt.datetime
    controller: dict[str, str]
    profile: Profile
    applications: list[ApplicationOut]
    consents: list[ConsentOut]
    data_tracker: list[TrackerRow]
    inbox: list[InboxOut]
    assistant_conversations: list[ConversationOut]
    sessions: list[SessionOut]
    connected_apps: list[ConnectedAppOut]
    app_tokens: list[AppTokenOut] = Field(description="Tokens issued to connected apps (metadata, never values)")
    privacy_requests: list[RequestOut]
    acting_authorisations: list[AuthorisationOut] = Field(
        default_factory=list, description="Authorisations to act for a company: received, or given as its director")
    delegations: list[dict[str, Any]] = Field(
        default_factory=list, description="Delegations to act for a person: given (to whom) and received (from whom)")
    counter_sessions: list[dict[str, Any]] = Field(
        default_factory=list, description="Help at a counter: office, officer, consent, times, applications made")
    participation: dict[str, Any] = Field(
        default_factory=dict, description="Complaints reported, hearing answers and petitions started "
        "(supports of petitions are not linked to accounts: each supporter's receipt proves theirs)")


def session_handle(web_session: WebSession) -> str:
    return web_session.token_hash[:16]


def request_out(request: PrivacyRequest) -> dict[str, Any]:
    return {"id": request.id, "reference": request.reference, "kind": request.kind, "target": request.target,
            "registry": request.registry_name, "fields": list(request.fields), "details": request.details,
            "status": request.status, "created_at": request.created_at, "due_on": request.due_on,
            "decided_at": request.decided_at, "decision": request.decision, "reason": request.reason,
            "outcome": dict(request.outcome or {})}


def record_export(session: Session, principal: Principal) -> None:
    """The export in the ledger and the data tracker (who: the citizen; why: PDPA s. 30)."""
    user = principal.user
    assert user is not None
    entry = ledger.record(session, "privacy.export", actor=f"user:{user.id}", obj="privacy-export",
                          record={"at": utcnow().isoformat(), "schema": SCHEMA_VERSION},
                          subject=f"user:{user.id}", subject_secret=user.national_id)
    record_event(session, user.id, "export", actor="citizen", purpose="pdpa-s30", entry=entry)
    session.flush()


def build_export(session: Session, catalog: Catalog, principal: Principal, *, current_session: str | None,
                 lang: str = "th") -> PrivacyExport:
    user = rights.citizen_of(principal)
    applications = list(session.scalars(select(Application).where(Application.citizen_id == user.id)
                                        .order_by(Application.id)))
    certificates = {c.application_id: c for c in session.scalars(
        select(Certificate).where(Certificate.application_id.in_([a.id for a in applications])))}
    payments: dict[int, list[dict[str, Any]]] = {}
    for p in session.scalars(select(Payment).where(Payment.citizen_id == user.id).order_by(Payment.id)):
        payments.setdefault(p.application_id, []).append({
            "id": p.public_id, "status": p.status, "amount": fees.baht(p.amount), "created_at": p.created_at,
            "paid_at": p.paid_at, "method": p.method, "transaction_id": p.transaction_id,
            "receipt_number": p.receipt.number if p.receipt else None,
            "refunds": [{"at": r.created_at, "amount": fees.baht(r.amount), "reason": r.reason} for r in p.refunds]})
    notes: dict[int, list[dict[str, Any]]] = {}
    for note in casework.notes_about(session, user.id):
        notes.setdefault(note.application_id, []).append(
            {"at": note.at, "author_role": note.author_role, "text": note.body})
    now = utcnow()
    return PrivacyExport.model_validate({
        "schema_version": SCHEMA_VERSION, "generated_at": now,
        "controller": {"name": "Pracha", "dpo": "/me/privacy", "rights": "/me/privacy#rights"},
        "profile": {name: getattr(user, name) for name in Profile.model_fields},
        "applications": [{**_application(a, catalog, certificates.get(a.id)), "staff_notes": notes.get(a.id, []),
                          "payments": payments.get(a.id, [])} for a in applications],
        "consents": [{**consent.snapshot(c), "active": c.active_at(now)} for c in session.scalars(
            select(Consent).where(Consent.user_id == user.id).order_by(Consent.id))],
        "data_tracker": tracker.all_entries(session, principal, lang=lang, agencies=tracker.agency_names(catalog)),
        "inbox": [m.__dict__ for m in session.scalars(select(InboxMessage).where(InboxMessage.user_id == user.id)
                                                        .order_by(InboxMessage.id))],
        "assistant_conversations": [
            {"id": c.id, "channel": c.channel, "created_at": c.created_at,
             "messages": [{"at": m.at, "role": m.role, "text": m.text} for m in c.messages]}
            for c in session.scalars(select(Conversation).where(Conversation.user_id == user.id)
                                     .order_by(Conversation.created_at))],
        "sessions": [{"id": session_handle(s), "created_at": s.created_at, "expires_at": s.expires_at,
                      "this_device": s.token_hash == current_session} for s in active_sessions(session, user.id)],
        "connected_apps": [{"client_id": c.client_id, "name": c.client.name, "scopes": list(c.scopes),
                            "granted_at": c.granted_at, "withdrawn_at": c.withdrawn_at}
                           for c in session.scalars(select(OidcConsent).where(OidcConsent.user_id == user.id)
                                                    .order_by(OidcConsent.id))],
        "app_tokens": [t.__dict__ for t in session.scalars(select(OidcToken).where(OidcToken.user_id == user.id)
                                                            .order_by(OidcToken.id))],
        "privacy_requests": [request_out(r) for r in session.scalars(
            select(PrivacyRequest).where(PrivacyRequest.user_id == user.id).order_by(PrivacyRequest.id))],
        "acting_authorisations": [
            {"juristic_id": g.juristic_id, "side": "received" if g.grantee_id == user.id else "given",
             "services": list(g.services), "valid_from": g.valid_from, "valid_until": g.valid_until,
             "created_at": g.created_at, "revoked_at": g.revoked_at} for g in grants.grants_of(session, user.id)],
        "delegations": delegations.export_part(session, user)["delegations"],
        "counter_sessions": counter_sessions.export_part(session, user.id),
        "participation": export_parts(session, user),
    })


def active_sessions(session: Session, user_id: int) -> list[WebSession]:
    return list(session.scalars(select(WebSession).where(WebSession.user_id == user_id,
                                                         WebSession.expires_at > utcnow())
                                .order_by(WebSession.created_at.desc())))


def _application(a: Application, catalog: Catalog, certificate: Certificate | None) -> dict[str, Any]:
    service = catalog.services.get(a.service_id)
    name = {"th": service.name.th, "en": service.name.en} if service is not None else {"th": a.service_id,
                                                                                        "en": a.service_id}
    return {
        "reference": a.reference, "service_id": a.service_id, "service_name": name, "agency": a.agency,
        "status": a.status, "data": dict(a.data or {}), "created_at": a.created_at, "submitted_at": a.submitted_at,
        "due_date": a.due_date, "decided_at": a.decided_at,
        "events": [{"at": e.at, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                    "actor_role": e.actor_role, "message": e.message} for e in a.events],
        "documents": [{"id": d.id, "requirement": d.requirement, "filename": d.filename,
                       "content_type": d.content_type, "size": d.size, "sha256": d.sha256,
                       "uploaded_at": d.uploaded_at,
                       "download_url": f"/applications/{a.reference}/documents/{d.id}"} for d in a.documents],
        "certificate": None if certificate is None else {
            "id": certificate.id, "title_th": certificate.title_th, "title_en": certificate.title_en,
            "issued_at": certificate.issued_at, "revoked_at": certificate.revoked_at,
            "download_url": f"/certificates/{certificate.id}.pdf"},
    }
