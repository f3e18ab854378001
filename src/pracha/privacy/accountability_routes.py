"""The controller's accountability over HTTP: the record of processing activities (DPO page, JSON,
CSV), each service's privacy notice (public), the retention schedule and its run reports, and the
breach register (form, JSON, letter to the regulator, notices to people). Thin: parse, call, commit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.calendar import BANGKOK
from pracha.errors import InvalidInput, PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import AUDITOR, DPO, PLATFORM_ADMIN, User
from pracha.identity.principal import Principal
from pracha.privacy import breaches, notices, retention, ropa
from pracha.privacy.records import Breach
from pracha.services import service as services
from pracha.services.deps import catalog_of, problems

router = APIRouter()
OVERSEERS = (DPO, AUDITOR, PLATFORM_ADMIN)  # read the RoPA and the retention reports
BREACH_READERS = (DPO, AUDITOR)
BreachId = Annotated[int, Path(ge=1, le=9223372036854775807)]
NO_STORE = {"Cache-Control": "no-store"}


# --- record of processing activities -----------------------------------------------------------------


@router.get("/privacy/ropa", response_class=HTMLResponse, include_in_schema=False)
def ropa_page(request: Request, _: Principal = allow(*OVERSEERS)) -> Response:
    rows = ropa.record_of_processing(catalog_of(request), request.state.lang)
    return render(request, "accountability/ropa.html", {"rows": rows})


@router.get("/api/v1/privacy/ropa", tags=["privacy"])
def ropa_api(request: Request, format: Literal["", "json", "csv"] = Query(""),
             _: Principal = allow(*OVERSEERS)) -> Any:
    """The record of processing activities (PDPA section 39), one activity per service; `format=csv`
    downloads it as a spreadsheet."""
    rows = ropa.record_of_processing(catalog_of(request), request.state.lang)
    if format == "csv":
        return Response(ropa.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="ropa.csv"'})
    return {"controller": "Pracha", "activities": rows}


@router.get("/services/{service_id}/privacy", response_class=HTMLResponse, include_in_schema=False)
def privacy_notice(service_id: str, request: Request, _: Principal = allow(PUBLIC)) -> Response:
    catalog = catalog_of(request)
    svc = services.get_service(catalog, service_id)
    return render(request, "accountability/notice.html", {"service": svc, "notice": notices.notice(catalog, svc)})


# --- retention ----------------------------------------------------------------------------------------


def _run_json(rows: list[Any]) -> dict[str, Any]:
    first = rows[0]
    return {"run_id": first.run_id, "trigger": first.trigger, "started_at": first.started_at.isoformat(),
            "types": [{"record_type": r.record_type, "cutoff": r.cutoff.isoformat(), "deleted": r.deleted,
                       "held": r.held, "seconds": r.seconds} for r in rows]}


def _schedule_json(lang: str) -> list[dict[str, Any]]:
    return [{"record_type": p.record_type, "days": p.days, "name": p.name_en if lang == "en" else p.name_th,
             "ground": p.ground_en if lang == "en" else p.ground_th, "to_confirm": p.to_confirm}
            for p in retention.SCHEDULE]


@router.get("/privacy/retention", response_class=HTMLResponse, include_in_schema=False)
def retention_page(request: Request, p: Principal = allow(*OVERSEERS), db: Session = Depends(get_db)) -> Response:
    return render(request, "accountability/retention.html", {
        "schedule": _schedule_json(request.state.lang), "runs": retention.latest_runs(db),
        "may_run": p.role == DPO})


@router.get("/api/v1/privacy/retention", tags=["privacy"])
def retention_api(request: Request, _: Principal = allow(*OVERSEERS), db: Session = Depends(get_db)) -> dict[str, Any]:
    """The retention schedule (periods and their grounds) and the reports of the last ten runs."""
    return {"schedule": _schedule_json(request.state.lang), "runs": [_run_json(r) for r in retention.latest_runs(db)]}


@router.post("/api/v1/privacy/retention/runs", status_code=201, tags=["privacy"])
def retention_run(request: Request, _: Principal = allow(DPO), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Run the retention schedule now (the automation runs it daily); returns the run's report."""
    rows = retention.run_retention(db, app_state(request).settings, trigger="api")
    db.commit()
    return _run_json(rows)


# --- breaches -------------------------------------------------------------------------------------------


