"""Applications from draft to decision: who may see and do what, the form and its documents, the
timeline, the SLA, and a notice to the citizen at every status change."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.orm import Session

from pracha import i18n
from pracha.calendar import BANGKOK
from pracha.config import default_of
from pracha.db import registry_of, utcnow
from pracha.errors import Forbidden
from pracha.http.downloads import clean_filename
from pracha.i18n import Phrase
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, OFFICER
from pracha.identity.principal import API_TOKEN, FOR_A_PERSON, SYSTEM, Principal
from pracha.ledger import log as ledger
from pracha.ledger.deps import Ledger
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.services import coapproval, duplicates, forms, provenance, quotas, status_notices, uploads, workflow
from pracha.services.answers import DECLARATION_ID
from pracha.services.catalog import Catalog, Service
from pracha.services.errors import (
    ApplicationNotFound,
    DeclarationRequired,
    EmptyForm,
    FormInvalid,
    IllegalTransition,
    NotAuthorisedForService,
    NotDelegatedForService,
    UnknownService,
)
from pracha.services.files import lock_file
from pracha.services.hooks import AFTER_ACTION
from pracha.services.models import Application, ApplicationEvent, Document

_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
OFFICERS = (OFFICER, AGENCY_ADMIN)

STATUS_TEXT: dict[str, tuple[str, str]] = {
    workflow.DRAFT: ("ฉบับร่าง", "Draft"),
    workflow.SUBMITTED: ("ยื่นคำขอแล้ว", "Submitted"),
    workflow.IN_REVIEW: ("เจ้าหน้าที่กำลังพิจารณา", "In review"),
    workflow.NEEDS_INFO: ("ขอข้อมูลเพิ่มเติม", "More information needed"),
    workflow.RESUBMITTED: ("ส่งข้อมูลเพิ่มเติมแล้ว", "Information sent"),
    workflow.APPROVED: ("อนุมัติแล้ว", "Approved"),
    workflow.REJECTED: ("ไม่อนุมัติ", "Rejected"),
    workflow.WITHDRAWN: ("ยกเลิกคำขอแล้ว", "Withdrawn"),
}

# A step the bot took is labelled as the system's, never as an officer's ("an officer is reviewing").
SYSTEM_STATUS_TEXT: dict[str, tuple[str, str]] = {
    workflow.IN_REVIEW: ("ระบบตรวจสอบอัตโนมัติ", "Checked automatically"),
    workflow.NEEDS_INFO: ("ระบบขอข้อมูลเพิ่มเติม", "More information needed (automatic check)"),
    workflow.APPROVED: ("อนุมัติโดยระบบอัตโนมัติ", "Approved automatically"),
}


def step_text(status: str, actor_role: str) -> tuple[str, str]:
    """The label of a timeline step: to `status`, by someone of `actor_role` (Thai, English)."""
    if actor_role == SYSTEM and status in SYSTEM_STATUS_TEXT:
        return SYSTEM_STATUS_TEXT[status]
    return STATUS_TEXT.get(status, (status, status))


@dataclass(frozen=True)
class Storage:
    upload_dir: Path
    max_bytes: int
    max_documents: int = default_of("quota_documents_per_application")
    max_citizen_bytes: int = default_of("quota_upload_bytes_per_citizen")


def today_in_thailand() -> dt.date:
    return utcnow().astimezone(BANGKOK).date()


def is_overdue(application: Application, today: dt.date) -> bool:
    return (application.status in workflow.OPEN and application.due_date is not None
            and today > application.due_date)


def get_service(catalog: Catalog, service_id: str) -> Service:
    service = catalog.get(service_id)
    if service is None:
        raise UnknownService()
    return service


def find_services(catalog: Catalog, *, query: str = "", agency: str = "", life_event: str = "",
                  limit: int = 20) -> list[Service]:
    """The catalogue as browsed: searched (Thai or English), or by agency, or by life event, or all."""
    if query.strip():
        return catalog.search(query, limit=limit)
    if agency:
        return catalog.by_agency(agency)
    if life_event:
        return catalog.by_life_event(life_event)
    return list(catalog.services.values())


# --- who may see what -----------------------------------------------------------------------------


def visible_to(principal: Principal) -> Select[Application]:
    """Applications this principal may read, as a query to filter further."""
    query = select(Application)
    role = principal.role
    if role in FOR_A_PERSON:
        return query.where(citizen_owns(principal))
    not_draft = Application.status != workflow.DRAFT
    if role in OFFICERS or (role == API_TOKEN and principal.has_scope("applications:read")):
        return query.where(Application.agency == principal.agency, not_draft)
    if role == AUDITOR:
        return query.where(not_draft)
    return query.where(false())  # platform admins and the public see no applications


def citizen_owns(principal: Principal) -> ColumnElement[bool]:
    """A citizen's applications: their own, or, acting for a juristic person, the juristic person's
    that they may handle (all for a director; the granted services for an authorised person); acting
    for a person (a delegate, an officer at the counter), that person's own that they may handle."""
    for_person = principal.for_person
    if for_person is not None:
        own = (Application.citizen_id == for_person.person.id) & Application.organisation_id.is_(None)
        if for_person.services is None or "*" in for_person.services:
            return own
        return own & Application.service_id.in_(sorted(for_person.services))
    acting = principal.acting
    if acting is None:
        return (Application.citizen_id == principal.user_id) & Application.organisation_id.is_(None)
    if acting.services is None or "*" in acting.services:
        return Application.organisation_id == acting.juristic_id
    return (Application.organisation_id == acting.juristic_id) & Application.service_id.in_(sorted(acting.services))


