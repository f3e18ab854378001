"""Acting for someone: a citizen (the grantor) authorises another Pracha citizen (the delegate: a child,
a spouse, a carer…) to act for them, for chosen citizen services or all ("*"), from one day to another
(at most three years). Each grant and revoke is a ledger entry holding references only (`user:<id>`),
and a notice to both people, in the transaction of the change. The grantor revokes at any time; the
delegate may give it up; a revoked delegation stays as history. The delegate chooses whom they act for
per browser session (`switch`); `identity.service.person_acted_for` re-checks the live delegations on
every request, so a revoke or the last day passing stops the acting at once.

At the counter (`delegation.forms`), an officer serving the grantor registers a delegation with the
scanned power-of-attorney document. Errors: `delegation.errors`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK, format_date
from pracha.db import utcnow
from pracha.delegation.errors import ActingForSomeone, DelegationNotFound, NotADelegate
from pracha.errors import Forbidden, InvalidInput
from pracha.i18n import Phrase
from pracha.identity.models import CITIZEN, Delegation, User, WebSession
from pracha.identity.principal import DELEGATE, Principal
from pracha.identity.service import citizen_with_id, live_delegated_services, live_delegations
from pracha.ledger import log as ledger
from pracha.ledger.models import LedgerEntry
from pracha.notices.service import define_notice, notify
from pracha.services.catalog import CITIZEN_AUDIENCE, Catalog

ALL_SERVICES = "*"
RELATIONSHIPS = ("child", "spouse", "parent", "relative", "carer", "other")
MAX_DAYS = 3 * 366  # at most three years from the first day to the last
ACTIVE, SCHEDULED, EXPIRED, REVOKED = "active", "scheduled", "expired", "revoked"
PAGE = "/me/delegations"

GRANTED = define_notice(
    "delegation.granted",
    subject=("{grantor} มอบอำนาจให้ท่านดำเนินการแทน", "{grantor} authorised you to act for them"),
    body=("{grantor} มอบอำนาจให้ท่านดำเนินการแทนสำหรับ {services} ตั้งแต่ {start} ถึง {end} "
          "เลือก \"ดำเนินการแทนผู้อื่น\" เพื่อเริ่มดำเนินการแทน ทุกขั้นตอนที่ท่านทำจะแสดงให้ผู้มอบอำนาจเห็น",
          "{grantor} authorised you to act for them for {services} from {start} to {end}. Choose \"Act for "
          "someone\" to start. The person sees every step you take for them."))
GAVE = define_notice(
    "delegation.given",
    subject=("ท่านมอบอำนาจให้ {delegate} แล้ว", "You authorised {delegate}"),
    body=("{delegate} ดำเนินการแทนท่านได้สำหรับ {services} ตั้งแต่ {start} ถึง {end} ท่านดูทุกขั้นตอนที่ทำแทนท่าน "
          "และเพิกถอนได้ทุกเมื่อที่หน้า \"การมอบอำนาจ\"",
          "{delegate} may act for you for {services} from {start} to {end}. You see every step taken for you, "
          "and can revoke it at any time, on the \"Delegations\" page."))
ENDED = define_notice(
    "delegation.ended",
    subject=("การมอบอำนาจระหว่าง {grantor} และ {delegate} สิ้นสุดแล้ว",
             "The delegation from {grantor} to {delegate} has ended"),
    body=("{who} ยกเลิกการมอบอำนาจแล้ว {delegate} ไม่สามารถดำเนินการแทน {grantor} ได้อีก "
          "ขั้นตอนที่ทำไปแล้วยังคงแสดงในประวัติ",
          "{who} ended the delegation: {delegate} can no longer act for {grantor}. The steps already taken "
          "stay in the history."))


def today() -> dt.date:
    return utcnow().astimezone(BANGKOK).date()


def default_period(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Today to the same day a year on (28 February for a 29 February)."""
    first = day or today()
    try:
        return first, first.replace(year=first.year + 1)
    except ValueError:
        return first, first.replace(year=first.year + 1, day=28)


