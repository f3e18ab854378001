"""The access matrix's hearings: what the rows of hearings' routes act on (built once per engine).

An open hearing of the world's agency (with its PDF, and the world's citizen's answer), a draft of the
same agency without a PDF (so publishing it is refused) and a closed one awaiting its summary."""

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


def _draft(title: str, opens_at: dt.datetime, closes_at: dt.datetime) -> hearings.Draft:
    return hearings.Draft(
        kind="project", title_th=title, summary_th="สรุปสาระสำคัญของโครงการเพื่อรับฟังความคิดเห็นของประชาชน",
        opens_at=opens_at, closes_at=closes_at, sections=[{"id": "s1", "title_th": "ส่วนที่ 1"}],
        questions=[{"id": "q1", "kind": "choice", "text_th": "เห็นด้วยหรือไม่",
                    "choices": [{"id": "yes", "th": "เห็นด้วย"}, {"id": "no", "th": "ไม่เห็นด้วย"}]}])


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    """Path ids for the rows ({name} in a row's path → id); `users` by matrix role."""
    rules = load_rules(settings.catalog_dir.resolve())
    officer, now = Principal(user=users["officer"]), dt.datetime.now(dt.UTC)
    agencies = frozenset(catalog.agencies)
    made = {}
    for name, opens, closes in (("hearing_id", now - dt.timedelta(days=1), now + dt.timedelta(days=30)),
                                ("closed_hearing_id", now - dt.timedelta(days=40), now - dt.timedelta(days=1)),
                                ("draft_hearing_id", now + dt.timedelta(days=1), now + dt.timedelta(days=30))):
        hearing = hearings.create_hearing(db, officer, rules, agencies, _draft(f"การรับฟังความคิดเห็น {name}", opens, closes))
        if name != "draft_hearing_id":
            hearings.attach_document(hearing, PDF, "draft.pdf", settings.max_upload_bytes)
            hearing.status = H_OPEN
        made[name] = hearing
    db.flush()
    hearings_answers.answer_hearing(db, Principal(user=users["citizen"]), SECRET, made["hearing_id"],
                                    hearings_answers.Answer({"q1": "yes"}, {}, publish_consent=False))
    return {name: hearing.id for name, hearing in made.items()}
