"""Participation in the citizen's PDPA export and erasure (pracha.privacy.parts).

Erasure: a complaint the agency is still working on is kept (restricted) until it is closed, as an
application is; a finished one loses what could identify its reporter — the description and title
become a note, the citizen's own photos and the exact position go, and it shows as anonymous. Hearing
answers keep their choices (they are counted, and the ledger holds their tally) but lose the comments.
Petitions stay (their supporters signed what they read) without their creator's account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.participation.models import (
    ACCEPTED,
    NEEDS_INFO,
    NEW,
    REOPENED,
    Complaint,
    ComplaintPhoto,
    Hearing,
    HearingResponse,
    Petition,
)

__all__ = ["erase_participation", "export_participation"]

OPEN_STATUSES = (NEW, ACCEPTED, NEEDS_INFO, REOPENED)
ERASED_TH = "(ข้อความถูกลบตามคำขอของผู้แจ้ง)"


def export_participation(session: Session, user: User) -> dict[str, Any]:
    complaints = session.scalars(select(Complaint).where(Complaint.reporter_id == user.id).order_by(Complaint.id))
    answers = session.execute(select(HearingResponse, Hearing.title_th).join(Hearing)
                              .where(HearingResponse.user_id == user.id).order_by(HearingResponse.id))
    petitions = session.scalars(select(Petition).where(Petition.creator_id == user.id).order_by(Petition.id))
    return {
        "complaints": [
            {"reference": c.reference, "category": c.category, "title": c.title, "description": c.description,
             "tambon": c.tambon, "latitude": c.latitude, "longitude": c.longitude, "private_place": c.private_place,
             "anonymous": c.anonymous, "agency": c.agency, "status": c.status, "created_at": c.created_at,
             "rating": c.rating, "events": [{"action": e.action, "at": e.at, "note": e.note} for e in c.events]}
            for c in complaints],
        "hearing_answers": [
            {"hearing_id": r.hearing_id, "hearing": title, "answers": dict(r.answers), "comments": dict(r.comments),
             "publish_consent": r.publish_consent, "answered_at": r.created_at, "updated_at": r.updated_at}
            for r, title in answers],
        "petitions_started": [{"id": p.id, "title": p.title, "agency": p.agency, "status": p.status,
                               "created_at": p.created_at} for p in petitions],
    }


def erase_participation(session: Session, user: User) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    for complaint in session.scalars(select(Complaint).where(Complaint.reporter_id == user.id)):
        if complaint.status in OPEN_STATUSES:
            kept.append({"what": f"complaint:{complaint.reference}", "reason": "open-complaint",
                         "th": f"หน่วยงานยังดำเนินการเรื่อง {complaint.reference} อยู่ จึงต้องเก็บไว้จนกว่าจะปิดเรื่อง",
                         "en": f"The agency is still working on complaint {complaint.reference}: it is kept "
                               "until it is closed."})
            continue
        complaint.title = complaint.description = ERASED_TH
        complaint.latitude = complaint.longitude = None
        complaint.anonymous = True
        session.execute(delete(ComplaintPhoto).where(ComplaintPhoto.complaint_id == complaint.id,
                                                     ComplaintPhoto.stage == "before"))
    session.execute(update(HearingResponse).where(HearingResponse.user_id == user.id)
                    .values(comments={}, publish_consent=False))
    session.execute(update(Petition).where(Petition.creator_id == user.id).values(creator_id=None))
    return kept
