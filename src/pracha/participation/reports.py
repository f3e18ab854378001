"""Reporting a problem: the one way a complaint is made (web form, API and LINE all call
`create_complaint`). It checks the report, routes it to the responsible agency by the catalogue's
rules, sets its deadline, keeps the cleaned photos and records the first event."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import InvalidInput
from pracha.identity.principal import Principal
from pracha.participation.limits import check_rate
from pracha.participation.models import NEW, Complaint, ComplaintEvent, ComplaintPhoto
from pracha.participation.photos import MAX_PHOTOS, SafePhoto
from pracha.participation.rules import Rules

__all__ = ["Report", "create_complaint", "new_complaint_reference"]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@dataclass
class Report:
    """What the citizen gives (photos already cleaned with `photos.clean_photo`)."""

    category: str
    title: str
    description: str
    tambon: str
    latitude: float | None = None
    longitude: float | None = None
    private_place: bool = False
    anonymous: bool = False
    photos: list[SafePhoto] = field(default_factory=list)
    channel: str = "web"


def new_complaint_reference(now: dt.datetime) -> str:
    """"CP69-7KQ2MX": the Buddhist year, then six random characters (says nothing, cannot be guessed)."""
    return f"CP{(now.year + 543) % 100:02d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def _problems(report: Report, rules: Rules) -> dict[str, dict[str, str]]:
    problems: dict[str, dict[str, str]] = {}
    if report.category not in rules.categories:
        problems["category"] = {"th": "กรุณาเลือกประเภทเรื่อง", "en": "Choose a category."}
    if not 3 <= len(report.title.strip()) <= 200:
        problems["title"] = {"th": "กรุณาระบุหัวข้อ 3–200 ตัวอักษร", "en": "Give a title of 3–200 characters."}
    if not 10 <= len(report.description.strip()) <= 5000:
        problems["description"] = {"th": "กรุณาเล่ารายละเอียด 10–5,000 ตัวอักษร",
                                   "en": "Describe the problem in 10–5,000 characters."}
    if report.tambon not in rules.tambons:
        problems["tambon"] = {"th": "กรุณาเลือกตำบลจากรายการ", "en": "Choose a sub-district from the list."}
    if (report.latitude is None) != (report.longitude is None) or (
            report.latitude is not None and report.longitude is not None
            and not (-90 <= report.latitude <= 90 and -180 <= report.longitude <= 180)):
        problems["location"] = {"th": "พิกัดไม่ถูกต้อง", "en": "The coordinates are not valid."}
    if len(report.photos) > MAX_PHOTOS:
        problems["photos"] = {"th": f"แนบรูปได้ไม่เกิน {MAX_PHOTOS} รูป", "en": f"Attach at most {MAX_PHOTOS} photos."}
    return problems


def create_complaint(session: Session, principal: Principal, rules: Rules, report: Report, *,
                     now: dt.datetime | None = None) -> Complaint:
    """A signed-in citizen's report, routed and saved in the caller's transaction (not committed).
    Without coordinates, the first photo's EXIF position (if any) places it."""
    user = principal.user
    if user is None or user.is_staff:
        raise InvalidInput("เฉพาะประชาชนที่เข้าสู่ระบบแล้วเท่านั้นที่แจ้งเรื่องได้",
                           "Only a signed-in citizen can report a problem.")
    problems = _problems(report, rules)
    if problems:
        raise InvalidInput(fields=problems)
    check_rate(session, "complaint", user.id, now=now)
    now = now or utcnow()
    latitude, longitude = report.latitude, report.longitude
    if latitude is None:
        located = next((p for p in report.photos if p.latitude is not None), None)
        if located is not None:
            latitude, longitude = located.latitude, located.longitude
    category = rules.categories[report.category]
    complaint = Complaint(
        reference=new_complaint_reference(now), reporter_id=user.id, category=category.code,
        title=report.title.strip(), description=report.description.strip(), tambon=report.tambon,
        latitude=latitude, longitude=longitude, private_place=report.private_place, anonymous=report.anonymous,
        confidential=category.confidential, agency=rules.route(category.code, report.tambon), status=NEW,
        channel=report.channel, sla_due_at=now + dt.timedelta(days=category.resolve_days),
        created_at=now, updated_at=now)
    event = ComplaintEvent(action="submit", actor_id=user.id, agency=complaint.agency, note="",
                           public=not category.confidential, at=now)
    complaint.events.append(event)
    for photo in report.photos:
        complaint.photos.append(ComplaintPhoto(stage="before", content=photo.content, width=photo.width,
                                               height=photo.height, sha256=photo.sha256, created_at=now))
    session.add(complaint)
    session.flush()
    for kept in complaint.photos:
        kept.event_id = event.id
    return complaint
