"""What the exchange tests share: seeding the members, a signed client request, reading the log."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import checks, httpsig, keys
from pracha.exchange.mediator import public_keys
from pracha.exchange.members import register_subsystem
from pracha.exchange.models import MessageLog, Subsystem
from pracha.exchange.seed import seed_exchange
from pracha.exchange.vocabulary import MEDIATOR, REGISTRIES, agency_client
from pracha.services.catalog import Catalog

CIVIL = REGISTRIES["civil"].subsystem
WELFARE = REGISTRIES["welfare"].subsystem
PERSONS = f"{CIVIL}/persons"
ALLOWANCES = f"{WELFARE}/persons"
OFFICE = agency_client("cm-elderly-welfare")


def seed(db: Session, settings: Settings, catalog: Catalog, base_urls: dict[str, str] | None = None) -> None:
    """The demo members, services and rights; the elderly-welfare office gets a key (it calls over HTTP)."""
    seed_exchange(db, settings, catalog, fetch=False)
    office = keys.public_key_text(client_key(settings, OFFICE))
    register_subsystem(db, OFFICE, name_th="กองสวัสดิการสังคม", name_en="Social welfare office", public_key=office)
    for name, url in (base_urls or {}).items():
        row = db.get(Subsystem, REGISTRIES[name].subsystem)
        assert row is not None
        row.base_url = url
    db.commit()
    public_keys.clear()
    checks.services.clear()


def client_key(settings: Settings, subsystem: str) -> Ed25519PrivateKey:
    return keys.load_or_create(keys.key_path(settings.var_dir, subsystem))


def mediator_public(settings: Settings) -> Any:
    return client_key(settings, MEDIATOR).public_key()


def signed_headers(url: str, *, key: Ed25519PrivateKey, client: str = OFFICE, purpose: str = "eligibility-check",
                   message_id: str | None = None, user: str = "officer:somsri", key_id: str | None = None
                   ) -> dict[str, str]:
    headers = {"X-Road-Client": client, "X-Road-Id": message_id or uuid.uuid4().hex, "X-Road-UserId": user,
               "X-Road-Purpose": purpose}
    headers.update(httpsig.sign_request("GET", url, headers, b"", key_id=key_id or client, key=key))
    return headers


def log_of(db: Session, message_id: str) -> list[MessageLog]:
    db.rollback()
    return list(db.scalars(select(MessageLog).where(MessageLog.message_id == message_id).order_by(MessageLog.id)))


def exchange_world(db: Session, settings: Settings, catalog: Catalog, citizen: Any) -> tuple[int, int, str]:
    """For the access matrix: the members seeded, a consent of `citizen`, an access right, and a logged
    (refused) request for the citizen's data. Returns (consent id, access right id, message reference)."""
    from pracha.exchange import consent
    from pracha.exchange import service as exchange
    from pracha.exchange.errors import ExchangeError
    from pracha.exchange.models import AccessRight, ExchangeService
    from pracha.exchange.vocabulary import PORTAL
    from pracha.identity.principal import Principal

    seed(db, settings, catalog)
    persons = db.get(ExchangeService, PERSONS)
    assert persons is not None
    persons.openapi = {"openapi": "3.1.0", "info": {"title": "Civil registry", "version": "1"}, "paths": {}}
    given = consent.grant(db, Principal(user=citizen), recipient_id=PORTAL, purpose="service-application",
                          categories=["address"], notice_version="2569-1", days=30)
    right = db.scalar(select(AccessRight).where(AccessRight.client_id == OFFICE).limit(1))
    assert right is not None
    try:
        exchange.call(db, settings, client=OFFICE, service_id=PERSONS, path=citizen.national_id,
                      purpose="service-application", subject_national_id=citizen.national_id, user="officer:x")
    except ExchangeError as refused:
        reference = refused.reference
    db.commit()
    assert reference is not None
    return given.id, right.id, reference
