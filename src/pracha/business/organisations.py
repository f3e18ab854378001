"""What Pracha knows of juristic persons: only what the business registry says, asked through the
exchange each time (once-only: nothing about a company is typed into Pracha or kept apart from it).

Both calls go as the portal, for the purpose `acting-for` (a legal duty the registry declares), in the
caller's transaction: the message log, the ledger entry and the citizen's data tracker record them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.errors import Forbidden, NotFound
from pracha.exchange.service import call
from pracha.exchange.vocabulary import ACTING_FOR, PORTAL, REGISTRIES
from pracha.identity.models import User
from pracha.identity.principal import AUTHORISED, DIRECTOR

_BUSINESS = REGISTRIES["business"].subsystem
DIRECTORS = f"{_BUSINESS}/directors"
JURISTIC_PERSONS = f"{_BUSINESS}/juristic-persons"


class NotADirector(Forbidden):
    code = "not_a_director"
    message_th = "ทะเบียนนิติบุคคลไม่ได้ระบุว่าท่านเป็นกรรมการผู้มีอำนาจของนิติบุคคลนี้ และท่านไม่ได้รับมอบอำนาจ"
    message_en = "The business registry does not list you as an authorised director of this company, " \
                 "and you hold no authorisation for it."


class UnknownOrganisation(NotFound):
    code = "organisation_not_found"
    message_th = "ไม่พบนิติบุคคลเลขทะเบียนนี้ในทะเบียนนิติบุคคล"
    message_en = "The business registry has no juristic person with this number."


def directorships(session: Session, settings: Settings, user: User) -> list[dict[str, Any]]:
    """The juristic persons the registry lists `user` as a director of:
    [{juristic_id, name_th, name_en, status, position_th, position_en}] (empty if none or unknown)."""
    if not user.national_id:
        return []
    answer = call(session, settings, client=PORTAL, service_id=DIRECTORS,
                  path=f"{user.national_id}/juristic-persons", purpose=ACTING_FOR,
                  subject_national_id=user.national_id, user=f"citizen:{user.id}")
    if answer.status == 404:
        return []
    items = answer.body.get("juristic_persons", [])
    return [dict(item) for item in items if isinstance(item, dict)]


def juristic_person(session: Session, settings: Settings, user: User, juristic_id: str) -> dict[str, Any]:
    """The registry's record of the juristic person (see registries/business.py `JuristicPersonOut`),
    asked on behalf of `user`; UnknownOrganisation (404) if it has none."""
    if not user.national_id:
        raise Forbidden()
    answer = call(session, settings, client=PORTAL, service_id=JURISTIC_PERSONS, path=juristic_id.strip(),
                  purpose=ACTING_FOR, subject_national_id=user.national_id, user=f"citizen:{user.id}")
    if answer.status in (400, 404):
        raise UnknownOrganisation()
    return answer.body


def role_in(record: dict[str, Any], user: User) -> str | None:
    """DIRECTOR if the registry's record lists `user` among its directors, else None."""
    ids = {d.get("national_id") for d in record.get("directors", [])}
    return DIRECTOR if user.national_id in ids else None


def acting_detail(record: dict[str, Any], role: str) -> dict[str, Any]:
    """What a session keeps of the registry's answer when it switches (web_sessions.acting)."""
    rule = record.get("signing_rule") or {}
    return {"name_th": record.get("name_th", ""), "name_en": record.get("name_en", ""), "role": role,
            "directors_required": int(rule.get("directors_required", 1)) if role == DIRECTOR else 1}


__all__ = ["AUTHORISED", "DIRECTOR", "NotADirector", "UnknownOrganisation", "acting_detail", "directorships",
           "juristic_person", "role_in"]
