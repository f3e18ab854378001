"""The demo's moderation queue (`pracha seed --demo`, after the complaints, hearings and petitions): a
citizen has reported one complaint and one petition, so the `moderator` finds work on /moderation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.identity.models import User
from pracha.participation.models import P_OPEN, AbuseReport, Complaint, Petition


def seed_moderation(session: Session, people: list[User], now: dt.datetime) -> None:
    """Two open abuse reports from a demo citizen (none when the other seeders made nothing to report)."""
    if len(people) < 5:
        return
    reporter = people[4]
    complaint = session.scalar(select(Complaint).where(
        Complaint.confidential.is_(False), Complaint.hidden_at.is_(None)).order_by(Complaint.id).limit(1))
    petition = session.scalar(select(Petition).where(
        Petition.status == P_OPEN, Petition.hidden_at.is_(None)).order_by(Petition.id).limit(1))
    if complaint is not None:
        session.add(AbuseReport(target_kind="complaint", target_id=complaint.id, reporter_id=reporter.id,
                                reason="มีเบอร์โทรศัพท์ของเพื่อนบ้านอยู่ในรายละเอียด", created_at=now))
    if petition is not None:
        session.add(AbuseReport(target_kind="petition", target_id=petition.id, reporter_id=reporter.id,
                                reason="ข้อความเหมือนโฆษณาขายของ", created_at=now))
    session.flush()