def get_application(session: Session, principal: Principal, reference: str, *, for_update: bool = False
                    ) -> Application:
    """The application if the principal may read it; 404 if not, but 403 for a juristic person's
    application that the person acting for it is not (or no longer) authorised for."""
    reference = reference.strip().upper()
    query = visible_to(principal).where(Application.reference == reference)
    if for_update:
        query = query.with_for_update(of=Application)
    application = session.scalar(query)
    if application is None:
        if principal.acting is not None and session.scalar(select(Application.id).where(
                Application.reference == reference, Application.organisation_id == principal.acting.juristic_id)):
            raise NotAuthorisedForService()
        if principal.for_person is not None and session.scalar(select(Application.id).where(
                Application.reference == reference, Application.citizen_id == principal.for_person.person.id,
                Application.organisation_id.is_(None))):
            raise NotDelegatedForService()
        raise ApplicationNotFound()
    return application


def may_act(principal: Principal, application: Application, action: str) -> bool:
    if action in workflow.CITIZEN_ACTIONS:
        if principal.role not in FOR_A_PERSON:
            return False
        for_person = principal.for_person
        if for_person is not None:
            return (application.citizen_id == for_person.person.id and application.organisation_id is None
                    and for_person.may_use(application.service_id))
        acting = principal.acting
        if acting is None:
            return application.citizen_id == principal.user_id and application.organisation_id is None
        return application.organisation_id == acting.juristic_id and acting.may_use(application.service_id)
    if principal.role in OFFICERS:
        return application.agency == principal.agency
    if principal.role == API_TOKEN:
        return application.agency == principal.agency and principal.has_scope("applications:write")
    if principal.role == SYSTEM:  # a bot reviews, asks and approves, but never rejects
        return application.agency == principal.agency and action in workflow.OFFICER_ACTIONS - {"reject"}
    return False


# --- the citizen's side ---------------------------------------------------------------------------


def new_reference(service: Service, now: dt.datetime) -> str:
    initials = "".join(part[0] for part in service.id.split("-")[:2]).upper()
    suffix = "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))
    return f"{initials}{(now.year + 543) % 100:02d}-{suffix}"


def _check_form(service: Service, data: dict[str, Any], *, complete: bool) -> None:
    problems = forms.validate(service.form_schema, data, complete=complete)
    if problems:
        raise FormInvalid(fields=problems)


