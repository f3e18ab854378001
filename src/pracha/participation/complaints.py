"""A complaint's workflow after it is made (`reports.create_complaint`): the responsible unit accepts,
forwards, asks for details, replies, resolves (with an "after" photo) or rejects; the reporter adds
details, rates the answer once (which closes it) or reopens it once within the catalogue's window.

Who acts for the unit: its officers and admins, or, for a confidential complaint (corruption,
misconduct), only its inspectors. Every step is a ComplaintEvent; the reporter is told of each staff
step. A step the status does not allow is a 409 (`WrongStatus`), never a 500.

    Conflict (409) ── WrongStatus       not in this status (or already rated / reopened)
    Forbidden (403) ── NotHandler       not the complaint's unit
    InvalidInput (422)                   a note, reason, agency, rating or photo is missing or wrong
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, Forbidden, InvalidInput
from pracha.identity.models import AGENCY_ADMIN, INSPECTOR, OFFICER, User
from pracha.identity.principal import Principal
from pracha.notices.service import notify
from pracha.participation.models import (
    ACCEPTED,
    CLOSED,
    NEEDS_INFO,
    NEW,
    REJECTED,
    REOPENED,
    RESOLVED,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
)
from pracha.participation.photos import MAX_PHOTOS, SafePhoto
from pracha.participation.rules import Rules

__all__ = ["ACTIONS", "OPEN", "NotHandler", "WrongStatus", "act", "add_details", "allowed_from", "may_handle", "rate",
           "reopen"]

OPEN = (NEW, ACCEPTED, NEEDS_INFO, REOPENED)  # waiting for the unit: deadlines run
ACTIONS = ("accept", "forward", "request_info", "reply", "resolve", "reject")
_FROM = {"accept": (NEW, REOPENED), "forward": OPEN, "request_info": (NEW, ACCEPTED, REOPENED), "reply": OPEN,
         "resolve": OPEN, "reject": OPEN}
_TO = {"accept": ACCEPTED, "forward": NEW, "request_info": NEEDS_INFO, "resolve": RESOLVED, "reject": REJECTED}
MAX_NOTE = 4000

_TOLD = {  # what the reporter is told, Thai first
    "accept": ("หน่วยงานรับเรื่อง {ref} แล้ว", "Your complaint {ref} was accepted"),
    "forward": ("เรื่อง {ref} ถูกส่งต่อให้หน่วยงานที่รับผิดชอบ", "Your complaint {ref} was forwarded"),
    "request_info": ("หน่วยงานขอข้อมูลเพิ่มเติมเรื่อง {ref}", "More details are needed for {ref}"),
    "reply": ("ความคืบหน้าเรื่อง {ref}", "Progress on your complaint {ref}"),
    "resolve": ("เรื่อง {ref} ดำเนินการแก้ไขแล้ว", "Your complaint {ref} was resolved"),
    "reject": ("เรื่อง {ref} ไม่อยู่ในอำนาจหรือไม่สามารถดำเนินการได้", "Your complaint {ref} was rejected"),
}


class WrongStatus(Conflict):
    code = "wrong_status"
    message_th = "ไม่สามารถทำรายการนี้ได้ในสถานะปัจจุบันของเรื่อง"
    message_en = "This cannot be done in the complaint's current status."


class NotHandler(Forbidden):
    code = "not_complaint_handler"
    message_th = "เฉพาะเจ้าหน้าที่ของหน่วยงานที่รับผิดชอบเรื่องนี้เท่านั้น"
    message_en = "Only the staff of the unit responsible for this complaint may do this."


def _field(name: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(fields={name: {"th": th, "en": en}})


def _text(value: str | None, name: str, th: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _field(name, th, en)
    if len(text) > MAX_NOTE:
        raise _field(name, f"ข้อความยาวเกิน {MAX_NOTE} ตัวอักษร", f"At most {MAX_NOTE} characters.")
    return text


def allowed_from(action: str) -> tuple[str, ...]:
    """The statuses in which the unit may take `action`."""
    return _FROM.get(action, ())


def may_handle(principal: Principal, complaint: Complaint) -> bool:
    """Staff of the complaint's current unit (inspectors only, for a confidential one)."""
    if principal.user is None or principal.agency != complaint.agency:
        return False
    return principal.role == INSPECTOR if complaint.confidential else principal.role in (OFFICER, AGENCY_ADMIN)


def _event(complaint: Complaint, action: str, actor: User | None, note: str, *, public: bool,
           agency: str | None = None, now: dt.datetime) -> ComplaintEvent:
    event = ComplaintEvent(action=action, actor_id=actor.id if actor else None, agency=agency or complaint.agency,
                           note=note, public=public and not complaint.confidential, at=now)
    complaint.events.append(event)
    complaint.updated_at = now
    return event


def _keep_photos(session: Session, complaint: Complaint, event: ComplaintEvent, photos: Sequence[SafePhoto],
                 stage: str, now: dt.datetime) -> None:
    if len(photos) > MAX_PHOTOS:
        raise _field("photos", f"แนบรูปได้ไม่เกิน {MAX_PHOTOS} รูป", f"At most {MAX_PHOTOS} photos.")
    session.flush()
    for photo in photos:
        complaint.photos.append(ComplaintPhoto(stage=stage, content=photo.content, width=photo.width,
                                               height=photo.height, sha256=photo.sha256, event_id=event.id,
                                               created_at=now))


def _tell_reporter(session: Session, complaint: Complaint, action: str, note: str) -> None:
    reporter = session.get(User, complaint.reporter_id)
    if reporter is None:
        return
    th, en = _TOLD[action]
    body_th = note or th.format(ref=complaint.reference)
    notify(session, reporter, link=f"/complaints/{complaint.reference}", kind="status",
           subject={"th": th.format(ref=complaint.reference), "en": en.format(ref=complaint.reference)},
           body={"th": body_th, "en": note or en.format(ref=complaint.reference)})


