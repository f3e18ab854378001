"""Account recovery ("forgot password"): a one-time code to the e-mail or phone on the account.

Answers never tell whether a national ID has an account: an unknown ID (or a staff member's, or a
citizen's without an e-mail or phone) gets a `PasswordReset` row too, with the same hashing and the same
throttles, only no code goes anywhere. Rows keep HMACs (with the app secret) of the ID as typed, of the
client's address and of the code, never the values.

Limits (`ResetPolicy`): a code is 6 digits, lives 15 minutes and is spent by 5 wrong tries; a new
request replaces the ID's open codes; per ID 3 requests an hour, per client 10 requests and 20 codes
tried an hour. Identity sits below notices, so sending is the `RESET_MESSENGER` slot's job (the
composition root gives it `pracha.notices.recovery`).

Without a working channel, `reset_at_counter`: an officer who checked the ID card opens a counter session
(`pracha.counter`) and the visitor types a new password there; the same revocation and notices follow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput
from pracha.hooks import Slot
from pracha.identity import thai_id
from pracha.identity.errors import ResetCodeInvalid, ResetThrottled
from pracha.identity.models import CITIZEN, PasswordReset, SigninThrottle, User, WebSession
from pracha.identity.oidc.models import OidcToken
from pracha.identity.passwords import hash_password, password_problem
from pracha.ledger import log as ledger

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ResetPolicy:
    code_minutes: int = 15
    max_tries: int = 5
    requests_per_id: int = 3  # an hour
    requests_per_client: int = 10  # an hour
    confirms_per_client: int = 20  # an hour


class ResetMessenger(Protocol):
    """Delivers what recovery says to a citizen (identity cannot reach the notices package itself)."""

    def send_code(self, session: Session, user: User, code: str, minutes: int) -> list[str]:
        """Queue `code` on the user's channels; returns the channels used (empty: none works)."""
        ...

    def tell_password_changed(self, session: Session, user: User) -> None:
        """Tell the user, on every channel, that the password was changed."""
        ...


RESET_MESSENGER: Slot[ResetMessenger] = Slot("password_reset_messenger")


