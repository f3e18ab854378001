"""The citizen's wallet: every document issued to them, newest first, with its status (valid, expired
or revoked) and where to download and check it. The full check (signature, ledger, file) is /verify's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.calendar import BANGKOK
from pracha.db import utcnow
from pracha.identity.principal import Principal
from pracha.services.catalog import Catalog, Text

MAX_DOCUMENTS = 500  # a person holds a handful; the cap only bounds a page


@dataclass(frozen=True)
class WalletDocument:
    certificate: Certificate
    title: Text
    issuer: Text
    status: str  # valid | expired | revoked

    @property
    def download_url(self) -> str:
        return f"/certificates/{self.certificate.id}.pdf"

    @property
    def verify_url(self) -> str:
        return f"/verify/{self.certificate.id}"


def status_of(certificate: Certificate, today: dt.date) -> str:
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.valid_until is not None and certificate.valid_until < today:
        return "expired"
    return "valid"


def my_documents(session: Session, catalog: Catalog, principal: Principal) -> list[WalletDocument]:
    """The signed-in citizen's documents, newest first."""
    if principal.user_id is None:
        return []
    query = (select(Certificate).where(Certificate.citizen_id == principal.user_id)
             .order_by(Certificate.issued_at.desc(), Certificate.id).limit(MAX_DOCUMENTS))
    today = utcnow().astimezone(BANGKOK).date()
    found = []
    for certificate in session.scalars(query):
        agency = catalog.agencies.get(certificate.application.agency)
        issuer = agency.name if agency else Text(certificate.application.agency, certificate.application.agency)
        found.append(WalletDocument(certificate, Text(certificate.title_th, certificate.title_en), issuer,
                                    status_of(certificate, today)))
    return found


def as_json(document: WalletDocument) -> dict[str, Any]:
    c = document.certificate
    return {"id": c.id, "number": c.number, "service_id": c.service_id, "reference": c.application.reference,
            "title": {"th": document.title.th, "en": document.title.en},
            "issuer": {"th": document.issuer.th, "en": document.issuer.en},
            "issued_at": c.issued_at.isoformat(), "valid_until": c.valid_until.isoformat() if c.valid_until else None,
            "status": document.status, "download_url": document.download_url, "verify_url": document.verify_url}
