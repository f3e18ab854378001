"""A bundle as the API and the pages show it: its parts with their agencies and states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from pracha.business.bundle_catalog import BundleDef
from pracha.business.bundles import STATUS_TEXT, bundle_status
from pracha.identity.principal import Principal
from pracha.payments import bundles as payment_bundles
from pracha.payments import fees
from pracha.services import coapproval
from pracha.services import service as services
from pracha.services.catalog import Catalog
from pracha.services.models import Bundle


def _say(text: Any, lang: str) -> str:
    return str(getattr(text, "en" if lang == "en" else "th", text))


def describe_kind(catalog: Catalog, bundle: BundleDef, lang: str) -> dict[str, Any]:
    return {"id": bundle.id, "name": {"th": bundle.name.th, "en": bundle.name.en},
            "summary": {"th": bundle.summary.th, "en": bundle.summary.en}, "audience": list(bundle.audience),
            "life_event": bundle.life_event, "questions": bundle.schema,
            "parts": [{"service_id": p.service, "service_name": _say(catalog.services[p.service].name, lang),
                       "agency": catalog.services[p.service].agency,
                       "agency_name": _say(catalog.agencies[catalog.services[p.service].agency].name, lang)}
                      for p in bundle.parts]}


def describe(session: Session, catalog: Catalog, bundles: Mapping[str, BundleDef], principal: Principal,
             bundle: Bundle, lang: str) -> dict[str, Any]:
    status = bundle_status(bundle)
    acting = principal.acting
    organisation = None
    if bundle.organisation_id is not None:
        name = acting.name_th if acting is not None and acting.juristic_id == bundle.organisation_id else ""
        organisation = {"juristic_id": bundle.organisation_id, "name_th": name}
    parts = []
    for application in bundle.parts:
        service = services.get_service(catalog, application.service_id)
        parts.append({"service_id": service.id, "service_name": _say(service.name, lang), "agency": service.agency,
                      "agency_name": _say(catalog.agencies[service.agency].name, lang),
                      "reference": application.reference, "status": application.status,
                      "status_text": services.STATUS_TEXT.get(application.status, (application.status,) * 2)[
                          1 if lang == "en" else 0],
                      "missing_documents": [{"id": d.id, "name": _say(d.name, lang)} for d in service.documents
                                            if d.id in services.missing_documents(service, application)]})
    held = coapproval.pending(session, bundle)
    cover = payment_bundles.current_cover(session, bundle) if bundle.submitted_at is not None else None
    kind = bundles.get(bundle.kind)
    return {"reference": bundle.reference, "kind": bundle.kind, "name": _say(kind.name, lang) if kind else bundle.kind,
            "status": status, "status_text": STATUS_TEXT.get(status, (status, status))[1 if lang == "en" else 0],
            "organisation": organisation, "answers": dict((bundle.answers or {}).get("values", {})),
            "sources": dict((bundle.answers or {}).get("sources", {})), "parts": parts,
            "payment": None if cover is None else {
                "id": cover.public_id, "amount": fees.baht(cover.amount), "status": cover.status,
                "expires_at": cover.expires_at.isoformat(),
                "pay_url": f"/applications/{cover.application.reference}/pay"},
            "co_approval": None if held is None else {
                "requested_by": f"{held.requested_by.first_name} {held.requested_by.last_name}".strip(),
                "requested_by_me": held.requested_by_id == principal.user_id,
                "requested_at": held.requested_at.isoformat()},
            "created_at": bundle.created_at.isoformat(),
            "submitted_at": bundle.submitted_at.isoformat() if bundle.submitted_at else None}
