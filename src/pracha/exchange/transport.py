"""The HTTP gateway's forward, on the event loop: a small HTTP/1.1 client over asyncio streams with a
pool of keep-alive connections per registry (origin) and event loop. No worker thread waits on a
registry.

Why not httpx.AsyncClient: profiled in the mediator (docs/benchmarks.md, Exchange), its async stack
took over a third of the process's CPU per call, a good part of it in httpcore's pool bookkeeping and
in a failing `import sniffio` on every lock it creates. A registry call is one GET with a few headers
and a JSON answer, which this module does in a few dozen lines.

The whole call (connect, send, answer) must finish within the timeout, or it is a ProviderTimeout
(504). A pooled connection the registry closed (it restarted) fails before any byte of an answer: the
GET is sent once more on a new connection, so the mediator recovers without a restart.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.exchange.checks import Ask, ServiceInfo
from pracha.exchange.errors import ProviderTimeout, ProviderUnavailable
from pracha.exchange.mediator import Forwarded, answer_of, outgoing

MAX_IDLE = 50  # idle connections kept per registry and event loop
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024  # a registry's answer larger than this is not an answer
Origin = tuple[str, str, int]  # scheme, host, port
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class Stale(Exception):
    """A pooled connection closed by the registry before it answered."""


_idle: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Origin, list[Connection]]] = (
    weakref.WeakKeyDictionary())


def _pool(origin: Origin) -> list[Connection]:
    return _idle.setdefault(asyncio.get_running_loop(), {}).setdefault(origin, [])


async def _connect(origin: Origin) -> Connection:
    scheme, host, port = origin
    context = ssl.create_default_context() if scheme == "https" else None
    return await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD)


async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """The answer and whether the connection may be used again."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    version, status = status_line.split(" ", 2)[:2]
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    reusable = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if not 0 <= length <= MAX_BODY:
            raise ValueError("answer too large")
        body = await reader.readexactly(length)
    else:
        body, reusable = await reader.read(MAX_BODY + 1), False
        if len(body) > MAX_BODY:
            raise ValueError("answer too large")
    return Answer(int(status), headers, body), reusable


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip(), 16)
        total += size
        if total > MAX_BODY:
            raise ValueError("answer too large")
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def _exchange(connection: Connection, request: bytes, reused: bool) -> tuple[Answer, bool]:
    reader, writer = connection
    writer.write(request)
    try:
        await writer.drain()
        return await _read_answer(reader)
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        nothing_read = not isinstance(exc, asyncio.IncompleteReadError) or not exc.partial
        if reused and nothing_read:
            raise Stale() from None
        raise


async def get(url: str, headers: dict[str, str]) -> Answer:
    """GET `url` over a pooled connection (the caller bounds the time)."""
    parts = urlsplit(url)
    origin = (parts.scheme, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    idle = _pool(origin)
    while idle:
        connection = idle.pop()
        if connection[1].is_closing() or connection[0].at_eof():
            connection[1].close()
            continue
        try:
            return await _finish(idle, connection, request, reused=True)
        except Stale:
            continue
    return await _finish(idle, await _connect(origin), request, reused=False)


async def _finish(idle: list[Connection], connection: Connection, request: bytes, *, reused: bool) -> Answer:
    try:
        answer, reusable = await _exchange(connection, request, reused)
    except BaseException:  # failed, timed out or cancelled half-way: the connection's state is unknown
        connection[1].close()
        raise
    if reusable and len(idle) < MAX_IDLE:
        idle.append(connection)
    else:
        connection[1].close()
    return answer


async def forward(ask: Ask, service: ServiceInfo, provider: Ed25519PublicKey | None, *, key: Ed25519PrivateKey,
                  timeout: float) -> Forwarded:
    """As `mediator.forward`: ProviderTimeout (504) past `timeout`, ProviderUnavailable or
    BadProviderSignature (502). `provider` is the registry's public key, read with the checks."""
    url, headers = outgoing(ask, service, key)
    try:
        async with asyncio.timeout(timeout):
            answer = await get(url, headers)
    except TimeoutError:
        raise ProviderTimeout() from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, Stale):
        raise ProviderUnavailable() from None
    return answer_of(answer.status, answer.headers, answer.body, headers, service, provider)
