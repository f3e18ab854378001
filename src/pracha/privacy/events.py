"""Privacy events in the citizen's data tracker: every export of their data and every step of their
PDPA requests, as rows with the tracker's own keys (`exchange.tracker.COLUMNS`), merged there through
the `TRACKER_SOURCES` hook that the composition root fills with `TRACKER_SOURCE`."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, selectinload

from pracha.db import utcnow
from pracha.exchange.tracker import TrackerSource
from pracha.ledger.models import LedgerEntry
from pracha.privacy.models import PrivacyEvent

SOURCE = "privacy"
CONTROLLER = "TH/GOV/PRACHA/privacy"
CONTROLLER_NAME = ("Pracha (ผู้ควบคุมข้อมูลส่วนบุคคล)", "Pracha (data controller)")
KINDS = {  # kind → (Thai, English) of what happened
    "export": ("สำเนาข้อมูลส่วนบุคคลของท่าน (ดาวน์โหลด)", "A copy of your personal data (download)"),
    "request.submitted": ("คำขอใช้สิทธิของเจ้าของข้อมูล", "Your request under the PDPA"),
    "request.forwarded": ("ส่งคำขอแก้ไขต่อหน่วยงานเจ้าของทะเบียน", "Correction forwarded to the registry"),
    "request.decided": ("คำวินิจฉัยของเจ้าหน้าที่คุ้มครองข้อมูล", "The DPO's decision"),
}
PURPOSES = {  # the PDPA section each row is for
    "pdpa-s30": ("สิทธิขอเข้าถึงและขอรับสำเนา (มาตรา 30)", "Right of access (PDPA s. 30)"),
    "pdpa-s32": ("สิทธิคัดค้าน (มาตรา 32)", "Right to object (PDPA s. 32)"),
    "pdpa-s33": ("สิทธิขอให้ลบ (มาตรา 33)", "Right to erasure (PDPA s. 33)"),
    "pdpa-s34": ("สิทธิขอให้ระงับการใช้ (มาตรา 34)", "Right to restriction (PDPA s. 34)"),
    "pdpa-s35": ("สิทธิขอแก้ไขให้ถูกต้อง (มาตรา 35)", "Right to rectification (PDPA s. 35)"),
}


def record_event(session: Session, user_id: int, kind: str, *, actor: str, purpose: str,
                 entry: LedgerEntry | None = None) -> PrivacyEvent:
    event = PrivacyEvent(reference="privacy-" + secrets.token_hex(12), user_id=user_id, kind=kind, actor=actor,
                         purpose=purpose, created_at=utcnow(), ledger_entry=entry)
    session.add(event)
    return event


def _name(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    th, en = table.get(key, (key, key))
    return en if lang == "en" else th


def row(event: PrivacyEvent, lang: str) -> dict[str, Any]:
    entry = event.ledger_entry
    return {
        "time": event.created_at.astimezone(dt.UTC).isoformat(), "source": SOURCE, "reference": event.reference,
        "client": CONTROLLER, "client_name": _name({"c": CONTROLLER_NAME}, "c", lang),
        "user": None if event.actor == "citizen" else event.actor,
        "service": f"privacy/{event.kind}", "service_name": _name(KINDS, event.kind, lang),
        "purpose": event.purpose, "purpose_name": _name(PURPOSES, event.purpose, lang),
        "categories": [], "legal_basis": "legal-duty",
        "legal_basis_text": "Legal duty" if lang == "en" else "หน้าที่ตามกฎหมาย",
        "decision": "allowed", "status": 200, "reason": None,
        "ledger_index": entry.index if entry is not None else None, "receipt_url": None,
    }


def _keys(user_id: int) -> Any:
    return (select(PrivacyEvent.created_at.label("time"), literal(SOURCE).label("source"),
                   PrivacyEvent.id.label("id")).where(PrivacyEvent.user_id == user_id))


def _rows(session: Session, ids: list[int], lang: str) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    query = select(PrivacyEvent).where(PrivacyEvent.id.in_(ids)).options(selectinload(PrivacyEvent.ledger_entry))
    return {event.id: row(event, lang) for event in session.scalars(query)}


# The citizen's privacy events in the data tracker (`exchange.tracker.TRACKER_SOURCES`).
TRACKER_SOURCE = TrackerSource(SOURCE, _keys, _rows)
