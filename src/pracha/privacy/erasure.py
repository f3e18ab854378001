"""What an approved erasure (PDPA s. 33), restriction (s. 34) or objection (s. 32) does to the data.

What a law requires the state to keep is restricted instead of erased, and the reason is told:
an application with the agency is kept until it is decided; a decision of the state (approved or
rejected, with or without a certificate) is an official record kept under the Regulation of the
Prime Minister's Office on Correspondence; the public ledger is append-only and holds only
commitments. While anything is kept, so is what identifies its applicant (name, national ID) and
the ledger key that makes those records provable. When nothing needs keeping, the account is closed
and the subject key is destroyed (`erase_personal_keys`): the ledger stays verifiable and its
commitments can no longer be tied to anyone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pracha import vault
from pracha.assistant.models import Conversation
from pracha.automation.models import Certificate
from pracha.db import utcnow
from pracha.exchange.models import Consent
from pracha.identity.models import User, WebSession
from pracha.identity.oidc.models import OidcConsent, OidcToken
from pracha.ledger import log as ledger
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.privacy.parts import erase_parts
from pracha.services import workflow
from pracha.services.models import Application, Document

# What a citizen may ask to erase (an empty list asks for all of it).
SCOPES = {"contacts": ("อีเมลและหมายเลขโทรศัพท์", "Email and phone"),
          "address": ("ที่อยู่สำหรับติดต่อ", "Contact address"),
          "names_en": ("ชื่อภาษาอังกฤษ", "Name in English"),
          "applications": ("ข้อมูลในแบบฟอร์มคำขอ", "Form data of applications"),
          "assistant": ("บทสนทนากับผู้ช่วย", "Assistant conversations"),
          "consents": ("ความยินยอมและแอปที่เชื่อมต่อ", "Consents and connected apps"),
          "sessions": ("การเข้าสู่ระบบที่ค้างอยู่", "Signed-in sessions"),
          "inbox": ("กล่องข้อความ", "Inbox messages"),
          "participation": ("เรื่องที่แจ้ง ความคิดเห็น และข้อเสนอ", "Complaints, hearing comments and petitions"),
          "account": ("บัญชีผู้ใช้", "The account itself")}
REASONS = {
    "open": ("คำขอ {ref} อยู่ระหว่างการพิจารณาของหน่วยงาน จึงต้องเก็บไว้จนกว่าจะมีคำวินิจฉัย "
             "(พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33 วรรคสอง)",
             "Application {ref} is with the agency and must be kept until it is decided (PDPA s. 33 para. 2)."),
    "decided": ("คำขอ {ref} มีคำวินิจฉัยของรัฐแล้ว เป็นเอกสารราชการที่ต้องเก็บรักษาตามระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ",
                "Application {ref} was decided: an official record the state must keep (Regulation on "
                "Correspondence)."),
    "certificate": ("คำขอ {ref} มีการออกหนังสือรับรองแล้ว หนังสือรับรองต้องตรวจสอบได้ตลอดอายุ",
                    "A certificate was issued for application {ref}; it must stay verifiable."),
    "identity": ("ชื่อและเลขประจำตัวประชาชนต้องเก็บไว้เพื่อระบุผู้ยื่นคำขอที่ต้องเก็บรักษา (ข้อมูลถูกระงับการใช้)",
                 "Your name and national ID identify the applicant of the records kept (their use is restricted)."),
    "ledger": ("บันทึกสาธารณะ (ledger) แก้ไขไม่ได้และไม่มีข้อมูลส่วนบุคคล มีเพียงค่าผูกมัดที่เข้ารหัส",
               "The public ledger is append-only and holds no personal data, only keyed commitments."),
    "exchange": ("บันทึกการแลกเปลี่ยนข้อมูลระหว่างหน่วยงานเป็นบันทึกตรวจสอบที่กฎหมายกำหนด",
                 "The log of data exchanged between agencies is an audit record the law requires."),
}


def erase_personal_keys(session: Session, user: User) -> None:
    """The one place for crypto-shredding a citizen: the ledger's subject key (their entries' openings
    go with it) and their data key (whatever is still encrypted under it can no longer be read)."""
    ledger.erase_subject(session, f"user:{user.id}")
    vault.forget_subject(session, user.id)


def _kept(reason: str, what: str, ref: str = "") -> dict[str, str]:
    th, en = REASONS[reason]
    return {"what": what, "reason": reason, "th": th.format(ref=ref), "en": en.format(ref=ref)}


def kept_records(session: Session, user: User) -> list[dict[str, str]]:
    """What the law requires the state to keep of this citizen, with the reason for each (also what
    the DPO sees before deciding an erasure)."""
    certified = set(session.scalars(select(Certificate.application_id).join(
        Application, Application.id == Certificate.application_id).where(Application.citizen_id == user.id)))
    kept = []
    for application in session.scalars(select(Application).where(Application.citizen_id == user.id)
                                       .order_by(Application.id)):
        if application.status in workflow.OPEN:
            kept.append(_kept("open", f"application:{application.reference}", application.reference))
        elif application.id in certified:
            kept.append(_kept("certificate", f"application:{application.reference}", application.reference))
        elif application.status in (workflow.APPROVED, workflow.REJECTED):
            kept.append(_kept("decided", f"application:{application.reference}", application.reference))
    return kept


def erase_citizen(session: Session, user: User, scopes: list[str], *, keep_message_id: int | None = None
                  ) -> dict[str, Any]:
    """Erase what may be erased (all `SCOPES`, or those asked for); the outcome lists what was erased
    and what was restricted instead, with the reasons."""
    wanted = set(scopes or SCOPES)
    kept = kept_records(session, user)
    kept_apps = {k["what"].removeprefix("application:") for k in kept}
    erased: list[str] = []
    if "contacts" in wanted:
        user.email = user.phone = None
        session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id,
                                                    OutboxMessage.sent_at.is_(None),
                                                    ~OutboxMessage.id.in_(_notice_outbox(session, keep_message_id))))
        erased.append("contacts")
    if "address" in wanted:
        user.address = None
        erased.append("address")
    if "names_en" in wanted:
        user.first_name_en = user.last_name_en = None
        erased.append("names_en")
    if "applications" in wanted:
        for application in session.scalars(select(Application).where(Application.citizen_id == user.id)):
            if application.reference in kept_apps:
                continue
            if application.status == workflow.DRAFT:
                session.delete(application)
            else:  # withdrawn: the reference stays (it is in the ledger), the personal content goes
                application.data = {}
                session.execute(delete(Document).where(Document.application_id == application.id))
                for event in application.events:
                    event.message = None
        erased.append("applications")
    if "assistant" in wanted:
        session.execute(delete(Conversation).where(Conversation.user_id == user.id))
        erased.append("assistant")
    if "consents" in wanted:
        session.execute(delete(Consent).where(Consent.user_id == user.id))
        session.execute(delete(OidcToken).where(OidcToken.user_id == user.id))
        session.execute(delete(OidcConsent).where(OidcConsent.user_id == user.id))
        erased.append("consents")
    if "inbox" in wanted:
        session.execute(delete(InboxMessage).where(
            InboxMessage.user_id == user.id, InboxMessage.id != (keep_message_id or 0),
            InboxMessage.application_id.is_(None) | ~InboxMessage.application_id.in_(
                select(Application.id).where(Application.reference.in_(kept_apps)))))
        erased.append("inbox")
    if "participation" in wanted:
        kept += erase_parts(session, user)
        erased.append("participation")
    if "sessions" in wanted:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        erased.append("sessions")
    restricted = kept + [_kept("ledger", "ledger"), _kept("exchange", "exchange-log")]
    if "account" in wanted:
        if kept:
            restricted.append(_kept("identity", "identity"))
            user.processing_restricted_at = user.processing_restricted_at or utcnow()
        else:
            _close_account(session, user)
            erased.append("account")
    session.flush()
    return {"erased": erased, "restricted": restricted}


def _notice_outbox(session: Session, keep_message_id: int | None) -> Any:
    """The outbox rows of the decision notice (sent to the contacts as they were, then they go)."""
    notice = session.get(InboxMessage, keep_message_id) if keep_message_id else None
    if notice is None:
        return select(OutboxMessage.id).where(OutboxMessage.id < 0)
    return select(OutboxMessage.id).where(OutboxMessage.user_id == notice.user_id,
                                          OutboxMessage.subject == notice.subject,
                                          OutboxMessage.created_at >= notice.created_at)


def _close_account(session: Session, user: User) -> None:
    """Nothing needs keeping: the account is anonymised and can no longer sign in, and its keys go."""
    user.national_id = None
    user.first_name, user.last_name = "(ลบแล้ว)", ""
    user.birth_date = user.email = user.phone = user.address = None
    user.first_name_en = user.last_name_en = None
    user.password_hash = "!erased"  # noqa: S105 - never a valid Argon2 hash: no password signs in
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    erase_personal_keys(session, user)


def restrict_processing(session: Session, user: User, *, withdraw_consents: bool) -> dict[str, Any]:
    """Restriction: prefill and the assistant stop using this person's data. An objection also
    withdraws every consent (effective on the mediator's very next request)."""
    now = utcnow()
    user.processing_restricted_at = user.processing_restricted_at or now
    withdrawn = 0
    if withdraw_consents:
        withdrawn = session.execute(update(Consent).where(Consent.user_id == user.id, Consent.withdrawn_at.is_(None))
                                    .values(withdrawn_at=now)).rowcount or 0  # type: ignore[attr-defined]
    return {"restricted_since": now.isoformat(), "consents_withdrawn": withdrawn}
