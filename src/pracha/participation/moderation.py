"""Moderation: citizens report abuse on any public text; moderators hide it (with a reason the public
sees instead of the text), unhide it, or keep it; every decision is logged (`ModerationAction`).

What can be reported and hidden is named by a kind (`TARGET_KINDS`), mapped to its table once here
(`MODELS`). A confidential complaint is no moderator's business: its text is never shown in the queue
and it cannot be hidden (409); a report on it is answered like any other, so the answer tells nobody
which complaints are confidential.

    PrachaError
    ├── TargetNotFound (404)       no such kind, or no such row
    ├── ReportNotFound (404)       no such abuse report
    ├── ConfidentialTarget (409)   a confidential complaint (or one of its events)
    └── AlreadyDecided (409)       unhide what is not hidden, dismiss a resolved report
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Path
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, InvalidInput, NotFound
from pracha.identity.principal import Principal
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.participation.limits import check_rate
from pracha.participation.models import (
    TARGET_KINDS,
    AbuseReport,
    Complaint,
    ComplaintEvent,
    HearingResponse,
    ModerationAction,
    Petition,
)

__all__ = ["MODELS", "QueueItem", "dismiss_report", "find_target", "hide_target", "moderation_log",
           "open_queue", "report_abuse", "unhide_target"]

Target = Complaint | ComplaintEvent | HearingResponse | Petition
MODELS: dict[str, type[Target]] = {"complaint": Complaint, "complaint_event": ComplaintEvent,
                                   "hearing_response": HearingResponse, "petition": Petition}
assert tuple(MODELS) == TARGET_KINDS
HIDDEN, KEPT = "hidden", "kept"
Kind = Annotated[str, Path(max_length=24, description="complaint, complaint_event, hearing_response or petition")]


class TargetNotFound(NotFound):
    code = "moderation_target_not_found"
    message_th = "ไม่พบข้อความที่ต้องการ"
    message_en = "There is no such item."


class ReportNotFound(NotFound):
    code = "abuse_report_not_found"
    message_th = "ไม่พบรายงานนี้"
    message_en = "There is no such report."


class ConfidentialTarget(Conflict):
    code = "confidential_target"
    message_th = "เรื่องร้องเรียนที่เป็นความลับอยู่ในความดูแลของผู้ตรวจสอบ ผู้ดูแลเนื้อหาซ่อนไม่ได้"
    message_en = "A confidential complaint is the inspectors' business: moderators cannot hide it."


class AlreadyDecided(Conflict):
    code = "already_decided"
    message_th = "รายการนี้ได้รับการตัดสินไปแล้ว"
    message_en = "This has already been decided."


@dataclass(frozen=True)
class QueueItem:
    """One reported item with its open reports; `text` is None for a confidential complaint."""

    kind: str
    target_id: int
    reports: list[AbuseReport]
    text: str | None
    link: str | None
    confidential: bool
    hidden: bool


def _reason(reason: str, longest: int) -> str:
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= longest:
        raise InvalidInput(fields={"reason": {"th": f"กรุณาระบุเหตุผล 3–{longest} ตัวอักษร",
                                              "en": f"Give a reason of 3–{longest} characters."}})
    return reason


def get_target(session: Session, kind: str, target_id: int) -> Target | None:
    model = MODELS.get(kind)
    return cast("Target | None", session.get(model, target_id)) if model is not None else None


def find_target(session: Session, kind: str, target_id: int) -> Target:
    row = get_target(session, kind, target_id)
    if row is None:
        raise TargetNotFound()
    return row


def is_confidential(target: Target) -> bool:
    if isinstance(target, Complaint):
        return target.confidential
    if isinstance(target, ComplaintEvent):
        return target.complaint.confidential or not target.public
    return False


def describe(target: Target) -> tuple[str, str | None]:
    """The target's public text (as typed) and the public page it appears on."""
    if isinstance(target, Complaint):
        return f"{target.title}\n{target.description}", f"/complaints/{target.reference}"
    if isinstance(target, ComplaintEvent):
        return target.note, f"/complaints/{target.complaint.reference}"
    if isinstance(target, HearingResponse):
        texts = [str(v) for v in target.comments.values() if v]
        return "\n".join(texts), f"/hearings/{target.hearing_id}"
    return f"{target.title}\n{target.body}", f"/petitions/{target.id}"


def report_abuse(session: Session, principal: Principal, kind: str, target_id: int, reason: str, *,
                 now: dt.datetime | None = None) -> tuple[AbuseReport, bool]:
    """File a report (not committed); a repeat of the reporter's open report on the same target returns
    that one. Returns (report, created)."""
    user = principal.user
    assert user is not None, "the route admits signed-in people only"
    reason = _reason(reason, 500)
    find_target(session, kind, target_id)
    existing = session.scalar(select(AbuseReport).where(
        AbuseReport.target_kind == kind, AbuseReport.target_id == target_id, AbuseReport.reporter_id == user.id,
        AbuseReport.resolved_at.is_(None)).limit(1))
    if existing is not None:
        return existing, False
    check_rate(session, "abuse_report", user.id, now=now)
    report = AbuseReport(target_kind=kind, target_id=target_id, reporter_id=user.id, reason=reason,
                         created_at=now or utcnow())
    session.add(report)
    session.flush()
    return report, True


