"""Authorisations in the data tracker of both people: the director who gave (or revoked) one and the
citizen who received it see it as a row (`exchange.tracker.TRACKER_SOURCES`), with its ledger entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from pracha.exchange.tracker import TrackerSource
from pracha.identity.models import ActingGrant
from pracha.ledger.models import LedgerEntry

SOURCE = "acting"
CLIENT = "TH/GOV/PRACHA/business"
PURPOSE = ("การดำเนินการในนามนิติบุคคล", "Acting for a company")


def _keys(user_id: int) -> Any:
    return select(ActingGrant.created_at.label("time"), literal(SOURCE).label("source"),
                  ActingGrant.id.label("id")).where(or_(ActingGrant.grantee_id == user_id,
                                                        ActingGrant.granted_by_id == user_id))


def row(grant: ActingGrant, entry: LedgerEntry | None, lang: str) -> dict[str, Any]:
    en = lang == "en"
    what = "Authorisation to act for the company" if en else "การมอบอำนาจให้ดำเนินการในนามนิติบุคคล"
    status = (" (revoked)" if en else " (เพิกถอนแล้ว)") if grant.revoked_at else ""
    return {
        "time": grant.created_at.astimezone(dt.UTC).isoformat(), "source": SOURCE,
        "reference": f"acting-{grant.id}", "client": CLIENT, "client_name": "Pracha",
        "user": grant.granted_by.display_name if grant.granted_by is not None else None,
        "service": f"organisation/{grant.juristic_id}", "service_name": what + status,
        "purpose": "acting-for", "purpose_name": PURPOSE[1] if en else PURPOSE[0],
        "categories": [], "legal_basis": "legal-duty", "legal_basis_text": "Legal duty" if en else "หน้าที่ตามกฎหมาย",
        "decision": "allowed", "status": 200, "reason": None,
        "ledger_index": entry.index if entry is not None else None, "receipt_url": None,
    }


def _rows(session: Session, ids: list[int], lang: str) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    found = list(session.scalars(select(ActingGrant).where(ActingGrant.id.in_(ids))))
    entries = {e.id: e for e in session.scalars(select(LedgerEntry).where(
        LedgerEntry.id.in_([g.ledger_entry_id for g in found if g.ledger_entry_id is not None])))}
    return {g.id: row(g, entries.get(g.ledger_entry_id or 0), lang) for g in found}


# Authorisations given and received, in the data tracker.
TRACKER_SOURCE = TrackerSource(SOURCE, _keys, _rows)
