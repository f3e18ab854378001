"""A director's authorisations (มอบอำนาจ): another Pracha citizen may act for the juristic person, in
their own name, for chosen services (or "*": all) from one day to another. Only a director acting for
the company grants or revokes; each grant and revoke is a ledger entry naming the organisation and a
notice to the grantee; a revoked grant stays as history. Whoever acts under one is re-checked on every
request (`identity.service.acting_of`), so a revoke stops them at once.

    PrachaError
    ├── NotActingAsDirector (403)   only a director acting for the company manages its authorisations
    ├── GrantNotFound (404)
    └── InvalidInput (422)          unknown grantee, services or dates
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK, format_date
from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput, NotFound
from pracha.i18n import Phrase
from pracha.identity.models import ActingGrant, User
from pracha.identity.principal import DIRECTOR, Principal
from pracha.identity.service import citizen_with_id
from pracha.ledger import log as ledger
from pracha.notices.service import define_notice, notify
from pracha.services.catalog import Catalog

ALL_SERVICES = "*"
MAX_DAYS = 3 * 366  # at most three years
GRANTED = define_notice(
    "acting.granted",
    subject=("ท่านได้รับมอบอำนาจให้ดำเนินการในนาม {company}", "You may now act for {company}"),
    body=("กรรมการของ {company} มอบอำนาจให้ท่านดำเนินการในนามนิติบุคคลสำหรับ {services} ตั้งแต่ {start} ถึง {end} "
          "เลือก \"นิติบุคคลของฉัน\" เพื่อเริ่มดำเนินการในนามนิติบุคคล",
          "A director of {company} authorised you to act for it for {services} from {start} to {end}. "
          "Choose \"My organisations\" to start acting for it."))
REVOKED = define_notice(
    "acting.revoked",
    subject=("การมอบอำนาจในนาม {company} ถูกเพิกถอน", "Your authorisation to act for {company} was revoked"),
    body=("กรรมการของ {company} เพิกถอนการมอบอำนาจของท่านแล้ว ท่านไม่สามารถดำเนินการในนามนิติบุคคลนี้ได้อีก",
          "A director of {company} revoked your authorisation: you can no longer act for it."))


class NotActingAsDirector(Forbidden):
    code = "not_acting_as_director"
    message_th = "เฉพาะกรรมการที่กำลังดำเนินการในนามนิติบุคคลนี้เท่านั้นที่จัดการการมอบอำนาจได้"
    message_en = "Only a director acting for this company may manage its authorisations."


class GrantNotFound(NotFound):
    code = "authorisation_not_found"
    message_th = "ไม่พบการมอบอำนาจนี้"
    message_en = "No such authorisation."


def today() -> dt.date:
    return utcnow().astimezone(BANGKOK).date()


def live_grants(session: Session, user_id: int, juristic_id: str | None = None) -> list[ActingGrant]:
    """The user's authorisations in force today (not revoked, between their first and last day)."""
    day = today()
    query = select(ActingGrant).where(ActingGrant.grantee_id == user_id, ActingGrant.revoked_at.is_(None),
                                      ActingGrant.valid_from <= day, ActingGrant.valid_until >= day)
    if juristic_id is not None:
        query = query.where(ActingGrant.juristic_id == juristic_id)
    return list(session.scalars(query.order_by(ActingGrant.id)))


def require_director(principal: Principal, juristic_id: str) -> User:
    """The signed-in director acting for `juristic_id` (its authorisations are theirs to give), else 403."""
    acting = principal.acting
    if principal.user is None or acting is None or acting.role != DIRECTOR or acting.juristic_id != juristic_id:
        raise NotActingAsDirector()
    return principal.user