def create_application(session: Session, catalog: Catalog, principal: Principal, service_id: str,
                       raw: dict[str, Any], *, client_token: str | None = None,
                       max_open_drafts: int = default_of("quota_open_drafts"),
                       registry: dict[str, dict[str, Any]] | None = None) -> Application:
    """A draft for the signed-in citizen. The same client_token twice returns the first draft; an
    empty form makes none (`EmptyForm`). `registry`: the prefilled values the form carried back
    (`provenance.carried`), kept as marks on the application."""
    applicant = principal.subject  # the person, also when a delegate or an officer at the counter acts
    if principal.role not in FOR_A_PERSON or applicant is None:
        raise Forbidden()
    service = get_service(catalog, service_id)
    if principal.acting is not None and not principal.acting.may_use(service.id):
        raise NotAuthorisedForService()
    if principal.for_person is not None and not principal.for_person.may_use(service.id):
        raise NotDelegatedForService()
    if client_token:
        existing = session.scalar(select(Application).where(
            Application.citizen_id == applicant.id, Application.client_token == client_token))
        if existing is not None:
            return existing
    data = forms.coerce(service.form_schema, raw)  # what was typed first (422), then the conflicts (409)
    if forms.is_empty(data):
        raise EmptyForm()
    _check_form(service, data, complete=False)
    duplicates.check_one_open(session, service, applicant.id, organisation_id=principal.organisation_id)
    quotas.check_open_drafts(session, applicant.id, max_open_drafts)
    marks = provenance.marks(service.form_schema, data, registry) if registry else None
    now = utcnow()
    application = Application(
        reference=new_reference(service, now), service_id=service.id, agency=service.agency,
        citizen=applicant, status=workflow.DRAFT, data=data, created_at=now, updated_at=now,
        client_token=client_token or None, events=[], documents=[],  # new and empty: no loads later
        prefill=marks, organisation_id=principal.organisation_id,
    )
    session.add(application)
    session.flush()
    _add_event(session, application, principal, "create", None, workflow.DRAFT, None)
    return application


def update_application(session: Session, catalog: Catalog, principal: Principal, application: Application,
                       raw: dict[str, Any]) -> Application:
    if not may_act(principal, application, "submit"):
        raise Forbidden()
    if application.status not in (workflow.DRAFT, workflow.NEEDS_INFO):
        raise IllegalTransition("แก้ไขคำขอได้เฉพาะฉบับร่างหรือเมื่อเจ้าหน้าที่ขอข้อมูลเพิ่มเติม",
                                "An application can be changed only as a draft or when more information "
                                "is asked for.")
    service = get_service(catalog, application.service_id)
    data = forms.coerce(service.form_schema, raw)
    _check_form(service, data, complete=False)
    application.prefill = provenance.after_update(application.prefill, application.data, data)
    application.data = data
    application.updated_at = utcnow()
    application.version += 1
    coapproval.cancel(session, application)  # a second director approves what they saw, not this
    return application


def add_document(session: Session, storage: Storage, catalog: Catalog, principal: Principal,
                 application: Application, *, requirement: str, filename: str, content_type: str,
                 stream: BinaryIO) -> Document:
    if not may_act(principal, application, "submit"):
        raise Forbidden()
    if application.status not in (workflow.DRAFT, workflow.NEEDS_INFO):
        raise IllegalTransition("แนบเอกสารได้เฉพาะฉบับร่างหรือเมื่อเจ้าหน้าที่ขอข้อมูลเพิ่มเติม",
                                "Documents can be added only to a draft or when more information is asked for.")
    service = get_service(catalog, application.service_id)
    if requirement not in {d.id for d in service.documents}:
        problem = {"th": "กรุณาเลือกประเภทเอกสาร", "en": "Choose which document this is."}
        raise FormInvalid(fields={"requirement": problem})
    quotas.check_documents(session, application, storage.max_documents)
    room = quotas.upload_room(session, application.citizen_id, storage.max_citizen_bytes)
    incoming = uploads.receive(storage.upload_dir, stream, filename=filename, declared_type=content_type,
                               max_bytes=storage.max_bytes)
    try:
        if room is not None and incoming.size > room:  # counted as stored (photos shrink)
            raise quotas.bytes_exceeded(storage.max_citizen_bytes)
        lock_file(session, incoming.sha256)
        uploads.keep(storage.upload_dir, incoming)
    finally:
        uploads.discard(incoming)
    sha, size, kind = incoming.sha256, incoming.size, incoming.content_type
    safe_name = clean_filename(Path(filename).name)[:255] or "document"
    document = Document(application=application, requirement=requirement, filename=safe_name,
                        content_type=kind, size=size, sha256=sha)
    session.add(document)
    application.updated_at = utcnow()
    session.flush()
    return document


def get_document(session: Session, principal: Principal, reference: str, document_id: int) -> Document:
    application = get_application(session, principal, reference)
    document = next((d for d in application.documents if d.id == document_id), None)
    if document is None:
        raise ApplicationNotFound()
    return document


def missing_documents(service: Service, application: Application) -> list[str]:
    have = {d.requirement for d in application.documents}
    return [d.id for d in service.documents if d.required and d.id not in have]


# --- every status change --------------------------------------------------------------------------


