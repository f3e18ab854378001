"""The staff second factor: TOTP (RFC 6238, `pyotp`) with one-time recovery codes.

Every staff role must give it after the password; a session records how the person proved who they
are in `WebSession.amr` ("pwd", then "pwd otp"; "hwk" for a passkey). The TOTP secret is sealed with
AES-GCM under a key derived (HKDF) from the app secret and bound to the user; recovery codes are kept
as HMACs. A code is accepted once: `last_step` refuses the same or an older time step.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Conflict
from pracha.identity.models import RecoveryCode, TotpFactor, User

FACTOR_AMR = frozenset({"otp", "hwk"})
RECOVERY_CODES = 10
ISSUER_NAME = "Pracha"
ENROL, VERIFY = "enrol", "required"  # as `SessionOut.second_factor` says them


def factor_passed(amr: str) -> bool:
    return bool(FACTOR_AMR & set(amr.split()))


def needs_factor(user: User) -> bool:
    return user.is_staff


# --- sealing the secret ---------------------------------------------------------------------------


def _key(app_secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pracha totp secret v1").derive(app_secret)


def seal_secret(app_secret: bytes, user_id: int, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(app_secret)).encrypt(nonce, secret.encode(), f"totp|{user_id}".encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_secret(app_secret: bytes, user_id: int, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.removeprefix("v1:"))
    return AESGCM(_key(app_secret)).decrypt(raw[:12], raw[12:], f"totp|{user_id}".encode()).decode()


# --- enrolment ------------------------------------------------------------------------------------


def factor_state(session: Session, user: User) -> str:
    """ENROL until a TOTP secret is confirmed, then VERIFY."""
    factor = session.get(TotpFactor, user.id)
    return VERIFY if factor is not None and factor.confirmed_at is not None else ENROL


def enrolment_secret(app_secret: bytes, session_token: str) -> str:
    """The secret offered to a staff member enrolling in this (password-only) session: derived, not
    stored, so showing the enrolment page changes nothing; stored sealed once a code confirms it."""
    mac = hmac.new(app_secret, f"totp-enrol|{session_token}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:20]).decode()


def otpauth_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username or str(user.id), issuer_name=ISSUER_NAME)


def confirm_enrolment(session: Session, user: User, secret: str, code: str, app_secret: bytes,
                      now: dt.datetime | None = None) -> bool:
    """Store `secret` (sealed) as the user's TOTP factor if `code` is current for it."""
    now = now or utcnow()
    if factor_state(session, user) != ENROL:
        raise Conflict("ตั้งค่าการยืนยันตัวตนขั้นที่สองไว้แล้ว", "The second factor is already set up.")
    tidy = _tidy(code)
    step = _totp_step(pyotp.TOTP(secret), tidy, now, 0) if tidy.isdigit() and len(tidy) == 6 else None
    if step is None:
        return False
    factor = set_totp(session, user, app_secret, secret)
    factor.last_step, factor.confirmed_at = step, now
    return True


def set_totp(session: Session, user: User, app_secret: bytes, secret: str) -> TotpFactor:
    """Enrol a known secret, confirmed (the demo's staff and tests; never a person's own enrolment)."""
    factor = session.get(TotpFactor, user.id) or TotpFactor(user_id=user.id, last_step=0)
    factor.secret_sealed = seal_secret(app_secret, user.id, secret)
    factor.confirmed_at = utcnow()
    session.add(factor)
    return factor


def qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def grouped(secret: str) -> str:
    """ABCD EFGH … : the secret for typing by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- checking a code ------------------------------------------------------------------------------


def _totp_step(totp: pyotp.TOTP, code: str, now: dt.datetime, last_step: int) -> int | None:
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):  # one step of clock drift either way
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_hash(app_secret: bytes, code: str) -> str:
    return hmac.new(app_secret, f"recovery|{code}".encode(), hashlib.sha256).hexdigest()


def _tidy(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def check_code(session: Session, user: User, code: str, app_secret: bytes, now: dt.datetime | None = None) -> bool:
    """A current TOTP code of the confirmed factor, or an unused recovery code.
    Marks what it accepts as used; the caller commits."""
    now = now or utcnow()
    factor = session.get(TotpFactor, user.id, with_for_update=True)  # one code, two processes: one wins
    tidy = _tidy(code)
    if factor is None or factor.confirmed_at is None:
        return False
    if tidy.isdigit() and len(tidy) == 6:
        step = _totp_step(pyotp.TOTP(open_secret(app_secret, user.id, factor.secret_sealed)), tidy, now,
                          factor.last_step)
        if step is None:
            return False
        factor.last_step = step
        return True
    row = session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                    RecoveryCode.code_hash == _recovery_hash(app_secret, tidy),
                                                    RecoveryCode.used_at.is_(None)).with_for_update())
    if row is None:
        return False
    row.used_at = now
    return True


def new_recovery_codes(session: Session, user: User, app_secret: bytes) -> list[str]:
    """Replace the user's recovery codes with fresh ones, shown once (XXXXX-XXXXX, 50 bits each)."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    session.flush()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(app_secret, code)))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_codes_left(session: Session, user: User) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))).all())
