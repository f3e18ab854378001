"""Retention schedules: how long each kind of record is kept, and the daily run that deletes what is
past its period, in batches, leaving alone whatever is under a legal hold or a restriction.

`SCHEDULE` is the one declared table of periods (each with its legal ground or reason); the DPO's
page, the README and the run all read it. A run writes one `RetentionRun` row per record type (rows
deleted, rows kept because of a hold, the cutoff, the time taken). The automation calls `run_daily`
once a day through its `DAILY` hook (`install`); `pracha privacy retention --run` runs it on demand.
Uploaded files are unlinked only after the deleting transaction commits, and only when no remaining
document points to the same bytes (uploads are stored once by SHA-256).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, event, func, select
from sqlalchemy.orm import Session

from pracha.assistant.models import Conversation, Message
from pracha.automation import schedules
from pracha.config import Settings
from pracha.db import utcnow
from pracha.hooks import Registry
from pracha.identity.models import WebSession
from pracha.identity.oidc.models import OidcAssertion, OidcCode, OidcToken
from pracha.identity.recovery import purge_resets
from pracha.identity.throttle import purge_throttles
from pracha.privacy.records import Hold, RetentionRun
from pracha.services import uploads, workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application, Document
from pracha.services.views import StaffView

BATCH = 500  # rows per DELETE statement
MAX_PER_RUN = 50_000  # per record type and run; the rest waits for the next day


@dataclass(frozen=True)
class Period:
    record_type: str
    days: int
    name_th: str
    name_en: str
    ground_th: str
    ground_en: str
    to_confirm: bool = False


SCHEDULE: tuple[Period, ...] = (
    Period("abandoned-drafts", 90, "คำขอฉบับร่างที่ไม่ได้ยื่น", "Drafts never submitted",
           "ร่างที่ไม่ได้แก้ไขเกิน 90 วันไม่จำเป็นต่อวัตถุประสงค์อีกต่อไป (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 มาตรา 37 (3))",
           "A draft untouched for 90 days is no longer needed for its purpose (PDPA section 37 (3))"),
    Period("assistant-logs", 30, "บันทึกการสนทนากับผู้ช่วยตอบคำถาม", "Assistant conversation logs",
           "เก็บไว้ปรับปรุงคำตอบเท่านั้น เลขประจำตัวประชาชนถูกปิดบังแล้ว (ค่าตั้ง assistant_log_days)",
           "Kept only to improve the answers, national IDs masked (setting assistant_log_days)"),
    Period("signin-throttles", 1, "ตัวนับการเข้าสู่ระบบที่ผิดพลาด", "Failed sign-in counters",
           "ใช้ป้องกันการเดารหัสผ่านเท่านั้น ลบเมื่อพ้นเวลาล็อกแล้ว 1 วัน",
           "Only to slow password guessing; deleted a day after the lock ends"),
    Period("password-resets", 1, "คำขอตั้งรหัสผ่านใหม่", "Password-reset requests",
           "ใช้จำกัดจำนวนคำขอและตรวจรหัสยืนยันเท่านั้น รหัสหมดอายุใน 15 นาที เก็บเพียงค่าแฮช",
           "Only to limit requests and check codes; a code lasts 15 minutes; only HMACs are kept"),
    Period("closed-uploads", 365, "ไฟล์แนบของคำขอที่ถอนหรือไม่อนุมัติ", "Uploads of withdrawn or rejected applications",
           "พ้นระยะอุทธรณ์ (พ.ร.บ. วิธีปฏิบัติราชการทางปกครอง พ.ศ. 2539 มาตรา 44) และระยะฟ้องคดีต่อศาลปกครอง 90 วัน "
           "(พ.ร.บ. จัดตั้งศาลปกครองฯ พ.ศ. 2542 มาตรา 49) แล้ว ตัวคำขอและคำวินิจฉัยยังเก็บตามระยะของบริการ",
           "Past the time to appeal (Administrative Procedure Act B.E. 2539, section 44) and to sue in the "
           "Administrative Court (90 days, Act on the Establishment of Administrative Courts B.E. 2542, "
           "section 49); the application and its decision stay for the service's own period", to_confirm=True),
    Period("web-sessions", 0, "เซสชันการเข้าสู่ระบบที่หมดอายุ", "Expired sign-in sessions",
           "ไม่มีประโยชน์หลังหมดอายุ", "Useless once expired"),
    Period("oidc-codes-tokens", 1, "รหัสและโทเค็น OpenID Connect ที่หมดอายุ", "Expired OpenID Connect codes and tokens",
           "เก็บไว้ 1 วันหลังหมดอายุเพื่อตรวจจับการใช้ซ้ำ", "Kept a day past expiry to detect replays"),
    Period("staff-views", 730, "บันทึกการเปิดดูคำขอของเจ้าหน้าที่", "Records of staff opening applications",
           "ให้เจ้าของข้อมูลตรวจสอบย้อนหลังได้ 2 ปี", "Lets citizens look back two years", to_confirm=True),
)
PERIODS = {p.record_type: p for p in SCHEDULE}


@dataclass
class Outcome:
    deleted: int = 0
    held: int = 0


def _held_applications() -> Select[Any]:
    return select(Hold.application_id).where(Hold.released_at.is_(None), Hold.application_id.is_not(None))


def _held_people() -> Select[Any]:
    return select(Hold.user_id).where(Hold.released_at.is_(None), Hold.user_id.is_not(None))


def _not_held(application_id: Any, citizen_id: Any) -> ColumnElement[bool]:
    return ~application_id.in_(_held_applications()) & ~citizen_id.in_(_held_people())


def _batched(session: Session, ids: Select[Any], remove: Callable[[list[Any]], None]) -> int:
    """Delete the rows `ids` selects, BATCH at a time, at most MAX_PER_RUN."""
    done = 0
    while done < MAX_PER_RUN:
        batch = list(session.scalars(ids.limit(min(BATCH, MAX_PER_RUN - done))))
        if not batch:
            break
        remove(batch)
        done += len(batch)
    return done


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _unlink_after_commit(session: Session, shas: set[str], upload_dir: Path) -> None:
    """Remove files no document points to any more, once (and only if) the deletion has committed."""
    if not shas:
        return
    orphans = shas - set(session.scalars(select(Document.sha256).where(Document.sha256.in_(shas))))

    def unlink(_: Session) -> None:
        for sha in orphans:
            uploads.path_of(upload_dir, sha).unlink(missing_ok=True)

    event.listen(session, "after_commit", unlink, once=True)


def _delete_applications(session: Session, ids: list[int], upload_dir: Path) -> None:
    shas = set(session.scalars(select(Document.sha256).where(Document.application_id.in_(ids))))
    session.execute(delete(Application).where(Application.id.in_(ids)))  # documents, events, views: cascade
    _unlink_after_commit(session, shas, upload_dir)


def purge_drafts(session: Session, cutoff: dt.datetime, upload_dir: Path) -> Outcome:
    due = (Application.status == workflow.DRAFT) & (Application.updated_at < cutoff)
    held = _count(session, select(Application.id).where(due, ~_not_held(Application.id, Application.citizen_id)))
    ids = select(Application.id).where(due, _not_held(Application.id, Application.citizen_id)).order_by(Application.id)
    return Outcome(_batched(session, ids, lambda batch: _delete_applications(session, batch, upload_dir)), held)


def purge_closed_uploads(session: Session, cutoff: dt.datetime, upload_dir: Path) -> Outcome:
    closed = (Application.status.in_((workflow.WITHDRAWN, workflow.REJECTED))) & (Application.updated_at < cutoff)
    base = select(Document.id).join(Application, Application.id == Document.application_id).where(closed)
    held = _count(session, base.where(~_not_held(Application.id, Application.citizen_id)))

    def remove(batch: list[int]) -> None:
        shas = set(session.scalars(select(Document.sha256).where(Document.id.in_(batch))))
        session.execute(delete(Document).where(Document.id.in_(batch)))
        _unlink_after_commit(session, shas, upload_dir)

    ids = base.where(_not_held(Application.id, Application.citizen_id)).order_by(Document.id)
    return Outcome(_batched(session, ids, remove), held)


def _simple(session: Session, model: Any, key: Any, condition: ColumnElement[bool]) -> Outcome:
    def remove(batch: list[Any]) -> None:
        session.execute(delete(model).where(key.in_(batch)))

    return Outcome(_batched(session, select(key).where(condition).order_by(key), remove))


def purge_assistant_logs(session: Session, cutoff: dt.datetime) -> Outcome:
    messages = _simple(session, Message, Message.id, Message.at < cutoff)
    conversations = _simple(session, Conversation, Conversation.id, Conversation.updated_at < cutoff)
    return Outcome(messages.deleted + conversations.deleted)


def purge_oidc(session: Session, cutoff: dt.datetime) -> Outcome:
    total = 0
    for model, key in ((OidcCode, OidcCode.code_hash), (OidcToken, OidcToken.id), (OidcAssertion, OidcAssertion.jti)):
        total += _simple(session, model, key, model.expires_at < cutoff).deleted
    return Outcome(total)


def cutoffs(now: dt.datetime, settings: Settings) -> dict[str, dt.datetime]:
    """Each record type's cutoff: what is older is due."""
    days = {p.record_type: p.days for p in SCHEDULE} | {"assistant-logs": settings.assistant_log_days}
    return {kind: now - dt.timedelta(days=n) for kind, n in days.items()}


