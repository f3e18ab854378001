"""Errors of the OpenID Connect provider, each with the error code its RFC names.

    PrachaError
    ├── OAuthError (400)          our JSON errors of the OAuth endpoints: a body that is not a form
    │   │                          (token, revocation) and userinfo's (RFC 6750 §3.1); the token and
    │   │                          revocation endpoints' other errors are Authlib's OAuth2Error
    │   └── InvalidToken (401)    a bearer access token that is unknown, expired, revoked or altered
    ├── AuthorizeError            a bad authorization request that can safely go back to the client's
    │                              redirect URI as ?error=… (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6)
    └── UntrustedRedirect (400)   unknown client or redirect URI: shown to the user, never redirected
"""

from __future__ import annotations

from typing import Any

from pracha.errors import PrachaError


class OAuthError(PrachaError):
    status_code = 400

    def __init__(self, code: str, description: str, *, status_code: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description, description, headers=headers)
        self.code = code
        self.description = description
        self.status_code = status_code

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, "message": self.description}


class InvalidToken(OAuthError):
    def __init__(self, description: str = "The access token is not valid.") -> None:
        super().__init__("invalid_token", description, status_code=401, headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'})


class AuthorizeError(Exception):
    """Sent back to the (already verified) redirect URI."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class UntrustedRedirect(PrachaError):
    status_code = 400
    code = "invalid_request"
    message_th = ("แอปที่ส่งท่านมาไม่ได้ลงทะเบียนไว้ หรือที่อยู่สำหรับส่งกลับไม่ตรงกับที่ลงทะเบียน "
                  "ระบบจึงไม่ส่งท่านกลับไปยังแอปนั้น")
    message_en = ("The app that sent you here is not registered, or its return address does not match the "
                  "registered one, so you will not be sent back to it.")


class LogoutRefused(PrachaError):
    status_code = 400
    code = "invalid_request"
    message_th = "คำขอออกจากระบบไม่ถูกต้อง (โทเค็นหรือที่อยู่ส่งกลับไม่ตรงกับแอปที่ลงทะเบียน)"
    message_en = "The logout request is not valid (its token or return address does not match a registered app)."
