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
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
    """Count a failure of this client for this identifier; True when it locks the pair.

    One upsert per row, counted in the database: two processes (or threads) failing for the same pair
    at once both count, and neither trips over the other's new row."""
    stale = SigninThrottle.updated_at < now - dt.timedelta(minutes=policy.lock_minutes)
    counted = _upsert(session, SigninThrottle, {"key": attempt.pair, "failures": 1, "updated_at": now},
                      ["key"], {"failures": case((stale, 1), else_=SigninThrottle.failures + 1),  # old ones forgotten
                                "updated_at": now})
    failures = session.scalar(counted.returning(SigninThrottle.failures))
    assert failures is not None
    _upsert_probe(session, attempt, now)
    retry_after = None
    if failures >= policy.lock_after:
        retry_after = now + dt.timedelta(minutes=policy.lock_minutes)
    elif failures >= policy.slowdown_after:
        retry_after = now + dt.timedelta(seconds=policy.slowdown_seconds * 2 ** (failures - policy.slowdown_after))
    if retry_after is not None:
        session.execute(update(SigninThrottle).where(SigninThrottle.key == attempt.pair)
                        .values(retry_after=retry_after).execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):  # the copies check_attempt loaded are older now
        if isinstance(obj, SigninThrottle | SigninProbe):
            session.expire(obj)
    return failures >= policy.lock_after


def _upsert_probe(session: Session, attempt: Attempt, now: dt.datetime) -> None:
    session.execute(_upsert(session, SigninProbe, {"client": attempt.client, "identifier": attempt.identifier,
                                                   "seen_at": now}, ["client", "identifier"], {"seen_at": now}))


def _upsert(session: Session, model: type[SigninThrottle] | type[SigninProbe], values: dict[str, Any],
            keys: list[str], changes: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET changes, in the session's dialect."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    return insert(model).values(values).on_conflict_do_update(index_elements=keys, set_=changes)


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
