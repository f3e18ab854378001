"""The gateway's HTTP/1.1 client against a real HTTP server: a chunked answer, keep-alive reuse of one
connection, a server that closed its idle connections, and an answer without a length."""

from __future__ import annotations

import asyncio
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

from pracha.exchange import transport
from tests.servers import local_http_server


class Registry(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: ClassVar[set[Any]] = set()
    close_after: ClassVar[bool] = False

    def do_GET(self) -> None:  # noqa: N802 (the handler's name)
        Registry.connections.add(self.client_address)
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Twice", "a")
            self.send_header("X-Twice", "b")
            self.end_headers()
            for part in (b'{"items": ', b"[1, 2]", b"}"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/until-close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"all of it")
            self.close_connection = True
        else:
            body = self.path.encode()
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        if Registry.close_after:
            self.close_connection = True

    def log_message(self, *_: Any) -> None:
        pass


def test_answers_of_every_framing_over_kept_alive_connections() -> None:
    Registry.connections = set()
    with local_http_server(Registry) as base:
        async def calls() -> list[transport.Answer]:
            return [await transport.get(f"{base}{path}", {"X-Road-Id": "t1"})
                    for path in ("/a?x=1", "/chunked", "/missing", "/b", "/until-close", "/c")]

        a, chunked, missing, b, until_close, c = asyncio.run(calls())
    assert (a.status, a.body) == (200, b"/a?x=1")
    assert chunked.body == b'{"items": [1, 2]}' and chunked.headers["x-twice"] == "a, b"
    assert (missing.status, missing.body) == (404, b"/missing")
    assert b.body == b"/b" and until_close.body == b"all of it" and c.body == b"/c"
    assert len(Registry.connections) == 2  # one kept alive until the server closed it, then a new one


def test_a_connection_the_server_closed_is_replaced() -> None:
    Registry.connections, Registry.close_after = set(), True
    try:
        with local_http_server(Registry) as base:
            async def calls() -> list[transport.Answer]:
                return [await transport.get(f"{base}/{n}", {}) for n in range(3)]

            answers = asyncio.run(calls())
    finally:
        Registry.close_after = False
    assert [a.body for a in answers] == [b"/0", b"/1", b"/2"]
    assert len(Registry.connections) == 3