class BreachIn(BaseModel):
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    discovered_at: AwareDatetime
    data_categories: list[str] = Field(max_length=100)
    criteria: dict[str, Any]
    consequences: str = Field("", max_length=4000)
    measures: str = Field("", max_length=4000)


def _breach_json(breach: Breach) -> dict[str, Any]:
    found = breaches.state(breach)
    return {
        "id": breach.id, "reference": breach.reference, "title": breach.title, "description": breach.description,
        "discovered_at": breach.discovered_at.isoformat(), "recorded_at": breach.recorded_at.isoformat(),
        "data_categories": breach.data_categories, "criteria": breach.criteria,
        "affected_people": breach.affected_people, "affected_records": breach.affected_records,
        "consequences": breach.consequences, "measures": breach.measures, "high_risk": breach.high_risk,
        "deadline": found["deadline"].isoformat(), "status": found["status"], "seconds_left": found["seconds_left"],
        "reminded_at": breach.reminded_at.isoformat() if breach.reminded_at else None,
        "overdue_at": breach.overdue_at.isoformat() if breach.overdue_at else None,
        "regulator_notified_at": breach.regulator_notified_at.isoformat() if breach.regulator_notified_at else None,
        "people_notified_at": breach.people_notified_at.isoformat() if breach.people_notified_at else None,
        "letter_url": f"/privacy/breaches/{breach.id}/letter",
    }


def _dpo(p: Principal) -> User:
    assert p.user is not None  # allow(DPO) admits signed-in users only
    return p.user


@router.get("/privacy/breaches", response_class=HTMLResponse, include_in_schema=False)
def breaches_page(request: Request, p: Principal = allow(*BREACH_READERS), db: Session = Depends(get_db)) -> Response:
    return _breaches_page(request, db, p)


def _breaches_page(request: Request, db: Session, p: Principal, *, errors: dict[str, str] | None = None,
                   values: dict[str, Any] | None = None, message: str | None = None,
                   status_code: int = 200) -> Response:
    items = [(b, breaches.state(b)) for b in breaches.list_breaches(db)]
    return render(request, "accountability/breaches.html", {
        "items": items, "may_record": p.role == DPO, "errors": errors or {}, "values": values or {},
        "message": message, "services": list(catalog_of(request).services.values())}, status_code=status_code)


def _local_time(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BANGKOK)