def status_of(row: Delegation, day: dt.date | None = None) -> str:
    day = day or today()
    if row.revoked_at is not None:
        return REVOKED
    if row.valid_until < day:
        return EXPIRED
    return SCHEDULED if row.valid_from > day else ACTIVE


def invalid(field: str, th: str, en: str) -> InvalidInput:
    return InvalidInput(th, en, fields={field: {"th": th, "en": en}})


def require_grantor(principal: Principal) -> User:
    """The signed-in citizen acting for themself (a grantor authorises for their own affairs only)."""
    if principal.acting is not None:
        raise ActingForSomeone()
    if principal.role != CITIZEN or principal.user is None or principal.for_person is not None:
        raise Forbidden()
    return principal.user


def find_delegate(session: Session, national_id: str, grantor: User) -> User:
    user = citizen_with_id(session, national_id)
    if user is None:
        raise invalid("national_id", "ไม่พบผู้ใช้ Pracha ที่มีเลขประจำตัวประชาชนนี้ (ผู้รับมอบอำนาจต้องมีบัญชี Pracha)",
                      "No Pracha citizen has this national ID (the delegate needs a Pracha account).")
    if user.id == grantor.id:
        raise invalid("national_id", "มอบอำนาจให้ตนเองไม่ได้", "You cannot authorise yourself.")
    return user


def check_relationship(relationship: str) -> str:
    value = (relationship or "").strip()
    if value not in RELATIONSHIPS:
        raise invalid("relationship", "กรุณาเลือกความสัมพันธ์กับผู้รับมอบอำนาจ", "Choose how you are related.")
    return value


def check_services(catalog: Catalog, services: list[str]) -> list[str]:
    """The chosen citizen services, sorted; ["*"] for all."""
    chosen = sorted({s.strip() for s in services if s and s.strip()})
    if not chosen:
        raise invalid("services", "กรุณาเลือกบริการอย่างน้อยหนึ่งบริการ", "Choose at least one service.")
    if ALL_SERVICES in chosen:
        return [ALL_SERVICES]
    for service_id in chosen:
        service = catalog.services.get(service_id)
        if service is None or CITIZEN_AUDIENCE not in service.audience:
            raise invalid("services", "บริการที่เลือกไม่ใช่บริการสำหรับประชาชน", "A chosen service is not for citizens.")
    return chosen


