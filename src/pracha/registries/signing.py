"""ASGI middleware of a registry: the mediator's signature on every request, ours on every response.

A request that is not signed by the mediator's key (missing, forged, tampered, stale) gets 401
`{"error": "unauthorized", "reason": ...}`. Every response -- data, 404, 401, even a crash (500) --
leaves signed with the registry's own key: `"@status" "content-digest"`, the echoed `X-Road-Id`, and,
when the request carried a signature, that signature (`"signature";req`), so the answer is bound to
the question. `open_paths` (health and the OpenAPI description) need no signature but are signed too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.config import default_of
from pracha.exchange import httpsig
from pracha.http.metrics import route_template

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
MAX_BODY = 1024 * 1024
log = logging.getLogger("pracha.registries")


class SignatureMiddleware:
    def __init__(self, app: ASGIApp, *, key_id: str, key: Ed25519PrivateKey, client_id: str,
                 client_key: Ed25519PublicKey, open_paths: tuple[str, ...] = ("/healthz", "/openapi.json"),
                 max_age: float = default_of("exchange_signature_max_age")) -> None:
        self.app, self.key_id, self.key = app, key_id, key
        self.clients = {client_id: client_key}
        self.open_paths, self.max_age = open_paths, max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", ())]
        x_road_id = next((v for k, v in headers if k.lower() == "x-road-id"), None)
        if body is None:
            await self._answer(send, 413, _json({"error": "too_large"}), headers, x_road_id)
            return
        if scope["path"] not in self.open_paths:
            try:
                httpsig.verify_request(scope["method"], httpsig.asgi_target_uri(scope), headers, body,
                                       resolve_key=self.clients.get, max_age=self.max_age)
            except httpsig.SignatureError as exc:
                await self._answer(send, 401, _json({"error": "unauthorized", "reason": exc.reason}), headers,
                                   x_road_id)
                return
        status, response_headers, chunks = 500, [], []
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status, response_headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay, capture)
        except Exception:
            # the route, not the path: a registry's paths hold national IDs
            log.exception("registry request failed: %s %s", scope["method"], route_template(scope))
            status, response_headers, chunks = 500, [], [_json({"error": "internal"})]
            response_headers.append((b"content-type", b"application/json"))
        await self._answer(send, status, b"".join(chunks), headers, x_road_id, response_headers)

    async def _answer(self, send: Send, status: int, body: bytes, request_headers: list[tuple[str, str]],
                      x_road_id: str | None, raw_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        raw = [(k, v) for k, v in (raw_headers if raw_headers is not None else
                                   [(b"content-type", b"application/json")]) if k.lower() != b"content-length"]
        raw.append((b"content-length", str(len(body)).encode()))
        if x_road_id is not None:
            raw.append((b"x-road-id", x_road_id.encode("latin-1")))
        text = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        added = httpsig.sign_response(status, text, body, key_id=self.key_id, key=self.key,
                                      request_headers=request_headers)  # bound if the request was signed
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in added.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
