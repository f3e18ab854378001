"""The citizen's data tracker: every request through the mediator for their data — when, which agency
and officer or system, why, which categories, on which legal basis, allowed or denied, and the ledger
entry that proves it. A citizen only ever sees rows whose subject is themselves (one query, filtered by
their user id); exports as JSON and CSV.

Other packages add rows of their own (e.g. the privacy package: "you exported your data") through the
`TRACKER_SOURCES` hook; their rows have the same keys and are merged in time order, and the cursor
of a page is the last row's (time, reference), whichever source it came from."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from pracha.db import registry_of
from pracha.errors import Forbidden, NotFound
from pracha.exchange.models import ExchangeService, MessageLog, Subsystem
from pracha.exchange.vocabulary import category_name, purpose_name
from pracha.hooks import Hook
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.ledger.deps import Ledger
from pracha.paging import Page, PageRequest, SortKey, decode_cursor, encode_cursor, fetch_page

COLUMNS = ("time", "reference", "client", "client_name", "user", "service", "service_name", "purpose",
           "purpose_name", "categories", "legal_basis", "decision", "status", "reason", "ledger_index",
           "receipt_url")


def _me(principal: Principal) -> int:
    if principal.role != CITIZEN or principal.user is None:
        raise Forbidden()
    return principal.user.id


def basis_text(basis: str | None, lang: str) -> str:
    if basis is None:
        return "—"
    if basis == "legal-duty":
        return "Legal duty" if lang == "en" else "หน้าที่ตามกฎหมาย"
    return "Your consent" if lang == "en" else "ความยินยอมของท่าน"


ORDER = (SortKey(MessageLog.created_at, descending=True), SortKey(MessageLog.reference, descending=True))

# (session, citizen's user id, strictly older than this (time, reference) or None, at most this many
# rows or None for all, language) → rows with the keys of `COLUMNS` (+ legal_basis_text), newest first.
TrackerSource = Callable[[Session, int, "tuple[dt.datetime, str] | None", "int | None", str], list[dict[str, Any]]]
TRACKER_SOURCES: Hook[TrackerSource] = Hook("exchange.tracker_sources")


def _sort_key(row: dict[str, Any]) -> tuple[dt.datetime, str]:
    return dt.datetime.fromisoformat(row["time"]), row["reference"]


def _merged(session: Session, user_id: int, own: list[dict[str, Any]], after: tuple[dt.datetime, str] | None,
            limit: int | None, lang: str) -> list[dict[str, Any]]:
    rows = list(own)
    for source in registry_of(session).each(TRACKER_SOURCES):
        rows += source(session, user_id, after, limit, lang)
    return sorted(rows, key=_sort_key, reverse=True)


def _query(principal: Principal) -> Select[MessageLog, str, str, str, str]:
    return (select(MessageLog, Subsystem.name_th, Subsystem.name_en, ExchangeService.name_th, ExchangeService.name_en)
            .outerjoin(Subsystem, Subsystem.id == MessageLog.client_id)
            .outerjoin(ExchangeService, ExchangeService.id == MessageLog.service_id)
            .where(MessageLog.subject_user_id == _me(principal)).options(selectinload(MessageLog.ledger_entry)))


def entries(session: Session, principal: Principal, page: PageRequest = PageRequest(), *,
            lang: str = "th") -> Page[dict[str, Any]]:
    """One page of the principal's own tracker rows, newest first, as plain values. Each source gives
    at most limit + 1 rows after the cursor; the page is the newest `limit` of them all."""
    found = fetch_page(session, _query(principal), ORDER, page, scalars=False,
                       key_of=lambda row: (row[0].created_at, row[0].reference))
    if not registry_of(session).each(TRACKER_SOURCES):
        return Page(_rows(found.items, lang), found.next_cursor)
    after = decode_cursor(page.cursor, ORDER) if page.cursor is not None else None
    rows = _merged(session, _me(principal), _rows(found.items, lang),
                   (after[0], after[1]) if after else None, page.limit + 1, lang)
    more = len(rows) > page.limit or found.next_cursor is not None
    rows = rows[:page.limit]
    return Page(rows, encode_cursor(list(_sort_key(rows[-1]))) if more and rows else None)


def all_entries(session: Session, principal: Principal, *, lang: str = "th") -> list[dict[str, Any]]:
    """Every tracker row of the principal, newest first: the export is complete, not a page."""
    query = _query(principal).order_by(*(k.order() for k in ORDER))
    return _merged(session, _me(principal), _rows(list(session.execute(query)), lang), None, None, lang)


def _rows(rows: list[Any], lang: str) -> list[dict[str, Any]]:
    out = []
    for log, client_th, client_en, service_th, service_en in rows:
        entry = log.ledger_entry
        out.append({
            "time": log.created_at.astimezone(dt.UTC).isoformat(), "reference": log.reference,
            "client": log.client_id, "client_name": (client_en if lang == "en" else client_th) or log.client_id,
            "user": log.user_ref, "service": log.service_id,
            "service_name": (service_en if lang == "en" else service_th) or log.service_id,
            "purpose": log.purpose, "purpose_name": purpose_name(log.purpose, lang),
            "categories": [category_name(c, lang) for c in log.categories],
            "legal_basis": log.legal_basis, "legal_basis_text": basis_text(log.legal_basis, lang),
            "decision": log.decision, "status": log.status, "reason": log.reason,
            "ledger_index": entry.index if entry is not None else None,
            "receipt_url": f"/me/data-tracker/{log.reference}/receipt" if entry is not None else None,
        })
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([";".join(row[c]) if c == "categories" else ("" if row[c] is None else row[c])
                         for c in COLUMNS])
    return "\ufeff" + buffer.getvalue()  # a BOM, so spreadsheet programs read the Thai as UTF-8


def receipt(session: Session, principal: Principal, reference: str, access: Ledger) -> dict[str, Any]:
    user_id = _me(principal)
    log = session.scalar(select(MessageLog).where(MessageLog.reference == reference,
                                                  MessageLog.subject_user_id == user_id))
    if log is None or log.ledger_entry_id is None:
        raise NotFound()  # someone else's access is not confirmed to exist
    return access.receipt(session, log.ledger_entry_id)
