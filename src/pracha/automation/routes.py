"""Automation over HTTP: certificate verification (page and JSON), certificate download and revocation,
the officer's override of a bot finding, and the admin dashboard with its charts and failed tasks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from pracha.automation import certificates, dashboard, tasks, wallet
from pracha.automation import service as automation
from pracha.automation.models import Certificate
from pracha.db import registry_of
from pracha.errors import Conflict, InvalidInput, NotFound
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.downloads import content_disposition
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, OFFICER, PLATFORM_ADMIN
from pracha.identity.principal import FOR_A_PERSON, Principal
from pracha.ledger import note
from pracha.ledger.deps import ledger_of
from pracha.paging import PageRequest, page_request
from pracha.services import service, views
from pracha.services.deps import catalog_of, change_application

router = APIRouter()
READERS = (*FOR_A_PERSON, OFFICER, AGENCY_ADMIN, AUDITOR)
DASHBOARD = (AGENCY_ADMIN, AUDITOR, PLATFORM_ADMIN)


def _verifier(request: Request) -> note.Verifier:
    return ledger_of(request).verifier


def _verify_context(request: Request, result: certificates.Verification) -> dict[str, Any]:
    application = result.certificate.application
    agency = catalog_of(request).agencies.get(application.agency)
    return {"result": result, "cert_id": result.certificate.id, "reference": application.reference,
            "service": catalog_of(request).get(application.service_id), "agency": agency}


@router.get("/verify/{cert_id}", response_class=HTMLResponse)
def verify_page(cert_id: str, request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)
                ) -> Response:
    """Is this document genuine, and still valid? An unknown number answers 404 and says so."""
    try:
        result = certificates.verify(db, cert_id, _verifier(request))
    except certificates.CertificateNotFound:
        return _other_paper(request, db, cert_id, None)
    return render(request, "automation/verify.html", _verify_context(request, result))


def _other_paper(request: Request, db: Session, paper_id: str, data: bytes | None) -> Response:
    """A receipt (or another package's paper) with this id, or the page that says none was issued."""
    for verify in registry_of(db).each(wallet.VERIFY_MORE):
        page = verify(request, db, paper_id, data)
        if page is not None:
            return page
    return render(request, "automation/verify.html", {"result": None, "cert_id": paper_id[:40]}, status_code=404)


@router.post("/verify/{cert_id}", response_class=HTMLResponse)
async def verify_file(cert_id: str, request: Request, _: Principal = allow(PUBLIC, write=False),
                      db: Session = Depends(get_db)) -> Response:
    """Check a PDF file someone was given against the document it claims to be, byte for byte."""
    limit = app_state(request).settings.max_upload_bytes
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(limit + 1) if isinstance(upload, UploadFile) and upload.filename else b""
    try:
        result = certificates.verify(db, cert_id, _verifier(request), data if 0 < len(data) <= limit else None)
    except certificates.CertificateNotFound:
        return _other_paper(request, db, cert_id, data[:limit + 1])
    problem = None if 0 < len(data) <= limit else "empty" if not data else "too_large"
    return render(request, "automation/verify.html", {**_verify_context(request, result), "file_problem": problem,
                                                      "file_checked": problem is None},
                  status_code=200 if problem is None else 422)


@router.get("/api/v1/certificates/{cert_id}", tags=["automation"])
def verify_api(cert_id: str, request: Request, _: Principal = allow(PUBLIC), db: Session = Depends(get_db)
               ) -> dict[str, Any]:
    result = certificates.verify(db, cert_id, _verifier(request))
    c = result.certificate
    return {"id": c.id, "number": c.number, "status": result.status, "checks": result.checks,
            "title": {"th": c.title_th, "en": c.title_en}, "holder": result.holder, "agency": c.application.agency,
            "issuer": result.issuer, "issued_at": c.issued_at.isoformat(),
            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            "ledger_index": c.ledger_entry.index if c.ledger_entry else None}


def _visible_certificate(db: Session, p: Principal, cert_id: str) -> Certificate:
    certificate = db.get(Certificate, cert_id)
    if certificate is None:
        raise certificates.CertificateNotFound()
    service.get_application(db, p, certificate.application.reference)  # 404 unless p may see it
    return certificate


@router.get("/certificates/{cert_id}.pdf")
def certificate_pdf(cert_id: str, p: Principal = allow(*READERS, write_for=(OFFICER, AGENCY_ADMIN, AUDITOR)),
                    db: Session = Depends(get_db)) -> Response:
    certificate = _visible_certificate(db, p, cert_id)
    if views.is_staff_view(p):  # a staff view of the citizen's certificate, shown in their data tracker
        views.record_view(db, p, certificate.application, "document")
        db.commit()
    return Response(certificate.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(f"certificate-{certificate.id}.pdf")})


