"""Petitions (ข้อเสนอ): a citizen writes to an agency, a moderator checks it, then it is open for support
until `closes_at`. Supports are counted by commitment only (participation.tally); the agency must
answer in writing within `response_days` once `threshold` live supports are reached.

    pending ──approve──▶ open ──closes_at──▶ closed
       └──decline──▶ declined     └─(agency answers, open or closed)──▶ responded

Pending and declined petitions are seen only by their creator and the moderators (404 to others).
Supports live in petitions_support.py; the public JSON in petitions_view.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, MODERATOR, OFFICER, User
from pracha.identity.principal import Principal
from pracha.notices.service import notify
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.participation.errors import NotModerator, NotOpen, PetitionNotFound
from pracha.participation.limits import check_rate
from pracha.participation.models import (
    P_CLOSED,
    P_DECLINED,
    P_OPEN,
    P_PENDING,
    P_RESPONDED,
    ModerationAction,
    Petition,
)
from pracha.participation.rules import Rules

__all__ = ["PUBLIC_STATUSES", "agency_petitions", "create_petition", "decide_petition", "get_petition",
           "list_petitions", "respond_petition", "staff_of"]

PUBLIC_STATUSES = (P_OPEN, P_CLOSED, P_RESPONDED)
MAX_TITLE, MAX_BODY, MAX_REASON, MAX_RESPONSE = 200, 5000, 500, 10000
ORDER = (SortKey(Petition.created_at, descending=True), SortKey(Petition.id, descending=True))


def _field(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


def create_petition(session: Session, principal: Principal, rules: Rules, agencies: set[str], *, agency: str,
                    title: str, body: str, days_open: int | None = None) -> Petition:
    """A new pending petition of the signed-in citizen (the moderator checks it before it opens)."""
    if principal.role != CITIZEN or principal.user is None:
        raise Forbidden("เฉพาะประชาชนที่เข้าสู่ระบบแล้วเท่านั้นที่เสนอข้อเสนอได้", "Only signed-in citizens may start a petition.")
    low, default, high = rules.petition_days
    days = default if days_open is None else days_open
    title, body = title.strip(), body.strip()
    problems: dict[str, dict[str, str]] = {}
    if agency not in agencies:
        problems["agency"] = _field("กรุณาเลือกหน่วยงาน", "Choose an agency.")
    if not title or len(title) > MAX_TITLE:
        problems["title"] = _field(f"กรุณาใส่ชื่อข้อเสนอ ไม่เกิน {MAX_TITLE} ตัวอักษร",
                                   f"Give a title of at most {MAX_TITLE} characters.")
    if not body or len(body) > MAX_BODY:
        problems["body"] = _field(f"กรุณาอธิบายข้อเสนอ ไม่เกิน {MAX_BODY:,} ตัวอักษร",
                                  f"Describe the petition in at most {MAX_BODY:,} characters.")
    if not low <= days <= high:
        problems["days_open"] = _field(f"ระยะเวลาเปิดรับการสนับสนุนต้องอยู่ระหว่าง {low} ถึง {high} วัน",
                                       f"The petition may be open for {low} to {high} days.")
    if problems:
        raise InvalidInput(fields=problems)
    check_rate(session, "petition", principal.user.id)
    threshold = rules.threshold(agency)
    petition = Petition(agency=agency, creator_id=principal.user.id, title=title, body=body, status=P_PENDING,
                        days_open=days, threshold=threshold.supports, response_days=threshold.response_days,
                        support_count=0)
    session.add(petition)
    session.flush()
    return petition


def visible_query(principal: Principal) -> Select[Petition]:
    """Petitions `principal` may see: the public ones, the creator's own, and all for moderators."""
    query = select(Petition)
    if principal.role == MODERATOR:
        return query
    if principal.role == CITIZEN and principal.user_id is not None:
        return query.where(or_(Petition.status.in_(PUBLIC_STATUSES), Petition.creator_id == principal.user_id))
    return query.where(Petition.status.in_(PUBLIC_STATUSES))


def get_petition(session: Session, principal: Principal, petition_id: int, *, for_update: bool = False) -> Petition:
    query = visible_query(principal).where(Petition.id == petition_id)
    petition = session.scalars(query.with_for_update() if for_update else query).first()
    if petition is None:
        raise PetitionNotFound()
    return petition


def list_petitions(session: Session, principal: Principal, page: PageRequest, *, status: str = "",
                   agency: str = "") -> Page[Petition]:
    query = visible_query(principal)
    if status:
        query = query.where(Petition.status == status)
    if agency:
        query = query.where(Petition.agency == agency)
    return fetch_page(session, query, ORDER, page)


