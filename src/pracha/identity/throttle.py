"""Sign-in throttling that slows the attacker's client, never the owner's.

National IDs are semi-public, so a lock on an account would let anyone lock anyone out. Failures are
counted per (client, identifier) pair and per client across identifiers instead:

- the pair: from `slowdown_after` failures each retry waits (doubling), from `lock_after` the pair is
  locked for `lock_minutes`. Only that client is refused; the owner signing in from another client
  (another address) with the right password gets in (staff then give their second factor too);
- the client: once it has failed on `client_identifiers` different identifiers within `lock_minutes`
  (spraying), it may try no new identifier until the oldest of those failures ages out (429).

A client is the address the request came from. Rows hold only HMACs (with the app secret) of the
identifier and the address, never a national ID, a username or an IP address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pracha.config import default_of
from pracha.identity.errors import SignInThrottled
from pracha.identity.models import SigninProbe, SigninThrottle


@dataclass(frozen=True)
class ThrottlePolicy:
    slowdown_after: int = default_of("signin_slowdown_after")
    lock_after: int = default_of("signin_lock_after")
    lock_minutes: int = default_of("signin_lock_minutes")
    slowdown_seconds: float = default_of("signin_slowdown_seconds")
    client_identifiers: int = default_of("signin_client_identifiers")


@dataclass(frozen=True)
class Attempt:
    """Who is trying, as keyed hashes: the client, the identifier, and the pair of both."""

    client: str
    identifier: str
    pair: str


def keyed(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"signin|{kind}|{value}".encode(), hashlib.sha256).hexdigest()


def attempt_for(secret: bytes, client: str, identifier: str) -> Attempt:
    """`identifier` already normalised (13 digits, or the lower-cased username, prefixed by its kind)."""
    return Attempt(client=keyed(secret, "client", client), identifier=keyed(secret, "id", identifier),
                   pair=keyed(secret, "pair", f"{client}|{identifier}"))


def _refuse(wait: float, reason: str) -> SignInThrottled:
    """`reason`: slowed (wait a little), locked (this client, this identifier), sprayed (this client)."""
    seconds = int(wait) + 1
    minutes = max(1, seconds // 60)
    th, en = {
        "slowed": (None, None),
        "locked": (f"เข้าสู่ระบบไม่สำเร็จหลายครั้งจากอุปกรณ์นี้ กรุณาลองใหม่ในอีก {minutes} นาที",
                   f"Too many failed sign-ins from this device. Try again in {minutes} minutes."),
        "sprayed": (f"อุปกรณ์นี้ลองเข้าสู่ระบบด้วยหลายบัญชีเกินไป กรุณาลองใหม่ในอีก {minutes} นาที",
                    f"This device tried too many different accounts. Try again in {minutes} minutes."),
    }[reason]
    return SignInThrottled(th, en, headers={"Retry-After": str(seconds)}, retry_after=seconds, reason=reason)


def check_attempt(session: Session, attempt: Attempt, policy: ThrottlePolicy, now: dt.datetime) -> None:
    """Raise `SignInThrottled` (429 with Retry-After) when this client must wait for this identifier."""
    window = dt.timedelta(minutes=policy.lock_minutes)
    row = session.get(SigninThrottle, attempt.pair)
    if row is not None and row.retry_after is not None and now < row.retry_after:
        raise _refuse((row.retry_after - now).total_seconds(),
                      "locked" if row.failures >= policy.lock_after else "slowed")
    if policy.client_identifiers <= 0:
        return
    recent = select(SigninProbe).where(SigninProbe.client == attempt.client, SigninProbe.seen_at > now - window)
    if session.get(SigninProbe, (attempt.client, attempt.identifier)) is not None:
        return  # an identifier it already tried: the pair's own counter limits it
    count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count >= policy.client_identifiers:
        oldest = session.scalar(select(func.min(SigninProbe.seen_at)).where(
            SigninProbe.client == attempt.client, SigninProbe.seen_at > now - window))
        assert oldest is not None
        raise _refuse((oldest + window - now).total_seconds(), "sprayed")


def record_failure(session: Session, attempt: Attempt, policy: ThrottlePolicy, now: dt.datetime) -> bool:
    """Count a failure of this client for this identifier; True when it locks the pair."""
    row = session.get(SigninThrottle, attempt.pair)
    if row is None:
        row = SigninThrottle(key=attempt.pair, failures=0)
        session.add(row)
    elif row.updated_at is not None and row.updated_at < now - dt.timedelta(minutes=policy.lock_minutes):
        row.failures = 0  # old failures are forgotten
    row.failures += 1
    row.updated_at = now
    probe = session.get(SigninProbe, (attempt.client, attempt.identifier))
    if probe is None:
        session.add(SigninProbe(client=attempt.client, identifier=attempt.identifier, seen_at=now))
    else:
        probe.seen_at = now
    if row.failures >= policy.lock_after:
        row.retry_after = now + dt.timedelta(minutes=policy.lock_minutes)
        return True
    if row.failures >= policy.slowdown_after:
        row.retry_after = now + dt.timedelta(
            seconds=policy.slowdown_seconds * 2 ** (row.failures - policy.slowdown_after))
    return False


def clear_failures(session: Session, attempt: Attempt) -> None:
    """A success forgets this pair's failures (the client's probes stay: they count spraying)."""
    session.execute(delete(SigninThrottle).where(SigninThrottle.key == attempt.pair))


def purge_throttles(session: Session, now: dt.datetime, policy: ThrottlePolicy = ThrottlePolicy()) -> int:
    """Delete counters and probes older than the window (for the retention schedule); the rows deleted."""
    cutoff = now - dt.timedelta(minutes=policy.lock_minutes)
    probes = delete(SigninProbe).where(SigninProbe.seen_at <= cutoff)
    counters = delete(SigninThrottle).where(
        SigninThrottle.updated_at <= cutoff,
        (SigninThrottle.retry_after.is_(None)) | (SigninThrottle.retry_after <= now))
    gone = 0
    for statement in (probes, counters):
        result = session.execute(statement.execution_options(synchronize_session=False))
        gone += int(result.rowcount)  # type: ignore[attr-defined]
    return gone
