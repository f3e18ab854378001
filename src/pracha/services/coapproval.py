"""Co-approval under a juristic person's signing rule (e.g. "two directors jointly"): a director's submit
is held until another director of the same juristic person approves the same version. Works for one
application or a whole bundle; the caller does the real submit once `approve` returns."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict, Forbidden
from pracha.identity.principal import DIRECTOR, Principal
from pracha.ledger import log as ledger
from pracha.ledger.models import LedgerEntry
from pracha.services.models import Application, Bundle, CoApproval


class SameDirector(Conflict):
    code = "co_approval_same_director"
    message_th = "ต้องให้กรรมการอีกท่านหนึ่งเป็นผู้อนุมัติร่วม ไม่ใช่ผู้ที่ขออนุมัติ"
    message_en = "Another director must co-approve: not the one who asked."


class CoApprovalChanged(Conflict):
    code = "co_approval_outdated"
    message_th = "คำขอถูกแก้ไขหลังจากขออนุมัติร่วม กรุณาให้ผู้ยื่นขออนุมัติใหม่"
    message_en = "The application changed after co-approval was asked for; it must be asked for again."


class NoCoApprovalPending(Conflict):
    code = "no_co_approval_pending"
    message_th = "ไม่มีคำขอที่รอการอนุมัติร่วม"
    message_en = "Nothing is waiting for co-approval."


Target = Application | Bundle


def needs_second_director(principal: Principal) -> bool:
    acting = principal.acting
    return acting is not None and acting.directors_required >= 2


def _where(target: Target) -> tuple[ColumnElement[bool], str]:
    if isinstance(target, Bundle):
        return CoApproval.bundle_id == target.id, f"bundle:{target.reference}"
    return CoApproval.application_id == target.id, f"application:{target.reference}"


def _version(target: Target) -> int:
    return target.version if isinstance(target, Application) else 1  # a held bundle cannot change


def pending(session: Session, target: Target) -> CoApproval | None:
    where, _ = _where(target)
    return session.scalars(select(CoApproval).where(where, CoApproval.approved_at.is_(None),
                                                    CoApproval.cancelled_at.is_(None))
                           .order_by(CoApproval.id.desc()).limit(1)).first()


def hold(session: Session, principal: Principal, target: Target) -> CoApproval:
    """Ask for a second director's approval of `target` (acting for its juristic person); an earlier
    pending ask for it is replaced."""
    acting = principal.acting
    if acting is None or principal.user is None or target.organisation_id != acting.juristic_id:
        raise Forbidden()
    if (earlier := pending(session, target)) is not None:
        earlier.cancelled_at = utcnow()
    where, obj = _where(target)
    row = CoApproval(application_id=target.id if isinstance(target, Application) else None,
                     bundle_id=target.id if isinstance(target, Bundle) else None,
                     organisation_id=acting.juristic_id, requested_by_id=principal.user.id, version=_version(target))
    row.ledger_entry = _record(session, principal, "co_approval.requested", obj, row)
    session.add(row)
    session.flush()
    return row


def approve(session: Session, principal: Principal, target: Target) -> CoApproval:
    """The second director's approval: refused to the one who asked (409), to anyone not a director of
    the juristic person (403), and when the application changed since it was asked (409)."""
    acting = principal.acting
    if acting is None or acting.role != DIRECTOR or target.organisation_id != acting.juristic_id:
        raise Forbidden()
    row = pending(session, target)
    if row is None:
        raise NoCoApprovalPending()
    if row.requested_by_id == principal.user_id:
        raise SameDirector()
    if row.version != _version(target):
        row.cancelled_at = utcnow()
        raise CoApprovalChanged()
    row.approved_by_id, row.approved_at = principal.user_id, utcnow()
    row.ledger_entry = _record(session, principal, "co_approval.given", _where(target)[1], row)
    return row


def cancel(session: Session, target: Target) -> None:
    """Drop a pending ask (the application was changed or withdrawn)."""
    if (row := pending(session, target)) is not None:
        row.cancelled_at = utcnow()


def waiting_for(session: Session, juristic_id: str) -> list[CoApproval]:
    """What waits for a second director of this juristic person, oldest first."""
    return list(session.scalars(select(CoApproval).where(
        CoApproval.organisation_id == juristic_id, CoApproval.approved_at.is_(None),
        CoApproval.cancelled_at.is_(None)).order_by(CoApproval.id)))


def _record(session: Session, principal: Principal, kind: str, obj: str, row: CoApproval) -> LedgerEntry:
    user = principal.user
    assert user is not None
    return ledger.record(session, kind, actor=f"user:{user.id}", obj=obj,
                         record={"organisation": row.organisation_id, "version": row.version},
                         subject=f"user:{user.id}", subject_secret=user.national_id)
