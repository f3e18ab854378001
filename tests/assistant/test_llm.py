"""Generative mode against a local stand-in endpoint: cited answers are used; errors, timeouts and
answers citing nothing (or a passage that was not given) fall back to the retrieval answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pracha.web.app import create_app
from tests.assistant.standins import llm_app, serve
from tests.factories import csrf_token

QUESTION = "เบี้ยคนแก่ต้องใช้เอกสารอะไรบ้าง เลข 1-1017-00203-45-0"


@pytest.fixture(scope="module")
def llm() -> Any:
    seen: list[dict[str, Any]] = []
    with serve(llm_app(seen)) as url:
        yield url, seen


def _ask(make_settings: Callable[..., Any], url: str, model: str) -> dict[str, Any]:
    app = create_app(make_settings(llm_url=url, llm_model=model, llm_api_key="k3y", llm_timeout_seconds=1.0))
    try:
        with TestClient(app, base_url="http://testserver") as client:
            response = client.post("/api/v1/assistant/messages", json={"text": QUESTION},
                                   headers={"X-CSRF-Token": csrf_token(client)})
            assert response.status_code == 200, response.text
            return dict(response.json())
    finally:
        app.state.pracha.db.engine.dispose()


def test_cited_answer_is_used(make_settings: Callable[..., Any], llm: Any) -> None:
    url, seen = llm
    body = _ask(make_settings, url, "cites")
    assert body["intent"] == "generated" and "[1]" in body["reply"]
    assert body["service_id"] == "elderly-allowance"
    assert body["sources"][0]["url"].startswith("/assistant/faq#elderly-allowance-")
    sent = seen[-1]
    assert sent["authorization"] == "Bearer k3y"
    prompt = sent["body"]["messages"][1]["content"]
    assert "[1]" in prompt and "1-1017-00203-45-0" not in prompt and "x-xxxx-xxxxx-xx-x" in prompt


@pytest.mark.parametrize("model", ["nocite", "bogus", "error", "hang"])
def test_fallback_to_retrieval(make_settings: Callable[..., Any], llm: Any, model: str) -> None:
    url, seen = llm
    before = len(seen)
    body = _ask(make_settings, url, model)
    assert len(seen) == before + 1  # the endpoint was really asked
    assert body["intent"] == "answer"
    assert body["service_id"] == "elderly-allowance"
    assert body["reply"].startswith("ลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ: ") and "[" not in body["reply"]
