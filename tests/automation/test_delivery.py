"""Notices leave the outbox over real SMTP (a local aiosmtpd server) and a real HTTP SMS gateway
(a local stand-in), in the citizen's language, with retries and exponential backoff."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import delivery
from pracha.db import utcnow
from pracha.notices.models import OutboxMessage
from pracha.notices.service import notify
from tests.automation.helpers import run_tasks, submit
from tests.factories import create_citizen
from tests.servers import free_port, local_http_server


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def sms_gateway() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"received": [], "fail": 0, "auth": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["auth"].append(self.headers.get("Authorization"))
            if state["fail"] > 0:
                state["fail"] -= 1
                self.send_response(503)
            else:
                state["received"].append(body)
                self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with local_http_server(Handler) as url:
        state["url"] = f"{url}/messages"
        yield state


def test_email_and_sms_are_sent_in_the_citizens_language(
        db: Session, smtp: tuple[Inbox, int], sms_gateway: dict[str, Any]) -> None:
    inbox, port = smtp
    thai = create_citizen(db, email="somchai@example.org", phone="0812345678", language="th")
    english = create_citizen(db, email="jane@example.org", phone=None, language="en")
    notify(db, thai, subject="คำขอ EA69-TEST: อนุมัติแล้ว", body="คำขอของท่านได้รับอนุมัติแล้ว", link="/x")
    notify(db, english, subject="EA69-TEST: Approved", body="Your application was approved.")
    db.commit()
    senders = {"email": delivery.SmtpSender("127.0.0.1", port, "noreply@pracha.test"),
               "sms": delivery.HttpSmsGateway(sms_gateway["url"], "gateway-token")}
    counts = delivery.deliver_due(db, senders)
    db.commit()
    assert counts == {"sent": 3, "retry": 0, "failed": 0}
    by_to = {m["To"]: m for m in inbox.messages}
    assert by_to["somchai@example.org"]["Subject"] == "คำขอ EA69-TEST: อนุมัติแล้ว"
    assert "ได้รับอนุมัติแล้ว" in by_to["somchai@example.org"].get_content()
    assert by_to["jane@example.org"]["Subject"] == "EA69-TEST: Approved"
    assert sms_gateway["received"] == [{"to": "0812345678", "text": "คำขอ EA69-TEST: อนุมัติแล้ว: /x"}]
    assert sms_gateway["auth"] == ["Bearer gateway-token"]
    assert all(m.sent_at for m in db.scalars(select(OutboxMessage)))
    assert delivery.deliver_due(db, senders) == {"sent": 0, "retry": 0, "failed": 0}  # nothing sent twice


def test_a_failing_gateway_is_retried_with_backoff_then_marked_failed(db: Session, sms_gateway: dict[str, Any]
                                                                       ) -> None:
    citizen = create_citizen(db, email=None, phone="0899999999")
    notify(db, citizen, subject="S", body="B")
    db.commit()
    senders = {"sms": delivery.HttpSmsGateway(sms_gateway["url"])}
    sms_gateway["fail"] = 1
    now = utcnow()
    assert delivery.deliver_due(db, senders, now=now) == {"sent": 0, "retry": 1, "failed": 0}
    message = db.scalar(select(OutboxMessage))
    assert message is not None and message.attempts == 1 and "503" in (message.last_error or "")
    assert message.next_attempt_at == now + dt.timedelta(seconds=30)
    assert delivery.deliver_due(db, senders, now=now + dt.timedelta(seconds=10))["retry"] == 0  # not yet due
    assert delivery.deliver_due(db, senders, now=now + dt.timedelta(seconds=31))["sent"] == 1
    assert sms_gateway["received"][0]["to"] == "0899999999"
    notify(db, citizen, subject="S2", body="B2")
    db.commit()
    dead = {"sms": delivery.HttpSmsGateway(f"http://127.0.0.1:{free_port()}/closed", timeout=1)}
    later = now + dt.timedelta(days=1)
    results = []
    for _ in range(3):
        later += dt.timedelta(hours=1)
        results.append(delivery.deliver_due(db, dead, max_attempts=3, now=later))
    assert [r["retry"] for r in results] == [1, 1, 0] and results[-1]["failed"] == 1
    failed = db.scalar(select(OutboxMessage).where(OutboxMessage.subject == "S2"))
    assert failed is not None and failed.failed_at is not None and failed.attempts == 3


def test_the_worker_sends_the_bots_notices_over_smtp(db: Session, app: FastAPI, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    citizen = create_citizen(db, email="somchai@example.org", language="en")
    submit(db, app, citizen)
    run_tasks(app, senders={"email": delivery.SmtpSender("127.0.0.1", port, "noreply@pracha.test")})
    from pracha.automation.runner import housekeeping
    from tests.automation.helpers import context

    housekeeping(app.state.pracha.db.sessions, context(app, senders={
        "email": delivery.SmtpSender("127.0.0.1", port, "noreply@pracha.test")}))
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert [s.split(": ")[1] for s in subjects] == ["Submitted"]  # the bot's review is not a notice
