"""A portal with the LINE channel on (secret, token, the API at a local stand-in) and helpers to send
it signed webhook messages as a LINE user, as LINE does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pracha.web.app import create_app
from tests.assistant.standins import line_app, serve

SECRET = "line-channel-secret"
TOKEN = "line-token"
WEBHOOK = "/channels/line/webhook"


def webhook_body(text: str, line_user: str) -> bytes:
    event = {"type": "message", "mode": "active", "timestamp": 1764000000000, "webhookEventId": "01HX",
             "deliveryContext": {"isRedelivery": False}, "replyToken": "reply-token-1",
             "source": {"type": "user", "userId": line_user},
             "message": {"type": "text", "id": "444", "quoteToken": "q", "text": text}}
    return json.dumps({"destination": "Uxxx", "events": [event]}, ensure_ascii=False).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class LineWorld:
    app: FastAPI
    api_url: str
    replies: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)

    def say(self, client: TestClient, text: str, line_user: str) -> str:
        """Send `text` as `line_user`; the text the bot replied."""
        before = len(self.replies)
        body = webhook_body(text, line_user)
        response = client.post(WEBHOOK, content=body, headers={"Content-Type": "application/json",
                                                               "X-Line-Signature": sign(body)})
        assert response.status_code == 200, response.text
        assert len(self.replies) == before + 1
        return "\n".join(m["text"] for m in self.replies[-1]["body"]["messages"])


@pytest.fixture
def line_world(make_settings: Callable[..., Any]) -> Iterator[LineWorld]:
    replies: list[dict[str, Any]] = []
    pushes: list[dict[str, Any]] = []
    with serve(line_app(replies, pushes)) as url:
        app = create_app(make_settings(line_channel_secret=SECRET, line_channel_access_token=TOKEN,
                                       line_api_url=url, public_base_url="https://pracha.example.go.th"))
        yield LineWorld(app, url, replies, pushes)
        app.state.pracha.db.engine.dispose()


def line_user(n: int) -> str:
    """A LINE user id of the shape LINE gives ("U" + 32 hex digits)."""
    return f"U{n:032x}"


def get_code(client: TestClient, csrf: str) -> str:
    response = client.post("/api/v1/me/line-link-code", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text
    code = str(response.json()["code"])
    assert code.startswith("PR-") and len(code) == 9 and code[3:].isdigit()
    return code
