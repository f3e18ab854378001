"""One open application per citizen per service, unless the catalogue says `multiple: true`.

"Open" is a draft or any status in `workflow.OPEN`. Two requests at once must not both pass the check:
on PostgreSQL the citizen's `users` row is locked (FOR UPDATE) before looking, so a second transaction
waits until the first commits and then sees its application; on SQLite writers already run one at a
time (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.errors import Conflict
from pracha.identity.models import User
from pracha.services import workflow
from pracha.services.catalog import Service
from pracha.services.models import Application

OPEN_OR_DRAFT = frozenset(workflow.OPEN | {workflow.DRAFT})


class DuplicateApplication(Conflict):
    """409: the citizen already has an open application of this service; `existing` is its reference."""

    code = "duplicate_application"

    def __init__(self, existing: str) -> None:
        super().__init__(
            f"ท่านมีคำขอบริการนี้ที่ยังดำเนินการอยู่แล้ว เลขที่ {existing} กรุณาติดตามหรือแก้ไขคำขอเดิม",
            f"You already have an open application for this service ({existing}). "
            "Follow or change that one instead.",
            existing=existing, existing_url=f"/applications/{existing}")


def open_application(session: Session, citizen_id: int, service_id: str, *, organisation_id: str | None = None,
                     other_than: int | None = None) -> Application | None:
    """The earliest draft or open application of the service (besides `other_than`): the juristic
    person's, whoever made it, when `organisation_id` is given; else the citizen's own."""
    owner = (Application.organisation_id == organisation_id if organisation_id is not None
             else (Application.citizen_id == citizen_id) & Application.organisation_id.is_(None))
    query = select(Application).where(owner, Application.service_id == service_id,
                                      Application.status.in_(sorted(OPEN_OR_DRAFT)))
    if other_than is not None:
        query = query.where(Application.id != other_than)
    return session.scalars(query.order_by(Application.id).limit(1)).first()


def lock_citizen(session: Session, citizen_id: int) -> None:
    """Serialise this citizen's applying (PostgreSQL; SQLite's writers are serial already)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(User.id).where(User.id == citizen_id).with_for_update())


def check_one_open(session: Session, service: Service, citizen_id: int, *, organisation_id: str | None = None,
                   other_than: int | None = None) -> None:
    """DuplicateApplication unless the service allows several or the citizen (or juristic person) has
    none open."""
    if service.multiple:
        return
    lock_citizen(session, citizen_id)
    existing = open_application(session, citizen_id, service.id, organisation_id=organisation_id,
                                other_than=other_than)
    if existing is not None:
        raise DuplicateApplication(existing.reference)
