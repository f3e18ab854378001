"""What the citizen is told about their application, one message per thing that matters to them: the
receipt of a submission (or of the information sent back), a request for information, the decision
and a withdrawal. Nothing for the steps in between (the bot's or an officer's review). The document a
decision issues is added to the decision's message (`add_document`), not told in another. Each notice
is a phrase, so each reader sees it in their own language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.calendar import format_date
from pracha.i18n import Phrase, Text, define
from pracha.notices.models import InboxMessage
from pracha.notices.service import amend, define_notice, notify
from pracha.services.catalog import Service
from pracha.services.models import Application

SUBMITTED = define_notice(
    "application.submitted",
    subject=("{reference}: ยื่นคำขอแล้ว", "{reference}: Submitted"),
    body=("ได้รับคำขอ “{service}” เลขที่ {reference} แล้ว{due}",
          "We have received your application “{service}” ({reference}).{due}"))
RESUBMITTED = define_notice(
    "application.resubmitted",
    subject=("{reference}: ส่งข้อมูลเพิ่มเติมแล้ว", "{reference}: Information sent"),
    body=("ได้รับข้อมูลเพิ่มเติมสำหรับคำขอ “{service}” เลขที่ {reference} แล้ว หน่วยงานจะพิจารณาต่อ",
          "We have received the information you sent for “{service}” ({reference}); the agency will "
          "continue with it."))
NEEDS_INFO = define_notice(
    "application.needs_info",
    subject=("{reference}: ขอข้อมูลเพิ่มเติม", "{reference}: More information needed"),
    body=("หน่วยงานขอข้อมูลเพิ่มเติมสำหรับคำขอ “{service}” เลขที่ {reference}{note}",
          "The agency needs more information for “{service}” ({reference}).{note}"))
APPROVED = define_notice(
    "application.approved",
    subject=("{reference}: อนุมัติแล้ว", "{reference}: Approved"),
    body=("คำขอ “{service}” เลขที่ {reference} ได้รับอนุมัติแล้ว{document}{note}",
          "Your application “{service}” ({reference}) has been approved.{document}{note}"))
REJECTED = define_notice(
    "application.rejected",
    subject=("{reference}: ไม่อนุมัติ", "{reference}: Rejected"),
    body=("คำขอ “{service}” เลขที่ {reference} ไม่ได้รับอนุมัติ{note}",
          "Your application “{service}” ({reference}) has not been approved.{note}"))
WITHDRAWN = define_notice(
    "application.withdrawn",
    subject=("{reference}: ยกเลิกคำขอแล้ว", "{reference}: Withdrawn"),
    body=("ท่านได้ยกเลิกคำขอ “{service}” เลขที่ {reference} แล้ว",
          "You have withdrawn your application “{service}” ({reference})."))
# Parts of the bodies above, each present only when it applies.
DUE = define("application.due", "\nหน่วยงานจะพิจารณาให้เสร็จภายใน {date}", " The agency will decide by {date}.")
NOTE = define("application.note", "\nข้อความจากหน่วยงาน: {message}", "\nMessage from the agency: {message}")
DOCUMENT = define("application.document", "\n“{title}” พร้อมให้ดาวน์โหลดแล้ว", "\nYour “{title}” is ready to download.")

BY_ACTION = {"submit": SUBMITTED, "resubmit": RESUBMITTED, "request_info": NEEDS_INFO, "approve": APPROVED,
             "reject": REJECTED, "withdraw": WITHDRAWN}


def notify_status(session: Session, service: Service, application: Application, action: str,
                  message: Text = None) -> None:
    """The notice for `action`, if the citizen is told of it."""
    key = BY_ACTION.get(action)
    if key is None:
        return
    params: dict[str, Text] = {"service": both_names(service), "reference": application.reference}
    if action == "submit" and application.due_date is not None:
        params["due"] = Phrase(DUE, {"date": {lang: format_date(application.due_date, lang)
                                                       for lang in ("th", "en")}})
    if message and action in ("request_info", "approve", "reject"):
        params["note"] = Phrase(NOTE, {"message": message})
    notify(session, application.citizen, phrase=Phrase(key, params), link=f"/applications/{application.reference}",
           application_id=application.id, kind="status")


def add_document(session: Session, application: Application, title: Text) -> None:
    """The document issued for the decision, added to the decision's message (one message per decision)."""
    decision = session.scalar(select(InboxMessage).where(
        InboxMessage.application_id == application.id, InboxMessage.key.in_([APPROVED, REJECTED]))
        .order_by(InboxMessage.id.desc()).limit(1))
    if decision is not None:
        amend(session, decision, application.citizen, kind="document", document=Phrase(DOCUMENT, {"title": title}))


def both_names(service: Service) -> dict[str, str]:
    return {"th": service.name.th, "en": service.name.en}

