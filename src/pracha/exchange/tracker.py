"""The citizen's data tracker: every request through the mediator for their data — when, which agency
and officer or system, why, which categories, on which legal basis, allowed or denied, and the ledger
entry that proves it. A citizen only ever sees rows whose subject is themselves (one query, filtered by
their user id); exports as JSON and CSV.

A second source sits beside the message log: staff views (`services.views.StaffView`), each time an
officer, admin, auditor or an agency's API token opened one of the citizen's applications or documents.
Packages above add sources of their own through the `TRACKER_SOURCES` hook (e.g. the privacy package:
"you exported your data"). All are merged in one keyset order (time, source, id), newest first; a
staff-view row has `source` "staff_view", the agency as `client`, purpose "staff-review" and decision
"viewed"."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session, selectinload

from pracha.db import registry_of
from pracha.errors import Forbidden, NotFound
from pracha.exchange.models import ExchangeService, MessageLog, Subsystem
from pracha.exchange.vocabulary import category_name, purpose_name
from pracha.hooks import Hook
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.ledger.deps import Ledger
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.services.catalog import Catalog
from pracha.services.views import StaffView

COLUMNS = ("time", "reference", "client", "client_name", "user", "service", "service_name", "purpose",
           "purpose_name", "categories", "legal_basis", "decision", "status", "reason", "ledger_index",
           "receipt_url", "source")  # `source` last: the columns before it are as they always were


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


EXCHANGE, STAFF_VIEW = "exchange", "staff_view"


def agency_names(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """The catalogue's agencies, code → (Thai, English), for the staff-view rows."""
    return {code: (a.name.th, a.name.en) for code, a in catalog.agencies.items()}
STAFF_REVIEW = "staff-review"


@dataclass(frozen=True)
class TrackerSource:
    """Rows of another package in the tracker. `keys(user_id)` selects (time, source, id) of the
    citizen's rows, with `source` the literal `name`; `rows(session, ids, lang)` gives id → row with
    the keys of `COLUMNS`."""

    name: str
    keys: Callable[[int], Any]
    rows: Callable[[Session, list[int], str], dict[int, dict[str, Any]]]

    def __call__(self, user_id: int) -> Any:  # a hook's entries are callables: calling selects the keys
        return self.keys(user_id)


TRACKER_SOURCES: Hook[TrackerSource] = Hook("exchange.tracker_sources")


def _keys(session: Session, principal: Principal) -> Any:
    """(time, source, id) of every tracker row of the principal: the message log, the staff views and
    the sources of packages above."""
    me = _me(principal)
    return union_all(
        select(MessageLog.created_at.label("time"), literal(EXCHANGE).label("source"), MessageLog.id.label("id"))
        .where(MessageLog.subject_user_id == me),
        select(StaffView.at.label("time"), literal(STAFF_VIEW).label("source"), StaffView.id.label("id"))
        .where(StaffView.citizen_id == me),
        *(source(me) for source in registry_of(session).each(TRACKER_SOURCES))).subquery("tracker")


def _order(keys: Any) -> tuple[SortKey, ...]:
    return (SortKey(keys.c.time, descending=True), SortKey(keys.c.source, descending=True),
            SortKey(keys.c.id, descending=True))


