"""PDPA requests (B.E. 2562, ss. 32–35): a citizen asks for a correction, an erasure, a restriction
or objects; the data-protection officer (DPO) decides within the law's 30 days. Corrections of
registry data are forwarded to the registry's agency and their answer is recorded. Every step is a
ledger entry and a row in the citizen's data tracker; every decision is told in the citizen's inbox.

    PrachaError
    ├── InvalidInput (422)          a bad kind, field, value or reason
    ├── PrivacyRequestNotFound (404)
    ├── RequestClosed (409)         decided already, or not in a state for this step
    └── TooManyOpenRequests (409)   more than MAX_OPEN requests waiting
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pracha.calendar import WorkCalendar, default_calendar
from pracha.db import utcnow
from pracha.errors import Conflict, Forbidden, InvalidInput, NotFound
from pracha.exchange.vocabulary import REGISTRIES
from pracha.identity.models import CITIZEN, DPO, User, WebSession
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.notices.service import notify
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.privacy import erasure
from pracha.privacy.events import record_event
from pracha.privacy.models import PrivacyRequest

RECTIFICATION, ERASURE, RESTRICTION, OBJECTION = "rectification", "erasure", "restriction", "objection"
KINDS = (RECTIFICATION, ERASURE, RESTRICTION, OBJECTION)
SECTION = {OBJECTION: "32", ERASURE: "33", RESTRICTION: "34", RECTIFICATION: "35"}
KIND_NAMES = {RECTIFICATION: ("ขอแก้ไขข้อมูลให้ถูกต้อง", "Correction"), ERASURE: ("ขอให้ลบข้อมูล", "Erasure"),
              RESTRICTION: ("ขอให้ระงับการใช้ข้อมูล", "Restriction"), OBJECTION: ("คัดค้านการประมวลผล", "Objection")}
SUBMITTED, FORWARDED, DONE, REFUSED = "submitted", "forwarded", "done", "refused"
OPEN = (SUBMITTED, FORWARDED)
STATUS_NAMES = {SUBMITTED: ("ได้รับคำขอแล้ว รอเจ้าหน้าที่คุ้มครองข้อมูลพิจารณา", "Received, waiting for the DPO"),
                FORWARDED: ("ส่งต่อหน่วยงานเจ้าของทะเบียนแล้ว", "Forwarded to the registry's agency"),
                DONE: ("ดำเนินการแล้ว", "Done"), REFUSED: ("ปฏิเสธ", "Refused")}
DEADLINE_DAYS = 30  # PDPA s. 30 para. 3 (and the DPO's practice for ss. 32–35): thirty days
MAX_OPEN = 10
MAX_TEXT = 4000
# What Pracha itself holds and a citizen may have corrected by the DPO, and what only a registry can correct.
PRACHA_FIELDS = {"email": ("อีเมล", "Email"), "phone": ("หมายเลขโทรศัพท์", "Phone number"),
                 "first_name_en": ("ชื่อภาษาอังกฤษ", "First name in English"),
                 "last_name_en": ("นามสกุลภาษาอังกฤษ", "Last name in English"),
                 "address": ("ที่อยู่สำหรับติดต่อ", "Contact address")}
REGISTRY_FIELDS = {"first_name": ("ชื่อ", "First name", "civil"), "last_name": ("นามสกุล", "Last name", "civil"),
                   "birth_date": ("วันเกิด", "Birth date", "civil"),
                   "house_registration": ("ทะเบียนบ้าน", "House registration", "civil"),
                   "business": ("ทะเบียนพาณิชย์", "Business registration", "business"),
                   "welfare": ("เบี้ยยังชีพ", "Allowances", "welfare"), "land": ("ที่ดิน", "Land", "land"),
                   "tax": ("ข้อมูลผู้เสียภาษี", "Taxpayer data", "revenue")}
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^0[0-9]{8,9}$")


class PrivacyRequestNotFound(NotFound):
    code = "privacy_request_not_found"
    message_th = "ไม่พบคำขอนี้"
    message_en = "There is no such request."


class RequestClosed(Conflict):
    code = "privacy_request_closed"
    message_th = "คำขอนี้ไม่อยู่ในสถานะที่ทำรายการนี้ได้"
    message_en = "This request is not in a state for this step."


class TooManyOpenRequests(Conflict):
    code = "too_many_privacy_requests"
    message_th = f"ท่านมีคำขอที่รอพิจารณาครบ {MAX_OPEN} รายการแล้ว กรุณารอผลก่อน"
    message_en = f"You already have {MAX_OPEN} requests waiting. Please wait for a decision first."


def _invalid(name: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(fields={name: {"th": th, "en": en}})


def due_on(received: dt.date, calendar: WorkCalendar | None = None) -> dt.date:
    """Thirty days after receipt; a deadline that falls on a weekend or holiday moves to the next working day."""
    day = received + dt.timedelta(days=DEADLINE_DAYS)
    calendar = calendar or default_calendar()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def citizen_of(principal: Principal) -> User:
    if principal.role != CITIZEN or principal.user is None:
        raise Forbidden()
    return principal.user


def _dpo(principal: Principal) -> User:
    if principal.role != DPO or principal.user is None:
        raise Forbidden()
    return principal.user


def _check_values(fields: list[str], values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in fields or not isinstance(value, str) or len(value) > 300:
            raise _invalid("values", "ค่าที่ขอแก้ไขไม่ถูกต้อง", "The corrected values are not valid.")
        value = value.strip()
        if name == "email" and value and not EMAIL.match(value):
            raise _invalid("email", "รูปแบบอีเมลไม่ถูกต้อง", "This is not an email address.")
        if name == "phone" and value and not PHONE.match(value.replace("-", "")):
            raise _invalid("phone", "หมายเลขโทรศัพท์ต้องเป็นตัวเลข 9–10 หลักขึ้นต้นด้วย 0",
                           "A phone number is 9–10 digits starting with 0.")
        clean[name] = value.replace("-", "") if name == "phone" else value
    return clean


def _classify(kind: str, fields: list[str]) -> tuple[str, str | None]:
    """(target, registry) of a request from its fields; InvalidInput when they do not fit the kind."""
    if kind != RECTIFICATION:
        if any(not isinstance(f, str) or f not in erasure.SCOPES for f in fields):
            raise _invalid("fields", "รายการข้อมูลไม่ถูกต้อง", "Unknown data items.")
        return "pracha", None
    if not fields:
        raise _invalid("fields", "กรุณาเลือกข้อมูลที่ต้องการแก้ไข", "Choose what should be corrected.")
    if all(f in PRACHA_FIELDS for f in fields):
        return "pracha", None
    registries = {REGISTRY_FIELDS[f][2] for f in fields if f in REGISTRY_FIELDS}
    if len(registries) != 1 or any(f not in REGISTRY_FIELDS for f in fields):
        raise _invalid("fields", "เลือกข้อมูลของ Pracha หรือของทะเบียนเดียวกันเท่านั้นในหนึ่งคำขอ",
                       "One request corrects either Pracha's data or one registry's data.")
    return "registry", registries.pop()


def snapshot(request: PrivacyRequest) -> dict[str, Any]:
    """The request as the ledger commits to it (no personal values: only which fields)."""
    return {"reference": request.reference, "kind": request.kind, "target": request.target,
            "registry": request.registry_name, "fields": list(request.fields), "status": request.status,
            "due_on": request.due_on.isoformat(), "decision": request.decision}


def _record(session: Session, request: PrivacyRequest, kind: str, actor: str) -> None:
    user = request.user
    entry = ledger.record(session, kind, actor=actor, obj=f"privacy-request:{request.reference}",
                          record=snapshot(request), subject=f"user:{user.id}", subject_secret=user.national_id)
    record_event(session, user.id, kind.removeprefix("privacy."), actor="citizen" if actor.startswith("user:")
                 else actor, purpose=f"pdpa-s{SECTION[request.kind]}", entry=entry)


def create_request(session: Session, principal: Principal, *, kind: str, details: str = "",
                   fields: list[str] | None = None, values: dict[str, Any] | None = None,
                   today: dt.date, calendar: WorkCalendar | None = None) -> PrivacyRequest:
    user = citizen_of(principal)
    if kind not in KINDS:
        raise _invalid("kind", "ประเภทคำขอไม่ถูกต้อง", "Unknown kind of request.")
    fields = list(dict.fromkeys(fields or []))
    if len(fields) > 20 or len(details) > MAX_TEXT:
        raise _invalid("details", "คำขอยาวเกินไป", "The request is too long.")
    target, registry = _classify(kind, fields)
    clean = _check_values(fields, values or {}) if kind == RECTIFICATION else {}
    if kind == RECTIFICATION and not clean and not details.strip():
        raise _invalid("details", "กรุณาระบุข้อมูลที่ถูกต้อง", "Say what the correct data is.")
    waiting = session.scalar(select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.user_id == user.id, PrivacyRequest.status.in_(OPEN)))
    if (waiting or 0) >= MAX_OPEN:
        raise TooManyOpenRequests()
    request = PrivacyRequest(reference="PR-" + secrets.token_hex(5).upper(), user=user, kind=kind, target=target,
                             registry_name=registry, fields=fields, values=clean, details=details.strip(),
                             status=SUBMITTED, created_at=utcnow(), due_on=due_on(today, calendar),
                             reminders=[], outcome={})
    session.add(request)
    session.flush()
    _record(session, request, "privacy.request.submitted", f"user:{user.id}")
    return request


ORDER = (SortKey(PrivacyRequest.id, descending=True),)
DPO_ORDER = (SortKey(PrivacyRequest.due_on), SortKey(PrivacyRequest.id))


def my_requests(session: Session, principal: Principal, page: PageRequest = PageRequest()) -> Page[PrivacyRequest]:
    user = citizen_of(principal)
    return fetch_page(session, select(PrivacyRequest).where(PrivacyRequest.user_id == user.id), ORDER, page)


def all_requests(session: Session, principal: Principal, page: PageRequest = PageRequest(), *,
                 open_only: bool = True) -> Page[PrivacyRequest]:
    """The DPO's list: the open ones, earliest deadline first (or every request)."""
    _dpo(principal)
    query = select(PrivacyRequest)
    if open_only:
        query = query.where(PrivacyRequest.status.in_(OPEN))
    return fetch_page(session, query, DPO_ORDER, page)