def open_queue(session: Session, page: PageRequest) -> Page[QueueItem]:
    """Reported items with open reports, the longest-waiting first (paged by their first open report)."""
    grouped = (select(AbuseReport.target_kind, AbuseReport.target_id, func.min(AbuseReport.id).label("first"))
               .where(AbuseReport.resolved_at.is_(None))
               .group_by(AbuseReport.target_kind, AbuseReport.target_id).subquery())
    keys = [SortKey(grouped.c.first)]
    found = fetch_page(session, select(grouped.c.target_kind, grouped.c.target_id, grouped.c.first), keys, page,
                       scalars=False, key_of=lambda row: [row.first])
    items = []
    for kind, target_id, _ in found.items:
        reports = list(session.scalars(select(AbuseReport).where(
            AbuseReport.target_kind == kind, AbuseReport.target_id == target_id,
            AbuseReport.resolved_at.is_(None)).order_by(AbuseReport.id)))
        target = get_target(session, kind, target_id)
        if target is None:  # deleted since (erasure): nothing left to moderate
            items.append(QueueItem(kind, target_id, reports, None, None, False, False))
            continue
        confidential = is_confidential(target)
        text, link = describe(target)
        items.append(QueueItem(kind, target_id, reports, None if confidential else text,
                               None if confidential else link, confidential, target.hidden_at is not None))
    return Page(items, found.next_cursor)


def _resolve(session: Session, kind: str, target_id: int, resolution: str, now: dt.datetime) -> int:
    reports = session.scalars(select(AbuseReport).where(
        AbuseReport.target_kind == kind, AbuseReport.target_id == target_id, AbuseReport.resolved_at.is_(None)))
    count = 0
    for report in reports:
        report.resolved_at, report.resolution = now, resolution
        count += 1
    return count


def _log(session: Session, principal: Principal, kind: str, target_id: int, action: str, reason: str,
         now: dt.datetime) -> ModerationAction:
    entry = ModerationAction(target_kind=kind, target_id=target_id, action=action, reason=reason,
                             moderator_id=principal.user_id, at=now)
    session.add(entry)
    session.flush()
    return entry


def hide_target(session: Session, principal: Principal, kind: str, target_id: int, reason: str, *,
                now: dt.datetime | None = None) -> ModerationAction:
    """Hide the item (the public sees `reason` instead of its text) and resolve its open reports."""
    reason = _reason(reason, 300)
    target = find_target(session, kind, target_id)
    if is_confidential(target):
        raise ConfidentialTarget()
    now = now or utcnow()
    target.hidden_at, target.hidden_reason = now, reason
    _resolve(session, kind, target_id, HIDDEN, now)
    return _log(session, principal, kind, target_id, "hide", reason, now)


def unhide_target(session: Session, principal: Principal, kind: str, target_id: int, reason: str, *,
                  now: dt.datetime | None = None) -> ModerationAction:
    """Show the item again; reports still open on it are resolved as kept."""
    reason = _reason(reason, 500)
    target = find_target(session, kind, target_id)
    if is_confidential(target):
        raise ConfidentialTarget()
    if target.hidden_at is None:
        raise AlreadyDecided("ข้อความนี้ไม่ได้ถูกซ่อน", "This item is not hidden.")
    now = now or utcnow()
    target.hidden_at, target.hidden_reason = None, None
    _resolve(session, kind, target_id, KEPT, now)
    return _log(session, principal, kind, target_id, "unhide", reason, now)


def dismiss_report(session: Session, principal: Principal, report_id: int, reason: str, *,
                   now: dt.datetime | None = None) -> ModerationAction:
    """Keep the item: this report is resolved as kept (others on the same item stay open)."""
    reason = _reason(reason, 500)
    report = session.get(AbuseReport, report_id)
    if report is None:
        raise ReportNotFound()
    if report.resolved_at is not None:
        raise AlreadyDecided()
    now = now or utcnow()
    report.resolved_at, report.resolution = now, KEPT
    return _log(session, principal, report.target_kind, report.target_id, "dismiss", reason, now)


def moderation_log(session: Session, limit: int = 50) -> list[ModerationAction]:
    return list(session.scalars(select(ModerationAction).order_by(ModerationAction.id.desc()).limit(limit)))


def report_out(report: AbuseReport) -> dict[str, Any]:
    return {"id": report.id, "target_kind": report.target_kind, "target_id": report.target_id,
            "reason": report.reason, "created_at": report.created_at.isoformat(),
            "resolved_at": report.resolved_at.isoformat() if report.resolved_at else None,
            "resolution": report.resolution}
