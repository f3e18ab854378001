"""Members, subsystems, services and access rights: registering them, granting and revoking rights (a
platform admin), and the metadata any member may list — X-Road's listClients, listMethods and
getOpenAPI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput, NotFound
from pracha.exchange import keys
from pracha.exchange.models import AccessRight, ExchangeService, Subsystem
from pracha.identity.models import PLATFORM_ADMIN
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.paging import Page, PageRequest, SortKey, fetch_page

SUBSYSTEM_ID = re.compile(r"^[A-Z]{2}/[A-Z]+/[A-Za-z0-9-]+/[A-Za-z0-9-]+$")


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name_th: str
    name_en: str
    path_prefix: str
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    legal_duty_purposes: tuple[str, ...] = ()
    legal_duty_th: str | None = None
    legal_duty_en: str | None = None
    subject_in_path: bool = True
    path_categories: dict[str, list[str]] | None = None


def register_subsystem(session: Session, subsystem_id: str, *, name_th: str, name_en: str,
                       public_key: str | None = None, base_url: str | None = None) -> Subsystem:
    """Add or update a subsystem (its key checked as an Ed25519 public key)."""
    if not SUBSYSTEM_ID.match(subsystem_id):
        raise ValueError(f"not a subsystem id: {subsystem_id!r}")
    if public_key is not None:
        keys.public_key_from_text(public_key)
    row = session.get(Subsystem, subsystem_id)
    if row is None:
        row = Subsystem(id=subsystem_id, member_code=subsystem_id.split("/")[2], name_th=name_th, name_en=name_en)
        session.add(row)
    row.name_th, row.name_en = name_th, name_en
    if public_key is not None:
        row.public_key = public_key
    if base_url is not None:
        row.base_url = base_url
    return row


def register_service(session: Session, subsystem: Subsystem, spec: ServiceSpec,
                     openapi: dict[str, Any] | None = None) -> ExchangeService:
    service_id = f"{subsystem.id}/{spec.code}"
    row = session.get(ExchangeService, service_id)
    if row is None:
        row = ExchangeService(id=service_id, subsystem_id=subsystem.id, code=spec.code)
        session.add(row)
    row.name_th, row.name_en, row.path_prefix = spec.name_th, spec.name_en, spec.path_prefix
    row.subject_in_path, row.categories = spec.subject_in_path, list(spec.categories)
    row.path_categories = dict(spec.path_categories or {})
    row.purposes, row.legal_duty_purposes = list(spec.purposes), list(spec.legal_duty_purposes)
    row.legal_duty_th, row.legal_duty_en = spec.legal_duty_th, spec.legal_duty_en
    if openapi is not None:
        row.openapi = openapi
    return row


def fetch_openapi(base_url: str, timeout: float = 5.0) -> dict[str, Any] | None:
    """The provider's own OpenAPI document (open on every registry), or None when it cannot be read."""
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/openapi.json", timeout=timeout)
        value = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _require_admin(principal: Principal) -> None:
    if principal.role != PLATFORM_ADMIN:
        raise Forbidden()


def grant_access(session: Session, principal: Principal, *, client_id: str, service_id: str,
                 purpose: str) -> AccessRight:
    """A platform admin lets a client subsystem use a service for one purpose (recorded in the ledger)."""
    _require_admin(principal)
    service = session.get(ExchangeService, service_id)
    problems: dict[str, dict[str, str]] = {}
    if session.get(Subsystem, client_id) is None:
        problems["client_id"] = {"th": "ไม่พบหน่วยงานผู้ขอนี้", "en": "Unknown client subsystem."}
    if service is None:
        problems["service_id"] = {"th": "ไม่พบบริการนี้", "en": "Unknown service."}
    elif purpose not in service.purposes:
        problems["purpose"] = {"th": "บริการนี้ไม่รองรับวัตถุประสงค์นี้", "en": "The service does not serve this purpose."}
    if problems:
        raise InvalidInput(fields=problems)
    existing = session.scalar(select(AccessRight).where(
        AccessRight.client_id == client_id, AccessRight.service_id == service_id, AccessRight.purpose == purpose,
        AccessRight.revoked_at.is_(None)))
    if existing is not None:
        return existing
    right = AccessRight(client_id=client_id, service_id=service_id, purpose=purpose, granted_by_id=principal.user_id)
    session.add(right)
    session.flush()
    ledger.record(session, "exchange.access.grant", actor=f"user:{principal.user_id}", obj=f"access-right:{right.id}",
                  record={"client": client_id, "service": service_id, "purpose": purpose})
    return right


def revoke_access(session: Session, principal: Principal, right_id: int) -> AccessRight:
    _require_admin(principal)
    right = session.get(AccessRight, right_id)
    if right is None:
        raise NotFound()
    if right.revoked_at is None:
        right.revoked_at, right.revoked_by_id = utcnow(), principal.user_id
        ledger.record(session, "exchange.access.revoke", actor=f"user:{principal.user_id}",
                      obj=f"access-right:{right.id}",
                      record={"client": right.client_id, "service": right.service_id, "purpose": right.purpose})
    return right


CLIENT_ORDER = (SortKey(Subsystem.id),)
SERVICE_ORDER = (SortKey(ExchangeService.id),)
RIGHT_ORDER = (SortKey(AccessRight.client_id), SortKey(AccessRight.service_id), SortKey(AccessRight.id))


def list_clients(session: Session) -> list[Subsystem]:
    """Every member subsystem (the admin page's choices; the exchange has tens, not thousands)."""
    return list(session.scalars(select(Subsystem).order_by(Subsystem.id)))


def page_clients(session: Session, page: PageRequest = PageRequest()) -> Page[Subsystem]:
    return fetch_page(session, select(Subsystem), CLIENT_ORDER, page)


def _services(provider: str | None) -> Select[ExchangeService]:
    query = select(ExchangeService)
    return query.where(ExchangeService.subsystem_id == provider) if provider else query


def list_services(session: Session, provider: str | None = None) -> list[ExchangeService]:
    return list(session.scalars(_services(provider).order_by(ExchangeService.id)))


def page_services(session: Session, provider: str | None = None, page: PageRequest = PageRequest()
                  ) -> Page[ExchangeService]:
    return fetch_page(session, _services(provider), SERVICE_ORDER, page)


def get_openapi(session: Session, service_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """The OpenAPI stored at registration, else the provider's own /openapi.json, read now."""
    service = session.get(ExchangeService, service_id)
    if service is None:
        raise NotFound()
    document = service.openapi
    if document is None and service.subsystem.base_url:
        document = fetch_openapi(service.subsystem.base_url, timeout)
    if document is None:
        raise NotFound("ยังไม่มีคำอธิบาย OpenAPI ของบริการนี้", "This service's OpenAPI description is not available.")
    return document


def access_rights(session: Session, page: PageRequest = PageRequest(), *, active_only: bool = False
                  ) -> Page[AccessRight]:
    query = select(AccessRight)
    if active_only:
        query = query.where(AccessRight.revoked_at.is_(None))
    return fetch_page(session, query, RIGHT_ORDER, page)