def act(session: Session, principal: Principal, rules: Rules, complaint: Complaint, action: str, note: str = "",
        *, agency: str | None = None, agencies: Collection[str] = (), photos: Sequence[SafePhoto] = (),
        now: dt.datetime | None = None) -> ComplaintEvent:
    """One staff step (`ACTIONS`). `agencies`: the catalogue's codes (where a complaint may be forwarded)."""
    if not may_handle(principal, complaint):
        raise NotHandler()
    if action not in ACTIONS:
        raise _field("action", "ไม่รู้จักการดำเนินการนี้", f"Unknown action; one of {', '.join(ACTIONS)}.")
    if complaint.status not in _FROM[action]:
        raise WrongStatus()
    now = now or utcnow()
    note = (note or "").strip()
    if action == "forward":
        note = _text(note, "note", "กรุณาระบุเหตุผลที่ส่งต่อ", "Give the reason for forwarding.")
        if not agency or agency not in agencies:
            raise _field("agency", "กรุณาเลือกหน่วยงานที่จะส่งต่อ", "Choose the agency to forward to.")
        if agency == complaint.agency:
            raise _field("agency", "ส่งต่อให้หน่วยงานเดิมไม่ได้", "A complaint cannot be forwarded to its own unit.")
    elif action in ("request_info", "reply", "resolve", "reject"):
        note = _text(note, "note", "กรุณากรอกข้อความ", "Write a note.")
    if action == "resolve" and not photos:
        raise _field("photos", "กรุณาแนบรูปหลังการแก้ไขอย่างน้อย 1 รูป", "Attach at least one photo of the result.")
    event = _event(complaint, action, principal.user, note, public=action != "request_info",
                   agency=agency if action == "forward" else None, now=now)
    if action == "forward":
        assert agency is not None
        complaint.agency = agency
        complaint.reminded_at = None  # the new unit gets its own reminder
    if action in _TO:
        complaint.status = _TO[action]
    if action in ("resolve", "reject"):
        complaint.resolved_at = now
    if complaint.first_response_at is None:
        complaint.first_response_at = now
    if photos:
        _keep_photos(session, complaint, event, photos, "after", now)
    _tell_reporter(session, complaint, action, note)
    session.flush()
    return event


def _reporter(principal: Principal, complaint: Complaint) -> User:
    if principal.user is None or principal.user.id != complaint.reporter_id:
        raise Forbidden("เฉพาะผู้แจ้งเรื่องเท่านั้น", "Only the person who reported this may do this.")
    return principal.user


def add_details(session: Session, principal: Principal, complaint: Complaint, note: str,
                photos: Sequence[SafePhoto] = (), *, now: dt.datetime | None = None) -> ComplaintEvent:
    """The reporter answers the unit's question: back to accepted."""
    user = _reporter(principal, complaint)
    if complaint.status != NEEDS_INFO:
        raise WrongStatus()
    now = now or utcnow()
    note = _text(note, "note", "กรุณากรอกรายละเอียดเพิ่มเติม", "Write the details asked for.")
    event = _event(complaint, "add_details", user, note, public=False, now=now)
    complaint.status = ACCEPTED
    if photos:
        _keep_photos(session, complaint, event, photos, "before", now)
    session.flush()
    return event


def rate(session: Session, principal: Principal, complaint: Complaint, rating: int, comment: str = "",
         *, now: dt.datetime | None = None) -> ComplaintEvent:
    """Once, after the answer (resolved or rejected): 1–5 and an optional comment; the complaint closes."""
    user = _reporter(principal, complaint)
    if complaint.status not in (RESOLVED, REJECTED) or complaint.rating is not None:
        raise WrongStatus()
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise _field("rating", "กรุณาให้คะแนน 1 ถึง 5", "Give a rating from 1 to 5.")
    comment = (comment or "").strip()[:MAX_NOTE]
    event = _event(complaint, "rate", user, comment, public=True, now=now or utcnow())
    complaint.rating = rating
    complaint.status = CLOSED
    session.flush()
    return event


def reopen(session: Session, principal: Principal, rules: Rules, complaint: Complaint, reason: str,
           *, now: dt.datetime | None = None) -> ComplaintEvent:
    """Once, within `rules.reopen_within_days` of the answer, with a reason: a new deadline runs."""
    user = _reporter(principal, complaint)
    now = now or utcnow()
    if complaint.status not in (RESOLVED, REJECTED) or complaint.reopen_count >= 1 or complaint.resolved_at is None:
        raise WrongStatus()
    if now > complaint.resolved_at + dt.timedelta(days=rules.reopen_within_days):
        raise WrongStatus(f"เปิดเรื่องใหม่ได้ภายใน {rules.reopen_within_days} วันหลังได้รับคำตอบเท่านั้น",
                          f"A complaint can be reopened only within {rules.reopen_within_days} days of the answer.")
    reason = _text(reason, "reason", "กรุณาระบุเหตุผลที่ขอเปิดเรื่องใหม่", "Give the reason to reopen.")
    event = _event(complaint, "reopen", user, reason, public=True, now=now)
    complaint.status = REOPENED
    complaint.reopen_count += 1
    complaint.resolved_at = None
    complaint.reminded_at = complaint.escalated_at = None
    days = rules.categories[complaint.category].resolve_days if complaint.category in rules.categories else 15
    complaint.sla_due_at = now + dt.timedelta(days=days)
    session.flush()
    return event
