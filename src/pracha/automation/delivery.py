"""Sending the outbox: email over SMTP, SMS through a pluggable gateway, LINE by the Messaging API's
push; each message retried with exponential backoff until it goes or `max_attempts` is spent (then it is
marked failed, for the admin page). Delivery is at least once: a crash after a send but before the
commit sends that message again.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pracha.automation.tasks import backoff_seconds
from pracha.config import Settings, default_of
from pracha.db import utcnow
from pracha.notices.models import OutboxMessage


class Sender(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None:
        """Deliver one message or raise."""


@dataclass(frozen=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class HttpSmsGateway:
    """POSTs {"to", "text"} as JSON to the gateway's URL with a bearer token; any 2xx is success."""

    url: str
    token: str = ""
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(self.url, json={"to": recipient, "text": body}, headers=headers, timeout=self.timeout)
        if not response.is_success:
            raise RuntimeError(f"SMS gateway answered {response.status_code}")


@dataclass(frozen=True)
class LineSender:
    """Pushes the text to a LINE user (`recipient`: their LINE user id) through the Messaging API's
    push endpoint; a link on a line of its own (a path of the portal) is written out with `base_url`."""

    api_url: str
    access_token: str
    base_url: str = ""

    def send(self, recipient: str, subject: str, body: str) -> None:
        # imported here: line-bot-sdk costs a second to import and most processes never push
        from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, PushMessageRequest, TextMessage

        lines = [f"{self.base_url.rstrip('/')}{line}" if line.startswith("/") else line for line in body.split("\n")]
        config = Configuration(host=self.api_url.rstrip("/"), access_token=self.access_token)
        with ApiClient(config) as client:
            MessagingApi(client).push_message(PushMessageRequest(
                to=recipient, messages=[TextMessage(text="\n".join(lines)[:5000])]))


def senders_from(settings: Settings) -> dict[str, Sender]:
    """The channels configured in the settings (a channel without a host/URL is not sent)."""
    found: dict[str, Sender] = {}
    if settings.smtp_host:
        found["email"] = SmtpSender(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                                    settings.smtp_username, settings.smtp_password.get_secret_value(),
                                    settings.smtp_starttls)
    if settings.sms_gateway_url:
        found["sms"] = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token.get_secret_value())
    if token := settings.line_channel_access_token.get_secret_value():
        found["line"] = LineSender(settings.line_api_url, token, settings.public_base_url)
    return found


def deliver_due(session: Session, senders: Mapping[str, Sender], *,
                max_attempts: int = default_of("notice_max_attempts"), limit: int = 50,
                now: dt.datetime | None = None) -> dict[str, int]:
    """Try every due message of a configured channel once; the caller commits. Counts sent/retry/failed."""
    now = now or utcnow()
    if not senders:
        return {"sent": 0, "retry": 0, "failed": 0}
    query = (select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
        OutboxMessage.channel.in_(list(senders)),
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message in session.scalars(query):
        message.attempts += 1
        try:
            senders[message.channel].send(message.recipient, message.subject, message.body)
        except Exception as exc:  # noqa: BLE001 - any failure of a channel is retried
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= max_attempts:
                message.failed_at = now
                counts["failed"] += 1
            else:
                message.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(message.attempts, base=30))
                counts["retry"] += 1
            continue
        message.sent_at, message.last_error = now, None
        counts["sent"] += 1
    return counts
