"""One pure-ASGI middleware for what every response needs: the visitor's language, the CSRF cookie,
security headers, a default `Cache-Control: no-store`, and a cap on request bodies (checked before
any byte is read when Content-Length says, counted as they arrive when chunked), with JSON and form
bodies checked by `pracha.http.guard`.

Caching is opt-in: every response is `no-store` (most of Pracha is personal) unless the route set its
own `Cache-Control` (ledger tiles and checkpoints) or the path is in `PUBLIC_CACHE` (static files,
`.well-known`). The error handler for 500s, which answers outside every middleware, calls
`security_headers` itself."""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pracha.http.guard import DRAIN_FACTOR, BodyTooLarge, guarded_receive, multipart_boundary
from pracha.i18n import pick_language

TEXT_BODY_LIMIT = 1024 * 1024  # JSON and form bodies are read whole: uploads alone may be large
LANG_COOKIE = "pracha_lang"
CSRF_COOKIE = "pracha_csrf"
YEAR = 365 * 24 * 3600

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


# Path prefix → Cache-Control when the route set none: public, and worth caching.
PUBLIC_CACHE = (("/static/", "public, max-age=3600"), ("/.well-known/", "public, max-age=300"))
NO_STORE = "no-store"


def security_headers(headers: MutableHeaders, *, path: str, secure: bool) -> None:
    """The headers every response carries (kept where a route set its own)."""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cache-Control", next((c for p, c in PUBLIC_CACHE if path.startswith(p)), NO_STORE))
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def cookie_header(name: str, value: str, *, max_age: int, secure: bool, http_only: bool = True) -> str:
    parts = [f"{name}={value}", "Path=/", f"Max-Age={max_age}", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


class PrachaMiddleware:
    def __init__(
        self, app: ASGIApp, *, default_language: str, max_body: int, force_secure: bool = False
    ) -> None:
        self.app = app
        self.default_language = default_language
        self.max_body = max_body
        self.force_secure = force_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        # Starlette's parser, which `request.cookies` uses too (http.cookies.SimpleCookie took 15 times as long)
        cookies = cookie_parser(headers["cookie"]) if "cookie" in headers else {}
        query = scope.get("query_string", b"")
        query_lang = (pick_language(parse_qs(query.decode("latin-1")).get("lang", [""])[0])
                      if b"lang=" in query else None)
        lang = (
            query_lang
            or pick_language(cookies.get(LANG_COOKIE))
            or _accept_language(headers.get("accept-language", ""))
            or self.default_language
        )
        csrf_cookie = cookies.get(CSRF_COOKIE) or ""
        new_csrf = not csrf_cookie
        if new_csrf:
            csrf_cookie = secrets.token_urlsafe(24)
        state = scope.setdefault("state", {})
        state["lang"] = lang
        state["csrf_cookie"] = csrf_cookie
        secure = self.force_secure or is_https(scope)

        path = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                security_headers(h, path=path, secure=secure)
                if h.get("content-type", "").startswith("text/html"):
                    h.setdefault("Content-Language", lang)
                if new_csrf:
                    h.append("Set-Cookie", cookie_header(CSRF_COOKIE, csrf_cookie, max_age=YEAR, secure=secure))
                if query_lang:
                    h.append("Set-Cookie", cookie_header(LANG_COOKIE, lang, max_age=YEAR, secure=secure))
            await send(message)

        content_type = headers.get("content-type", "")
        # A page's multipart upload may run over and be cut (see guard.accept_cut_upload); others may not
        upload = multipart_boundary(content_type) is not None
        limit = self.max_body if upload else min(self.max_body, TEXT_BODY_LIMIT)
        refuse_above = DRAIN_FACTOR * limit if upload and not path.startswith("/api/") else limit
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > refuse_above:
            await _too_large(send_wrapper, lang)
            return
        receive = guarded_receive(receive, content_type=content_type, limit=limit, state=state)
        await self.app(scope, receive, send_wrapper)


def _accept_language(header: str) -> str | None:
    first = header.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else ("th" if first.startswith("th") else None)


async def _too_large(send: Send, lang: str) -> None:
    refused = BodyTooLarge()
    body = json.dumps({"error": refused.code, "message": refused.message(lang)}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})
