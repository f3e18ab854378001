"""Refuse bad input before any route sees it, for every route alike (a route added tomorrow is covered
without knowing it): text that is not text, numbers that are not numbers, JSON nested too deep.

    RequestRefused (an HTTPException, so FastAPI's body parsing lets it through)
    ├── BodyTooLarge (413, too_large)             more bytes than the limit, with or without Content-Length
    ├── InvalidText (422, invalid_text)           invalid UTF-8, lone surrogates, NUL and other C0 controls
    │                                             (tab, CR, LF allowed), Unicode non-characters
    ├── InvalidNumber (422, invalid_number)       NaN, Infinity, or a number too large for a double
    └── TooDeep (422, too_deep)                   JSON nested deeper than the limit

JSON and urlencoded bodies are read whole (they are small: the body limit applies) when the app first
asks for them, checked, and handed on unchanged; a refusal is raised from `receive`, so it reaches the
app's error handlers as any error does. Multipart bodies stream through (files are bytes); their text
fields reach the services, which check what they store (`check_text`). Query strings and path
parameters are checked by `check_request_text`, a dependency of every route.

A page's upload form that sends too large a file should get the page back with the reason beside the
file field, not a bare 413. A route says it can do that with the dependency `accept_cut_upload`; for
it an oversize multipart body is cut at the limit (the rest is read and dropped, up to `DRAIN_FACTOR`
times the limit, so the browser sees the answer), closed with its boundary, and marked: the route asks
`upload_was_cut(request)` and refuses the file itself. Every other route still gets BodyTooLarge.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive

MAX_JSON_DEPTH = 32
DRAIN_FACTOR = 4
CUT_OK = "pracha.cut_upload_ok"
CUT = "pracha.upload_cut"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_BAD_TEXT = re.compile(f"[{_CONTROLS}\ud800-\udfff{_NONCHARACTERS}]")


class RequestRefused(StarletteHTTPException):
    status = 422
    code = "invalid_input"
    message_th = "ข้อมูลที่ส่งมาไม่ถูกต้อง"
    message_en = "The data sent is not valid."

    def __init__(self, where: str = "body") -> None:
        super().__init__(self.status, self.message_en)
        self.where = where

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_th


class BodyTooLarge(RequestRefused):
    status = 413
    code = "too_large"
    message_th = "ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"
    message_en = "The upload is too large."


class InvalidText(RequestRefused):
    code = "invalid_text"
    message_th = "ข้อความที่ส่งมามีอักขระที่ไม่ถูกต้อง (เช่น อักขระควบคุมหรือรหัสที่ไม่ใช่ตัวอักษร)"
    message_en = "The text sent contains characters that are not allowed (control or non-characters)."


class InvalidNumber(RequestRefused):
    code = "invalid_number"
    message_th = "ตัวเลขไม่ถูกต้อง (ไม่รับ NaN หรือค่าอนันต์)"
    message_en = "A number is not valid (NaN and Infinity are not accepted)."


class TooDeep(RequestRefused):
    code = "too_deep"
    message_th = "ข้อมูล JSON ซ้อนกันลึกเกินกำหนด"
    message_en = f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)."


def is_valid_text(value: str) -> bool:
    return _BAD_TEXT.search(value) is None


def check_text(value: str, where: str = "body") -> str:
    """`value` unchanged, or InvalidText."""
    if _BAD_TEXT.search(value) is not None:
        raise InvalidText(where)
    return value


def _refuse_constant(name: str) -> float:
    raise InvalidNumber()


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise InvalidNumber()
    return number


def check_json_value(value: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Walk a parsed JSON value (without recursion): depth, text of keys and strings, finite numbers."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidNumber()
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise TooDeep()
            if isinstance(item, dict):
                for key, child in item.items():
                    check_text(str(key))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return value


def loads(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` for what a client sent: UTF-8 only, no NaN/Infinity, bounded depth, valid text.
    Raises ValueError (json.JSONDecodeError) for what is not JSON, or a RequestRefused."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidText() from None
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError:
        raise TooDeep() from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more than 4,300 digits
        raise InvalidNumber() from None
    return check_json_value(value, max_depth)


def check_form_body(body: bytes) -> None:
    try:
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InvalidText() from None
    for name, value in pairs:
        check_text(name)
        check_text(value)


def _kind(content_type: str) -> str | None:
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    return None


def multipart_boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data body, or None for any other body."""
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        return None
    found = _BOUNDARY.search(content_type)
    return found.group(1).encode("latin-1") if found else None


def guarded_receive(receive: Receive, *, content_type: str, limit: int, max_depth: int = MAX_JSON_DEPTH,
                    state: dict[str, Any] | None = None) -> Receive:
    """`receive` that counts bytes (chunked bodies have no Content-Length to refuse up front) and, for JSON
    and urlencoded bodies, reads the whole body at the first call, checks it and hands it on unchanged.
    With `state` (the request's), a multipart body over the limit is cut when the route accepts that."""
    kind = _kind(content_type)
    boundary = multipart_boundary(content_type)
    seen = 0
    done = False

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            body = message.get("body", b"")
            seen += len(body)
            if seen > limit:
                if state is None or boundary is None or not state.get(CUT_OK) or state.get(CUT):
                    raise BodyTooLarge()
                keep = body[:len(body) - (seen - limit)]
                await drain(message)
                state[CUT] = True
                return {"type": "http.request", "body": keep + b"\r\n--" + boundary + b"--\r\n", "more_body": False}
        return message

    async def drain(message: Message) -> None:
        """Read what the client still sends, so it is not cut off before it reads our answer."""
        total = seen
        while message.get("more_body", False):
            message = await receive()
            if message["type"] != "http.request":
                return
            total += len(message.get("body", b""))
            if total > DRAIN_FACTOR * limit:
                raise BodyTooLarge()

    async def whole() -> Message:
        nonlocal done
        if done:
            return await receive()  # after the body: wait for the disconnect, as Starlette does
        chunks: list[bytes] = []
        while True:
            message = await counted()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        done = True
        body = b"".join(chunks)
        if body:
            if kind == "json":
                try:
                    loads(body, max_depth)
                except json.JSONDecodeError:
                    pass  # not JSON at all: FastAPI answers that with its own 422
            else:
                check_form_body(body)
        return {"type": "http.request", "body": body, "more_body": False}

    return whole if kind is not None else counted


def accept_cut_upload(request: Request) -> None:
    """A route dependency (list it in the route's `dependencies`, so it runs before the body is read):
    this route answers an oversize upload itself (see `upload_was_cut`)."""
    request.scope.setdefault("state", {})[CUT_OK] = True


def upload_was_cut(request: Request) -> bool:
    return bool(request.scope.get("state", {}).get(CUT))


async def check_request_text(request: Request) -> None:
    """A dependency of every route: query strings and path parameters must be valid text too (NUL
    cannot even be stored in PostgreSQL)."""
    query = request.scope.get("query_string", b"")
    if query:
        try:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise InvalidText("query") from None
        for name, value in pairs:
            check_text(name, "query")
            check_text(value, "query")
    for value in request.path_params.values():
        if isinstance(value, str):
            check_text(value, "path")
