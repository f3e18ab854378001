"""What may be seen of a complaint, and by whom: the one view the API, the pages and the other
participation parts (LINE replies, statistics) use, and the lists.

The public view never holds a person: no reporter, no national ID, no officer (the agency stands for
its staff). A private place's coordinates are rounded to `rules.private_place_decimals`. A
confidential complaint does not exist (404) for anyone but its reporter and the inspectors of its
unit. A moderator-hidden complaint or event shows the public its hidden reason instead of its text;
its reporter (and the handling staff) still see the text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pracha.identity.principal import Principal
from pracha.paging import Page, PageRequest, SortKey, fetch_page
from pracha.participation.complaints import OPEN, may_handle
from pracha.participation.errors import ComplaintNotFound
from pracha.participation.models import COMPLAINT_STATUSES, Complaint, ComplaintPhoto
from pracha.participation.rules import Rules
from pracha.services.catalog import Catalog

__all__ = ["ComplaintFilter", "QueueItem", "complaint_view", "get_complaint", "get_photo", "is_public",
           "list_mine", "list_public", "may_see", "staff_queue"]

NEWEST = (SortKey(Complaint.created_at, descending=True), SortKey(Complaint.id, descending=True))
MAX_REFERENCE = 20


@dataclass(frozen=True)
class ComplaintFilter:
    category: str | None = None
    tambon: str | None = None
    agency: str | None = None
    status: str | None = None


def is_public(complaint: Complaint) -> bool:
    return not complaint.confidential


def may_see(principal: Principal, complaint: Complaint) -> bool:
    """Anyone sees a public complaint; a confidential one only its reporter and its unit's inspectors."""
    if is_public(complaint):
        return True
    return (principal.user_id is not None and principal.user_id == complaint.reporter_id) or may_handle(
        principal, complaint)


def get_complaint(session: Session, principal: Principal, reference: str, *, lock: bool = False) -> Complaint:
    if not reference or len(reference) > MAX_REFERENCE:
        raise ComplaintNotFound()
    query = select(Complaint).where(Complaint.reference == reference.upper())
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    complaint = session.scalars(query).first()
    if complaint is None or not may_see(principal, complaint):
        raise ComplaintNotFound()
    return complaint


def get_photo(session: Session, principal: Principal, reference: str, photo_id: int) -> ComplaintPhoto:
    complaint = get_complaint(session, principal, reference)
    photo = session.get(ComplaintPhoto, photo_id)
    if photo is None or photo.complaint_id != complaint.id or photo.id not in _visible_photo_ids(
            complaint, _privileged(principal, complaint)):
        raise ComplaintNotFound()
    return photo


def _privileged(principal: Principal, complaint: Complaint) -> bool:
    """The reporter and the handling staff see every event and the text of hidden ones."""
    return (principal.user_id is not None and principal.user_id == complaint.reporter_id) or may_handle(
        principal, complaint)


def _visible_photo_ids(complaint: Complaint, privileged: bool) -> set[int]:
    if complaint.hidden_at is not None and not privileged:
        return set()  # what a moderator hid is not shown in pictures either
    shown = {e.id for e in complaint.events if privileged or (e.public and e.hidden_at is None)}
    return {p.id for p in complaint.photos if privileged or p.event_id is None or p.event_id in shown}


