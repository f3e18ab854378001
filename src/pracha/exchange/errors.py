"""Why the mediator (or the consent pages) refused. Every refusal of an exchange request is also a
row in the message log and an entry in the ledger; `reference` names that row.

    PrachaError
    └── ExchangeError (403)
        ├── BadExchangeRequest (400)      missing or malformed X-Road headers, path or subject
        ├── BadSignature (401)            the client's signature is missing, wrong, stale or unknown
        ├── UnknownExchangeService (404)
        ├── NoAccessRight (403)           the client has no right to this service for any purpose
        ├── WrongPurpose (403)            … not for the purpose it gave (or the service serves no such purpose)
        ├── NoLawfulBasis (403)           neither an active consent nor a legal duty covers the request
        ├── Replayed (409)                the client sent this X-Road-Id before
        ├── RateLimited (429)
        ├── ProviderUnavailable (502)     the registry is down or answered nonsense
        ├── BadProviderSignature (502)    the registry's answer is not signed by the registry
        └── ProviderTimeout (504)         the registry did not answer within the timeout
    ConsentNotFound (404), UnknownRecipient (422), NoCategories (422) — consent pages and API
"""

from __future__ import annotations

from pracha.errors import InvalidInput, NotFound, PrachaError


class ExchangeError(PrachaError):
    status_code = 403
    code = "exchange_refused"
    message_th = "คำขอข้อมูลถูกปฏิเสธ"
    message_en = "The data request was refused."

    @property
    def reference(self) -> str | None:
        value = self.details.get("message_reference")
        return str(value) if value is not None else None


class BadExchangeRequest(ExchangeError):
    status_code = 400
    code = "bad_exchange_request"
    message_th = "คำขอข้อมูลไม่ครบถ้วนหรือรูปแบบไม่ถูกต้อง"
    message_en = "The data request is incomplete or malformed."


class BadSignature(ExchangeError):
    status_code = 401
    code = "bad_signature"
    message_th = "ลายมือชื่ออิเล็กทรอนิกส์ของผู้ขอข้อมูลไม่ถูกต้อง"
    message_en = "The client's signature does not verify."


class UnknownExchangeService(ExchangeError):
    status_code = 404
    code = "unknown_service"
    message_th = "ไม่พบบริการข้อมูลนี้"
    message_en = "No such data service."


class NoAccessRight(ExchangeError):
    code = "no_access_right"
    message_th = "หน่วยงานผู้ขอไม่มีสิทธิ์เข้าถึงบริการข้อมูลนี้"
    message_en = "The client has no access right to this service."


class WrongPurpose(ExchangeError):
    code = "wrong_purpose"
    message_th = "ไม่ได้รับอนุญาตให้ใช้บริการข้อมูลนี้เพื่อวัตถุประสงค์ที่ระบุ"
    message_en = "The client may not use this service for the stated purpose."


class NoLawfulBasis(ExchangeError):
    code = "no_lawful_basis"
    message_th = "ไม่มีฐานทางกฎหมาย: เจ้าของข้อมูลไม่ได้ให้ความยินยอมที่ยังมีผล และไม่มีหน้าที่ตามกฎหมาย"
    message_en = "No lawful basis: no active consent of the data subject and no legal duty."


class Replayed(ExchangeError):
    status_code = 409
    code = "replayed"
    message_th = "เลขที่ข้อความ (X-Road-Id) นี้เคยใช้แล้ว"
    message_en = "This X-Road-Id was used before."


class RateLimited(ExchangeError):
    status_code = 429
    code = "rate_limited"
    message_th = "ส่งคำขอถี่เกินกำหนด กรุณารอสักครู่"
    message_en = "Too many requests; please wait a moment."


class ProviderUnavailable(ExchangeError):
    status_code = 502
    code = "provider_unavailable"
    message_th = "ระบบของหน่วยงานผู้ให้ข้อมูลไม่ตอบสนอง"
    message_en = "The providing registry is not available."


class BadProviderSignature(ExchangeError):
    status_code = 502
    code = "bad_provider_signature"
    message_th = "คำตอบของหน่วยงานผู้ให้ข้อมูลไม่มีลายมือชื่อที่ถูกต้อง"
    message_en = "The providing registry's answer is not properly signed."


class ProviderTimeout(ExchangeError):
    status_code = 504
    code = "provider_timeout"
    message_th = "หน่วยงานผู้ให้ข้อมูลตอบช้าเกินกำหนด"
    message_en = "The providing registry did not answer in time."


class ConsentNotFound(NotFound):
    code = "consent_not_found"
    message_th = "ไม่พบความยินยอมนี้"
    message_en = "No such consent."


class UnknownRecipient(InvalidInput):
    code = "unknown_recipient"
    message_th = "ไม่พบหน่วยงานผู้รับข้อมูลหรือวัตถุประสงค์นี้"
    message_en = "Unknown recipient or purpose."


class NoCategories(InvalidInput):
    code = "no_categories"
    message_th = "กรุณาเลือกข้อมูลที่ยินยอมให้ใช้อย่างน้อยหนึ่งประเภท"
    message_en = "Choose at least one kind of data to consent to."


__all__ = [
    "ExchangeError", "BadExchangeRequest", "BadSignature", "UnknownExchangeService", "NoAccessRight",
    "WrongPurpose", "NoLawfulBasis", "Replayed", "RateLimited", "ProviderUnavailable", "BadProviderSignature",
    "ProviderTimeout", "ConsentNotFound", "UnknownRecipient", "NoCategories", "PrachaError",
]