def get_request(session: Session, principal: Principal, request_id: int, *, for_update: bool = False
                ) -> PrivacyRequest:
    _dpo(principal)
    query = select(PrivacyRequest).where(PrivacyRequest.id == request_id)
    found = session.scalar(query.with_for_update(of=PrivacyRequest) if for_update else query)
    if found is None:
        raise PrivacyRequestNotFound()
    return found


def forward(session: Session, principal: Principal, request_id: int) -> PrivacyRequest:
    """A registry correction goes to the registry's agency (submitted → forwarded)."""
    dpo = _dpo(principal)
    request = get_request(session, principal, request_id, for_update=True)
    if request.target != "registry" or request.status != SUBMITTED:
        raise RequestClosed()
    request.status, request.forwarded_at = FORWARDED, utcnow()
    _record(session, request, "privacy.request.forwarded", f"dpo:{dpo.username}")
    agency = REGISTRIES[request.registry_name or "civil"]
    _tell(session, request, f"ส่งต่อคำขอ {request.reference} ให้{agency.agency_th}แล้ว",
          f"Request {request.reference} was forwarded to the {agency.agency_en}")
    return request


def decide(session: Session, principal: Principal, request_id: int, *, decision: str, reason: str) -> PrivacyRequest:
    """Approve (carry the request out) or refuse (with a reason); the citizen is told."""
    dpo = _dpo(principal)
    reason = reason.strip()
    if decision not in ("approve", "refuse"):
        raise _invalid("decision", "เลือกอนุมัติหรือปฏิเสธ", "Choose approve or refuse.")
    if len(reason) > MAX_TEXT or (decision == "refuse" and not reason):
        raise _invalid("reason", "กรุณาระบุเหตุผล (ไม่เกิน 4000 ตัวอักษร)", "Give a reason (at most 4000 characters).")
    request = get_request(session, principal, request_id, for_update=True)
    if request.status not in OPEN or (request.target == "registry" and request.status != FORWARDED):
        raise RequestClosed()
    request.decision, request.reason, request.decided_at, request.decided_by_id = decision, reason, utcnow(), dpo.id
    request.status = DONE if decision == "approve" else REFUSED
    _record(session, request, "privacy.request.decided", f"dpo:{dpo.username}")
    th, en = KIND_NAMES[request.kind]
    outcome_th, outcome_en = ("ดำเนินการแล้ว", "carried out") if decision == "approve" else ("ปฏิเสธ", "refused")
    notice = _tell(session, request, f"{th} {request.reference}: {outcome_th}",
                   f"{en} {request.reference}: {outcome_en}")
    if decision == "approve":
        request.outcome = _carry_out(session, request, keep_message_id=notice.id)
    return request


