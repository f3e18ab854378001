"""The demo bank under test, and a stand-in for Pracha's side: a small Starlette app served by uvicorn on
a free port that checks the bank's signature (RFC 9421) and answers validations and callbacks from a
dict. The real Pracha side is the lead's; its integration is tested there."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pracha.bank.app import create_bank_app
from pracha.config import Settings
from pracha.exchange.httpsig import SignatureError, asgi_target_uri, sign_request, verify_request
from pracha.payments import thaiqr
from pracha.payments.keys import PRACHA_KEY_ID, bank_key, pracha_key
from tests.servers import free_port

BILLER = "099400016550100"
FAST_RETRIES = (0.05, 0.1, 0.2, 0.4)


@dataclass
class Receiver:
    """What Pracha would answer; records what the bank sent (only correctly signed calls)."""

    var_dir: Path
    url: str = ""
    bills: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    validations: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    validation_status: int = 200
    callback_status: int = 200

    def payable(self, ref1: str, ref2: str, answer: dict[str, Any] | None = None) -> str:
        """A bill Pracha knows, and its payload (50 baht unless the answer says otherwise)."""
        self.bills[(BILLER, ref1, ref2)] = answer or {"payable": True}
        return thaiqr.bill_payment(BILLER, ref1, ref2, Decimal("50.00"))

    async def handle(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            keyid = verify_request(request.method, asgi_target_uri(request.scope), request.headers, body,
                                   resolve_key=lambda kid: bank_key(self.var_dir, "demo-bank").public_key()
                                   if kid == "demo-bank" else None)
        except SignatureError as exc:
            self.refused.append(exc.reason)
            return JSONResponse({"error": "unauthorized", "reason": exc.reason}, status_code=401)
        assert keyid == "demo-bank"
        data = json.loads(body)
        if request.url.path == "/payments/validations/demo-bank":
            self.validations.append(data)
            answer = self.bills.get((data["biller_id"], data["ref1"], data["ref2"]),
                                    {"payable": False, "reason": "unknown"})
            return JSONResponse(answer, status_code=self.validation_status)
        if self.callback_status == 200:
            self.callbacks.append(data)
        return JSONResponse({"received": True}, status_code=self.callback_status)


def serve_in_thread(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="the receiver to start")
    return server, thread, f"http://127.0.0.1:{port}"


def wait_for(condition: Callable[[], object], *, seconds: float = 20.0, what: str = "a condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.02)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    state = Receiver(var_dir=tmp_path / "var")
    app = Starlette(routes=[Route("/payments/validations/demo-bank", state.handle, methods=["POST"]),
                            Route("/payments/callbacks/demo-bank", state.handle, methods=["POST"])])
    server, thread, state.url = serve_in_thread(app)
    yield state
    server.should_exit = True
    thread.join(timeout=10)


def bank_settings(var_dir: Path, portal_url: str) -> Settings:
    return Settings(var_dir=var_dir, secret_key="bank-test", public_base_url=portal_url)


@pytest.fixture
def bank(receiver: Receiver, tmp_path: Path) -> Iterator[TestClient]:
    app = create_bank_app(bank_settings(receiver.var_dir, receiver.url),
                          f"sqlite:///{tmp_path / 'bank.db'}", retry_delays=FAST_RETRIES)
    with TestClient(app, base_url="http://bank.test") as client:
        yield client


def signed_by_pracha(var_dir: Path, method: str, url: str, body: bytes = b"", *,
                     key: Any = None, key_id: str = PRACHA_KEY_ID) -> dict[str, str]:
    headers = {"Content-Type": "application/json"} if body else {}
    return headers | sign_request(method, url, headers, body, key_id=key_id, key=key or pracha_key(var_dir))


def pracha_get(client: TestClient | httpx.Client, var_dir: Path, path: str) -> httpx.Response:
    url = str(client.base_url).rstrip("/") + path
    return client.get(path, headers=signed_by_pracha(var_dir, "GET", url))


def pracha_post(client: TestClient | httpx.Client, var_dir: Path, path: str, data: dict[str, Any]) -> httpx.Response:
    url = str(client.base_url).rstrip("/") + path
    body = json.dumps(data).encode()
    return client.post(path, content=body, headers=signed_by_pracha(var_dir, "POST", url, body))
