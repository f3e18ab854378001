"""Counter sessions where the visitor sees them: a row of their data tracker per session (office, agency,
officer, when, what was done; `exchange.tracker.TRACKER_SOURCES`), and on an application's timeline the
officer and office beside each step made at the counter (`counter_names`, `services.hooks.PAGE_CONTEXT`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from pracha.appointments.offices import Office
from pracha.counter import summary
from pracha.exchange.tracker import TrackerSource, basis_text
from pracha.identity.models import CounterSession
from pracha.ledger.models import LedgerEntry
from pracha.services.catalog import Catalog
from pracha.services.models import Application

SOURCE = "counter"
PURPOSE = ("ความช่วยเหลือที่เคาน์เตอร์ตามที่ท่านยินยอม", "Help at the counter, with your consent")


def _keys(user_id: int) -> Any:
    return select(CounterSession.consented_at.label("time"), literal(SOURCE).label("source"),
                  CounterSession.id.label("id")).where(CounterSession.visitor_id == user_id,
                                                       CounterSession.consented_at.is_not(None))


def row(session: Session, counter: CounterSession, entry: LedgerEntry | None, office: Office | None,
        agency: tuple[str, str], lang: str) -> dict[str, Any]:
    en = lang == "en"
    place = summary.office_name(office, counter.office)["en" if en else "th"]
    references = [a.reference for a in summary.applications_of(session, counter.id)]
    if en:
        what = f"Help at the counter, {place}: " + (", ".join(references) if references else "no applications")
    else:
        what = f"เจ้าหน้าที่ช่วยทำรายการที่เคาน์เตอร์ {place}: " + (", ".join(references) if references else "ไม่มีคำขอ")
    if counter.closed_at is None:
        what += " (still open)" if en else " (ยังไม่สิ้นสุด)"
    assert counter.consented_at is not None
    return {
        "time": counter.consented_at.astimezone(dt.UTC).isoformat(), "source": SOURCE,
        "reference": f"counter-{counter.id}", "client": counter.agency, "client_name": agency[1 if en else 0],
        "user": counter.officer.display_name if counter.officer is not None else None,
        "service": f"counter/{counter.office}", "service_name": what,
        "purpose": "assisted-digital", "purpose_name": PURPOSE[1] if en else PURPOSE[0],
        "categories": [], "legal_basis": "consent", "legal_basis_text": basis_text("consent", lang),
        "decision": "allowed", "status": 200, "reason": None,
        "ledger_index": entry.index if entry is not None else None,
        "receipt_url": f"/counter/sessions/{counter.id}/summary",
    }


def tracker_source(catalog: Catalog, offices: dict[str, Office]) -> TrackerSource:
    """The visitor's counter sessions in their data tracker (named with this catalogue's offices)."""
    agencies = {code: (a.name.th, a.name.en) for code, a in catalog.agencies.items()}

    def rows(session: Session, ids: list[int], lang: str) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        found = list(session.scalars(select(CounterSession).where(CounterSession.id.in_(ids))))
        entries = {e.id: e for e in session.scalars(select(LedgerEntry).where(
            LedgerEntry.id.in_([c.ledger_entry_id for c in found if c.ledger_entry_id is not None])))}
        return {c.id: row(session, c, entries.get(c.ledger_entry_id or 0), offices.get(c.office),
                          agencies.get(c.agency, (c.agency, c.agency)), lang) for c in found}

    return TrackerSource(SOURCE, _keys, rows)


def page_context(offices: dict[str, Office]) -> Callable[[Session, Application], dict[str, Any]]:
    """The application page's `counter_names`: {event id: {"th": "เจ้าหน้าที่ <name>, <office>", "en": …}}."""

    def context(session: Session, application: Application) -> dict[str, Any]:
        steps = [e for e in application.events if e.counter_session_id is not None]
        if not steps:
            return {}
        named = {}
        for counter in session.scalars(select(CounterSession).where(
                CounterSession.id.in_(sorted({e.counter_session_id or 0 for e in steps})))):
            place = summary.office_name(offices.get(counter.office), counter.office)
            who = counter.officer.display_name if counter.officer is not None else ""
            named[counter.id] = {"th": " ".join(f"เจ้าหน้าที่ {who}".split()) + f", {place['th']}",
                                 "en": " ".join(f"Officer {who}".split()) + f", {place['en']}"}
        return {"counter_names": {e.id: named[e.counter_session_id] for e in steps
                                  if e.counter_session_id in named}}

    return context

