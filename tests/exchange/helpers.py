"""What the exchange tests share: seeding the members, a signed client request, reading the log."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange import httpsig, keys
from pracha.exchange.mediator import public_keys
from pracha.exchange.members import register_subsystem
from pracha.exchange.models import MessageLog, Subsystem
from pracha.exchange.seed import seed_exchange
from pracha.exchange.vocabulary import MEDIATOR, REGISTRIES, agency_client
from pracha.services.catalog import Catalog

CIVIL = REGISTRIES["civil"][0]
WELFARE = REGISTRIES["welfare"][0]
PERSONS = f"{CIVIL}/persons"
ALLOWANCES = f"{WELFARE}/persons"
OFFICE = agency_client("cm-elderly-welfare")


def seed(db: Session, settings: Settings, catalog: Catalog, base_urls: dict[str, str] | None = None) -> None:
    """The demo members, services and rights; the elderly-welfare office gets a key (it calls over HTTP)."""
    seed_exchange(db, settings, catalog, fetch=False)
    office = keys.public_key_text(client_key(settings, OFFICE))
    register_subsystem(db, OFFICE, name_th="กองสวัสดิการสังคม", name_en="Social welfare office", public_key=office)
    for name, url in (base_urls or {}).items():
        row = db.get(Subsystem, REGISTRIES[name][0])
        assert row is not None
        row.base_url = url
    db.commit()
    public_keys.clear()


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