def _invalid(field: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(th, en, fields={field: {"th": th, "en": en}})


def _grantee(session: Session, national_id: str) -> User:
    user = citizen_with_id(session, national_id)
    if user is None:
        raise _invalid("national_id", "ไม่พบผู้ใช้ Pracha ที่มีเลขประจำตัวประชาชนนี้ (ผู้รับมอบอำนาจต้องมีบัญชี Pracha)",
                       "No Pracha citizen has this national ID (the person must have a Pracha account).")
    return user


def _services(catalog: Catalog, services: list[str]) -> list[str]:
    chosen = sorted({s.strip() for s in services if s and s.strip()})
    if not chosen:
        raise _invalid("services", "กรุณาเลือกบริการอย่างน้อยหนึ่งบริการ", "Choose at least one service.")
    if ALL_SERVICES in chosen:
        return [ALL_SERVICES]
    for service_id in chosen:
        service = catalog.services.get(service_id)
        audience = getattr(service, "audience", None)  # the catalogue's `audience` (citizen, business)
        if service is None or (audience is not None and "business" not in audience):
            raise _invalid("services", "บริการที่เลือกไม่ใช่บริการสำหรับนิติบุคคล", "A chosen service is not for businesses.")
    return chosen


def _dates(valid_from: dt.date, valid_until: dt.date) -> None:
    if valid_until < valid_from:
        raise _invalid("valid_until", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น", "The last day cannot be before the first.")
    if valid_until < today():
        raise _invalid("valid_until", "วันสิ้นสุดผ่านมาแล้ว", "The last day has already passed.")
    if (valid_until - valid_from).days > MAX_DAYS:
        raise _invalid("valid_until", "มอบอำนาจได้ไม่เกิน 3 ปี", "An authorisation lasts at most three years.")


def grant(session: Session, catalog: Catalog, principal: Principal, juristic_id: str, grantee_national_id: str,
          services: list[str], valid_from: dt.date, valid_until: dt.date) -> ActingGrant:
    """Authorise a Pracha citizen to act for the company the director acts for (see the module docstring)."""
    director = require_director(principal, juristic_id)
    grantee = _grantee(session, grantee_national_id)
    if grantee.id == director.id:
        raise _invalid("national_id", "กรรมการดำเนินการในนามบริษัทได้อยู่แล้ว ไม่ต้องมอบอำนาจให้ตนเอง",
                       "A director already acts for the company: no need to authorise yourself.")
    chosen = _services(catalog, services)
    _dates(valid_from, valid_until)
    row = ActingGrant(juristic_id=juristic_id, grantee_id=grantee.id, granted_by_id=director.id, services=chosen,
                      valid_from=valid_from, valid_until=valid_until, created_at=utcnow())
    session.add(row)
    session.flush()
    entry = _record(session, "acting.granted", director, grantee, row)
    session.flush()
    row.ledger_entry_id = entry.id
    company = _company(principal)
    names = {lang: (("ทุกบริการ" if lang == "th" else "all services") if chosen == [ALL_SERVICES] else ", ".join(
        getattr(catalog.services[s].name, lang) for s in chosen)) for lang in ("th", "en")}
    notify(session, grantee, phrase=Phrase(GRANTED, {
        "company": company, "services": names,
        "start": {lang: format_date(valid_from, lang) for lang in ("th", "en")},
        "end": {lang: format_date(valid_until, lang) for lang in ("th", "en")}}), link="/me/organisations")
    return row


def revoke(session: Session, principal: Principal, juristic_id: str, grant_id: int) -> ActingGrant:
    """Revoke one of the company's authorisations (again: no change, no second entry)."""
    director = require_director(principal, juristic_id)
    row = session.scalar(select(ActingGrant).where(ActingGrant.id == grant_id, ActingGrant.juristic_id == juristic_id)
                         .with_for_update())
    if row is None:
        raise GrantNotFound()
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by_id = utcnow(), director.id
        _record(session, "acting.revoked", director, row.grantee, row)
        notify(session, row.grantee, phrase=Phrase(REVOKED, {"company": _company(principal)}),
               link="/me/organisations")
    return row


def list_grants(session: Session, juristic_id: str) -> list[ActingGrant]:
    """The company's authorisations, newest first, revoked ones included."""
    return list(session.scalars(select(ActingGrant).where(ActingGrant.juristic_id == juristic_id)
                                .order_by(ActingGrant.id.desc())))


def grants_of(session: Session, user_id: int) -> list[ActingGrant]:
    """Authorisations the user received or gave, newest first (the data tracker, the privacy export)."""
    return list(session.scalars(select(ActingGrant).where(or_(
        ActingGrant.grantee_id == user_id, ActingGrant.granted_by_id == user_id, ActingGrant.revoked_by_id == user_id))
        .order_by(ActingGrant.id.desc())))


def grant_out(row: ActingGrant) -> dict[str, Any]:
    """The API's view of an authorisation (the grantee's national ID masked)."""
    return {"id": row.id, "grantee": {"name": row.grantee.display_name,
                                      "national_id_masked": masked(row.grantee.national_id or "")},
            "services": list(row.services), "valid_from": row.valid_from, "valid_until": row.valid_until,
            "revoked_at": row.revoked_at,
            "granted_by": {"name": row.granted_by.display_name if row.granted_by is not None else ""}}


def masked(national_id: str) -> str:
    digits = "".join(c for c in national_id if c.isdigit())
    return f"{digits[0]}-xxxx-xxxxx-{digits[10:12]}-{digits[12]}" if len(digits) == 13 else "-"


def _company(principal: Principal) -> dict[str, str]:
    acting = principal.acting
    assert acting is not None
    return {"th": acting.name_th, "en": acting.name_en or acting.name_th}


def _record(session: Session, kind: str, director: User, grantee: User, row: ActingGrant) -> Any:
    return ledger.record(session, kind, actor=f"user:{director.id}", obj=f"organisation:{row.juristic_id}",
                         record={"organisation": row.juristic_id, "grantee": f"user:{grantee.id}",
                                 "services": list(row.services), "valid_until": row.valid_until.isoformat()},
                         subject=f"user:{grantee.id}", subject_secret=grantee.national_id)
