"""The outermost middleware: gives each request its id (echoed in `X-Request-ID`), times it, counts it
by route template and status, and writes one access-log line. The line holds the method, the route
template (never the raw path or the query string, which may carry a national ID), the status, the
duration and the request id: nothing a citizen sent."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pracha.http.logs import ACCESS_LOGGER
from pracha.http.metrics import METHODS, observe_request, route_template
from pracha.http.requestid import HEADER, pick_request_id, set_request_id

access_log = logging.getLogger(ACCESS_LOGGER)
_HEADER_KEY = HEADER.lower().encode("latin-1")


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == _HEADER_KEY), None)
        request_id = pick_request_id(sent)
        set_request_id(request_id)
        started, root_path = time.perf_counter(), scope.get("root_path", "")
        status = 500  # an exception that escapes before the response starts becomes a 500 outside

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in METHODS else "other"
            route = route_template(scope, root_path)
            observe_request(method, route, status, seconds)
            duration_ms = round(seconds * 1000, 1)
            access_log.info("%s %s %s %.1f ms", method, route, status, duration_ms,
                            extra={"method": method, "route": route, "status": status, "duration_ms": duration_ms})