def _agency(catalog: Catalog, code: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    agency = catalog.agencies.get(code)
    return {"code": code, "name": {"th": agency.name.th, "en": agency.name.en} if agency else {"th": code, "en": code}}


def _location(complaint: Complaint, rules: Rules, privileged: bool) -> dict[str, Any] | None:
    if complaint.latitude is None or complaint.longitude is None:
        return None
    if complaint.private_place and not privileged:
        digits = rules.private_place_decimals
        return {"latitude": round(complaint.latitude, digits), "longitude": round(complaint.longitude, digits),
                "exact": False}
    return {"latitude": complaint.latitude, "longitude": complaint.longitude, "exact": True}


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def complaint_view(complaint: Complaint, principal: Principal, rules: Rules, catalog: Catalog,
                   *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The complaint as `principal` may see it (the caller checked `may_see`)."""
    privileged = _privileged(principal, complaint)
    mine = principal.user_id is not None and principal.user_id == complaint.reporter_id
    hidden = complaint.hidden_at is not None and not privileged
    category = rules.categories.get(complaint.category)
    events = []
    for event in complaint.events:
        if not (privileged or event.public):
            continue
        event_hidden = event.hidden_at is not None and not privileged
        events.append({"id": event.id, "action": event.action, "agency": _agency(catalog, event.agency),
                       "note": (event.hidden_reason or "") if event_hidden else event.note,
                       "hidden": event.hidden_at is not None, "public": event.public, "at": _time(event.at)})
    photo_ids = _visible_photo_ids(complaint, privileged)
    photos = [{"id": p.id, "stage": p.stage, "width": p.width, "height": p.height,
               "url": f"/api/v1/complaints/{complaint.reference}/photos/{p.id}"}
              for p in complaint.photos if p.id in photo_ids]
    view: dict[str, Any] = {
        "reference": complaint.reference,
        "category": {"code": complaint.category,
                     "name": dict(category.name) if category else {"th": complaint.category, "en": complaint.category}},
        "title": (complaint.hidden_reason or "") if hidden else complaint.title,
        "description": (complaint.hidden_reason or "") if hidden else complaint.description,
        "hidden": complaint.hidden_at is not None,
        "hidden_reason": complaint.hidden_reason if complaint.hidden_at else None,
        "tambon": complaint.tambon, "status": complaint.status, "confidential": complaint.confidential,
        "anonymous": complaint.anonymous, "channel": complaint.channel,
        "created_at": _time(complaint.created_at), "first_response_at": _time(complaint.first_response_at),
        "resolved_at": _time(complaint.resolved_at), "sla_due_at": _time(complaint.sla_due_at),
        "agency": _agency(catalog, complaint.agency), "events": events, "photos": photos,
        "rating": complaint.rating, "location": _location(complaint, rules, privileged), "mine": mine,
    }
    if mine:
        now = now or dt.datetime.now(dt.UTC)
        window = dt.timedelta(days=rules.reopen_within_days)
        view["may"] = {
            "add_details": complaint.status == "needs_info",
            "rate": complaint.status in ("resolved", "rejected") and complaint.rating is None,
            "reopen": complaint.status in ("resolved", "rejected") and complaint.reopen_count == 0
            and complaint.resolved_at is not None and now <= complaint.resolved_at + window,
        }
    return view


def _filtered(query: Select[Complaint], filters: ComplaintFilter) -> Select[Complaint]:
    if filters.category:
        query = query.where(Complaint.category == filters.category)
    if filters.tambon:
        query = query.where(Complaint.tambon == filters.tambon)
    if filters.agency:
        query = query.where(Complaint.agency == filters.agency)
    if filters.status in COMPLAINT_STATUSES:
        query = query.where(Complaint.status == filters.status)
    return query


def list_public(session: Session, filters: ComplaintFilter, page: PageRequest) -> Page[Complaint]:
    """Public complaints (confidential ones never), newest first."""
    query = _filtered(select(Complaint).where(Complaint.confidential.is_(False)), filters)
    return fetch_page(session, query, NEWEST, page)


def list_mine(session: Session, principal: Principal, page: PageRequest) -> Page[Complaint]:
    query = select(Complaint).where(Complaint.reporter_id == (principal.user_id or -1))
    return fetch_page(session, query, NEWEST, page)


@dataclass(frozen=True)
class QueueItem:
    complaint: Complaint
    overdue: bool  # the resolution deadline passed
    no_first_response: bool  # nothing said within rules.first_response_days (Royal Decree 2546 s. 38)


def staff_queue(session: Session, principal: Principal, rules: Rules, *, now: dt.datetime,
                limit: int = 200) -> list[QueueItem]:
    """The unit's open complaints, soonest due first (inspectors: the unit's confidential ones only)."""
    confidential = principal.role == "inspector"
    query = select(Complaint).where(Complaint.agency == (principal.agency or ""), Complaint.status.in_(OPEN),
                                    Complaint.confidential.is_(confidential)).order_by(
        Complaint.sla_due_at, Complaint.id).limit(limit)
    first = dt.timedelta(days=rules.first_response_days)
    return [QueueItem(c, c.sla_due_at < now, c.first_response_at is None and c.created_at + first < now)
            for c in session.scalars(query)]
