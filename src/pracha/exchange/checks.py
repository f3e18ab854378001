"""The mediator's checks after the client's signature, in order: replay, the service, the access right,
the purpose, the lawful basis (an active consent of the subject, or the service's legal duty) and the
rate limit. Each refusal raises its `ExchangeError`; the caller logs it. Every check reads the
database afresh, so a revoked right or a withdrawn consent counts from the very next request.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field

from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.orm import Session

from pracha.db import UTCDateTime, utcnow
from pracha.exchange.errors import (
    BadExchangeRequest,
    NoAccessRight,
    NoLawfulBasis,
    RateLimited,
    Replayed,
    UnknownExchangeService,
    WrongPurpose,
)
from pracha.exchange.models import Consent, ExchangeService
from pracha.identity import thai_id
from pracha.identity.models import User
from pracha.vault import BlindIndex

LEGAL_DUTY = "legal-duty"
CACHE_SECONDS = 10.0
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PATH = re.compile(r"^[A-Za-z0-9._/-]{0,400}$")


@dataclass
class Ask:
    """One request as the mediator sees it, whoever made it (HTTP or in-process)."""

    client: str
    message_id: str
    purpose: str
    service_id: str
    path: str
    user: str | None = None
    subject_national_id: str | None = None
    method: str = "GET"
    query: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    """What the mediator needs of a service, as plain values (cached for a few seconds per process)."""

    id: str
    subsystem_id: str
    base_url: str | None
    path_prefix: str
    subject_in_path: bool
    categories: tuple[str, ...]
    path_categories: dict[str, list[str]]
    purposes: tuple[str, ...]
    legal_duty_purposes: tuple[str, ...]

    @classmethod
    def of(cls, row: ExchangeService) -> ServiceInfo:
        return cls(row.id, row.subsystem_id, row.subsystem.base_url, row.path_prefix, row.subject_in_path,
                   tuple(row.categories), dict(row.path_categories or {}), tuple(row.purposes),
                   tuple(row.legal_duty_purposes))


class ServiceCache:
    """Service metadata changes rarely: read it at most every CACHE_SECONDS per process. Access rights
    and consents are never cached."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, ServiceInfo | None]] = {}

    def get(self, session: Session, service_id: str) -> ServiceInfo:
        now = time.monotonic()
        hit = self._cache.get(service_id)
        if hit is None or now - hit[0] >= CACHE_SECONDS:
            row = session.get(ExchangeService, service_id)
            hit = (now, ServiceInfo.of(row) if row is not None else None)
            self._cache[service_id] = hit
        if hit[1] is None:
            raise UnknownExchangeService()
        return hit[1]

    def clear(self) -> None:
        self._cache.clear()


services = ServiceCache()


@dataclass
class Trace:
    """What the mediator learnt about a request, filled in as it goes (kept in the message log, also
    for a refusal): the service, whose data, which categories, on which basis."""

    service: ServiceInfo | None = None
    subject_national_id: str | None = None
    subject_user_id: int | None = None
    categories: list[str] = field(default_factory=list)
    legal_basis: str | None = None


def check_shape(ask: Ask) -> None:
    """Headers and path are well formed (before anything is looked up)."""
    problems = []
    if not _MESSAGE_ID.match(ask.message_id or ""):
        problems.append("X-Road-Id")
    if not _CODE.match(ask.purpose or ""):
        problems.append("X-Road-Purpose")
    if not _PATH.match(ask.path) or ".." in ask.path:
        problems.append("path")
    if ask.user is not None and len(ask.user) > 200:
        problems.append("X-Road-UserId")
    if problems:
        raise BadExchangeRequest(f"ส่วนหัวหรือเส้นทางไม่ถูกต้อง: {', '.join(problems)}",
                                 f"Missing or malformed: {', '.join(problems)}", problems=problems)


def find_service(session: Session, service_id: str) -> ServiceInfo:
    return services.get(session, service_id)


def subject_of(service: ServiceInfo | ExchangeService, ask: Ask) -> str | None:
    """The national ID whose data is asked for: the first path segment of a per-person service."""
    if not service.subject_in_path:
        return ask.subject_national_id
    first = ask.path.split("/", 1)[0]
    if not thai_id.is_valid(first):
        raise BadExchangeRequest("เส้นทางต้องขึ้นต้นด้วยเลขประจำตัวประชาชนที่ถูกต้อง",
                                 "The path must start with a valid national ID.")
    if ask.subject_national_id is not None and ask.subject_national_id != first:
        raise BadExchangeRequest("เลขประจำตัวประชาชนของเจ้าของข้อมูลไม่ตรงกับเส้นทาง",
                                 "The subject's national ID does not match the path.")
    return first


