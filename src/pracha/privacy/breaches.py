"""The breach register (PDPA section 37 (4)): the DPO records an incident; Pracha computes whom it
affects from a small criteria language, tracks the 72 hours from discovery within which the regulator
(the PDPC, สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล) must be told, drafts the notification letter,
and — when the DPO decides the risk to people is high — tells each affected person in their inbox.

Criteria (a JSON object; all given conditions must hold; at least one of the first four):
  services: [service ids]      applications of these services
  agencies: [agency codes]     applications handled by these agencies
  references: [references]     these applications
  all_citizens: true           every citizen account (one record each)
  statuses: [statuses]         only applications in these states
  from, to: ISO 8601 times     only applications created in [from, to)

Ledger entries (`privacy.breach.recorded`, `.regulator_notified`, `.people_notified`, `.overdue`)
name the breach by its reference and hold counts and categories only: no person, no user number.

Errors: InvalidInput (422) for bad criteria or fields; NotFound (404) for an unknown breach;
Conflict (409) for a second notification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.calendar import buddhist_year
from pracha.config import Settings
from pracha.db import utcnow
from pracha.errors import Conflict, InvalidInput, NotFound
from pracha.identity.models import CITIZEN, DPO, User
from pracha.ledger import log as ledger
from pracha.notices.service import notify
from pracha.privacy.records import Breach, BreachSubject
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application

DEADLINE = dt.timedelta(hours=72)
REMIND_BEFORE = dt.timedelta(hours=24)
CRITERIA_KEYS = frozenset({"services", "agencies", "references", "all_citizens", "statuses", "from", "to"})
MAX_LIST = 100


def _bad(field: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(th, en, fields={field: {"th": th, "en": en}})


def _strings(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST or not all(
            isinstance(v, str) and 0 < len(v) <= 100 for v in value):
        raise _bad(field, f"{field}: ต้องเป็นรายการข้อความ 1–{MAX_LIST} รายการ",
                   f"{field}: must be a list of 1–{MAX_LIST} short texts")
    return list(dict.fromkeys(value))


def _time(value: Any, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise _bad(field, f"{field}: ต้องเป็นวันเวลา ISO 8601 พร้อมเขตเวลา",
                   f"{field}: must be an ISO 8601 time with a time zone")
    return parsed


def check_criteria(catalog: Catalog, criteria: Any) -> dict[str, Any]:
    """The criteria, checked and normalised; InvalidInput naming what is wrong."""
    if not isinstance(criteria, dict):
        raise _bad("criteria", "เงื่อนไขต้องเป็นออบเจกต์ JSON", "The criteria must be a JSON object")
    unknown = sorted(set(criteria) - CRITERIA_KEYS)
    if unknown:
        raise _bad("criteria", f"ไม่รู้จักเงื่อนไข {unknown}", f"Unknown criteria {unknown}")
    out: dict[str, Any] = {}
    for key, known in (("services", catalog.services), ("agencies", catalog.agencies),
                       ("statuses", workflow.STATUSES), ("references", None)):
        if key in criteria:
            out[key] = _strings(criteria[key], key)
            wrong = [v for v in out[key] if known is not None and v not in known]
            if wrong:
                raise _bad(key, f"{key}: ไม่รู้จัก {wrong}", f"{key}: unknown {wrong}")
    if "all_citizens" in criteria:
        if criteria["all_citizens"] is not True:
            raise _bad("all_citizens", "all_citizens ต้องเป็น true", "all_citizens must be true")
        out["all_citizens"] = True
    for key in ("from", "to"):
        if key in criteria:
            out[key] = _time(criteria[key], key).isoformat()
    if not {"services", "agencies", "references", "all_citizens"} & out.keys():
        raise _bad("criteria", "ระบุอย่างน้อยหนึ่งอย่าง: services, agencies, references หรือ all_citizens",
                   "Give at least one of services, agencies, references or all_citizens")
    if "from" in out and "to" in out and out["from"] >= out["to"]:
        raise _bad("to", "เวลาสิ้นสุดต้องหลังเวลาเริ่ม", "'to' must be after 'from'")
    return out


def affected(session: Session, criteria: dict[str, Any]) -> dict[int, int]:
    """user id → number of their records the criteria select (checked criteria only)."""
    if criteria.get("all_citizens") and not {"services", "agencies", "references"} & criteria.keys():
        return {uid: 1 for uid in session.scalars(select(User.id).where(User.role == CITIZEN))}
    query = select(Application.citizen_id, func.count()).where(Application.status != workflow.DRAFT)
    if "services" in criteria:
        query = query.where(Application.service_id.in_(criteria["services"]))
    if "agencies" in criteria:
        query = query.where(Application.agency.in_(criteria["agencies"]))
    if "references" in criteria:
        query = query.where(Application.reference.in_(criteria["references"]))
    if "statuses" in criteria:
        query = query.where(Application.status.in_(criteria["statuses"]))
    if "from" in criteria:
        query = query.where(Application.created_at >= dt.datetime.fromisoformat(criteria["from"]))
    if "to" in criteria:
        query = query.where(Application.created_at < dt.datetime.fromisoformat(criteria["to"]))
    return {uid: count for uid, count in session.execute(query.group_by(Application.citizen_id))}


@dataclass(frozen=True)
class BreachIn:
    title: str
    description: str
    discovered_at: dt.datetime
    data_categories: list[str]
    criteria: dict[str, Any]
    consequences: str = ""
    measures: str = ""


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if (required and not value) or len(value) > limit:
        raise _bad(field, f"กรุณากรอก {field} (ไม่เกิน {limit} ตัวอักษร)", f"Fill in {field} (at most {limit} characters)")
    return value


def _next_reference(session: Session, now: dt.datetime) -> str:
    year = buddhist_year(now.date())
    count = session.scalar(select(func.count()).select_from(Breach).where(Breach.reference.like(f"BR-{year}-%")))
    return f"BR-{year}-{(count or 0) + 1:04d}"


def record_breach(session: Session, catalog: Catalog, dpo: User, data: BreachIn, *,
                  now: dt.datetime | None = None) -> Breach:
    """Register an incident and its affected people (in the caller's transaction)."""
    now = now or utcnow()
    if data.discovered_at.tzinfo is None or data.discovered_at > now + dt.timedelta(minutes=5):
        raise _bad("discovered_at", "เวลาที่พบต้องมีเขตเวลาและไม่อยู่ในอนาคต",
                   "discovered_at needs a time zone and cannot be in the future")
    criteria = check_criteria(catalog, data.criteria)
    people = affected(session, criteria)
    breach = Breach(reference=_next_reference(session, now), title=_text(data.title, "title", 200),
                    description=_text(data.description, "description", 8000), discovered_at=data.discovered_at,
                    recorded_at=now, recorded_by_id=dpo.id, data_categories=_strings(data.data_categories,
                                                                                       "data_categories"),
                    criteria=criteria, consequences=_text(data.consequences, "consequences", 4000, required=False),
                    measures=_text(data.measures, "measures", 4000, required=False),
                    affected_people=len(people), affected_records=sum(people.values()), high_risk=False)
    session.add(breach)
    session.flush()
    session.add_all(BreachSubject(breach_id=breach.id, user_id=uid, records=n) for uid, n in people.items())
    ledger.record(session, "privacy.breach.recorded", actor=DPO, obj=f"breach:{breach.reference}",
                  record={"categories": breach.data_categories, "people": breach.affected_people,
                          "records": breach.affected_records, "discovered_at": breach.discovered_at.isoformat()})
    return breach


def deadline(breach: Breach) -> dt.datetime:
    return breach.discovered_at + DEADLINE


def state(breach: Breach, now: dt.datetime | None = None) -> dict[str, Any]:
    """Where the 72 hours stand: reported, due (with time left) or overdue."""
    now = now or utcnow()
    due = deadline(breach)
    left = due - now
    status = "reported" if breach.regulator_notified_at else ("overdue" if left.total_seconds() <= 0 else "due")
    hours, minutes = divmod(max(0, int(left.total_seconds())) // 60, 60)
    return {"deadline": due, "status": status, "seconds_left": int(left.total_seconds()),
            "hours_left": hours, "minutes_left": minutes,
            "remind": status == "due" and left <= REMIND_BEFORE}


def get_breach(session: Session, breach_id: int) -> Breach:
    breach = session.get(Breach, breach_id)
    if breach is None:
        raise NotFound()
    return breach


def list_breaches(session: Session) -> list[Breach]:
    return list(session.scalars(select(Breach).order_by(Breach.discovered_at.desc(), Breach.id.desc())))


def mark_regulator_notified(session: Session, breach: Breach, *, now: dt.datetime | None = None) -> Breach:
    if breach.regulator_notified_at is not None:
        raise Conflict("แจ้งสำนักงานคณะกรรมการฯ ไปแล้ว", "The regulator has already been notified.")
    breach.regulator_notified_at = now or utcnow()
    late = breach.regulator_notified_at > deadline(breach)
    ledger.record(session, "privacy.breach.regulator_notified", actor=DPO, obj=f"breach:{breach.reference}",
                  record={"within_72_hours": not late})
    return breach


def notify_people(session: Session, breach: Breach, *, now: dt.datetime | None = None) -> int:
    """The DPO found a high risk to people's rights: tell each affected person (inbox, email, SMS).
    Returns how many were told now; a person already told is not told again."""
    now = now or utcnow()
    breach.high_risk = True
    subjects = list(session.scalars(select(BreachSubject).where(BreachSubject.breach_id == breach.id,
                                                                BreachSubject.notified_at.is_(None))))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([s.user_id for s in subjects])))}
    for subject in subjects:
        title = {"en": f"A personal data breach may affect you ({breach.reference})",
                 "th": f"แจ้งเหตุการละเมิดข้อมูลส่วนบุคคลที่อาจกระทบท่าน ({breach.reference})"}
        body = {"en": f"{breach.title}\n\nWhat we have done: {breach.measures or '-'}\n"
                      "Contact the data protection officer through Pracha if you have questions.",
                "th": f"{breach.title}\n\nมาตรการที่ดำเนินการแล้ว: {breach.measures or '-'}\n"
                      "หากมีข้อสงสัย ติดต่อเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลผ่านประชา"}
        notify(session, users[subject.user_id], subject=title, body=body)
        subject.notified_at = now
    breach.people_notified_at = breach.people_notified_at or now
    ledger.record(session, "privacy.breach.people_notified", actor=DPO, obj=f"breach:{breach.reference}",
                  record={"people": len(subjects)})
    return len(subjects)


