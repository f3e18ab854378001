"""The one error base of Pracha.

Every capability's `errors.py` subclasses `PrachaError`; the web layer turns any of them into a page
or a JSON body in the user's language with the status code the error carries.

    PrachaError
    ├── NotFound (404), Forbidden (403), Unauthenticated (401), Conflict (409)
    │   └── QuotaExceeded (409, quota_exceeded)   a citizen's drafts, consents or uploads are used up
    ├── InvalidInput (422)      some fields are wrong; `fields` says which and why, in both languages
    ├── identity.errors: InvalidThaiId, SignInFailed, SignInThrottled, AccountExists, NotAllowed, …
    ├── services.errors: UnknownService, ApplicationNotFound, IllegalTransition, FormInvalid, …
    └── web.csrf: CsrfFailed
"""

from __future__ import annotations

from typing import Any


class PrachaError(Exception):
    status_code = 400
    code = "bad_request"
    message_th = "คำขอไม่ถูกต้อง"
    message_en = "The request is not valid."

    def __init__(
        self,
        message_th: str | None = None,
        message_en: str | None = None,
        *,
        fields: dict[str, dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        if message_th is not None:
            self.message_th = message_th
        if message_en is not None:
            self.message_en = message_en
        self.fields = fields or {}
        self.headers = headers or {}
        self.details = details
        super().__init__(self.message_en)

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_th

    def to_json(self, lang: str) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message(lang)}
        if self.fields:
            body["fields"] = {name: msg["en" if lang == "en" else "th"] for name, msg in self.fields.items()}
        body.update(self.details)
        return body


class NotFound(PrachaError):
    status_code = 404
    code = "not_found"
    message_th = "ไม่พบสิ่งที่ต้องการ"
    message_en = "Not found."


class Forbidden(PrachaError):
    status_code = 403
    code = "forbidden"
    message_th = "ท่านไม่มีสิทธิ์ทำรายการนี้"
    message_en = "You are not allowed to do this."


class Unauthenticated(PrachaError):
    status_code = 401
    code = "unauthenticated"
    message_th = "กรุณาเข้าสู่ระบบก่อน"
    message_en = "Please sign in first."


class Conflict(PrachaError):
    status_code = 409
    code = "conflict"
    message_th = "ไม่สามารถทำรายการนี้ในสถานะปัจจุบันได้"
    message_en = "This cannot be done in the current state."


class InvalidInput(PrachaError):
    status_code = 422
    code = "invalid_input"
    message_th = "ข้อมูลบางช่องไม่ถูกต้อง กรุณาแก้ไขตามคำแนะนำใต้ช่อง"
    message_en = "Some fields are not valid. Please correct them as shown beside each field."


class QuotaExceeded(Conflict):
    """A per-citizen quota is used up; `quota` names it and `limit` says how many (or bytes) it allows."""

    code = "quota_exceeded"
    message_th = "ท่านใช้สิทธิ์ครบตามจำนวนที่กำหนดแล้ว"
    message_en = "You have reached the limit for this."

    def __init__(self, quota: str, limit: int, message_th: str, message_en: str) -> None:
        super().__init__(message_th, message_en, quota=quota, limit=limit)