def check_dates(valid_from: dt.date | None, valid_until: dt.date | None) -> tuple[dt.date, dt.date]:
    first, last = default_period()
    first = valid_from or first
    last = valid_until or default_period(first)[1]
    if first < today():
        raise invalid("valid_from", "วันเริ่มต้นผ่านมาแล้ว", "The first day has already passed.")
    if last < first:
        raise invalid("valid_until", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น", "The last day cannot be before the first.")
    if (last - first).days > MAX_DAYS:
        raise invalid("valid_until", "มอบอำนาจได้ไม่เกิน 3 ปี", "A delegation lasts at most three years.")
    return first, last


def grant(session: Session, catalog: Catalog, principal: Principal, national_id: str, relationship: str,
          services: list[str], valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> Delegation:
    """The signed-in citizen authorises a Pracha citizen (by national ID) to act for them."""
    grantor = require_grantor(principal)
    checked = check(session, catalog, grantor, national_id, relationship, services, valid_from, valid_until)
    return create(session, catalog, grantor, grantor, checked)


@dataclass(frozen=True)
class Checked:
    """A delegation's fields, each checked."""

    delegate: User
    relationship: str
    services: list[str]
    valid_from: dt.date
    valid_until: dt.date


def check(session: Session, catalog: Catalog, grantor: User, national_id: str, relationship: str,
          services: list[str], valid_from: dt.date | None, valid_until: dt.date | None, *,
          more: dict[str, dict[str, str]] | None = None) -> Checked:
    """Every field checked, or one 422 naming each field's problem (and the caller's `more`)."""
    problems: dict[str, dict[str, str]] = dict(more or {})
    found: dict[str, Any] = {}
    for name, run in (("delegate", lambda: find_delegate(session, national_id, grantor)),
                      ("relationship", lambda: check_relationship(relationship)),
                      ("services", lambda: check_services(catalog, services)),
                      ("dates", lambda: check_dates(valid_from, valid_until))):
        try:
            found[name] = run()
        except InvalidInput as exc:
            problems.update(exc.fields)
    if problems:
        raise InvalidInput(fields=problems)
    return Checked(found["delegate"], found["relationship"], found["services"], *found["dates"])


def create(session: Session, catalog: Catalog, grantor: User, made_by: User, checked: Checked, *,
           counter_session_id: int | None = None, power_of_attorney: str | None = None) -> Delegation:
    """The row, its ledger entry and both notices, in the caller's transaction. `made_by`: the grantor,
    or the officer at the counter."""
    delegate, first, last = checked.delegate, checked.valid_from, checked.valid_until
    row = Delegation(grantor_id=grantor.id, delegate_id=delegate.id, relationship_kind=checked.relationship,
                     services=checked.services, valid_from=first, valid_until=last, created_at=utcnow(),
                     counter_session_id=counter_session_id, power_of_attorney=power_of_attorney)
    row.grantor, row.delegate = grantor, delegate
    session.add(row)
    session.flush()
    entry = _record(session, "delegation.granted", made_by, row)
    session.flush()
    row.ledger_entry_id = entry.id
    params = {"grantor": grantor.display_name, "delegate": delegate.display_name,
              "services": services_text(catalog, row.services),
              "start": {lang: format_date(first, lang) for lang in ("th", "en")},
              "end": {lang: format_date(last, lang) for lang in ("th", "en")}}
    notify(session, delegate, phrase=Phrase(GRANTED, params), link="/me/acting-for")
    notify(session, grantor, phrase=Phrase(GAVE, params), link=PAGE)
    return row


def revoke(session: Session, principal: Principal, delegation_id: int) -> Delegation:
    """The grantor revokes, or the delegate gives it up (again: no change, no second entry); anyone
    else: 404 `delegation_not_found`."""
    user = principal.user
    if principal.role != CITIZEN or user is None:
        raise Forbidden()
    row = session.scalar(select(Delegation).where(Delegation.id == delegation_id).with_for_update())
    if row is None or user.id not in (row.grantor_id, row.delegate_id):
        raise DelegationNotFound()
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by_id = utcnow(), user.id
        _record(session, "delegation.revoked", user, row)
        by_grantor = user.id == row.grantor_id
        params = {"grantor": row.grantor.display_name, "delegate": row.delegate.display_name,
                  "who": {"th": "ผู้มอบอำนาจ" if by_grantor else "ผู้รับมอบอำนาจ",
                          "en": "The person who gave it" if by_grantor else "The delegate"}}
        for person in (row.grantor, row.delegate):
            notify(session, person, phrase=Phrase(ENDED, params), link=PAGE)
    return row


def given(session: Session, user_id: int) -> list[Delegation]:
    """The delegations the user gave, newest first, revoked and expired ones included."""
    return list(session.scalars(select(Delegation).where(Delegation.grantor_id == user_id)
                                .order_by(Delegation.id.desc())))


def received(session: Session, user_id: int) -> list[Delegation]:
    return list(session.scalars(select(Delegation).where(Delegation.delegate_id == user_id)
                                .order_by(Delegation.id.desc())))


def delegations_of(session: Session, user_id: int) -> list[Delegation]:
    """Given or received, newest first (the data tracker, the privacy export)."""
    return list(session.scalars(select(Delegation).where(or_(
        Delegation.grantor_id == user_id, Delegation.delegate_id == user_id)).order_by(Delegation.id.desc())))


def grantors_of(session: Session, delegate_id: int) -> list[User]:
    """The people whose live delegations let this user act for them, in the order of their names."""
    found = {row.grantor_id: row.grantor for row in live_delegations(session, delegate_id)}
    return sorted(found.values(), key=lambda u: (u.display_name, u.id))


def switch(session: Session, web_session: WebSession, grantor_id: int) -> dict[str, Any]:
    """Act for `grantor_id` from now on in this browser session (not for a company any more): 403
    `not_a_delegate` without a live delegation from them."""
    user = web_session.user
    if user.role != CITIZEN:
        raise Forbidden()
    services = live_delegated_services(session, grantor_id, user.id)
    grantor = session.get(User, grantor_id) if services else None
    if grantor is None:
        raise NotADelegate()
    web_session.acting_for_person = grantor.id
    web_session.acting_for, web_session.acting = None, None
    return {"person": person_out(grantor, services)}


def act_as_self(web_session: WebSession) -> dict[str, Any]:
    web_session.acting_for_person = None
    return {"person": None}


def acting_out(principal: Principal) -> dict[str, Any]:
    """{"person": null | {"id", "name", "services"}}: whom the caller acts for as a delegate."""
    for_person = principal.for_person
    if for_person is None or for_person.kind != DELEGATE:
        return {"person": None}
    return {"person": person_out(for_person.person, for_person.services or {ALL_SERVICES})}


def person_out(person: User, services: set[str] | frozenset[str]) -> dict[str, Any]:
    return {"id": person.id, "name": person.display_name,
            "services": [ALL_SERVICES] if ALL_SERVICES in services else sorted(services)}


def delegation_out(row: Delegation, entry_index: int | None = None) -> dict[str, Any]:
    """The API's view of a delegation (names, no national IDs)."""
    return {"id": row.id, "grantor": {"id": row.grantor_id, "name": row.grantor.display_name},
            "delegate": {"id": row.delegate_id, "name": row.delegate.display_name},
            "relationship": row.relationship_kind, "services": list(row.services),
            "valid_from": row.valid_from, "valid_until": row.valid_until, "status": status_of(row),
            "made_at_counter": row.counter_session_id is not None or row.power_of_attorney is not None,
            "ledger_entry": entry_index}


def ledger_entries(session: Session, rows: list[Delegation]) -> dict[int, LedgerEntry]:
    """Delegation id → the ledger entry of its grant."""
    ids = [d.ledger_entry_id for d in rows if d.ledger_entry_id is not None]
    if not ids:
        return {}
    entries = {e.id: e for e in session.scalars(select(LedgerEntry).where(LedgerEntry.id.in_(ids)))}
    return {d.id: entries[d.ledger_entry_id] for d in rows if d.ledger_entry_id in entries}


def delegations_out(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """{"granted": [...], "received": [...]}, each newest first."""
    mine, theirs = given(session, user_id), received(session, user_id)
    entries = ledger_entries(session, mine + theirs)

    def out(row: Delegation) -> dict[str, Any]:
        entry = entries.get(row.id)
        return delegation_out(row, entry.index if entry is not None else None)

    return {"granted": [out(d) for d in mine], "received": [out(d) for d in theirs]}


def services_text(catalog: Catalog, services: list[str]) -> dict[str, str]:
    if ALL_SERVICES in services:
        return {"th": "ทุกบริการ", "en": "all services"}
    return {lang: ", ".join(getattr(catalog.services[s].name, lang) if s in catalog.services else s
                            for s in services) for lang in ("th", "en")}


def _record(session: Session, kind: str, actor: User, row: Delegation) -> Any:
    """References only: who, for whom, what and until when; never a name or a national ID."""
    return ledger.record(session, kind, actor=f"user:{actor.id}", obj=f"delegation:{row.id}",
                         record={"grantor": f"user:{row.grantor_id}", "delegate": f"user:{row.delegate_id}",
                                 "services": list(row.services), "valid_from": row.valid_from.isoformat(),
                                 "valid_until": row.valid_until.isoformat(),
                                 "at_counter": row.counter_session_id is not None},
                         subject=f"user:{row.grantor_id}", subject_secret=row.grantor.national_id)
