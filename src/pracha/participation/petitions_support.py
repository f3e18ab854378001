"""Supporting a petition, withdrawing, and the supporter's own record. The platform keeps no list of
who supported: a support row holds only the commitment HMAC(K, "petition:<id>:<national ID>"), which
is recomputed from the signed-in citizen on every call; each support and withdrawal is a public ledger
entry in the same transaction (participation.tally), so anyone can recount from the log.

Counting is one atomic `UPDATE … SET support_count = support_count ± 1` guarded by the status and the
closing time, so concurrent supports never lose a count and none lands after the close. A concurrent
double click of one citizen hits the unique (petition, commitment) pair: the loser gets 409."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.notices.service import notify
from pracha.participation import tally
from pracha.participation.errors import AlreadySupported, NotOpen, NotSupported, PetitionNotFound
from pracha.participation.models import P_OPEN, Petition, PetitionSupport
from pracha.participation.petitions import PUBLIC_STATUSES, staff_of

__all__ = ["LedgerRange", "ledger_range", "my_support", "support_commitment", "support_petition",
           "withdraw_support"]


def support_commitment(principal: Principal, secret: bytes, petition_id: int) -> str:
    if principal.role != CITIZEN or principal.user is None or not principal.user.national_id:
        raise Forbidden("เฉพาะประชาชนที่เข้าสู่ระบบแล้วเท่านั้นที่สนับสนุนข้อเสนอได้",
                        "Only signed-in citizens may support a petition.")
    return tally.commitment(secret, "petition", petition_id, principal.user.national_id)


def _open_petition(session: Session, petition_id: int, now: dt.datetime) -> Petition:
    petition = session.get(Petition, petition_id)
    if petition is None or petition.status not in PUBLIC_STATUSES:
        raise PetitionNotFound()
    if petition.status != P_OPEN or petition.closes_at is None or petition.closes_at <= now:
        raise NotOpen()
    return petition


def _count(session: Session, petition_id: int, delta: int, now: dt.datetime) -> int:
    """Add `delta` to the live count while the petition is open; 409 when it closed meanwhile."""
    changed = session.execute(
        update(Petition).where(Petition.id == petition_id, Petition.status == P_OPEN, Petition.closes_at > now)
        .values(support_count=Petition.support_count + delta).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotOpen()
    return int(session.scalar(select(Petition.support_count).where(Petition.id == petition_id)) or 0)


def _reached(session: Session, petition: Petition, count: int, now: dt.datetime) -> None:
    """The first time the count reaches the threshold: the response is due, and the agency is told."""
    if count < petition.threshold:
        return
    due = now + dt.timedelta(days=petition.response_days)
    first = session.execute(
        update(Petition).where(Petition.id == petition.id, Petition.threshold_reached_at.is_(None))
        .values(threshold_reached_at=now, response_due_at=due).execution_options(synchronize_session=False))
    if first.rowcount != 1:  # type: ignore[attr-defined]
        return
    session.refresh(petition)
    for person in staff_of(session, petition.agency):
        notify(session, person, link="/officer/petitions",
               subject={"th": "ข้อเสนอถึงเกณฑ์ที่ต้องตอบ", "en": "A petition reached its threshold"},
               body={"th": f"“{petition.title}” มีผู้สนับสนุนครบ {petition.threshold:,} คน ต้องตอบภายใน "
                           f"{petition.response_days} วัน",
                     "en": f"“{petition.title}” has {petition.threshold:,} supports: answer within "
                           f"{petition.response_days} days."})


def support_petition(session: Session, principal: Principal, secret: bytes, petition_id: int,
                     now: dt.datetime | None = None) -> tuple[PetitionSupport, int]:
    """Support (or support again after a withdrawal); returns the support and the new count."""
    now = now or utcnow()
    value = support_commitment(principal, secret, petition_id)
    petition = _open_petition(session, petition_id, now)
    row = session.scalars(select(PetitionSupport).where(PetitionSupport.petition_id == petition_id,
                                                        PetitionSupport.commitment == value)).first()
    if row is None:
        row = PetitionSupport(petition_id=petition_id, commitment=value, created_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            raise AlreadySupported() from None
    else:
        again = session.execute(
            update(PetitionSupport).where(PetitionSupport.id == row.id, PetitionSupport.withdrawn_at.is_not(None))
            .values(withdrawn_at=None).execution_options(synchronize_session=False))
        if again.rowcount != 1:  # type: ignore[attr-defined]
            raise AlreadySupported()
        session.refresh(row)
    entry = tally.record_tally(session, tally.PETITION_SUPPORT, "petition", petition_id, value)
    entry.created_at = now
    session.flush()
    row.ledger_entry_id = entry.id
    count = _count(session, petition_id, 1, now)
    _reached(session, petition, count, now)
    return row, count


def withdraw_support(session: Session, principal: Principal, secret: bytes, petition_id: int,
                     now: dt.datetime | None = None) -> int:
    """Take my support back before the close; returns the new count."""
    now = now or utcnow()
    value = support_commitment(principal, secret, petition_id)
    _open_petition(session, petition_id, now)
    row = session.scalars(select(PetitionSupport).where(PetitionSupport.petition_id == petition_id,
                                                        PetitionSupport.commitment == value)).first()
    if row is None:
        raise NotSupported()
    gone = session.execute(
        update(PetitionSupport).where(PetitionSupport.id == row.id, PetitionSupport.withdrawn_at.is_(None))
        .values(withdrawn_at=now).execution_options(synchronize_session=False))
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise NotSupported()
    entry = tally.record_tally(session, tally.PETITION_WITHDRAW, "petition", petition_id, value)
    entry.created_at = now
    session.flush()
    session.execute(update(PetitionSupport).where(PetitionSupport.id == row.id).values(withdraw_entry_id=entry.id)
                    .execution_options(synchronize_session=False))
    return _count(session, petition_id, -1, now)


def my_support(session: Session, principal: Principal, secret: bytes, petition_id: int) -> PetitionSupport | None:
    """The signed-in citizen's live support of the petition, found by recomputing the commitment."""
    value = support_commitment(principal, secret, petition_id)
    return session.scalars(select(PetitionSupport).where(
        PetitionSupport.petition_id == petition_id, PetitionSupport.commitment == value,
        PetitionSupport.withdrawn_at.is_(None))).first()


