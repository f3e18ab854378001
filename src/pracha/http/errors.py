"""Turn every error into an answer the person understands, in their language: a JSON body for the API,
a page for browsers. Nothing reaches the client as a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from pracha.errors import PrachaError
from pracha.http.guard import RequestRefused
from pracha.http.metrics import route_template
from pracha.http.middleware import is_https, security_headers
from pracha.http.rendering import render
from pracha.http.requestid import HEADER, current_request_id

log = logging.getLogger("pracha")

HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("คำขอไม่ถูกต้อง", "The request is not valid."),
    401: ("กรุณาเข้าสู่ระบบก่อน", "Please sign in first."),
    403: ("ท่านไม่มีสิทธิ์ทำรายการนี้", "You are not allowed to do this."),
    404: ("ไม่พบหน้าที่ท่านต้องการ", "The page you asked for does not exist."),
    405: ("ไม่รองรับวิธีการเรียกนี้", "This method is not supported here."),
    413: ("ไฟล์หรือข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด", "The upload is too large."),
    422: ("ข้อมูลที่ส่งมาไม่ถูกต้อง", "The data sent is not valid."),
    500: ("ระบบขัดข้องชั่วคราว ข้อมูลของท่านไม่สูญหาย กรุณาลองใหม่อีกครั้ง",
          "Something went wrong on our side. Nothing you sent was lost; please try again."),
    503: ("ระบบฐานข้อมูลไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่ในอีกสักครู่",
          "The database is briefly unavailable. Please try again in a moment."),
    507: ("พื้นที่จัดเก็บข้อมูลของระบบเต็มชั่วคราว กรุณาลองใหม่ภายหลัง",
          "The system's storage is full for now. Please try again later."),
}
DISK_FULL = "53100"  # PostgreSQL's SQLSTATE disk_full
RETRY_AFTER_SECONDS = "5"


def database_trouble(exc: OperationalError) -> int | None:
    """507 when the database's disk is full, 503 when it is away (restarting, failing over) or busy;
    None for anything else: SQLite reports some bugs (no such table) as operational errors too."""
    text = str(exc.orig)
    if getattr(exc.orig, "sqlstate", None) == DISK_FULL or "database or disk is full" in text:
        return 507
    if type(exc.orig).__module__.startswith("psycopg") or "database is locked" in text:
        return 503
    return None


def _retry_later(request: Request, status: int) -> Response:
    """503 `database_unavailable` or 507 `insufficient_storage`, with Retry-After."""
    th, en = HTTP_MESSAGES[status]
    code = "insufficient_storage" if status == 507 else "database_unavailable"
    return error_response(request, status, code, en if _lang(request) == "en" else th,
                          headers={"Retry-After": RETRY_AFTER_SECONDS})


def _field_message(error: dict[str, object], lang: str) -> str:
    """Pydantic speaks English only: say the common cases in Thai, keep its words for English."""
    if lang == "en":
        return str(error.get("msg", ""))
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "กรุณาระบุข้อมูลนี้"
    if kind.startswith(("int_", "float_", "decimal_")):
        return "ต้องเป็นตัวเลข"
    if kind.startswith("json"):
        return "ข้อมูล JSON ไม่ถูกต้อง"
    ctx = error.get("ctx")
    expected = ctx.get("expected") if isinstance(ctx, dict) else None
    if kind in ("literal_error", "enum") and expected:
        return f"ต้องเป็น {str(expected).replace(' or ', ' หรือ ')}"
    return "ข้อมูลไม่ถูกต้อง"


def wants_json(request: Request) -> bool:
    """The API, and any program that sent JSON (a bank's callback, a webhook), gets its error as JSON."""
    if request.url.path.startswith("/api/"):
        return True
    if request.headers.get("content-type", "").startswith("application/json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, code: str, message: str,
                   extra: dict[str, object] | None = None, headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        body: dict[str, object] = {"error": code, "message": message}
        body.update(extra or {})
        return JSONResponse(body, status_code=status, headers=headers)
    response = render(request, "error.html", {"status": status, "message": message}, status_code=status)
    response.headers.update(headers or {})
    return response


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "th")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PrachaError)
    async def pracha_error(request: Request, exc: PrachaError) -> Response:
        body = exc.to_json(_lang(request))
        code, message = body.pop("error"), body.pop("message")
        return error_response(request, exc.status_code, str(code), str(message), body, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        lang = _lang(request)
        th, en = HTTP_MESSAGES[422]
        fields = {
            ".".join(str(p) for p in e.get("loc", ())[1:]) or "body": _field_message(e, lang)
            for e in exc.errors()
        }
        return error_response(request, 422, "invalid_input", en if lang == "en" else th, {"fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        th, en = HTTP_MESSAGES.get(exc.status_code, HTTP_MESSAGES[400])
        return error_response(request, exc.status_code, f"http_{exc.status_code}",
                              en if _lang(request) == "en" else th, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestRefused)
    async def refused(request: Request, exc: RequestRefused) -> Response:
        return error_response(request, exc.status, exc.code, exc.message(_lang(request)), {"where": exc.where})

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> Response:
        """A clear 503 (507 when the disk is full) with Retry-After, not a 500: the client may retry (with
        its Idempotency-Key, a retried submit is safe)."""
        status = database_trouble(exc)
        if status is None:
            return await unexpected(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, route_template(request.scope),
                    type(exc.orig).__name__)
        return _retry_later(request, status)

    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, exc: PoolTimeout) -> Response:
        """Every pooled connection stayed taken past the pool's timeout: overloaded, not broken. The same
        503 as a database away, so clients back off and retry."""
        log.warning("database pool exhausted on %s %s", request.method, route_template(request.scope))
        return _retry_later(request, 503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, route_template(request.scope))  # paths hold IDs
        th, en = HTTP_MESSAGES[500]
        # this handler answers outside every middleware: give the request id and the headers back here
        response = error_response(request, 500, "internal_error", en if _lang(request) == "en" else th,
                                  headers={HEADER: current_request_id()})
        settings = getattr(getattr(request.app.state, "pracha", None), "settings", None)
        secure = bool(getattr(settings, "force_secure_cookies", False)) or is_https(request.scope)
        security_headers(response.headers, path=request.url.path, secure=secure)
        return response