def run_retention(session: Session, settings: Settings, *, trigger: str, now: dt.datetime | None = None,
                  only: Sequence[str] = ()) -> list[RetentionRun]:
    """Apply every period of SCHEDULE (or those in `only`) once; returns the report rows (added to the
    session: the caller commits, so the deletions and their report commit together)."""
    now = now or utcnow()
    cut = cutoffs(now, settings)
    upload_dir = settings.upload_dir
    steps: dict[str, Callable[[dt.datetime], Outcome]] = {
        "abandoned-drafts": lambda c: purge_drafts(session, c, upload_dir),
        "assistant-logs": lambda c: purge_assistant_logs(session, c),
        "signin-throttles": lambda c: Outcome(purge_throttles(session, c), 0),
        "password-resets": lambda c: Outcome(purge_resets(session, c), 0),
        "closed-uploads": lambda c: purge_closed_uploads(session, c, upload_dir),
        "web-sessions": lambda c: _simple(session, WebSession, WebSession.token_hash, WebSession.expires_at < c),
        "oidc-codes-tokens": lambda c: purge_oidc(session, c),
        "staff-views": lambda c: _simple(session, StaffView, StaffView.id, StaffView.at < c),
    }
    run_id = uuid.uuid4().hex
    report = []
    for period in SCHEDULE:
        if only and period.record_type not in only:
            continue
        started = time.perf_counter()
        outcome = steps[period.record_type](cut[period.record_type])
        row = RetentionRun(run_id=run_id, trigger=trigger, record_type=period.record_type,
                           cutoff=cut[period.record_type], deleted=outcome.deleted, held=outcome.held, started_at=now,
                           seconds=round(time.perf_counter() - started, 4))
        session.add(row)
        report.append(row)
    session.flush()
    return report


