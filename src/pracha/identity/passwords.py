"""Password hashing with Argon2id (OWASP's first choice), and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's second Argon2id profile: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("pracha-dummy-password")

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> tuple[str, str] | None:
    if len(password) < MIN_LENGTH:
        return (
            f"รหัสผ่านต้องยาวอย่างน้อย {MIN_LENGTH} ตัวอักษร",
            f"The password must be at least {MIN_LENGTH} characters long.",
        )
    if len(password) > 256:
        return ("รหัสผ่านยาวเกินไป", "The password is too long.")
    return None