def _messages(session: Session, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = (select(MessageLog, Subsystem.name_th, Subsystem.name_en, ExchangeService.name_th, ExchangeService.name_en)
             .outerjoin(Subsystem, Subsystem.id == MessageLog.client_id)
             .outerjoin(ExchangeService, ExchangeService.id == MessageLog.service_id)
             .where(MessageLog.id.in_(ids)).options(selectinload(MessageLog.ledger_entry)))
    return {row[0].id: row for row in session.execute(query)}


def _resolve(session: Session, keys: list[Any], lang: str,
             agencies: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    messages = _messages(session, [k.id for k in keys if k.source == EXCHANGE])
    view_ids = [k.id for k in keys if k.source == STAFF_VIEW]
    staff = {v.id: v for v in session.scalars(select(StaffView).where(StaffView.id.in_(view_ids)))} if view_ids else {}
    others = {source.name: source.rows(session, [k.id for k in keys if k.source == source.name], lang)
              for source in registry_of(session).each(TRACKER_SOURCES)}
    out = []
    for key in keys:
        if key.source == EXCHANGE and key.id in messages:
            out.append(_row(messages[key.id], lang))
        elif key.source == STAFF_VIEW and key.id in staff:
            out.append(staff_view_row(staff[key.id], lang, agencies))
        elif key.id in others.get(key.source, {}):
            out.append(others[key.source][key.id])
    return out


def entries(session: Session, principal: Principal, page: PageRequest = PageRequest(), *,
            lang: str = "th", agencies: dict[str, tuple[str, str]] | None = None) -> Page[dict[str, Any]]:
    """One page of the principal's own tracker rows, newest first, as plain values. `agencies` names
    the catalogue's agencies (code → Thai, English) for the staff-view rows."""
    keys = _keys(session, principal)
    found = fetch_page(session, select(keys.c.time, keys.c.source, keys.c.id), _order(keys), page, scalars=False,
                       key_of=lambda row: (row.time, row.source, row.id))
    return Page(_resolve(session, found.items, lang, agencies or {}), found.next_cursor)


def all_entries(session: Session, principal: Principal, *, lang: str = "th",
                agencies: dict[str, tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Every tracker row of the principal, newest first: the export is complete, not a page."""
    keys = _keys(session, principal)
    rows = list(session.execute(select(keys.c.time, keys.c.source, keys.c.id)
                                .order_by(*(k.order() for k in _order(keys)))))
    return _resolve(session, rows, lang, agencies or {})


def _row(found: Any, lang: str) -> dict[str, Any]:
    log, client_th, client_en, service_th, service_en = found
    entry = log.ledger_entry
    return {
        "time": log.created_at.astimezone(dt.UTC).isoformat(), "source": EXCHANGE, "reference": log.reference,
        "client": log.client_id, "client_name": (client_en if lang == "en" else client_th) or log.client_id,
        "user": log.user_ref, "service": log.service_id,
        "service_name": (service_en if lang == "en" else service_th) or log.service_id,
        "purpose": log.purpose, "purpose_name": purpose_name(log.purpose, lang),
        "categories": [category_name(c, lang) for c in log.categories],
        "legal_basis": log.legal_basis, "legal_basis_text": basis_text(log.legal_basis, lang),
        "decision": log.decision, "status": log.status, "reason": log.reason,
        "ledger_index": entry.index if entry is not None else None,
        "receipt_url": f"/me/data-tracker/{log.reference}/receipt" if entry is not None else None,
    }


_WHAT = {"application": ("คำขอ", "application"), "document": ("เอกสารของคำขอ", "a document of application"),
         "data": ("ข้อมูลของคำขอ", "the data of application")}


def staff_view_row(view: StaffView, lang: str, agencies: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A staff view as a tracker row: 'เจ้าหน้าที่ <agency> เปิดดูคำขอ <ref> เพื่อพิจารณา'."""
    th_agency, en_agency = agencies.get(view.agency or "", (view.agency or "", view.agency or ""))
    what_th, what_en = _WHAT.get(view.what, _WHAT["data"])
    ref = view.reference or ""
    if view.role_is_token:
        th = f"ระบบของ {th_agency} เปิดดู{what_th} {ref} เพื่อพิจารณา"
        en = f"A system of {en_agency} opened {what_en} {ref} to consider it"
    elif view.agency:
        th = f"เจ้าหน้าที่ {th_agency} เปิดดู{what_th} {ref} เพื่อพิจารณา"
        en = f"An officer of {en_agency} opened {what_en} {ref} to consider it"
    else:
        th = f"ผู้ตรวจสอบ เปิดดู{what_th} {ref} เพื่อตรวจสอบการปฏิบัติงาน"
        en = f"An auditor opened {what_en} {ref} to audit it"
    name = (en_agency if lang == "en" else th_agency) or ("Auditor" if lang == "en" else "ผู้ตรวจสอบ")
    return {
        "time": view.at.astimezone(dt.UTC).isoformat(), "source": STAFF_VIEW, "reference": f"view-{view.id}",
        "client": view.agency or "", "client_name": name, "user": None, "service": view.what,
        "service_name": en if lang == "en" else th, "purpose": STAFF_REVIEW,
        "purpose_name": "Considering your application" if lang == "en" else "พิจารณาคำขอของท่าน",
        "categories": [], "legal_basis": None, "legal_basis_text": basis_text(None, lang),
        "decision": "viewed", "status": 200, "reason": None, "ledger_index": None, "receipt_url": None,
    }


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
