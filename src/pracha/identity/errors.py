"""Identity errors.

    PrachaError
    ├── AccountExists (409)     that national ID already has an account
    ├── SignInFailed (401)      wrong ID/username or password (never says which)
    ├── SignInThrottled (429)   too many failures: wait (Retry-After) or the account is locked
    └── TokenInvalid (401)      unknown or revoked bearer token
"""

from __future__ import annotations

from pracha.errors import PrachaError


class AccountExists(PrachaError):
    status_code = 409
    code = "account_exists"
    message_th = "เลขประจำตัวประชาชนนี้มีบัญชีอยู่แล้ว กรุณาเข้าสู่ระบบ"
    message_en = "An account with this national ID already exists. Please sign in."


class SignInFailed(PrachaError):
    status_code = 401
    code = "signin_failed"
    message_th = "เลขประจำตัวประชาชนหรือรหัสผ่านไม่ถูกต้อง"
    message_en = "The ID or the password is not correct."


class SignInThrottled(PrachaError):
    status_code = 429
    code = "signin_throttled"
    message_th = "เข้าสู่ระบบไม่สำเร็จหลายครั้ง กรุณารอสักครู่แล้วลองใหม่"
    message_en = "Too many failed sign-ins. Please wait a moment and try again."


class TokenInvalid(PrachaError):
    status_code = 401
    code = "invalid_token"
    message_th = "โทเค็นไม่ถูกต้องหรือถูกเพิกถอนแล้ว"
    message_en = "The token is unknown or has been revoked."