def check_deadlines(session: Session, settings: Settings, at: dt.datetime) -> None:
    """The automation's hourly job: remind the DPOs a day before the 72 hours run out, and flag (and
    tell them of) a breach still unreported when they have."""
    now = max(at, utcnow())
    open_breaches = list(session.scalars(select(Breach).where(Breach.regulator_notified_at.is_(None),
                                                              Breach.overdue_at.is_(None))))
    if not open_breaches:
        return
    dpos = list(session.scalars(select(User).where(User.role == DPO)))
    for breach in open_breaches:
        found = state(breach, now)
        if found["status"] == "overdue":
            breach.overdue_at = now
            ledger.record(session, "privacy.breach.overdue", actor="system", obj=f"breach:{breach.reference}")
            th, en = (f"เลยกำหนด 72 ชั่วโมงแล้ว: {breach.reference}", f"72 hours passed: {breach.reference}")
        elif found["remind"] and breach.reminded_at is None:
            breach.reminded_at = now
            th, en = (f"เหลือเวลาแจ้ง สคส. {found['hours_left']} ชั่วโมง: {breach.reference}",
                      f"{found['hours_left']} hours left to notify the PDPC: {breach.reference}")
        else:
            continue
        for dpo in dpos:
            notify(session, dpo, subject={"th": th, "en": en}, body={"th": breach.title, "en": breach.title},
                   link=f"/privacy/breaches/{breach.id}")
