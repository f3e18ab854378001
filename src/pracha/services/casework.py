"""Casework, the agency's side of an application: who handles it (assignment), internal notes, and
acting on several applications at once. Citizens never see any of it on their pages or API.

An assignment is not written to the ledger: it changes nothing the citizen is owed or has given (the
ledger commits to the application's status, form and documents), and the log would publish the
agency's workload. It is kept, with who made it, in the case's internal log (`CaseNote`, kind
"assigned"). Notes are personal data about the citizen (an officer's remarks about them), so they are
encrypted under the citizen's own key (erasure shreds them) and go into the citizen's PDPA export
(s. 30 access right: the law has no general exemption for internal remarks), without the officer's name.

    PrachaError
    ├── Forbidden (403)                       not staff of the application's agency; auditors only read
    ├── Conflict → NotAssignable (409)        closed application, or held by another officer
    └── InvalidInput → NotAColleague (422)    the assignee is not an officer of the agency; bad note
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.errors import Conflict, Forbidden, InvalidInput
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, OFFICER, User
from pracha.identity.principal import API_TOKEN, Principal
from pracha.services import workflow
from pracha.services.models import Application
from pracha.vault import Encrypted

NOTE, ASSIGNED = "note", "assigned"
HANDLERS = (OFFICER, AGENCY_ADMIN)  # may hold a case and write notes
NOTE_READERS = (OFFICER, AGENCY_ADMIN, AUDITOR)
MAX_NOTE = 4000


class CaseNote(Base):
    """One line of a case's internal log: a note (text, encrypted) or an assignment."""

    __tablename__ = "case_notes"
    __vault_subject__ = ("citizen_id", "citizen")  # under the citizen's key: shredded with them

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # NOTE | ASSIGNED
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str | None] = mapped_column(Encrypted())

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class NotAssignable(Conflict):
    code = "not_assignable"


class NotAColleague(InvalidInput):
    code = "not_a_colleague"
    message_th = "ผู้รับมอบหมายต้องเป็นเจ้าหน้าที่ของหน่วยงานที่รับคำขอนี้"
    message_en = "The assignee must be an officer of the agency handling this application."

    def __init__(self) -> None:
        super().__init__(fields={"user_id": {"th": self.message_th, "en": self.message_en}})


def colleagues(session: Session, agency: str | None) -> list[User]:
    """The officers and agency admins of `agency`, by name (names are encrypted: sorted here)."""
    if agency is None:
        return []
    people = session.scalars(select(User).where(User.agency == agency, User.role.in_(HANDLERS))).all()
    return sorted(people, key=lambda u: (u.display_name, u.id))


def _may_manage(principal: Principal, application: Application) -> bool:
    if principal.role in HANDLERS:
        return application.agency == principal.agency
    return (principal.role == API_TOKEN and application.agency == principal.agency
            and principal.has_scope("applications:write"))


def assign(session: Session, principal: Principal, application: Application, assignee_id: int | None
           ) -> Application:
    """Give `application` (locked by the caller) to an officer of its agency, or to nobody (None).
    An officer takes unassigned cases and hands on or drops their own; an agency admin (or the
    agency's system, by token) may also move a colleague's. Assigning to the present holder is a no-op."""
    if not _may_manage(principal, application):
        raise Forbidden()
    if application.status not in workflow.OPEN:
        raise NotAssignable("มอบหมายได้เฉพาะคำขอที่ยื่นแล้วและยังไม่มีคำวินิจฉัย",
                            "Only applications that are submitted and not yet decided can be assigned.")
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or assignee.role not in HANDLERS or assignee.agency != application.agency:
            raise NotAColleague()
    if assignee_id == application.assignee_id:
        return application
    holder = application.assignee
    if principal.role == OFFICER and holder is not None and holder.id != principal.user_id:
        raise NotAssignable(f"คำขอนี้อยู่ในความรับผิดชอบของ {holder.display_name} กรุณาติดต่อผู้นั้นหรือผู้ดูแลหน่วยงาน",
                            f"{holder.display_name} is handling this application: ask them or an agency admin.",
                            assignee_id=holder.id)
    application.assignee_id = assignee_id
    session.add(CaseNote(application_id=application.id, citizen_id=application.citizen_id, kind=ASSIGNED,
                         author_id=principal.user_id, author_role=principal.role, assignee_id=assignee_id))
    session.flush()
    session.expire(application, ["assignee"])
    return application


def add_note(session: Session, principal: Principal, application: Application, text: str) -> CaseNote:
    """An internal note by an officer or admin of the application's agency (auditors only read)."""
    if principal.role not in HANDLERS or application.agency != principal.agency:
        raise Forbidden()
    text = (text or "").strip()
    if not text or len(text) > MAX_NOTE:
        problem = ({"th": "กรุณาเขียนบันทึก", "en": "Please write the note."} if not text else
                   {"th": f"บันทึกยาวได้ไม่เกิน {MAX_NOTE} ตัวอักษร", "en": f"At most {MAX_NOTE} characters."})
        raise InvalidInput(problem["th"], problem["en"], fields={"note": problem})
    note = CaseNote(application_id=application.id, citizen_id=application.citizen_id, kind=NOTE,
                    author_id=principal.user_id, author_role=principal.role, body=text)
    session.add(note)
    session.flush()
    return note


def may_read_notes(principal: Principal, application: Application) -> bool:
    """Staff who can see the application (its agency's officers; auditors everywhere); not tokens."""
    if principal.role == AUDITOR:
        return True
    return principal.role in HANDLERS and application.agency == principal.agency


def case_log(session: Session, principal: Principal, application: Application) -> list[CaseNote]:
    """The case's internal log, oldest first: notes and assignments."""
    if not may_read_notes(principal, application):
        raise Forbidden()
    return list(session.scalars(select(CaseNote).where(CaseNote.application_id == application.id)
                                .order_by(CaseNote.id)))


def notes_about(session: Session, citizen_id: int) -> list[CaseNote]:
    """Every note about a citizen, for their PDPA export (the privacy package calls it)."""
    return list(session.scalars(select(CaseNote).where(CaseNote.citizen_id == citizen_id, CaseNote.kind == NOTE)
                                .order_by(CaseNote.id)))


def page_context(session: Session, principal: Principal, application: Application, view: str | None
                 ) -> dict[str, object] | None:
    """What the application page's staff block shows (None for anyone else): the internal log, whom
    the case can go to, and the document asked for inline (`?view=<document id>`)."""
    if not may_read_notes(principal, application):
        return None
    manage = _may_manage(principal, application) and application.status in workflow.OPEN
    viewing = next((d for d in application.documents if view and str(d.id) == view), None)
    return {"log": case_log(session, principal, application), "manage": manage,
            "colleagues": colleagues(session, application.agency) if manage else [],
            "may_write": principal.role in HANDLERS, "viewing": viewing}
