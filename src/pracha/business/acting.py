"""Acting for a juristic person: which organisations a citizen may act for (the business registry's
directorships, then live authorisations), the explicit switch of a browser session, and acting as
oneself again; and (from `business.grants`) directors' authorisations of other citizens.

    PrachaError
    ├── NotADirector (403)          organisations: neither a director nor authorised for it
    └── UnknownOrganisation (404)   organisations: the registry has no such juristic person
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.business import organisations
from pracha.business.grants import grant, list_grants, live_grants, revoke
from pracha.business.organisations import NotADirector, UnknownOrganisation
from pracha.config import Settings
from pracha.errors import Forbidden, InvalidInput
from pracha.identity.models import CITIZEN, User, WebSession
from pracha.identity.principal import AUTHORISED, DIRECTOR

__all__ = ["NotADirector", "UnknownOrganisation", "act_as_self", "acting_out", "grant", "list_grants",
           "live_grants", "organisations_of", "revoke", "switch"]


def organisations_of(session: Session, settings: Settings, user: User) -> list[dict[str, Any]]:
    """[{juristic_id, name_th, name_en, role}]: the registry's directorships (role "director"), then the
    juristic persons the user holds a live authorisation for and is not a director of ("authorised"),
    their names read from the registry too (once-only: Pracha keeps no copy)."""
    found = [{"juristic_id": d["juristic_id"], "name_th": d.get("name_th", ""), "name_en": d.get("name_en", ""),
              "role": DIRECTOR} for d in organisations.directorships(session, settings, user)
             if d.get("juristic_id")]
    seen = {item["juristic_id"] for item in found}
    for held in live_grants(session, user.id):
        if held.juristic_id in seen:
            continue
        seen.add(held.juristic_id)
        try:
            record = organisations.juristic_person(session, settings, user, held.juristic_id)
        except UnknownOrganisation:
            continue  # struck off the register: nothing to act for
        found.append({"juristic_id": held.juristic_id, "name_th": record.get("name_th", ""),
                      "name_en": record.get("name_en", ""), "role": AUTHORISED})
    return found


def switch(session: Session, settings: Settings, web_session: WebSession, juristic_id: str) -> dict[str, Any]:
    """Act for the juristic person from now on in this browser session: a director the registry lists,
    else a holder of a live authorisation; NotADirector (403) otherwise — a director of one company
    cannot act for another — and UnknownOrganisation (404) when the registry has no such number."""
    user = web_session.user
    if user.role != CITIZEN:
        raise Forbidden()
    juristic_id = (juristic_id or "").strip()
    if not (len(juristic_id) == 13 and juristic_id.isascii() and juristic_id.isdigit()):
        raise InvalidInput("เลขทะเบียนนิติบุคคลต้องเป็นตัวเลข 13 หลัก",
                           "A juristic person number has 13 digits.", fields={"juristic_id": {
                               "th": "เลขทะเบียนนิติบุคคลต้องเป็นตัวเลข 13 หลัก",
                               "en": "A juristic person number has 13 digits."}})
    record = organisations.juristic_person(session, settings, user, juristic_id)
    role = organisations.role_in(record, user)
    if role is None and live_grants(session, user.id, juristic_id):
        role = AUTHORISED
    if role is None:
        raise NotADirector()
    web_session.acting_for = juristic_id
    web_session.acting = organisations.acting_detail(record, role)
    web_session.acting_for_person = None  # one party at a time: no longer acting for a person (pracha.delegation)
    return acting_out(web_session)


def act_as_self(web_session: WebSession) -> None:
    web_session.acting_for = None
    web_session.acting = None


def acting_out(web_session: WebSession | None) -> dict[str, Any]:
    """The API's view of whom the session acts for: {juristic_id, name_th, name_en, role} or
    {"juristic_id": None}."""
    if web_session is None or web_session.acting_for is None:
        return {"juristic_id": None}
    detail = web_session.acting or {}
    return {"juristic_id": web_session.acting_for, "name_th": detail.get("name_th", ""),
            "name_en": detail.get("name_en", ""), "role": detail.get("role", AUTHORISED)}