def keyed(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"password-reset|{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def reset_id(national_id: str) -> str:
    """The 13 digits of a well-formed national ID, or `InvalidInput` (422: says nothing of accounts)."""
    tidied = thai_id.tidy(national_id)
    if (problem := thai_id.problem(tidied)) is not None:
        th, en = thai_id.MESSAGES[problem]
        raise InvalidInput(th, en, fields={"national_id": {"th": th, "en": en}})
    return thai_id.normalize(tidied)


def _refuse(wait: dt.timedelta) -> ResetThrottled:
    seconds = max(1, int(wait.total_seconds()) + 1)
    minutes = max(1, (seconds + 59) // 60)
    return ResetThrottled(f"มีการขอตั้งรหัสผ่านใหม่หลายครั้งเกินไป กรุณาลองใหม่ในอีก {minutes} นาที",
                          f"Too many password-reset attempts. Try again in {minutes} minutes.",
                          headers={"Retry-After": str(seconds)}, retry_after=seconds)


def _check_requests(session: Session, column: object, key: str, limit: int, now: dt.datetime) -> None:
    recent = (PasswordReset.created_at > now - HOUR) & (column == key)
    if (session.scalar(select(func.count()).select_from(PasswordReset).where(recent)) or 0) >= limit:
        oldest = session.scalar(select(func.min(PasswordReset.created_at)).where(recent))
        assert oldest is not None
        raise _refuse(oldest + HOUR - now)


def account_for(session: Session, digits: str) -> User | None:
    """The citizen with this national ID; staff are reset by an admin, never by a code."""
    user = session.scalar(select(User).where(User.national_id_index == digits))
    return user if user is not None and user.role == CITIZEN else None


def request_reset(session: Session, national_id: str, *, client: str, secret: bytes, messenger: ResetMessenger,
                  policy: ResetPolicy = ResetPolicy(), now: dt.datetime | None = None) -> PasswordReset:
    """Start a reset for `national_id` (send a code when it is a citizen's with a channel). The caller
    commits; the answer it gives must not depend on what this returns."""
    now = now or utcnow()
    digits = reset_id(national_id)
    id_key, client_key = keyed(secret, "id", digits), keyed(secret, "client", client)
    _check_requests(session, PasswordReset.client_key, client_key, policy.requests_per_client, now)
    _check_requests(session, PasswordReset.id_key, id_key, policy.requests_per_id, now)
    session.execute(update(PasswordReset).where(
        PasswordReset.id_key == id_key, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now,
    ).values(expires_at=now).execution_options(synchronize_session=False))  # replaced by this one
    code = f"{secrets.randbelow(10**6):06d}"
    code_hash = keyed(secret, "code", f"{id_key}|{code}")  # computed for every ID, so the work is alike
    user = account_for(session, digits)
    channels = messenger.send_code(session, user, code, policy.code_minutes) if user is not None else []
    row = PasswordReset(id_key=id_key, client_key=client_key, user_id=user.id if user is not None else None,
                        code_hash=code_hash if channels else None, channels=channels, created_at=now,
                        expires_at=now + dt.timedelta(minutes=policy.code_minutes), tries=0)
    session.add(row)
    session.flush()
    return row


def _check_confirms(session: Session, client_key: str, policy: ResetPolicy, now: dt.datetime) -> None:
    """Count this client's tries in an hour-long window from its first (a SigninThrottle row, keyed)."""
    row = session.get(SigninThrottle, client_key)
    if row is None or row.updated_at <= now - HOUR:
        if row is not None:
            session.delete(row)
            session.flush()
        row = SigninThrottle(key=client_key, failures=0, updated_at=now, retry_after=now + HOUR)
        session.add(row)
    if row.failures >= policy.confirms_per_client:
        raise _refuse(row.updated_at + HOUR - now)
    row.failures += 1


def confirm_reset(session: Session, national_id: str, code: str, new_password: str, *, client: str,
                  secret: bytes, messenger: ResetMessenger, policy: ResetPolicy = ResetPolicy(),
                  now: dt.datetime | None = None) -> User:
    """Set a new password with a code from `request_reset`. Wrong, expired or spent codes and unknown
    IDs raise the same `ResetCodeInvalid` (the try is counted: commit before answering). On success
    every browser session and OIDC token of the user is revoked and the user is told."""
    now = now or utcnow()
    _check_confirms(session, keyed(secret, "confirm-client", client), policy, now)
    digits = reset_id(national_id)
    if (problem := password_problem(new_password)) is not None:
        raise InvalidInput(*problem, fields={"new_password": {"th": problem[0], "en": problem[1]}})
    id_key = keyed(secret, "id", digits)
    row = session.scalar(select(PasswordReset).where(
        PasswordReset.id_key == id_key, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now,
        PasswordReset.tries < policy.max_tries).order_by(PasswordReset.created_at.desc()).limit(1))
    typed = keyed(secret, "code", f"{id_key}|{code.strip()}")
    if row is None or row.code_hash is None or row.user_id is None or not hmac.compare_digest(row.code_hash, typed):
        if row is not None:
            row.tries += 1
        raise ResetCodeInvalid()
    user = session.get(User, row.user_id)
    if user is None or user.role != CITIZEN:
        raise ResetCodeInvalid()
    row.used_at = now
    _set_password(session, user, new_password, now)
    ledger.record(session, "identity.password.reset", actor=f"user:{user.id}", obj=f"user:{user.id}",
                  record={"channels": sorted(row.channels)}, subject=f"user:{user.id}",
                  subject_secret=user.national_id)
    messenger.tell_password_changed(session, user)
    return user


def _set_password(session: Session, user: User, new_password: str, now: dt.datetime) -> None:
    """The new password, and every browser session and OIDC token of the user revoked."""
    user.password_hash = hash_password(new_password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(update(OidcToken).where(OidcToken.user_id == user.id, OidcToken.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))


def reset_at_counter(session: Session, user: User, new_password: str, *, officer_id: int, counter_session_id: int,
                     messenger: ResetMessenger, now: dt.datetime | None = None) -> User:
    """Recovery without a working channel: in an open counter session (`pracha.counter`, after the officer
    checked the ID card), the visitor types a new password on the counter's screen. As after a reset by
    code, every session and OIDC token of the visitor is revoked and they are told on every channel; the
    ledger entry names the officer and the counter session (references only). The caller checks that the
    session is open and is this visitor's."""
    if user.role != CITIZEN:
        raise Forbidden()  # staff are reset by an admin
    if (problem := password_problem(new_password)) is not None:
        raise InvalidInput(*problem, fields={"new_password": {"th": problem[0], "en": problem[1]}})
    now = now or utcnow()
    _set_password(session, user, new_password, now)
    ledger.record(session, "identity.password.reset", actor=f"user:{officer_id}", obj=f"user:{user.id}",
                  record={"channels": ["counter"], "counter_session": counter_session_id},
                  subject=f"user:{user.id}", subject_secret=user.national_id)
    messenger.tell_password_changed(session, user)
    return user


def purge_resets(session: Session, cutoff: dt.datetime) -> int:
    """Delete reset requests made before `cutoff` (for the retention schedule; keep at least the
    throttles' hour); the rows deleted."""
    result = session.execute(delete(PasswordReset).where(PasswordReset.created_at < cutoff)
                             .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
