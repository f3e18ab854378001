"""The assistant's logic with storage: answer one message for a principal on a channel, look up the
citizen's own applications (through ``pracha.services.service``), optionally let an LLM word the
answer, and log the turn — national IDs masked; logs older than ``assistant_log_days`` are deleted
by the retention schedule (``pracha.privacy.retention``, daily). Never commits: the route does.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import deque
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.assistant import llm
from pracha.assistant.dialogue import ApplicationStatus, Assistant, Reply, Source
from pracha.assistant.errors import AssistantRateLimited
from pracha.assistant.metrics import ANSWERS
from pracha.assistant.models import Conversation, Message
from pracha.assistant.nlp import mask_national_ids
from pracha.config import Settings
from pracha.db import utcnow
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.paging import PageRequest
from pracha.services import service as services
from pracha.services.catalog import Catalog

MAX_TEXT = 1000


class RateLimiter:
    """At most ``per_minute`` calls per key in any 60 s (in process; one web process per limiter)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= self.per_minute:
                wait = int(60 - (now - calls[0])) + 1
                raise AssistantRateLimited(headers={"Retry-After": str(wait)})
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle clients
                for k in [k for k, v in self._calls.items() if not v or v[-1] <= now - 60]:
                    del self._calls[k]


def application_statuses(session: Session, catalog: Catalog, principal: Principal, lang: str
                         ) -> list[ApplicationStatus]:
    """The signed-in citizen's own applications with their live status (never anyone else's)."""
    rows = []
    for application in services.my_applications(session, principal, PageRequest(limit=10)).items:
        service = catalog.get(application.service_id)
        th, en = services.STATUS_TEXT.get(application.status, (application.status, application.status))
        rows.append(ApplicationStatus(application.reference, service.name.get(lang) if service else
                                      application.service_id, en if lang == "en" else th))
    return rows


def _conversation(session: Session, conversation_id: str | None, channel: str, user_id: int | None,
                  now: dt.datetime) -> Conversation:
    """The caller's conversation if it exists and is theirs; otherwise a new one."""
    if conversation_id:
        found = session.scalar(select(Conversation).where(Conversation.id == conversation_id[:32]))
        if found is not None and found.channel == channel and found.user_id == user_id:
            found.updated_at = now
            return found
    created = Conversation(id=conversation_id[:32] if channel == "line" and conversation_id else secrets.token_hex(16),
                           channel=channel, user_id=user_id, created_at=now, updated_at=now)
    session.add(created)
    return created


def log_turn(session: Session, settings: Settings, *, conversation_id: str | None, channel: str,
             user_id: int | None, question: str, reply: Reply, now: dt.datetime | None = None) -> str:
    """Store the question and the reply (IDs masked); returns the conversation id."""
    now = now or utcnow()
    conversation = _conversation(session, conversation_id, channel, user_id, now)
    session.add_all([
        Message(conversation_id=conversation.id, at=now, role="user", text=mask_national_ids(question)[:MAX_TEXT]),
        Message(conversation_id=conversation.id, at=now, role="assistant", text=mask_national_ids(reply.text),
                service_id=reply.service_id, out_of_scope=reply.intent == "out_of_scope"),
    ])
    session.flush()
    return conversation.id


def _generative(settings: Settings, question: str, reply: Reply) -> Reply:
    """The LLM's grounded wording of the answer, citing its passages; the retrieval reply on failure."""
    config = llm.LlmConfig(settings.llm_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                           settings.llm_timeout_seconds)
    result = llm.generate(config, question, reply.passages, reply.lang)
    if result is None:
        return reply
    text, numbers = result
    used = [reply.passages[n - 1] for n in numbers]
    cited = [Source(p.question.get(reply.lang), p.url, p.kind) for p in used]
    rest = [s for s in reply.sources if s.url not in {c.url for c in cited}]
    return replace(reply, text=text, sources=cited + rest, intent="generated")


def answer(session: Session, assistant: Assistant, settings: Settings, principal: Principal, text: str, *,
           conversation_id: str | None = None, channel: str = "web") -> tuple[Reply, str]:
    """Answer one message and log the turn; returns the reply and the conversation id."""
    text = text.strip()[:MAX_TEXT]
    citizen = principal.user is not None and principal.role == CITIZEN
    # PDPA s. 34: while a restriction is in force, the assistant neither reads the citizen's
    # applications nor keeps the conversation under their name.
    restricted = principal.user is not None and principal.user.processing_restricted_at is not None
    signed_in, citizen = citizen, citizen and not restricted
    statuses = None
    if citizen and assistant.wants_status(text):
        from pracha.assistant.nlp import detect_language

        statuses = application_statuses(session, assistant.catalog, principal, detect_language(text))
    reply = assistant.respond(text, statuses=statuses, signed_in=signed_in)
    if settings.llm_url and reply.intent == "answer":
        reply = _generative(settings, text, reply)
    ANSWERS.labels(reply.intent, channel).inc()
    conversation = log_turn(session, settings, conversation_id=conversation_id, channel=channel,
                            user_id=principal.user_id if principal.user is not None and not restricted else None,
                            question=text, reply=reply)
    return reply, conversation