def act(session: Session, catalog: Catalog, principal: Principal, application: Application, action: str,
        message: str | Mapping[str, str] | Phrase | None = None, *, now: dt.datetime | None = None,
        declaration: bool = False) -> Application:
    """Do `action` (at `now`, by default the present); refuses (409) what the state machine does not
    allow, changing nothing. Submitting needs the citizen's `declaration` of truth (422 without it; its
    time is kept and the ledger entry commits to it) and sets the due date `sla_days` working days on
    (`catalog.calendar`). `message` is a person's typed words (a str, kept as typed) or a system's text
    in both languages (a {"th", "en"} mapping or a phrase, shown in each reader's language)."""
    if not may_act(principal, application, action):
        raise Forbidden()
    target = workflow.next_status(application.status, action)
    if target is None:
        th, en = STATUS_TEXT.get(application.status, (application.status, application.status))
        raise IllegalTransition(f"ทำรายการนี้ไม่ได้ เพราะคำขออยู่ในสถานะ “{th}”",
                                f"This cannot be done: the application is “{en}”.",
                                status=application.status, action=action)
    message = _clean_message(message)
    if action in workflow.NEEDS_MESSAGE and not message:
        problem = {"th": "กรุณาระบุเหตุผลหรือข้อความ", "en": "Please give a reason or a message."}
        raise FormInvalid(problem["th"], problem["en"], fields={"message": problem})
    if isinstance(message, str) and len(message) > 4000:
        problem = {"th": "ข้อความยาวได้ไม่เกิน 4000 ตัวอักษร", "en": "At most 4000 characters."}
        raise FormInvalid(problem["th"], problem["en"], fields={"message": problem})
    service = get_service(catalog, application.service_id)
    _check_ready(session, service, application, action, declaration=declaration)
    now = now or utcnow()
    source = application.status
    application.status = target
    application.updated_at = now
    application.version += 1
    if action == "submit":
        application.submitted_at = now
        application.declared_at = now
        application.due_date = catalog.calendar.add_working_days(now.astimezone(BANGKOK).date(), service.sla_days)
    if target in workflow.FINAL and target != workflow.WITHDRAWN:
        application.decided_at = now
    event = _add_event(session, application, principal, action, source, target, message)
    citizen = application.citizen
    entry = ledger.record(
        session, f"application.{action}", actor=actor_reference(principal),
        obj=f"application:{application.reference}", record=_snapshot(application, message),
        subject=f"user:{citizen.id}", subject_secret=citizen.national_id,
    )
    event.ledger_entry = entry
    status_notices.notify_status(session, service, application, action, message)
    for hook in registry_of(session).each(AFTER_ACTION):
        hook(session, application, action)
    return application



def check_submittable(session: Session, catalog: Catalog, principal: Principal, application: Application, *,
                      declaration: bool) -> None:
    """Refuse as `act(..., "submit")` would, changing nothing: a submit held for a second director's
    approval (pracha.business) must be one that could be submitted."""
    if not may_act(principal, application, "submit"):
        raise Forbidden()
    if workflow.next_status(application.status, "submit") is None:
        th, en = STATUS_TEXT.get(application.status, (application.status, application.status))
        raise IllegalTransition(f"ทำรายการนี้ไม่ได้ เพราะคำขออยู่ในสถานะ “{th}”",
                                f"This cannot be done: the application is “{en}”.",
                                status=application.status, action="submit")
    _check_ready(session, get_service(catalog, application.service_id), application, "submit",
                 declaration=declaration)


def _check_ready(session: Session, service: Service, application: Application, action: str, *,
                 declaration: bool) -> None:
    if action == "submit":
        duplicates.check_one_open(session, service, application.citizen_id,
                                  organisation_id=application.organisation_id, other_than=application.id)
    if action in ("submit", "resubmit"):
        _check_form(service, application.data, complete=True)
        if missing := missing_documents(service, application):
            names = {d.id: d.name for d in service.documents}
            problem = {"th": "ยังไม่ได้แนบ: " + ", ".join(names[m].th for m in missing),
                       "en": "Still missing: " + ", ".join(names[m].en for m in missing)}
            raise FormInvalid(problem["th"], problem["en"], fields={"documents": problem})
    if action == "submit" and not declaration:
        raise DeclarationRequired()


