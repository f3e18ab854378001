"""The exchange's JSON API under /api/v1: consents, the data tracker (JSON and CSV), and the metadata
services (X-Road's listClients, listMethods, getOpenAPI) with access rights."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.exchange import consent, members, tracker
from pracha.exchange.models import AccessRight, Consent, ExchangeService, Subsystem
from pracha.exchange.schemas import (
    AccessRightIn,
    AccessRightOut,
    ConsentIn,
    ConsentOut,
    OfferOut,
    ServiceOut,
    SubsystemOut,
    TrackerRow,
)
from pracha.http.access import allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.openapi import errors
from pracha.http.params import RowId
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, CITIZEN, OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import API_TOKEN, Principal
from pracha.ledger.deps import ledger_of, sequenced
from pracha.paging import PageOut, PageRequest, page_body, page_request
from pracha.services.deps import catalog_of

router = APIRouter(prefix="/api/v1", tags=["exchange"])
MEMBERS = (OFFICER, AGENCY_ADMIN, AUDITOR, PLATFORM_ADMIN, API_TOKEN)


def _consent(c: Consent) -> dict[str, Any]:
    return {**consent.snapshot(c), "active": c.active_at(utcnow()),
            "grant_ledger_index": c.grant_entry.index if c.grant_entry else None,
            "withdraw_ledger_index": c.withdraw_entry.index if c.withdraw_entry else None,
            "receipt_url": f"/api/v1/me/consents/{c.id}/receipt"}


def _subsystem(s: Subsystem) -> dict[str, Any]:
    return {"id": s.id, "member_code": s.member_code, "name": {"th": s.name_th, "en": s.name_en},
            "public_key": s.public_key, "provider": s.base_url is not None}


def _service(s: ExchangeService) -> dict[str, Any]:
    return {"id": s.id, "provider": s.subsystem_id, "name": {"th": s.name_th, "en": s.name_en},
            "categories": s.categories, "purposes": s.purposes, "legal_duty_purposes": s.legal_duty_purposes,
            "legal_duty": {"th": s.legal_duty_th, "en": s.legal_duty_en} if s.legal_duty_th else None,
            "openapi_url": f"/api/v1/exchange/openapi?service_id={s.id}"}


def _right(r: AccessRight) -> dict[str, Any]:
    return {"id": r.id, "client_id": r.client_id, "service_id": r.service_id, "purpose": r.purpose,
            "granted_at": r.granted_at, "revoked_at": r.revoked_at}


@router.get("/me/consents", response_model=PageOut[ConsentOut])
def list_consents(request: Request, response: Response, page: PageRequest = Depends(page_request),
                  p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """My consents, newest first (active, withdrawn and expired); paged."""
    return page_body(request, response, consent.my_consents(db, p, page), _consent)


@router.get("/me/consent-offers", response_model=list[OfferOut])
def list_offers(_: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    """What I may consent to: recipient, purpose, data categories."""
    return [{"recipient_id": o.recipient.id, "recipient_name": {"th": o.recipient.name_th, "en": o.recipient.name_en},
             "purpose": o.purpose, "categories": list(o.categories), "services": list(o.services)}
            for o in consent.offers(db)]


@router.post("/me/consents", response_model=ConsentOut, status_code=201, responses=errors(409))
def grant_consent(body: ConsentIn, request: Request, p: Principal = allow(CITIZEN),
                  idempotency_key: str | None = Header(None, max_length=64),
                  db: Session = Depends(get_db)) -> dict[str, Any]:
    """Give a consent. Send `Idempotency-Key` to make a retried request return the same consent."""
    settings = app_state(request).settings
    c = consent.grant(db, p, recipient_id=body.recipient_id, purpose=body.purpose, categories=body.categories,
                      notice_version=settings.exchange_notice_version, days=settings.exchange_consent_days,
                      max_active=settings.quota_active_consents, client_token=idempotency_key)
    db.commit()
    return _consent(c)


@router.post("/me/consents/{consent_id}/withdraw", response_model=ConsentOut)
def withdraw_consent(consent_id: RowId, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                     ) -> dict[str, Any]:
    """Withdraw: the mediator refuses the very next request that relied on it."""
    c = consent.withdraw(db, p, consent_id)
    db.commit()
    return _consent(c)


@router.get("/me/consents/{consent_id}/receipt", dependencies=[Depends(sequenced)])
def consent_receipt(consent_id: RowId, request: Request, p: Principal = allow(CITIZEN),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """The consent record with the ledger receipts of its grant and withdrawal."""
    return consent.receipt(db, p, consent_id, ledger_of(request))


@router.get("/me/data-tracker", response_model=PageOut[TrackerRow])
def data_tracker(request: Request, response: Response, format: Literal["", "json", "csv"] = Query(""),
                 page: PageRequest = Depends(page_request), p: Principal = allow(CITIZEN),
                 db: Session = Depends(get_db)) -> Any:
    """Every access to my data through the mediator, newest first, paged; `format=csv|json` downloads
    all of it as one file (a bare JSON array), not a page."""
    agencies = tracker.agency_names(catalog_of(request))
    if not format:
        return page_body(request, response, tracker.entries(db, p, page, lang=request.state.lang, agencies=agencies))
    rows = tracker.all_entries(db, p, lang=request.state.lang, agencies=agencies)
    if format == "csv":
        return Response(tracker.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": content_disposition("data-tracker.csv")})
    return JSONResponse(rows, headers={"Content-Disposition": content_disposition("data-tracker.json")})


@router.get("/exchange/clients", response_model=PageOut[SubsystemOut])
def list_clients(request: Request, response: Response, page: PageRequest = Depends(page_request),
                 _: Principal = allow(*MEMBERS), db: Session = Depends(get_db)) -> dict[str, Any]:
    """listClients: the member subsystems (clients, providers, the mediator) with their public keys; paged."""
    return page_body(request, response, members.page_clients(db, page), _subsystem)


@router.get("/exchange/services", response_model=PageOut[ServiceOut])
def list_services(request: Request, response: Response, provider: str = "",
                  page: PageRequest = Depends(page_request), _: Principal = allow(*MEMBERS),
                  db: Session = Depends(get_db)) -> dict[str, Any]:
    """listMethods: the services (of one provider subsystem, if given); paged."""
    return page_body(request, response, members.page_services(db, provider or None, page), _service)


@router.get("/exchange/openapi", responses=errors(404, 502, 504))
def service_openapi(request: Request, service_id: str = Query(max_length=250), _: Principal = allow(*MEMBERS),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """getOpenAPI: the service's OpenAPI description (stored at registration, or read from the provider)."""
    return members.get_openapi(db, service_id, app_state(request).settings.exchange_timeout_seconds)


@router.get("/exchange/access-rights", response_model=PageOut[AccessRightOut])
def list_rights(request: Request, response: Response, page: PageRequest = Depends(page_request),
                _: Principal = allow(PLATFORM_ADMIN, AUDITOR), db: Session = Depends(get_db)) -> dict[str, Any]:
    return page_body(request, response, members.access_rights(db, page), _right)


@router.post("/exchange/access-rights", response_model=AccessRightOut, status_code=201)
def grant_right(body: AccessRightIn, p: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)
                ) -> dict[str, Any]:
    right = members.grant_access(db, p, client_id=body.client_id, service_id=body.service_id, purpose=body.purpose)
    db.commit()
    return _right(right)


@router.delete("/exchange/access-rights/{right_id}", response_model=AccessRightOut)
def revoke_right(right_id: RowId, p: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)
                 ) -> dict[str, Any]:
    right = members.revoke_access(db, p, right_id)
    db.commit()
    return _right(right)
