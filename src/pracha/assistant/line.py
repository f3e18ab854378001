"""The LINE Messaging API channel: `POST /channels/line/webhook`. The body must carry a valid
`X-Line-Signature` (HMAC-SHA256 with the channel secret, checked by line-bot-sdk) or the call gets 401
and nothing is processed. Each text message is answered like a web message (anonymous: LINE users
are not linked to citizens) and the reply goes back through the reply API at `PRACHA_LINE_API_URL`,
after the log has been committed.

Before the assistant answers, each function of the `LINE_HANDLERS` hook (`line_hooks`) may take the event (a
higher layer's conversation, such as participation's "แจ้งปัญหา"): the first that returns replies
answers it; text the handlers leave is answered by the assistant; other events are ignored."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.assistant import service
from pracha.assistant.deps import assistant_of
from pracha.assistant.dialogue import Reply
from pracha.assistant.errors import LineBadSignature, LineNotConfigured
from pracha.assistant.line_hooks import LINE_HANDLERS, line_user_of
from pracha.config import Settings
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.openapi import errors
from pracha.http.state import app_state
from pracha.identity.principal import Principal

router = APIRouter()
log = logging.getLogger(__name__)


def line_text(reply: Reply, base_url: str) -> str:
    """The reply with its links written out (LINE shows plain text; 5,000 characters at most)."""
    links = [f"{s.title}: {base_url.rstrip('/')}{s.url}" for s in [*reply.sources, *reply.actions]]
    return "\n".join([reply.text, *links])[:5000]


# line-bot-sdk is imported where it is used: its import costs over a second of CPU, in every process
# that builds the app (each `pracha` command, each server a test starts), and most never see LINE.


def send_replies(settings: Settings, replies: list[tuple[str, list[str]]]) -> None:
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage

    config = Configuration(host=settings.line_api_url.rstrip("/"),
                           access_token=settings.line_channel_access_token.get_secret_value())
    with ApiClient(config) as client:
        api = MessagingApi(client)
        for token, texts in replies:
            try:
                api.reply_message(ReplyMessageRequest(reply_token=token, messages=[
                    TextMessage(text=text[:5000]) for text in texts[:5]]))
            except Exception as exc:  # noqa: BLE001 - a failed reply must not fail the webhook (LINE retries)
                log.warning("LINE reply failed: %s", exc.__class__.__name__)


@router.post("/channels/line/webhook", tags=["assistant"], responses=errors(404))
async def line_webhook(request: Request, _: Principal = allow(PUBLIC, csrf=False),
                       db: Session = Depends(get_db)) -> dict[str, Any]:
    """LINE calls this with message events; signed with the channel secret (`X-Line-Signature`)."""
    settings: Settings = app_state(request).settings
    channel_secret = settings.line_channel_secret.get_secret_value()
    if not channel_secret:
        raise LineNotConfigured()
    from linebot.v3 import WebhookParser
    from linebot.v3.exceptions import InvalidSignatureError
    from linebot.v3.webhooks import MessageEvent, TextMessageContent

    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        events = WebhookParser(channel_secret).parse(body, request.headers.get("x-line-signature", ""))
    except InvalidSignatureError:
        raise LineBadSignature() from None
    except (ValueError, TypeError, KeyError):
        events = []  # signed but not understood: nothing to answer
    assistant = assistant_of(request).assistant()
    base_url = str(request.base_url)
    handlers = app_state(request).registry.each(LINE_HANDLERS)

    def run() -> list[tuple[str, list[str]]]:
        replies = []
        for event in events:
            if not isinstance(event, MessageEvent):
                continue
            user = line_user_of(event)
            taken = next((texts for handler in handlers
                          if (texts := handler(db, settings, base_url, user, event)) is not None), None)
            if taken is None and isinstance(event.message, TextMessageContent):
                reply, _ = service.answer(db, assistant, settings, Principal(), event.message.text,
                                          conversation_id=user[:32], channel="line")
                taken = [line_text(reply, base_url)]
            db.commit()
            if taken and event.reply_token:
                replies.append((event.reply_token, taken))
        return replies

    replies = await run_in_threadpool(run)
    if replies:
        await run_in_threadpool(send_replies, settings, replies)
    return {"status": "ok", "replied": len(replies)}
