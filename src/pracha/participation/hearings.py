"""Public hearings (รับฟังความคิดเห็น): an agency drafts one (questions, sections, the full text as a
PDF), publishes it for at least `rules.hearing_minimum_days` days, and reads it back.

The stored status is draft → open → reported; "closed" and "upcoming" are computed from the clock
(`status_of`), so a hearing closes on time without a job. Answers are in `hearings_answers`, the
agency's summary and its open data in `hearings_report`.

    HearingNotFound (404)   unknown, or a draft the caller may not see
    NotOpen (409)           answering outside the period
    HearingLocked (409)     changing the document or the period once published
    InvalidInput (422)      a field of the draft (Thai and English per field)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, select, true
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, Forbidden, InvalidInput
from pracha.identity.models import AGENCY_ADMIN, OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.participation.errors import HearingNotFound
from pracha.participation.models import H_CLOSED, H_DRAFT, H_OPEN, H_REPORTED, Hearing
from pracha.participation.rules import Rules

__all__ = ["UPCOMING", "Draft", "HearingLocked", "attach_document", "create_hearing", "get_hearing",
           "is_agency_staff", "list_hearings", "publish_hearing", "status_of"]

UPCOMING = "upcoming"  # published, not yet open (computed, never stored)
STATUSES = (H_DRAFT, UPCOMING, H_OPEN, H_CLOSED, H_REPORTED)
MAX_TEXT = 2000
_ID = re.compile(r"^[a-z0-9_-]{1,16}$")
LIST_ORDER = (SortKey(Hearing.closes_at, descending=True), SortKey(Hearing.id, descending=True))


class HearingLocked(Conflict):
    code = "hearing_locked"
    message_th = "การรับฟังความคิดเห็นนี้เผยแพร่แล้ว แก้ไขเอกสารหรือช่วงเวลาไม่ได้"
    message_en = "This hearing is published: its document and period can no longer change."


@dataclass
class Draft:
    """What the agency gives for a new hearing (the API's JSON or the staff form)."""

    kind: str
    title_th: str
    summary_th: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    title_en: str | None = None
    summary_en: str | None = None
    sections: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    agency: str | None = None  # the platform admin names it; agency staff create for their own


def _problem(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


def status_of(hearing: Hearing, now: dt.datetime | None = None) -> str:
    """The status the public sees now: draft, upcoming, open, closed or reported."""
    now = now or utcnow()
    if hearing.status in (H_DRAFT, H_REPORTED):
        return hearing.status
    if now < hearing.opens_at:
        return UPCOMING
    return H_OPEN if now < hearing.closes_at else H_CLOSED


def status_clause(status: str, now: dt.datetime) -> ColumnElement[bool]:
    """SQL for `status_of(hearing) == status` (drafts are never in a public list)."""
    published = Hearing.status.in_((H_OPEN, H_CLOSED))
    return {
        UPCOMING: and_(published, Hearing.opens_at > now),
        H_OPEN: and_(published, Hearing.opens_at <= now, Hearing.closes_at > now),
        H_CLOSED: and_(published, Hearing.closes_at <= now),
        H_REPORTED: Hearing.status == H_REPORTED,
    }[status]


def is_agency_staff(principal: Principal, agency: str) -> bool:
    """The agency's officers and admins, and the platform admin for every agency."""
    user = principal.user
    if user is None or principal.token is not None:
        return False
    return user.role == PLATFORM_ADMIN or (user.role in (OFFICER, AGENCY_ADMIN) and user.agency == agency)


def _check_sections(sections: Any, problems: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not isinstance(sections, list) or len(sections) > 30:
        problems["sections"] = _problem("ส่วนของร่างไม่ถูกต้อง (ไม่เกิน 30 ส่วน)", "Sections are not valid (at most 30).")
        return out
    for s in sections:
        title = s.get("title_th") if isinstance(s, dict) else None
        if not isinstance(title, str) or not title.strip() or len(title) > 300 or not _ID.match(str(s.get("id", ""))):
            problems["sections"] = _problem(
                "ทุกส่วนต้องมีรหัส (a-z, 0-9) และชื่อภาษาไทยไม่เกิน 300 ตัวอักษร",
                "Each section needs an id (a-z, 0-9) and a Thai title of at most 300 characters.")
            return []
        out.append({"id": s["id"], "title_th": title.strip(), "title_en": str(s.get("title_en") or "").strip() or None})
    if len({s["id"] for s in out}) != len(out):
        problems["sections"] = _problem("รหัสส่วนซ้ำกัน", "Section ids repeat.")
    return out


def _check_question(q: Any) -> dict[str, Any] | None:
    if not isinstance(q, dict) or not _ID.match(str(q.get("id", ""))) or q.get("kind") not in ("choice", "text"):
        return None
    text = q.get("text_th")
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        return None
    choices: list[dict[str, Any]] = []
    if q["kind"] == "choice":
        raw = q.get("choices")
        if not isinstance(raw, list) or not 2 <= len(raw) <= 10:
            return None
        for c in raw:
            if not isinstance(c, dict) or not _ID.match(str(c.get("id", ""))) or not str(c.get("th") or "").strip():
                return None
            choices.append({"id": c["id"], "th": str(c["th"]).strip()[:200],
                            "en": str(c.get("en") or "").strip() or None})
        if len({c["id"] for c in choices}) != len(choices):
            return None
    return {"id": q["id"], "kind": q["kind"], "text_th": text.strip(),
            "text_en": str(q.get("text_en") or "").strip() or None, "choices": choices}


def _check_draft(draft: Draft, rules: Rules, agencies: frozenset[str]
                 ) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    problems: dict[str, dict[str, str]] = {}
    if draft.kind not in rules.hearing_kinds:
        problems["kind"] = _problem("กรุณาเลือกประเภทการรับฟังความคิดเห็น", "Choose the kind of hearing.")
    if not 5 <= len(draft.title_th.strip()) <= 300:
        problems["title_th"] = _problem("กรุณาระบุชื่อเรื่องภาษาไทย 5–300 ตัวอักษร", "Give a Thai title of 5–300 characters.")
    if not 20 <= len(draft.summary_th.strip()) <= 10000:
        problems["summary_th"] = _problem("กรุณาสรุปสาระสำคัญภาษาไทย 20–10,000 ตัวอักษร",
                                          "Give a Thai summary of 20–10,000 characters.")
    if draft.agency is not None and draft.agency not in agencies:
        problems["agency"] = _problem("ไม่พบหน่วยงานนี้", "Unknown agency.")
    for name, value in (("opens_at", draft.opens_at), ("closes_at", draft.closes_at)):
        if value.tzinfo is None:
            problems[name] = _problem("กรุณาระบุเขตเวลา (เช่น +07:00)", "Give the time zone (e.g. +07:00).")
    if not problems.keys() & {"opens_at", "closes_at"} and (
            draft.closes_at - draft.opens_at < dt.timedelta(days=rules.hearing_minimum_days)):
        days = rules.hearing_minimum_days
        problems["closes_at"] = _problem(f"ต้องเปิดรับฟังความคิดเห็นไม่น้อยกว่า {days} วัน",
                                         f"A hearing must stay open for at least {days} days.")
    sections = _check_sections(draft.sections, problems)
    questions = [_check_question(q) for q in draft.questions] if isinstance(draft.questions, list) else [None]
    ids = {q["id"] for q in questions if q}
    if len(questions) > 20 or any(q is None for q in questions) or len(ids) != len(questions):
        problems["questions"] = _problem(
            "คำถามไม่ถูกต้อง: ทุกข้อต้องมีรหัส ประเภท (choice หรือ text) ข้อความภาษาไทย และตัวเลือก 2–10 ข้อสำหรับคำถามแบบเลือก",
            "Questions are not valid: each needs an id, a kind (choice or text), Thai text, "
            "and 2–10 choices if a choice.")
    return {"sections": sections, "questions": [q for q in questions if q]}, problems


def create_hearing(session: Session, principal: Principal, rules: Rules, agencies: frozenset[str],
                   draft: Draft) -> Hearing:
    """A draft (not public) for the caller's agency, in the caller's transaction."""
    user = principal.user
    if user is None or user.role not in (OFFICER, AGENCY_ADMIN, PLATFORM_ADMIN) or principal.token is not None:
        raise Forbidden()
    agency = draft.agency if user.role == PLATFORM_ADMIN else user.agency
    if agency is None or (user.role != PLATFORM_ADMIN and draft.agency not in (None, agency)):
        raise Forbidden()
    checked, problems = _check_draft(Draft(**{**draft.__dict__, "agency": agency}), rules, agencies)
    if problems:
        raise InvalidInput(fields=problems)
    hearing = Hearing(agency=agency, kind=draft.kind, title_th=draft.title_th.strip(),
                      title_en=(draft.title_en or "").strip() or None, summary_th=draft.summary_th.strip(),
                      summary_en=(draft.summary_en or "").strip() or None, sections=checked["sections"],
                      questions=checked["questions"], opens_at=draft.opens_at, closes_at=draft.closes_at,
                      status=H_DRAFT, created_by=user.id)
    session.add(hearing)
    session.flush()
    return hearing


def get_hearing(session: Session, principal: Principal, hearing_id: int, *, for_update: bool = False) -> Hearing:
    """A published hearing (anyone), or a draft for its agency's staff; HearingNotFound otherwise."""
    query = select(Hearing).where(Hearing.id == hearing_id)
    hearing = session.scalar(query.with_for_update() if for_update else query)
    if hearing is None or (hearing.status == H_DRAFT and not is_agency_staff(principal, hearing.agency)):
        raise HearingNotFound()
    return hearing


def staff_hearing(session: Session, principal: Principal, hearing_id: int, *, for_update: bool = False) -> Hearing:
    """A hearing the caller's agency runs (staff pages and staff API): 404 to anyone else."""
    hearing = get_hearing(session, principal, hearing_id, for_update=for_update)
    if not is_agency_staff(principal, hearing.agency):
        raise HearingNotFound()
    return hearing


def attach_document(hearing: Hearing, content: bytes, filename: str, max_bytes: int) -> None:
    """The full text as a PDF (replaced freely while a draft)."""
    if hearing.status != H_DRAFT:
        raise HearingLocked()
    if len(content) > max_bytes:
        raise InvalidInput(fields={"file": _problem(f"ไฟล์ใหญ่เกิน {max_bytes // (1024 * 1024)} MB",
                                                    f"The file is larger than {max_bytes // (1024 * 1024)} MB.")})
    if not content.startswith(b"%PDF"):
        raise InvalidInput(fields={"file": _problem("กรุณาแนบไฟล์ PDF", "Attach a PDF file.")})
    hearing.document = content
    hearing.document_name = (filename.rsplit("/", 1)[-1] or "document.pdf")[:200]
    hearing.document_sha256 = hashlib.sha256(content).hexdigest()


def publish_hearing(hearing: Hearing, rules: Rules, now: dt.datetime | None = None) -> None:
    """Make the draft public: it needs its PDF, and still at least the minimum period from now on."""
    now = now or utcnow()
    if hearing.status != H_DRAFT:
        raise HearingLocked()
    problems: dict[str, dict[str, str]] = {}
    if hearing.document_sha256 is None:
        problems["file"] = _problem("กรุณาแนบร่างฉบับเต็ม (PDF) ก่อนเผยแพร่", "Attach the full text (PDF) before publishing.")
    opens_at = max(hearing.opens_at, now)
    if hearing.closes_at - opens_at < dt.timedelta(days=rules.hearing_minimum_days):
        days = rules.hearing_minimum_days
        problems["closes_at"] = _problem(f"เหลือเวลารับฟังความคิดเห็นน้อยกว่า {days} วัน กรุณาสร้างใหม่โดยขยายวันปิด",
                                         f"Less than {days} days remain: make a new draft with a later closing date.")
    if problems:
        raise InvalidInput(fields=problems)
    hearing.opens_at = opens_at
    hearing.status = H_OPEN


def list_hearings(session: Session, principal: Principal, page: PageRequest, *, status: str | None = None,
                  agency: str | None = None, now: dt.datetime | None = None) -> Page[Hearing]:
    """Published hearings, latest closing first; filter by (computed) status and agency. The agency's
    staff also see its drafts with `status="draft"`."""
    now = now or utcnow()
    query: Select[tuple[Hearing]] = select(Hearing)
    if status == H_DRAFT:
        query = query.where(Hearing.status == H_DRAFT, _drafts_visible(principal))
    elif status in STATUSES:
        query = query.where(status_clause(status, now))
    else:
        query = query.where(Hearing.status != H_DRAFT)
    if agency:
        query = query.where(Hearing.agency == agency)
    return fetch_page(session, query, LIST_ORDER, page)


def _drafts_visible(principal: Principal) -> ColumnElement[bool]:
    user = principal.user
    if user is None or principal.token is not None:
        return false()
    if user.role == PLATFORM_ADMIN:
        return true()
    if user.role in (OFFICER, AGENCY_ADMIN) and user.agency:
        return Hearing.agency == user.agency
    return false()


def agency_hearings(session: Session, principal: Principal) -> list[Hearing]:
    """The staff page's list: drafts included, the agency's own (every agency for the platform admin)."""
    user = principal.user
    query = select(Hearing).order_by(Hearing.created_at.desc(), Hearing.id.desc())
    if user is None or user.role not in (OFFICER, AGENCY_ADMIN, PLATFORM_ADMIN):
        return []
    if user.role != PLATFORM_ADMIN:
        query = query.where(Hearing.agency == (user.agency or ""))
    return list(session.scalars(query.limit(500)))