@router.post("/privacy/breaches", response_class=HTMLResponse, include_in_schema=False)
async def breaches_create(request: Request, p: Principal = allow(DPO), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    chosen = [str(v) for v in form.getlist("services") if isinstance(v, str)]
    criteria: dict[str, Any] = {"services": chosen} if chosen else {}
    for key in ("from", "to"):
        if values.get(key):
            when = _local_time(values[key])
            criteria[key] = when.isoformat() if when else values[key]
    discovered = _local_time(values.get("discovered_at", ""))
    categories = [c.strip() for c in values.get("data_categories", "").split(",") if c.strip()]

    def run() -> Response:
        try:
            if discovered is None:
                problem = {"th": "กรุณาระบุเวลาที่พบเหตุ", "en": "Give the time the breach was discovered."}
                raise InvalidInput(problem["th"], problem["en"], fields={"discovered_at": problem})
            breach = breaches.record_breach(db, catalog_of(request), _dpo(p), breaches.BreachIn(
                title=values.get("title", ""), description=values.get("description", ""), discovered_at=discovered,
                data_categories=categories, criteria=criteria, consequences=values.get("consequences", ""),
                measures=values.get("measures", "")))
            db.commit()
        except PrachaError as exc:
            db.rollback()
            return _breaches_page(request, db, p, errors=problems(exc, request.state.lang), values=values,
                                  message=exc.message(request.state.lang), status_code=exc.status_code)
        return RedirectResponse(f"/privacy/breaches/{breach.id}", status_code=303)

    return await run_in_threadpool(run)


@router.get("/api/v1/privacy/breaches", tags=["privacy"])
def breaches_list(_: Principal = allow(*BREACH_READERS), db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    """The breach register, most recently discovered first, with each one's 72-hour state."""
    return [_breach_json(b) for b in breaches.list_breaches(db)]


@router.post("/api/v1/privacy/breaches", status_code=201, tags=["privacy"])
def breaches_record(body: BreachIn, request: Request, p: Principal = allow(DPO),
                    db: Session = Depends(get_db)) -> dict[str, Any]:
    """Record a breach; the affected people are computed from `criteria` (see the README)."""
    breach = breaches.record_breach(db, catalog_of(request), _dpo(p), breaches.BreachIn(**body.model_dump()))
    db.commit()
    return _breach_json(breach)


@router.get("/api/v1/privacy/breaches/{breach_id}", tags=["privacy"])
def breach_get(breach_id: BreachId, _: Principal = allow(*BREACH_READERS),
               db: Session = Depends(get_db)) -> dict[str, Any]:
    return _breach_json(breaches.get_breach(db, breach_id))


@router.get("/privacy/breaches/{breach_id}", response_class=HTMLResponse, include_in_schema=False)
def breach_page(breach_id: BreachId, request: Request, p: Principal = allow(*BREACH_READERS),
                db: Session = Depends(get_db)) -> Response:
    breach = breaches.get_breach(db, breach_id)
    return render(request, "accountability/breach.html", {
        "breach": breach, "state": breaches.state(breach), "may_act": p.role == DPO})


def _letter_html(request: Request, db: Session, breach: Breach) -> str:
    dpo = db.get(User, breach.recorded_by_id) if breach.recorded_by_id else None
    return app_state(request).templates.get_template("accountability/letter.html").render({
        "lang": "th", "breach": breach, "state": breaches.state(breach), "dpo": dpo,
        "today": services.today_in_thailand()})


@router.get("/privacy/breaches/{breach_id}/letter", response_class=HTMLResponse, include_in_schema=False)
def breach_letter(breach_id: BreachId, request: Request, _: Principal = allow(*BREACH_READERS),
                  db: Session = Depends(get_db)) -> Response:
    """The notification to the PDPC, in Thai, to print (or as PDF: .../letter.pdf)."""
    return HTMLResponse(_letter_html(request, db, breaches.get_breach(db, breach_id)), headers=NO_STORE)


@router.get("/privacy/breaches/{breach_id}/letter.pdf", include_in_schema=False)
def breach_letter_pdf(breach_id: BreachId, request: Request, _: Principal = allow(*BREACH_READERS),
                      db: Session = Depends(get_db)) -> Response:
    from weasyprint import HTML

    breach = breaches.get_breach(db, breach_id)
    pdf = HTML(string=_letter_html(request, db, breach)).write_pdf()
    return Response(pdf, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="breach-{breach.id}.pdf"'})


def _act(db: Session, breach_id: int, action: str) -> Breach:
    breach = breaches.get_breach(db, breach_id)
    if action == "regulator":
        breaches.mark_regulator_notified(db, breach)
    else:
        breaches.notify_people(db, breach)
    db.commit()
    return breach


@router.post("/privacy/breaches/{breach_id}/regulator-notified", response_class=HTMLResponse, include_in_schema=False)
def breach_regulator_form(breach_id: BreachId, _: Principal = allow(DPO), db: Session = Depends(get_db)) -> Response:
    _act(db, breach_id, "regulator")
    return RedirectResponse(f"/privacy/breaches/{breach_id}", status_code=303)


@router.post("/privacy/breaches/{breach_id}/notify-people", response_class=HTMLResponse, include_in_schema=False)
def breach_people_form(breach_id: BreachId, _: Principal = allow(DPO), db: Session = Depends(get_db)) -> Response:
    _act(db, breach_id, "people")
    return RedirectResponse(f"/privacy/breaches/{breach_id}", status_code=303)


@router.post("/api/v1/privacy/breaches/{breach_id}/regulator-notified", tags=["privacy"])
def breach_regulator_notified(breach_id: BreachId, _: Principal = allow(DPO),
                              db: Session = Depends(get_db)) -> dict[str, Any]:
    """The DPO sent the letter to the PDPC: the 72-hour clock stops (late if past the deadline)."""
    return _breach_json(_act(db, breach_id, "regulator"))


@router.post("/api/v1/privacy/breaches/{breach_id}/notify-people", tags=["privacy"])
def breach_notify_people(breach_id: BreachId, _: Principal = allow(DPO),
                         db: Session = Depends(get_db)) -> dict[str, Any]:
    """The DPO judged the risk to people high: each affected person gets an inbox notice (and email/SMS)."""
    return _breach_json(_act(db, breach_id, "people"))
