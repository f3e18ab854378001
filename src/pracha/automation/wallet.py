"""The citizen's wallet: every document issued to them, newest first, with its status (valid, expired,
revoked; a receipt: valid or refunded) and where to download and check it. The full check (signature,
ledger, file) is /verify's. Packages above add their papers (payments: e-receipts) through `MORE`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.calendar import BANGKOK
from pracha.db import registry_of, utcnow
from pracha.hooks import Hook
from pracha.identity.principal import Principal
from pracha.services.catalog import Catalog, Text

MAX_DOCUMENTS = 500  # a person holds a handful; the cap only bounds a page


@dataclass(frozen=True)
class WalletDocument:
    id: str
    kind: str  # document | receipt
    number: str | None
    service_id: str | None
    reference: str
    title: Text
    issuer: Text
    issued_at: dt.datetime
    valid_until: dt.date | None
    status: str  # valid | expired | revoked | refunded
    download_url: str

    @property
    def verify_url(self) -> str:
        return f"/verify/{self.id}"


# (session, catalogue, citizen) → more of the citizen's papers for the wallet.
MORE: Hook[Callable[[Session, Catalog, Principal], list[WalletDocument]]] = Hook("wallet_more")
# /verify/{id} for an id that is no certificate: (request, session, id, uploaded file or None) → the
# page of the paper with that id, or None when it is not theirs either.
VERIFY_MORE: Hook[Callable[[Any, Session, str, bytes | None], Any]] = Hook("verify_more")


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
    for c in session.scalars(query):
        agency = catalog.agencies.get(c.application.agency)
        issuer = agency.name if agency else Text(c.application.agency, c.application.agency)
        found.append(WalletDocument(c.id, "document", c.number, c.service_id, c.application.reference,
                                    Text(c.title_th, c.title_en), issuer, c.issued_at, c.valid_until,
                                    status_of(c, today), f"/certificates/{c.id}.pdf"))
    for more in registry_of(session).each(MORE):
        found.extend(more(session, catalog, principal))
    found.sort(key=lambda d: d.issued_at, reverse=True)
    return found[:MAX_DOCUMENTS]


def as_json(d: WalletDocument) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind, "number": d.number, "service_id": d.service_id, "reference": d.reference,
            "title": {"th": d.title.th, "en": d.title.en}, "issuer": {"th": d.issuer.th, "en": d.issuer.en},
            "issued_at": d.issued_at.isoformat(), "valid_until": d.valid_until.isoformat() if d.valid_until else None,
            "status": d.status, "download_url": d.download_url, "verify_url": d.verify_url}