def actor_reference(principal: Principal) -> str:
    """Who acted, as the ledger names them: a reference, never a name."""
    if principal.token is not None:
        return f"token:{principal.token.id}"
    if principal.system_agency is not None:
        return f"bot:{principal.system_agency}"
    return f"user:{principal.user_id}" if principal.user_id is not None else "system"


def _clean_message(message: str | Mapping[str, str] | Phrase | None) -> str | dict[str, Any] | None:
    """A typed message stripped (None when empty); a system's message as JSON (None when empty)."""
    if message is None or isinstance(message, str):
        return (message or "").strip() or None
    if not any(text.strip() for text in i18n.both(message).values()):
        return None
    stored: dict[str, Any] = i18n.to_json(message)
    return stored


def _snapshot(application: Application, message: str | dict[str, Any] | None) -> dict[str, Any]:
    """The record the ledger commits to (by keyed digest) for this change."""
    return {
        "reference": application.reference, "service_id": application.service_id, "agency": application.agency,
        **({"organisation": application.organisation_id} if application.organisation_id else {}),
        "status": application.status, "version": application.version, "data": application.data,
        "documents": sorted(d.sha256 for d in application.documents), "message": message,
        **({"declaration": DECLARATION_ID} if application.declared_at is not None else {}),
    }


def _add_event(session: Session, application: Application, principal: Principal, action: str,
               source: str | None, target: str, message: str | dict[str, Any] | None) -> ApplicationEvent:
    typed = message if isinstance(message, str) else None
    for_person = principal.for_person
    event = ApplicationEvent(application=application, actor_id=principal.user_id, actor_role=principal.role,
                             on_behalf_of=principal.on_behalf_of,
                             counter_session_id=for_person.counter_session_id if for_person else None,
                             action=action, from_status=source, to_status=target,
                             message=typed if message is None or typed else i18n.render(message, "th"),
                             system_message=None if message is None or typed else message)
    session.add(event)
    return event


def receipt(session: Session, principal: Principal, reference: str, event_id: int,
            public_log: Ledger) -> dict[str, Any]:
    """Entry, inclusion proof and signed checkpoint for one timeline step the principal may see."""
    application = get_application(session, principal, reference)
    event = next((e for e in application.events if e.id == event_id and e.ledger_entry_id), None)
    if event is None or event.ledger_entry_id is None:
        raise ApplicationNotFound()
    return public_log.receipt(session, event.ledger_entry_id)


# --- lists ----------------------------------------------------------------------------------------


MY_ORDER = (SortKey(Application.updated_at, descending=True), SortKey(Application.id, descending=True))
QUEUE_ORDER = (SortKey(Application.due_date), SortKey(Application.id))


def my_applications(session: Session, principal: Principal, page: PageRequest = PageRequest()
                    ) -> Page[Application]:
    """The principal's applications, last changed first (a change while paging moves one to the top)."""
    return fetch_page(session, visible_to(principal), MY_ORDER, page)


@dataclass(frozen=True)
class QueueFilter:
    service_id: str | None = None
    status: str | None = None
    overdue: bool = False
    assignee: str | None = None  # "mine", "unassigned" or a staff member's id (`services.casework`)


def queue(session: Session, principal: Principal, filters: QueueFilter, *, today: dt.date,
          page: PageRequest = PageRequest()) -> Page[Application]:
    """The agency's applications (everyone's for an auditor), oldest due first, undated last."""
    if principal.role in FOR_A_PERSON:
        raise Forbidden()
    query = visible_to(principal)
    if filters.service_id:
        query = query.where(Application.service_id == filters.service_id)
    if filters.status:
        query = query.where(Application.status == filters.status)
    else:
        query = query.where(Application.status.in_(workflow.OPEN))
    if filters.overdue:
        query = query.where(Application.status.in_(workflow.OPEN), Application.due_date < today)
    if filters.assignee == "mine":
        query = query.where(Application.assignee_id == principal.user_id)
    elif filters.assignee == "unassigned":
        query = query.where(Application.assignee_id.is_(None))
    elif filters.assignee and filters.assignee.isascii() and filters.assignee.isdigit() and len(filters.assignee) < 19:
        query = query.where(Application.assignee_id == int(filters.assignee))
    return fetch_page(session, query, QUEUE_ORDER, page)


def queue_counts(session: Session, principal: Principal) -> dict[str, int]:
    sub = visible_to(principal).subquery()
    rows = session.execute(select(sub.c.status, func.count()).group_by(sub.c.status))
    return {status: count for status, count in rows}