@router.post("/certificates/{cert_id}/revoke", response_class=HTMLResponse)
async def certificate_revoke(cert_id: str, request: Request, p: Principal = allow(OFFICER, AGENCY_ADMIN),
                             db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    certificate = _visible_certificate(db, p, cert_id)
    reference = certificate.application.reference

    def work(_: Any) -> None:
        if not reason or len(reason) > 4000:
            problem = {"th": "กรุณาระบุเหตุผลที่เพิกถอน", "en": "Give the reason for the revocation."}
            raise InvalidInput(problem["th"], problem["en"], fields={"reason": problem})
        certificates.revoke(db, certificate, actor=service.actor_reference(p), reason=reason)

    return await change_application(request, db, p, reference, work, f"/applications/{reference}#automation")


@router.post("/applications/{reference}/automation/override", response_class=HTMLResponse)
async def override(reference: str, request: Request, p: Principal = allow(OFFICER, AGENCY_ADMIN),
                   db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    decision, reason = str(form.get("decision") or ""), str(form.get("reason") or "")
    catalog = catalog_of(request)
    return await change_application(request, db, p, reference,
                         lambda a: automation.override(db, catalog, p, a, decision=decision, reason=reason),
                         f"/applications/{reference}#automation")


def _titles(request: Request) -> dict[str, str]:
    lang = request.state.lang
    return {s.id: s.name.get(lang) for s in catalog_of(request).services.values()}


@router.get("/admin/automation", response_class=HTMLResponse)
def dashboard_page(request: Request, page: PageRequest = Depends(page_request), _: Principal = allow(*DASHBOARD),
                   db: Session = Depends(get_db)) -> Response:
    data = dashboard.figures(db, service.today_in_thailand())
    failed = tasks.failed_tasks(db, page)
    return render(request, "automation/dashboard.html", {
        "data": data, "titles": _titles(request), "charts": dashboard.CHARTS, "failed": failed.items,
        "failed_page": failed})


@router.get("/admin/automation/charts/{chart}.svg")
def dashboard_chart(chart: str, request: Request, _: Principal = allow(*DASHBOARD), db: Session = Depends(get_db)
                    ) -> Response:
    if chart not in dashboard.CHARTS:
        raise NotFound()
    data = dashboard.figures(db, service.today_in_thailand())
    svg = dashboard.chart(chart, data, _titles(request), request.state.lang)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/api/v1/automation/stats", tags=["automation"])
def dashboard_api(_: Principal = allow(*DASHBOARD), db: Session = Depends(get_db)) -> JSONResponse:
    data = dashboard.figures(db, service.today_in_thailand())
    rows = [{"service_id": r.service_id, "agency": r.agency, "decided": r.decided, "automated": r.automated,
             "automation_rate": r.automation_rate, "sla_rate": r.sla_rate, "open": r.open, "overdue": r.overdue,
             "to_officer": r.to_officer, "needs_info": r.needs_info, "average_days": r.decision_days}
            for r in data["services"]]
    return JSONResponse({"rate": data["rate"], "decided": data["decided"], "automated": data["automated"],
                         "queue": data["queue"], "tasks": data["tasks"], "services": rows})


@router.post("/admin/automation/tasks/{task_id}/retry")
def retry_task(task_id: RowId, _: Principal = allow(PLATFORM_ADMIN), db: Session = Depends(get_db)) -> Response:
    if tasks.retry(db, task_id) is None:
        raise Conflict("งานนี้ไม่ได้อยู่ในสถานะล้มเหลว", "This task has not failed.")
    db.commit()
    return RedirectResponse("/admin/automation#failed", status_code=303)
