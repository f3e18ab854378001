"""Local stand-ins for the outside services the assistant talks to, served by uvicorn in a thread on
a free loopback port: an OpenAI-compatible chat endpoint and the LINE reply API."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.servers import free_port


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "stand-in server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def llm_app(seen: list[dict[str, Any]]) -> FastAPI:
    """Behaves by model name: 'cites' answers citing [1]; 'nocite' cites nothing; 'bogus' cites [9];
    'error' answers 500; 'hang' sleeps 5 s."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Any:
        body = await request.json()
        seen.append({"body": body, "authorization": request.headers.get("authorization")})
        model = body["model"]
        if model == "error":
            return JSONResponse({"error": "boom"}, status_code=500)
        if model == "hang":
            await asyncio.sleep(5)
        text = {"cites": "ใช้บัตรประชาชนและทะเบียนบ้าน [1]", "nocite": "ใช้บัตรประชาชน",
                "bogus": "ตามข้อ [9]"}.get(model, "?")
        return {"choices": [{"message": {"role": "assistant", "content": text}}]}

    return app


def line_app(replies: list[dict[str, Any]], pushes: list[dict[str, Any]] | None = None) -> FastAPI:
    """The reply API, and the push API (a recipient "Ufail…" answers 500; every call is recorded)."""
    app = FastAPI()

    @app.post("/v2/bot/message/push")
    async def push(request: Request) -> Any:
        body = await request.json()
        if pushes is not None:
            pushes.append({"body": body, "authorization": request.headers.get("authorization")})
        if str(body.get("to", "")).startswith("Ufail"):
            return JSONResponse({"message": "boom"}, status_code=500)
        return {"sentMessages": [{"id": "1", "quoteToken": "q"}]}

    @app.post("/v2/bot/message/reply")
    async def reply(request: Request) -> Any:
        replies.append({"body": await request.json(), "authorization": request.headers.get("authorization")})
        return {"sentMessages": []}  # what LINE answers (line-bot-sdk fails to parse an empty object)

    return app
