"""One pure-ASGI middleware for what every response needs: the visitor's language, the CSRF cookie,
security headers, and a cap on request bodies (checked before any byte is read)."""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pracha.i18n import pick_language

LANG_COOKIE = "pracha_lang"
CSRF_COOKIE = "pracha_csrf"
YEAR = 365 * 24 * 3600

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


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
        cookies = _cookies(headers.get("cookie", ""))
        query_lang = pick_language(parse_qs(scope.get("query_string", b"").decode()).get("lang", [""])[0])
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

        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _too_large(send, lang)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("X-Frame-Options", "DENY")
                h.setdefault("Referrer-Policy", "same-origin")
                h.setdefault("Content-Security-Policy", CSP)
                h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if h.get("content-type", "").startswith("text/html"):
                    h.setdefault("Cache-Control", "no-store")
                    h.setdefault("Content-Language", lang)
                if secure:
                    h.setdefault("Strict-Transport-Security", "max-age=31536000")
                if new_csrf:
                    h.append("Set-Cookie", cookie_header(CSRF_COOKIE, csrf_cookie, max_age=YEAR, secure=secure))
                if query_lang:
                    h.append("Set-Cookie", cookie_header(LANG_COOKIE, lang, max_age=YEAR, secure=secure))
            await send(message)

        await self.app(scope, _limited(receive, self.max_body), send_wrapper)


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is the client's problem, not a 500
        return {}
    return {k: m.value for k, m in jar.items()}


def _accept_language(header: str) -> str | None:
    first = header.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else ("th" if first.startswith("th") else None)


def _limited(receive: Receive, limit: int) -> Receive:
    """Bodies sent without Content-Length (chunked) are counted as they arrive."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return wrapped


class BodyTooLarge(Exception):
    """Raised into the app; its handler answers 413."""


async def _too_large(send: Send, lang: str) -> None:
    text = (
        "The upload is too large." if lang == "en" else "ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"
    )
    body = json.dumps({"error": "too_large", "message": text}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})
