"""The access matrix's hearings: what the rows of hearings' routes act on (built once per engine).

An open hearing of the world's agency, with its PDF and the world's citizen's answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.participation import hearings, hearings_answers
from pracha.participation.models import H_OPEN
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog
from tests.services.helpers import PDF

SECRET = b"test-secret"


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    """Path ids for the rows ({name} in a row's path → id); `users` by matrix role."""
    rules = load_rules(settings.catalog_dir.resolve())
    now = dt.datetime.now(dt.UTC)
    draft = hearings.Draft(
        kind="project", title_th="โครงการทดสอบสิทธิ์การเข้าถึง",
        summary_th="สรุปสาระสำคัญของโครงการเพื่อรับฟังความคิดเห็นของประชาชน",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
        sections=[{"id": "s1", "title_th": "ส่วนที่ 1"}],
        questions=[{"id": "q1", "kind": "choice", "text_th": "เห็นด้วยหรือไม่",
                    "choices": [{"id": "yes", "th": "เห็นด้วย"}, {"id": "no", "th": "ไม่เห็นด้วย"}]}])
    hearing = hearings.create_hearing(db, Principal(user=users["officer"]), rules, frozenset(catalog.agencies), draft)
    hearings.attach_document(hearing, PDF, "draft.pdf", settings.max_upload_bytes)
    hearing.status = H_OPEN
    db.flush()
    hearings_answers.answer_hearing(db, Principal(user=users["citizen"]), SECRET, hearing,
                                    hearings_answers.Answer({"q1": "yes"}, {}, publish_consent=False))
    return {"hearing_id": hearing.id}
