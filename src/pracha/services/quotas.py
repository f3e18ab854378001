"""Per-citizen quotas: open drafts, documents per application, and the bytes of all a citizen's
documents (settings `quota_*`; 0 means no limit). A quota used up is a 409 `quota_exceeded` whose body
names the quota and its limit; nothing is stored."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.errors import QuotaExceeded
from pracha.services import workflow
from pracha.services.models import Application, Document


def check_open_drafts(session: Session, citizen_id: int, limit: int) -> None:
    if limit <= 0:
        return
    drafts = session.scalar(select(func.count()).select_from(Application).where(
        Application.citizen_id == citizen_id, Application.status == workflow.DRAFT)) or 0
    if drafts >= limit:
        raise QuotaExceeded("open_drafts", limit,
                            f"ท่านมีฉบับร่างที่ยังไม่ได้ยื่นครบ {limit} รายการแล้ว กรุณายื่นหรือลบฉบับร่างเดิมก่อน",
                            f"You already have {limit} unsubmitted drafts. Submit or delete one first.")


def check_documents(session: Session, application: Application, limit: int) -> None:
    if limit <= 0:
        return
    count = session.scalar(select(func.count()).select_from(Document).where(
        Document.application_id == application.id)) or 0
    if count >= limit:
        raise QuotaExceeded("documents_per_application", limit,
                            f"คำขอหนึ่งรายการแนบเอกสารได้ไม่เกิน {limit} ไฟล์",
                            f"An application can carry at most {limit} documents.")


def upload_room(session: Session, citizen_id: int, limit: int) -> int | None:
    """Bytes the citizen may still upload (None: no limit); QuotaExceeded when none are left."""
    if limit <= 0:
        return None
    used = session.scalar(select(func.coalesce(func.sum(Document.size), 0)).join(
        Application, Application.id == Document.application_id).where(Application.citizen_id == citizen_id)) or 0
    room = limit - int(used)
    if room <= 0:
        raise bytes_exceeded(limit)
    return room


def bytes_exceeded(limit: int) -> QuotaExceeded:
    mb = limit / (1024 * 1024)
    return QuotaExceeded("upload_bytes", limit,
                         f"เอกสารทั้งหมดของท่านรวมกันได้ไม่เกิน {mb:g} MB",
                         f"All your documents together may take at most {mb:g} MB.")