def _carry_out(session: Session, request: PrivacyRequest, *, keep_message_id: int) -> dict[str, Any]:
    user = request.user
    if request.kind == RECTIFICATION and request.target == "pracha":
        for name, value in request.values.items():
            setattr(user, name, {"formatted": value} if name == "address" and value else (value or None))
        return {"corrected": sorted(request.values)}
    if request.kind == ERASURE:
        return erasure.erase_citizen(session, user, request.fields, keep_message_id=keep_message_id)
    if request.kind in (RESTRICTION, OBJECTION):
        return erasure.restrict_processing(session, user, withdraw_consents=request.kind == OBJECTION)
    return {}


def _tell(session: Session, request: PrivacyRequest, th: str, en: str) -> Any:
    body = {"th": "ดูรายละเอียดและเหตุผลได้ที่หน้าข้อมูลส่วนบุคคลของฉัน",
            "en": "See the details and the reasons on your privacy page."}
    return notify(session, request.user, subject={"th": th, "en": en}, body=body,
                  link=f"/me/privacy#request-{request.reference}")


def days_left(request: PrivacyRequest, today: dt.date) -> int:
    return (request.due_on - today).days


def revoke_session(session: Session, principal: Principal, handle: str) -> bool:
    """End one of the citizen's own browser sessions by its handle (the first 16 hex digits of the
    token's hash: the token itself is never shown). False when there is no such session of theirs."""
    user = citizen_of(principal)
    if len(handle) != 16 or any(c not in "0123456789abcdef" for c in handle):
        return False
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id,
                                                      WebSession.token_hash.startswith(handle, autoescape=True)))
    return bool(result.rowcount)  # type: ignore[attr-defined]
