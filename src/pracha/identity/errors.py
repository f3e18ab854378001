"""Identity errors.

    PrachaError
    ├── AccountExists (409)     that national ID already has an account
    ├── SignInFailed (401)      wrong ID/username or password (never says which)
    ├── SignInThrottled (429)   too many failures from this client: wait (Retry-After)
    ├── SecondFactorFailed (401) the TOTP or recovery code is not right (or used already)
    ├── SecondFactorMissing (401) staff sign-in API: no session waiting for a second factor
    ├── TokenInvalid (401)      unknown or revoked bearer token
    ├── ResetCodeInvalid (400)  a password-reset code that is wrong, expired, spent, or for no account
    └── ResetThrottled (429)    too many password-reset requests or codes: wait (Retry-After)
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


class SecondFactorFailed(PrachaError):
    status_code = 401
    code = "second_factor_failed"
    message_th = "รหัสยืนยันไม่ถูกต้องหรือถูกใช้ไปแล้ว กรุณาใช้รหัสปัจจุบันจากแอปยืนยันตัวตน"
    message_en = "The code is not correct or was used already. Enter the current code from your authenticator app."


class SecondFactorMissing(PrachaError):
    status_code = 401
    code = "second_factor_missing"
    message_th = "กรุณาเข้าสู่ระบบด้วยชื่อผู้ใช้และรหัสผ่านก่อน"
    message_en = "Sign in with your username and password first."


class TokenInvalid(PrachaError):
    status_code = 401
    code = "invalid_token"
    message_th = "โทเค็นไม่ถูกต้องหรือถูกเพิกถอนแล้ว"
    message_en = "The token is unknown or has been revoked."


class ResetCodeInvalid(PrachaError):
    status_code = 400
    code = "invalid_code"
    message_th = "รหัสไม่ถูกต้อง หมดอายุ หรือถูกใช้ไปแล้ว กรุณาขอรหัสใหม่"
    message_en = "The code is not correct, has expired or was used already. Please ask for a new code."


class ResetThrottled(PrachaError):
    status_code = 429
    code = "reset_throttled"
    message_th = "มีการขอตั้งรหัสผ่านใหม่หลายครั้งเกินไป กรุณาลองใหม่ภายหลัง"
    message_en = "Too many password-reset attempts. Please try again later."