def latest_runs(session: Session, limit: int = 10) -> list[list[RetentionRun]]:
    """The last `limit` runs, newest first, each as its rows in SCHEDULE order."""
    runs = list(session.execute(select(RetentionRun.run_id, func.max(RetentionRun.id).label("last"))
                                .group_by(RetentionRun.run_id).order_by(func.max(RetentionRun.id).desc()).limit(limit)))
    order = {p.record_type: i for i, p in enumerate(SCHEDULE)}
    out = []
    for run_id, _ in runs:
        rows = list(session.scalars(select(RetentionRun).where(RetentionRun.run_id == run_id)))
        out.append(sorted(rows, key=lambda r: order.get(r.record_type, 99)))
    return out


def place_hold(session: Session, kind: str, reason: str, *, application_id: int | None = None,
               user_id: int | None = None) -> Hold:
    """Keep an application, or everything of a person, past retention (a legal hold or a restriction
    under PDPA section 34); the other privacy areas call this for restrictions."""
    hold = Hold(kind=kind, reason=reason, application_id=application_id, user_id=user_id)
    session.add(hold)
    return hold


def daily_retention(session: Session, settings: Settings, today: dt.date) -> None:
    run_retention(session, settings, trigger="daily")


def install(registry: Registry, catalog: Catalog) -> None:
    """The privacy package's scheduled jobs: retention daily, the breach deadlines hourly."""
    from pracha.privacy.breaches import check_deadlines

    registry.add(schedules.DAILY, daily_retention)
    registry.add(schedules.HOURLY, check_deadlines)
