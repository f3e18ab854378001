"""Delegations in the data tracker of both people (`exchange.tracker.TRACKER_SOURCES`): the grantor and
the delegate each see a row per delegation given or received, with its ledger entry; and the part of
the PDPA export that lists them (`export_part`, for `privacy.parts.EXPORT_PARTS`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from pracha.delegation.service import delegations_of, ledger_entries, status_of
from pracha.exchange.tracker import TrackerSource
from pracha.identity.models import CounterSession, Delegation, User
from pracha.ledger.models import LedgerEntry

SOURCE = "delegation"
CLIENT = "TH/GOV/PRACHA/delegation"
PURPOSE = ("การดำเนินการแทนผู้อื่น", "Acting for someone")


def _keys(user_id: int) -> Any:
    return select(Delegation.created_at.label("time"), literal(SOURCE).label("source"),
                  Delegation.id.label("id")).where(or_(Delegation.grantor_id == user_id,
                                                       Delegation.delegate_id == user_id))


def row(delegation: Delegation, entry: LedgerEntry | None, made_by: str, lang: str) -> dict[str, Any]:
    en = lang == "en"
    grantor, delegate = delegation.grantor.display_name, delegation.delegate.display_name
    what = (f"Delegation: {grantor} authorised {delegate}" if en else f"การมอบอำนาจ: {grantor} มอบอำนาจให้ {delegate}")
    status = status_of(delegation)
    if status == "revoked":
        what += " (revoked)" if en else " (เพิกถอนแล้ว)"
    elif status == "expired":
        what += " (expired)" if en else " (สิ้นสุดแล้ว)"
    return {
        "time": delegation.created_at.astimezone(dt.UTC).isoformat(), "source": SOURCE,
        "reference": f"delegation-{delegation.id}", "client": CLIENT, "client_name": "Pracha", "user": made_by,
        "service": f"delegation/{delegation.id}", "service_name": what,
        "purpose": "acting-for-a-person", "purpose_name": PURPOSE[1] if en else PURPOSE[0],
        "categories": [], "legal_basis": "consent", "legal_basis_text": "Your consent" if en else "ความยินยอมของท่าน",
        "decision": "allowed", "status": 200, "reason": None,
        "ledger_index": entry.index if entry is not None else None, "receipt_url": None,
    }


def _rows(session: Session, ids: list[int], lang: str) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    found = list(session.scalars(select(Delegation).where(Delegation.id.in_(ids))))
    entries = ledger_entries(session, found)
    counters = [d.counter_session_id for d in found if d.counter_session_id is not None]
    officers = {session_id: officer for session_id, officer in session.execute(
        select(CounterSession.id, User).join(User, User.id == CounterSession.officer_id)
        .where(CounterSession.id.in_(counters)))} if counters else {}
    out = {}
    for d in found:
        officer = officers.get(d.counter_session_id or 0)
        out[d.id] = row(d, entries.get(d.id), officer.display_name if officer else d.grantor.display_name, lang)
    return out


def export_part(session: Session, user: User) -> dict[str, Any]:
    """The person's delegations, given and received, for the PDPA export (ss. 30–31)."""
    return {"delegations": [
        {"id": d.id, "side": "given" if d.grantor_id == user.id else "received",
         "grantor": d.grantor.display_name, "delegate": d.delegate.display_name, "relationship": d.relationship_kind,
         "services": list(d.services), "valid_from": d.valid_from, "valid_until": d.valid_until,
         "made_at_counter": d.counter_session_id is not None or d.power_of_attorney is not None,
         "created_at": d.created_at, "revoked_at": d.revoked_at, "status": status_of(d)}
        for d in delegations_of(session, user.id)]}


# Delegations given and received, in the data tracker.
TRACKER_SOURCE = TrackerSource(SOURCE, _keys, _rows)
