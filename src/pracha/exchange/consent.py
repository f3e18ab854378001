"""Consent under the PDPA (B.E. 2562, s. 19): what a citizen may consent to (offers, from the access
rights whose purpose no legal duty covers), granting, withdrawing (effective on the very next request:
the mediator reads consents afresh each time), and the consent receipt. Every grant and withdrawal is
a ledger entry in the same transaction, committing to the consent record under the citizen's key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pracha.config import default_of
from pracha.db import utcnow
from pracha.errors import Forbidden, QuotaExceeded
from pracha.exchange.errors import ConsentNotFound, NoCategories, UnknownRecipient
from pracha.exchange.models import AccessRight, Consent, ExchangeService, Subsystem
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.ledger.deps import Ledger
from pracha.paging import Page, PageRequest, SortKey, fetch_page

RECEIPT_FORMAT = "pracha-consent-receipt/v1"


@dataclass(frozen=True)
class Offer:
    """What a citizen may consent to: a recipient, a purpose, the categories its services return."""

    recipient: Subsystem
    purpose: str
    categories: tuple[str, ...]
    services: tuple[str, ...]


def offers(session: Session) -> list[Offer]:
    rows = session.execute(
        select(AccessRight.client_id, AccessRight.purpose, ExchangeService)
        .join(ExchangeService, ExchangeService.id == AccessRight.service_id)
        .where(AccessRight.revoked_at.is_(None)).order_by(AccessRight.client_id, AccessRight.purpose))
    found: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for client_id, purpose, service in rows:
        if purpose in service.legal_duty_purposes:
            continue  # the law already says so: nothing to consent to
        cats, services = found.setdefault((client_id, purpose), (set(), set()))
        cats.update(service.categories)
        services.add(service.id)
    result = []
    for (client_id, purpose), (cats, services) in found.items():
        recipient = session.get(Subsystem, client_id)
        assert recipient is not None
        result.append(Offer(recipient, purpose, tuple(sorted(cats)), tuple(sorted(services))))
    return result


def _citizen(principal: Principal) -> int:
    if principal.role != CITIZEN or principal.user is None:
        raise Forbidden()
    return principal.user.id


def snapshot(consent: Consent) -> dict[str, Any]:
    """The consent record as it stands (what the ledger commits to and what the receipt shows)."""
    def iso(value: dt.datetime | None) -> str | None:
        return value.astimezone(dt.UTC).isoformat() if value is not None else None

    return {"id": consent.id, "recipient": consent.recipient_id, "purpose": consent.purpose,
            "categories": list(consent.categories), "notice_version": consent.notice_version,
            "granted_at": iso(consent.granted_at), "expires_at": iso(consent.expires_at),
            "withdrawn_at": iso(consent.withdrawn_at)}


def grant(session: Session, principal: Principal, *, recipient_id: str, purpose: str,
          categories: list[str] | None, notice_version: str, days: int,
          max_active: int = default_of("quota_active_consents"), client_token: str | None = None) -> Consent:
    """Consent to `categories` (None: every category of the offer, said so in the API; an empty list
    consents to nothing and is refused, never read as "all"). The same `client_token` twice returns the
    first consent, also when the two requests race."""
    user_id = _citizen(principal)
    if client_token and (earlier := _by_token(session, user_id, client_token)) is not None:
        return earlier
    if categories is not None and not categories:
        raise NoCategories()
    offer = next((o for o in offers(session) if o.recipient.id == recipient_id and o.purpose == purpose), None)
    wanted = set(offer.categories if categories is None and offer else categories or ())
    if offer is None or not wanted or not wanted <= set(offer.categories):
        raise UnknownRecipient(fields={"recipient_id": {"th": "ไม่มีรายการให้ความยินยอมนี้",
                                                        "en": "There is no such consent to give."}})
    now = utcnow()
    _check_quota(session, user_id, max_active, now)
    consent = Consent(user_id=user_id, recipient_id=recipient_id, purpose=purpose, categories=sorted(wanted),
                      notice_version=notice_version, granted_at=now, expires_at=now + dt.timedelta(days=days),
                      client_token=client_token or None)
    try:
        with session.begin_nested():
            session.add(consent)
    except IntegrityError:  # the same key, committed by a concurrent request a moment ago
        if client_token and (earlier := _by_token(session, user_id, client_token)) is not None:
            return earlier
        raise
    assert principal.user is not None
    consent.grant_entry = ledger.record(session, "consent.grant", actor=f"user:{user_id}",
                                        obj=f"consent:{consent.id}", record=snapshot(consent),
                                        subject=f"user:{user_id}", subject_secret=principal.user.national_id)
    return consent


def _by_token(session: Session, user_id: int, client_token: str) -> Consent | None:
    return session.scalar(select(Consent).where(Consent.user_id == user_id, Consent.client_token == client_token))


def _check_quota(session: Session, user_id: int, limit: int, now: dt.datetime) -> None:
    if limit <= 0:
        return
    active = session.scalar(select(func.count()).select_from(Consent).where(
        Consent.user_id == user_id, Consent.withdrawn_at.is_(None), Consent.expires_at > now)) or 0
    if active >= limit:
        raise QuotaExceeded("active_consents", limit,
                            f"ท่านให้ความยินยอมที่ยังมีผลอยู่ครบ {limit} รายการแล้ว กรุณาถอนความยินยอมที่ไม่ใช้ก่อน",
                            f"You already have {limit} active consents. Withdraw one you no longer need first.")


def get_consent(session: Session, principal: Principal, consent_id: int, *, for_update: bool = False) -> Consent:
    user_id = _citizen(principal)
    query = select(Consent).where(Consent.id == consent_id, Consent.user_id == user_id)
    consent = session.scalar(query.with_for_update(of=Consent) if for_update else query)
    if consent is None:
        raise ConsentNotFound()  # another citizen's consent: not found, not forbidden
    return consent


def withdraw(session: Session, principal: Principal, consent_id: int) -> Consent:
    consent = get_consent(session, principal, consent_id, for_update=True)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        assert principal.user is not None
        consent.withdraw_entry = ledger.record(
            session, "consent.withdraw", actor=f"user:{consent.user_id}", obj=f"consent:{consent.id}",
            record=snapshot(consent), subject=f"user:{consent.user_id}", subject_secret=principal.user.national_id)
    return consent


ORDER = (SortKey(Consent.granted_at, descending=True), SortKey(Consent.id, descending=True))


def my_consents(session: Session, principal: Principal, page: PageRequest = PageRequest()) -> Page[Consent]:
    """The citizen's consents, newest first (active, withdrawn and expired)."""
    return fetch_page(session, select(Consent).where(Consent.user_id == _citizen(principal)), ORDER, page)


def active_consent(session: Session, user_id: int, recipient_id: str, purpose: str,
                   categories: list[str]) -> Consent | None:
    now = utcnow()
    for consent in session.scalars(select(Consent).where(
            Consent.user_id == user_id, Consent.recipient_id == recipient_id, Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None), Consent.expires_at > now)):
        if set(categories) <= set(consent.categories):
            return consent
    return None


def receipt(session: Session, principal: Principal, consent_id: int, access: Ledger) -> dict[str, Any]:
    """The consent record with the ledger receipts (entry + inclusion proof + signed checkpoint) of its
    grant and, if withdrawn, its withdrawal."""
    consent = get_consent(session, principal, consent_id)
    grant_id, withdraw_id = consent.grant_entry_id, consent.withdraw_entry_id
    body: dict[str, Any] = {"format": RECEIPT_FORMAT, "consent": snapshot(consent),
                            "subject": f"user:{consent.user_id}",
                            "grant": access.receipt(session, grant_id) if grant_id else None,
                            "withdrawal": access.receipt(session, withdraw_id) if withdraw_id else None}
    return body
