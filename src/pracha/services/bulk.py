"""Acting on several applications at once, from the officer's queue: take them into review, take
them (assign to me), or give them to a colleague. Each application goes through the same function a
single action does (`service.act`, `casework.assign`) in its own savepoint: one that is refused (already
in review, another officer's case, not found) is rolled back alone and reported with its reason; the
others go through, and the caller commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pracha.errors import Forbidden, InvalidInput, PrachaError
from pracha.identity.principal import Principal
from pracha.services import casework, service
from pracha.services.catalog import Catalog

REVIEW, ASSIGN_ME, ASSIGN = "review", "assign_me", "assign"
ACTIONS = (REVIEW, ASSIGN_ME, ASSIGN)
MAX_REFERENCES = 50


@dataclass(frozen=True)
class Outcome:
    """What happened to one application: done, or refused with the error's code and message."""

    reference: str
    ok: bool
    error: str | None = None
    message_th: str | None = None
    message_en: str | None = None

    def message(self, lang: str) -> str | None:
        return self.message_en if lang == "en" else self.message_th

    def to_json(self, lang: str) -> dict[str, object]:
        return {"reference": self.reference, "ok": self.ok, "error": self.error, "message": self.message(lang)}


def bad_request(th: str, en: str, field: str) -> InvalidInput:
    return InvalidInput(th, en, fields={field: {"th": th, "en": en}})


def clean_references(references: Iterable[str]) -> list[str]:
    """The references as typed, upper-cased, blanks and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for reference in references:
        if text := reference.strip().upper():
            seen.setdefault(text[:40], None)
    return list(seen)


def act_on_many(session: Session, catalog: Catalog, principal: Principal, references: Iterable[str], action: str,
                *, assignee_id: int | None = None) -> list[Outcome]:
    """Do `action` on each application; refusals are outcomes, not errors. Raises only for a request
    that cannot start: an unknown action, no references or too many, `assign` without an assignee."""
    refs = clean_references(references)
    if action not in ACTIONS:
        raise bad_request("กรุณาเลือกสิ่งที่จะทำ", "Choose what to do.", "action")
    if not refs:
        raise bad_request("กรุณาเลือกคำขออย่างน้อยหนึ่งรายการ", "Select at least one application.", "references")
    if len(refs) > MAX_REFERENCES:
        raise bad_request(f"เลือกได้ครั้งละไม่เกิน {MAX_REFERENCES} รายการ",
                          f"At most {MAX_REFERENCES} applications at a time.", "references")
    if action == ASSIGN_ME and principal.user_id is None:
        raise Forbidden()  # an agency's system (token) holds no cases itself
    if action == ASSIGN and assignee_id is None:
        raise bad_request("กรุณาเลือกเจ้าหน้าที่ที่จะมอบหมาย", "Choose the colleague to assign.", "user_id")
    outcomes = []
    for reference in refs:
        try:
            with session.begin_nested():
                application = service.get_application(session, principal, reference, for_update=True)
                if action == REVIEW:
                    service.act(session, catalog, principal, application, "review")
                else:
                    casework.assign(session, principal, application,
                                    principal.user_id if action == ASSIGN_ME else assignee_id)
        except PrachaError as refused:
            outcomes.append(Outcome(reference, False, refused.code, refused.message_th, refused.message_en))
        else:
            outcomes.append(Outcome(reference, True))
    return outcomes
