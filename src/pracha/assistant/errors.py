"""The assistant's errors.

    PrachaError
    ├── AssistantRateLimited (429)   too many messages from one client in a minute
    ├── LineNotConfigured (404)      the LINE channel secret is not set: this deployment has no such channel
    └── LineBadSignature (401)       X-Line-Signature missing or wrong: nothing is processed
"""

from __future__ import annotations

from pracha.errors import PrachaError


class AssistantRateLimited(PrachaError):
    status_code = 429
    code = "rate_limited"
    message_th = "ส่งข้อความถี่เกินไป กรุณารอสักครู่แล้วลองอีกครั้ง"
    message_en = "Too many messages. Please wait a moment and try again."


class LineNotConfigured(PrachaError):
    status_code = 404  # not a server failure: the channel does not exist here (was 503)
    code = "line_not_configured"
    message_th = "ยังไม่ได้ตั้งค่าช่องทาง LINE"
    message_en = "The LINE channel is not configured."


class LineBadSignature(PrachaError):
    status_code = 401
    code = "bad_signature"
    message_th = "ลายมือชื่อ X-Line-Signature ไม่ถูกต้อง"
    message_en = "The X-Line-Signature is not valid."
