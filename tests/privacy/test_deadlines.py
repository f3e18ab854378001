"""The law's clock: the automation's daily job reminds the DPO 7 days and 1 day before a request's
deadline (once each), and flags an overdue request once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import schedules
from pracha.notices.models import InboxMessage
from pracha.privacy.deadlines import remind_dpo
from pracha.privacy.models import PrivacyRequest
from pracha.services.hooks import CATALOG
from tests.factories import create_citizen, sign_in
from tests.privacy.helpers import ask, dpo_client


def _inbox(db: Session, user_id: int) -> list[str]:
    return list(db.scalars(select(InboxMessage.subject).where(InboxMessage.user_id == user_id)
                           .order_by(InboxMessage.id)))


def test_dpo_is_reminded_before_the_deadline_and_told_when_overdue(db: Session, app: FastAPI,
                                                                   make_client: Any) -> None:
    citizen = create_citizen(db)
    client = make_client()
    csrf = sign_in(db, client, citizen)
    made = ask(client, csrf, kind="erasure", details="ขอให้ลบข้อมูลทั้งหมด").json()
    done = ask(client, csrf, kind="restriction").json()
    dpo, dpo_http, dpo_csrf = dpo_client(db, make_client)
    dpo_http.post(f"/api/v1/privacy/requests/{done['id']}/decision", headers={"X-CSRF-Token": dpo_csrf},
                  json={"decision": "approve", "reason": ""})
    due = dt.date.fromisoformat(made["due_on"])

    assert remind_dpo(db, due - dt.timedelta(days=8)) == {"reminders": 0, "overdue": 0}
    assert remind_dpo(db, due - dt.timedelta(days=7)) == {"reminders": 1, "overdue": 0}
    assert remind_dpo(db, due - dt.timedelta(days=7)) == {"reminders": 0, "overdue": 0}  # once
    assert remind_dpo(db, due - dt.timedelta(days=3)) == {"reminders": 0, "overdue": 0}
    db.commit()
    # The daily task of the automation runs it through the hook the composition root registered.
    with app.state.pracha.db.sessions() as session:
        schedules.run_daily(session, app.state.pracha.registry.get(CATALOG), app.state.pracha.settings,
                            (due - dt.timedelta(days=1)).isoformat())
        session.commit()
    assert remind_dpo(db, due) == {"reminders": 0, "overdue": 0}
    assert remind_dpo(db, due + dt.timedelta(days=1)) == {"reminders": 0, "overdue": 1}
    assert remind_dpo(db, due + dt.timedelta(days=2)) == {"reminders": 0, "overdue": 0}
    db.commit()
    subjects = _inbox(db, dpo.id)
    reference = made["reference"]
    assert subjects == [f"คำขอ {reference} จะครบกำหนดในอีก 7 วัน", f"คำขอ {reference} จะครบกำหนดในอีก 1 วัน",
                        f"เกินกำหนดแล้ว: คำขอ {reference} (ครบกำหนด {due.isoformat()})"]
    stored = db.scalar(select(PrivacyRequest).where(PrivacyRequest.id == made["id"]))
    assert stored is not None and stored.overdue_at is not None and stored.reminders == [7, 1]
    page = dpo_http.get("/privacy/requests")
    assert page.status_code == 200 and reference in page.text and done["reference"] not in page.text