@dataclass(frozen=True)
class LedgerRange:
    """Where the petition's tally entries lie in the public log. `last_index` is None while the newest
    entry waits for the next checkpoint (then the count includes entries nobody can recount yet)."""

    first_index: int | None
    last_index: int | None
    recorded: bool  # any support or withdrawal at all

    @property
    def sequenced(self) -> bool:
        return not self.recorded or self.last_index is not None


def ledger_range(session: Session, petition_id: int) -> LedgerRange:
    """The newest entry is always some row's latest support or withdrawal; the oldest is the first row's
    first support (its entry carries the row's creation time, even when the row was re-supported since)."""
    rows = select(PetitionSupport).where(PetitionSupport.petition_id == petition_id).subquery()
    last_id = session.scalar(select(func.max(func.coalesce(rows.c.withdraw_entry_id, 0)))) or 0
    last_id = max(last_id, session.scalar(select(func.max(rows.c.ledger_entry_id))) or 0)
    if not last_id:
        return LedgerRange(None, None, False)
    first_row = session.execute(select(rows.c.created_at, rows.c.ledger_entry_id)
                                .order_by(rows.c.id).limit(1)).one()
    first = session.scalar(select(func.min(LedgerEntry.index)).where(
        LedgerEntry.kind == tally.PETITION_SUPPORT, LedgerEntry.created_at == first_row.created_at))
    if first is None:
        first = session.scalar(select(LedgerEntry.index).where(LedgerEntry.id == first_row.ledger_entry_id))
    last = session.scalar(select(LedgerEntry.index).where(LedgerEntry.id == last_id))
    return LedgerRange(first, last, True)