def categories_of(service: ServiceInfo | ExchangeService, path: str) -> list[str]:
    tail = path.split("/", 1)[1] if service.subject_in_path and "/" in path else ""
    narrower = (service.path_categories or {}).get(tail)
    return list(narrower if narrower is not None else service.categories)


def subject_user(session: Session, national_id: str | None) -> int | None:
    if national_id is None:
        return None
    return session.scalar(select(User.id).where(User.national_id_index == national_id))


def lawful_basis(session: Session, ask: Ask, service: ServiceInfo | ExchangeService, user_id: int | None,
                 categories: list[str], now: dt.datetime) -> str:
    """'legal-duty', or 'consent:<id>' of an active consent covering recipient, purpose and categories."""
    if ask.purpose in service.legal_duty_purposes:
        return LEGAL_DUTY
    if user_id is None:
        raise NoLawfulBasis()
    consents = session.scalars(select(Consent).where(
        Consent.user_id == user_id, Consent.recipient_id == ask.client, Consent.purpose == ask.purpose,
        Consent.withdrawn_at.is_(None), Consent.expires_at > now))
    for consent in consents:
        if set(categories) <= set(consent.categories):
            return f"consent:{consent.id}"
    raise NoLawfulBasis()


def describe(session: Session, ask: Ask, trace: Trace) -> ServiceInfo:
    """Look up the service, the subject and the categories (no decision yet)."""
    check_shape(ask)
    service = find_service(session, ask.service_id)
    trace.service = service
    trace.categories = categories_of(service, ask.path)
    trace.subject_national_id = subject_of(service, ask)
    trace.subject_user_id = subject_user(session, trace.subject_national_id)
    return service


# Replay, rate count, subject, and both access-right checks in one round trip. Plain SQL (both engines):
# building and caching an ORM statement of five subqueries cost more than the query itself.
_ONE_READ = text("""
SELECT
  EXISTS (SELECT 1 FROM exchange_messages
          WHERE client_id = :client AND message_id = :message_id AND holds_id = true),
  CASE WHEN :rate = 1 THEN (SELECT count(*) FROM exchange_messages
                            WHERE client_id = :client AND created_at > :since) ELSE 0 END,
  (SELECT id FROM users WHERE national_id_index = :nid),
  EXISTS (SELECT 1 FROM exchange_access_rights
          WHERE client_id = :client AND service_id = :service AND revoked_at IS NULL),
  EXISTS (SELECT 1 FROM exchange_access_rights
          WHERE client_id = :client AND service_id = :service AND purpose = :purpose AND revoked_at IS NULL)
""").bindparams(bindparam("since", type_=UTCDateTime), bindparam("rate", type_=Integer),
                 bindparam("nid", type_=BlindIndex()))  # the ID is hashed as the index column is


def authorize(session: Session, ask: Ask, trace: Trace, *, rate_limit: int) -> None:
    """Every check after the client's signature, in the order the mediator promises; fills `trace`.
    Raises the ExchangeError of the first check that fails. The subject, the replay, the access rights
    and the rate are read in one statement; a consent only when no legal duty covers the purpose."""
    now = utcnow()
    check_shape(ask)
    service = find_service(session, ask.service_id)
    trace.service = service
    trace.categories = categories_of(service, ask.path)
    trace.subject_national_id = subject_of(service, ask)
    seen, count, user_id, any_right, purpose_right = session.execute(_ONE_READ, {
        "client": ask.client, "message_id": ask.message_id, "service": service.id, "purpose": ask.purpose,
        "since": now - dt.timedelta(seconds=60), "nid": trace.subject_national_id or "",
        "rate": 1 if rate_limit > 0 else 0}).one()
    trace.subject_user_id = user_id
    if seen:
        raise Replayed()
    if not any_right:
        raise NoAccessRight()
    if not purpose_right or ask.purpose not in service.purposes:
        raise WrongPurpose()
    trace.legal_basis = lawful_basis(session, ask, service, user_id, trace.categories, now)
    if rate_limit > 0 and int(count or 0) >= rate_limit:
        raise RateLimited(headers={"Retry-After": "60"})
