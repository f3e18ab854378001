"""LINE outbox rows pushed through the Messaging API's push endpoint (a local stand-in that records
each call), on SQLite and PostgreSQL: the body LINE gets (to, Thai first, the link written out, the
channel token), retries when LINE fails, and no LINE channel without a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from pracha.automation import delivery
from pracha.db import begin_write
from pracha.notices.models import LineLink, OutboxMessage
from pracha.notices.service import notify
from tests.factories import create_citizen
from tests.notices.line_world import TOKEN, LineWorld, line_user
from tests.notices.line_world import line_world as line_world  # the fixture


def test_line_rows_are_pushed_to_the_line_api(line_world: LineWorld) -> None:
    settings = line_world.app.state.pracha.settings
    senders = delivery.senders_from(settings)
    assert isinstance(senders["line"], delivery.LineSender)
    with line_world.app.state.pracha.db.sessions() as db:
        thai = create_citizen(db, language="th")
        english = create_citizen(db, language="en")
        failing = create_citizen(db)
        for user, line_id in ((thai, line_user(7)), (english, line_user(8)), (failing, "Ufail" + "0" * 28)):
            db.add(LineLink(user_id=user.id, line_user=line_id))
        db.commit()
        begin_write(db)
        for user in (thai, english, failing):
            notify(db, user, subject={"th": "แจ้งสถานะ", "en": "Status"}, body={"th": "อนุมัติแล้ว", "en": "Approved"},
                   link="/applications/CM69-0001", kind="status")
        db.commit()
        begin_write(db)
        counts = delivery.deliver_due(db, {"line": senders["line"]})
        db.commit()
        assert counts == {"sent": 2, "retry": 1, "failed": 0}
        by_to = {p["body"]["to"]: p for p in line_world.pushes}
        assert set(by_to) == {line_user(7), line_user(8), "Ufail" + "0" * 28}
        pushed = by_to[line_user(7)]
        assert pushed["authorization"] == f"Bearer {TOKEN}"
        [message] = pushed["body"]["messages"]
        assert message["type"] == "text"
        assert message["text"] == "แจ้งสถานะ\nอนุมัติแล้ว\nhttps://pracha.example.go.th/applications/CM69-0001"
        both = by_to[line_user(8)]["body"]["messages"][0]["text"]
        assert both.index("อนุมัติแล้ว") < both.index("Approved")  # Thai first, then the reader's English
        assert both.endswith("https://pracha.example.go.th/applications/CM69-0001")
        left = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == "line",
                                                      OutboxMessage.sent_at.is_(None))).one()
        assert left.user_id == failing.id and left.attempts == 1 and "500" in (left.last_error or "")
        db.commit()


def test_without_a_token_there_is_no_line_channel(make_settings: Callable[..., Any]) -> None:
    assert "line" not in delivery.senders_from(make_settings())
    assert "line" not in delivery.senders_from(make_settings(line_channel_secret="only-the-secret"))
