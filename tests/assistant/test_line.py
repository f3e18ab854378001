"""The LINE webhook: a bad or missing X-Line-Signature is 401 and nothing is processed; a good one is
answered through the reply API (a local stand-in that records the call)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.assistant.models import Message
from pracha.web.app import create_app
from tests.assistant.standins import line_app, serve

SECRET = "line-channel-secret"
URL = "/channels/line/webhook"


def _body(text: str) -> bytes:
    event = {"type": "message", "mode": "active", "timestamp": 1764000000000, "webhookEventId": "01HX",
             "deliveryContext": {"isRedelivery": False}, "replyToken": "reply-token-1",
             "source": {"type": "user", "userId": "U4af4980629"},
             "message": {"type": "text", "id": "444", "quoteToken": "q", "text": text}}
    return json.dumps({"destination": "Uxxx", "events": [event]}, ensure_ascii=False).encode()


def _sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def line() -> Any:
    replies: list[dict[str, Any]] = []
    with serve(line_app(replies)) as url:
        yield url, replies


def _client(make_settings: Callable[..., Any], url: str) -> tuple[Any, TestClient]:
    app = create_app(make_settings(line_channel_secret=SECRET, line_channel_access_token="tok", line_api_url=url))
    return app, TestClient(app, base_url="http://testserver")


def test_bad_signature_is_401_and_nothing_is_processed(make_settings: Callable[..., Any], line: Any,
                                                        db: Session) -> None:
    url, replies = line
    app, client = _client(make_settings, url)
    body = _body("เบี้ยคนแก่ได้เท่าไหร่")
    for headers in ({}, {"X-Line-Signature": _sign(body, "wrong-secret")}, {"X-Line-Signature": "garbage"}):
        response = client.post(URL, content=body, headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 401
    assert replies == []
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    client.close()
    app.state.pracha.db.engine.dispose()


def test_signed_message_is_answered_through_the_reply_api(make_settings: Callable[..., Any], line: Any,
                                                          db: Session) -> None:
    url, replies = line
    app, client = _client(make_settings, url)
    body = _body("เบี้ยคนแก่ได้เดือนละเท่าไหร่")
    response = client.post(URL, content=body, headers={"Content-Type": "application/json",
                                                       "X-Line-Signature": _sign(body)})
    assert response.status_code == 200, response.text
    assert len(replies) == 1
    sent = replies[0]
    assert sent["authorization"] == "Bearer tok"
    assert sent["body"]["replyToken"] == "reply-token-1"
    text = sent["body"]["messages"][0]["text"]
    assert "600" in text and "http://testserver/services/elderly-allowance" in text
    assert db.scalar(select(func.count()).select_from(Message)) == 2
    client.close()
    app.state.pracha.db.engine.dispose()


def test_unconfigured_channel_refuses(client: TestClient) -> None:
    assert client.post(URL, content=b"{}").status_code == 404