def agency_petitions(session: Session, agency: str) -> list[Petition]:
    """The agency's petitions that reached the threshold, earliest response date first."""
    return list(session.scalars(select(Petition).where(
        Petition.agency == agency, Petition.threshold_reached_at.is_not(None))
        .order_by(Petition.response_due_at, Petition.id)))


def is_creator(principal: Principal, petition: Petition) -> bool:
    return principal.user_id is not None and petition.creator_id == principal.user_id


def decide_petition(session: Session, principal: Principal, petition_id: int, *, action: str, reason: str,
                    now: dt.datetime | None = None) -> Petition:
    """The moderator approves (opens it for `days_open` days from now) or declines with a reason."""
    if principal.role != MODERATOR or principal.user is None:
        raise NotModerator()
    reason = reason.strip()
    if action not in ("approve", "decline"):
        raise InvalidInput(fields={"action": _field("เลือกอนุมัติหรือไม่อนุมัติ", "Choose approve or decline.")})
    if action == "decline" and not reason or len(reason) > MAX_REASON:
        raise InvalidInput(fields={"reason": _field(f"กรุณาให้เหตุผล ไม่เกิน {MAX_REASON} ตัวอักษร",
                                                    f"Give a reason of at most {MAX_REASON} characters.")})
    petition = get_petition(session, principal, petition_id, for_update=True)
    if petition.status != P_PENDING:
        raise NotOpen("ข้อเสนอนี้ได้รับการพิจารณาแล้ว", "This petition has already been decided.")
    now = now or utcnow()
    if action == "approve":
        petition.status, petition.opens_at = P_OPEN, now
        petition.closes_at = now + dt.timedelta(days=petition.days_open)
    else:
        petition.status, petition.decision_reason = P_DECLINED, reason
    session.add(ModerationAction(target_kind="petition", target_id=petition.id, action=action,
                                 reason=reason or "-", moderator_id=principal.user.id, at=now))
    creator = session.get(User, petition.creator_id) if petition.creator_id else None
    if creator is not None:
        if action == "approve":
            subject = {"th": "ข้อเสนอของท่านเปิดรับการสนับสนุนแล้ว", "en": "Your petition is open for support"}
            body = {"th": f"“{petition.title}” เปิดรับการสนับสนุนแล้ว", "en": f"“{petition.title}” is now open."}
        else:
            subject = {"th": "ข้อเสนอของท่านไม่ผ่านการตรวจสอบ", "en": "Your petition was declined"}
            body = {"th": f"“{petition.title}”: {reason}", "en": f"“{petition.title}”: {reason}"}
        notify(session, creator, subject=subject, body=body, link=f"/petitions/{petition.id}")
    return petition


def staff_of(session: Session, agency: str, roles: tuple[str, ...] = (OFFICER, AGENCY_ADMIN)) -> list[User]:
    return list(session.scalars(select(User).where(User.agency == agency, User.role.in_(roles))
                                .order_by(User.id)))


def respond_petition(session: Session, principal: Principal, petition_id: int, *, response_th: str,
                     response_en: str = "", now: dt.datetime | None = None) -> Petition:
    """The agency's written answer (its officers and admins), once the petition is open or closed."""
    if principal.role not in (OFFICER, AGENCY_ADMIN) or principal.user is None:
        raise Forbidden()
    petition = get_petition(session, principal, petition_id, for_update=True)
    if petition.agency != principal.agency:
        raise Forbidden("ข้อเสนอนี้ส่งถึงหน่วยงานอื่น", "This petition is addressed to another agency.")
    if petition.status not in (P_OPEN, P_CLOSED):
        raise NotOpen("ข้อเสนอนี้ตอบแล้วหรือยังไม่เปิด", "This petition is answered already or not open.")
    response_th, response_en = response_th.strip(), response_en.strip()
    if not response_th or len(response_th) > MAX_RESPONSE or len(response_en) > MAX_RESPONSE:
        raise InvalidInput(fields={"response_th": _field(f"กรุณาเขียนคำตอบภาษาไทย ไม่เกิน {MAX_RESPONSE:,} ตัวอักษร",
                                                         f"Write the answer in Thai, at most {MAX_RESPONSE:,} "
                                                         "characters.")})
    petition.status, petition.response_th, petition.response_en = P_RESPONDED, response_th, response_en or None
    petition.responded_at, petition.responded_by = now or utcnow(), principal.user.id
    return petition
