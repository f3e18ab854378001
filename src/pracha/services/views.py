"""Staff views of a citizen's application: one row each time an officer, admin or auditor opens an
application, its JSON or a document. The citizen's data tracker shows them beside the exchange's
requests ("an officer of <agency> opened application <ref> to consider it"). One insert per view, no
ledger entry: a view changes nothing, and the ledger is for changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.principal import API_TOKEN, FOR_A_PERSON, PUBLIC, SYSTEM, Principal
from pracha.services.models import Application

WHAT = ("application", "document", "data")


class StaffView(Base):
    __tablename__ = "staff_views"
    __table_args__ = (Index("ix_staff_views_citizen_at", "citizen_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                       index=True)
    reference: Mapped[str | None] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    staff_role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str | None] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(20))  # one of WHAT

    @property
    def role_is_token(self) -> bool:
        return self.staff_role == API_TOKEN


# a delegate's and a counter officer's reads are the person's own side: their actions are on the timeline,
# and the counter session is in the data tracker itself (pracha.counter)
NOT_STAFF = frozenset({*FOR_A_PERSON, PUBLIC, SYSTEM})


def is_staff_view(principal: Principal) -> bool:
    """Staff or an agency's API token; never the citizen, nobody, or a bot (its reads are the exchange's)."""
    return principal.role not in NOT_STAFF


def record_view(session: Session, principal: Principal, application: Application, what: str = "application") -> None:
    """Note that `principal` opened `application` (or one of its documents); nothing for the citizen
    themselves. The caller commits (a GET route that records a view is a writing route for staff)."""
    if not is_staff_view(principal) or application.citizen_id == principal.user_id:
        return
    session.add(StaffView(citizen_id=application.citizen_id, application_id=application.id,
                          reference=application.reference, staff_id=principal.user_id, staff_role=principal.role,
                          agency=principal.agency, what=what if what in WHAT else "data"))
