"""Citizens' answers to a hearing: one per citizen, editable until the close. The first answer enters a
tally entry in the public ledger (a keyed commitment, never the person); edits do not add entries.

What the public sees of the answers: the count, the counts per choice, and the comments of those who
consented to publication, numbered ("ความคิดเห็นที่ 12"), never with a name; a hidden comment shows
the moderator's reason instead of its text."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, InvalidInput
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.participation import tally
from pracha.participation.errors import NotOpen
from pracha.participation.hearings import MAX_TEXT, status_of
from pracha.participation.limits import check_rate
from pracha.participation.models import H_OPEN, Hearing, HearingResponse

__all__ = ["Answer", "PublicComment", "answer_hearing", "choice_counts", "my_response", "public_comments",
           "response_count", "tally_range"]


TOO_LONG = {"th": f"ยาวไม่เกิน {MAX_TEXT:,} ตัวอักษร", "en": f"At most {MAX_TEXT:,} characters."}


class AnswerInProgress(Conflict):
    code = "answer_in_progress"
    message_th = "กำลังบันทึกความคิดเห็นของท่านจากอีกหน้าหนึ่ง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"
    message_en = "Your answer is being saved from another page. Reload and try again."


@dataclass
class Answer:
    answers: dict[str, Any]
    comments: dict[str, Any]
    publish_consent: bool = False


@dataclass(frozen=True)
class PublicComment:
    response_id: int
    number: int  # the answer's place in the hearing (1 = the first answer): says nothing of who
    section_id: str
    text: str | None  # None when hidden
    hidden_reason: str | None


def _citizen(principal: Principal) -> Any:
    user = principal.user
    if user is None or user.is_staff or principal.token is not None:
        raise InvalidInput("เฉพาะประชาชนที่เข้าสู่ระบบแล้วเท่านั้นที่แสดงความคิดเห็นได้",
                           "Only a signed-in citizen can answer a hearing.")
    return user


def _check(hearing: Hearing, answer: Answer) -> tuple[dict[str, str], dict[str, str]]:
    problems: dict[str, dict[str, str]] = {}
    questions = {q["id"]: q for q in hearing.questions}
    answers: dict[str, str] = {}
    for qid, value in (answer.answers or {}).items():
        q = questions.get(qid)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            continue
        if q is None or not isinstance(value, str):
            problems[f"answers.{qid}"[:60]] = {"th": "ไม่มีคำถามนี้", "en": "There is no such question."}
        elif q["kind"] == "choice" and value not in {c["id"] for c in q["choices"]}:
            problems[f"answers.{qid}"] = {"th": "กรุณาเลือกจากตัวเลือกที่มี", "en": "Choose one of the choices."}
        elif len(value) > MAX_TEXT:
            problems[f"answers.{qid}"] = TOO_LONG
        else:
            answers[qid] = value
    sections = {s["id"] for s in hearing.sections}
    comments: dict[str, str] = {}
    for sid, text in (answer.comments or {}).items():
        text = text.strip() if isinstance(text, str) else text
        if text in (None, ""):
            continue
        if sid not in sections or not isinstance(text, str):
            problems[f"comments.{sid}"[:60]] = {"th": "ไม่มีส่วนนี้ในร่าง", "en": "The draft has no such section."}
        elif len(text) > MAX_TEXT:
            problems[f"comments.{sid}"] = TOO_LONG
        else:
            comments[sid] = text
    if not problems and not answers and not comments:
        problems["answers"] = {"th": "กรุณาตอบคำถามอย่างน้อยหนึ่งข้อ หรือแสดงความคิดเห็นต่อร่าง",
                               "en": "Answer at least one question or comment on the draft."}
    if problems:
        raise InvalidInput(fields=problems)
    return answers, comments


def my_response(session: Session, principal: Principal, hearing: Hearing) -> HearingResponse | None:
    user = principal.user
    if user is None:
        return None
    return session.scalar(select(HearingResponse).where(HearingResponse.hearing_id == hearing.id,
                                                        HearingResponse.user_id == user.id))


def answer_hearing(session: Session, principal: Principal, secret: bytes, hearing: Hearing, answer: Answer, *,
                   now: dt.datetime | None = None) -> tuple[HearingResponse, bool]:
    """Save the citizen's answer (created: True the first time) in the caller's transaction."""
    user = _citizen(principal)
    now = now or utcnow()
    if status_of(hearing, now) != H_OPEN:
        raise NotOpen()
    answers, comments = _check(hearing, answer)
    response = session.scalar(select(HearingResponse).where(
        HearingResponse.hearing_id == hearing.id, HearingResponse.user_id == user.id).with_for_update())
    if response is not None:
        response.answers, response.comments = answers, comments
        response.publish_consent = bool(answer.publish_consent)
        response.updated_at = now
        return response, False
    check_rate(session, "hearing_response", user.id, now=now)
    value = tally.commitment(secret, "hearing", hearing.id, user.national_id)
    try:
        with session.begin_nested():  # a second first answer sent at the same moment: one wins, one is told
            entry = tally.record_tally(session, tally.HEARING_RESPONSE, "hearing", hearing.id, value)
            response = HearingResponse(hearing_id=hearing.id, user_id=user.id, answers=answers, comments=comments,
                                       publish_consent=bool(answer.publish_consent), commitment=value,
                                       ledger_entry=entry, created_at=now, updated_at=now)
            session.add(response)
            session.flush()
    except IntegrityError as exc:
        raise AnswerInProgress() from exc
    return response, True


def response_count(session: Session, hearing_id: int) -> int:
    return session.scalar(select(func.count()).select_from(HearingResponse)
                          .where(HearingResponse.hearing_id == hearing_id)) or 0


def choice_counts(session: Session, hearing: Hearing) -> dict[str, dict[str, int]]:
    """{question id: {choice id: answers}} for every choice question (zeros included)."""
    counted: dict[str, Counter[str]] = {q["id"]: Counter() for q in hearing.questions if q["kind"] == "choice"}
    for answers in session.scalars(select(HearingResponse.answers).where(HearingResponse.hearing_id == hearing.id)):
        for qid, counter in counted.items():
            if isinstance(answers, dict) and isinstance(answers.get(qid), str):
                counter[answers[qid]] += 1
    return {q["id"]: {c["id"]: counted[q["id"]][c["id"]] for c in q["choices"]}
            for q in hearing.questions if q["kind"] == "choice"}


def public_comments(session: Session, hearing: Hearing, *, include_hidden: bool = True) -> list[PublicComment]:
    """The consented comments, in the order of the answers, section by section of each answer."""
    rows = session.execute(select(HearingResponse.id, HearingResponse.comments, HearingResponse.publish_consent,
                                  HearingResponse.hidden_at, HearingResponse.hidden_reason)
                           .where(HearingResponse.hearing_id == hearing.id).order_by(HearingResponse.id))
    order = [s["id"] for s in hearing.sections]
    out: list[PublicComment] = []
    for number, (rid, comments, consent, hidden_at, reason) in enumerate(rows, start=1):
        if not consent or not comments or (hidden_at is not None and not include_hidden):
            continue
        for sid in sorted(comments, key=lambda s: order.index(s) if s in order else len(order)):
            hidden = hidden_at is not None
            out.append(PublicComment(rid, number, sid, None if hidden else comments[sid],
                                     (reason or "") if hidden else None))
    return out


def staff_comments(session: Session, hearing: Hearing) -> list[tuple[int, HearingResponse]]:
    """Every answer for the agency's staff (numbered; no names: the page shows none)."""
    rows = session.scalars(select(HearingResponse).where(HearingResponse.hearing_id == hearing.id)
                           .order_by(HearingResponse.id))
    return list(enumerate(rows, start=1))


def tally_range(session: Session, hearing_id: int) -> tuple[int | None, int | None]:
    """The first and last ledger index of the hearing's tally entries (None until sequenced)."""
    first, last = session.execute(
        select(func.min(LedgerEntry.index), func.max(LedgerEntry.index))
        .join(HearingResponse, HearingResponse.ledger_entry_id == LedgerEntry.id)
        .where(HearingResponse.hearing_id == hearing_id)).one()
    return first, last
