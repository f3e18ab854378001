"""Complaint pages: the public list and page, the citizen's report form and "my complaints", and the
responsible unit's queue and action page. No JavaScript needed (a button may fill the position from
the browser). Thin: logic in `complaints` and `complaint_view`; the same view as the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import utcnow
from pracha.errors import PrachaError
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, INSPECTOR, OFFICER, User
from pracha.identity.principal import Principal
from pracha.paging import PageRequest, page_request
from pracha.participation import complaints
from pracha.participation.complaint_input import Sent, read_sent, report_of
from pracha.participation.complaint_view import (
    ComplaintFilter,
    complaint_view,
    get_complaint,
    list_mine,
    list_public,
    staff_queue,
)
from pracha.participation.deps import rules_of
from pracha.participation.models import COMPLAINT_STATUSES, Complaint
from pracha.participation.reports import create_complaint
from pracha.services.deps import catalog_of

router = APIRouter(include_in_schema=False)
Reference = Annotated[str, Path(max_length=20)]
HANDLERS = (OFFICER, AGENCY_ADMIN, INSPECTOR)
_TIMES = ("created_at", "first_response_at", "resolved_at", "sla_due_at")


def _dated(view: dict[str, Any]) -> dict[str, Any]:
    """The view with datetimes for the page's date filters (the API gives ISO strings)."""
    out = {**view, **{k: dt.datetime.fromisoformat(view[k]) if view.get(k) else None for k in _TIMES}}
    out["events"] = [{**e, "at": dt.datetime.fromisoformat(e["at"])} for e in view["events"]]
    return out


def _view(request: Request, p: Principal, complaint: Complaint) -> dict[str, Any]:
    return _dated(complaint_view(complaint, p, rules_of(request), catalog_of(request)))


def _choices(request: Request) -> dict[str, Any]:
    rules, catalog = rules_of(request), catalog_of(request)
    return {"categories": list(rules.categories.values()), "tambons": rules.tambons,
            "agencies": sorted(catalog.agencies.values(), key=lambda a: a.code), "statuses": COMPLAINT_STATUSES}


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, category: str = Query("", max_length=32), tambon: str = Query("", max_length=64),
                    agency: str = Query("", max_length=64), status: str = Query("", max_length=16),
                    page: PageRequest = Depends(page_request), p: Principal = allow(PUBLIC),
                    db: Session = Depends(get_db)) -> Response:
    found = list_public(db, ComplaintFilter(category or None, tambon or None, agency or None, status or None), page)
    more = str(request.url.include_query_params(cursor=found.next_cursor)) if found.next_cursor else None
    return render(request, "participation/complaints.html", {
        **_choices(request), "items": [_view(request, p, c) for c in found.items], "next_url": more,
        "chosen": {"category": category, "tambon": tambon, "agency": agency, "status": status}})


def _new_page(request: Request, *, errors: dict[str, str] | None = None, message: str | None = None,
              values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    return render(request, "participation/complaint_new.html", {
        **_choices(request), "errors": errors or {}, "message": message, "values": values or {}},
        status_code=status_code)


@router.get("/complaints/new", response_class=HTMLResponse)
def new_complaint_page(request: Request, p: Principal = allow(CITIZEN)) -> Response:
    return _new_page(request)


def _failed(request: Request, exc: PrachaError) -> tuple[dict[str, str], str]:
    lang = "en" if request.state.lang == "en" else "th"
    return {name: msg[lang] for name, msg in exc.fields.items()}, exc.message(lang)


@router.post("/complaints/new", response_class=HTMLResponse)
async def submit_complaint(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                           ) -> Response:
    sent: Sent | None = None
    try:
        sent = await read_sent(request)
        report = await run_in_threadpool(report_of, sent, "web")

        def work() -> str:
            complaint = create_complaint(db, p, rules_of(request), report)
            db.commit()
            return complaint.reference

        reference = await run_in_threadpool(work)
    except PrachaError as exc:
        if exc.status_code not in (422, 429):
            raise
        db.rollback()
        errors, message = _failed(request, exc)
        return _new_page(request, errors=errors, message=message, values=sent.values if sent else {},
                         status_code=exc.status_code)
    return RedirectResponse(f"/complaints/{reference}?sent=1", status_code=303)


@router.get("/complaints/mine", response_class=HTMLResponse)
def my_complaints_page(request: Request, page: PageRequest = Depends(page_request), p: Principal = allow(CITIZEN),
                       db: Session = Depends(get_db)) -> Response:
    found = list_mine(db, p, page)
    more = str(request.url.include_query_params(cursor=found.next_cursor)) if found.next_cursor else None
    return render(request, "participation/complaints_mine.html", {
        "items": [_view(request, p, c) for c in found.items], "next_url": more})


def _complaint_page(request: Request, db: Session, p: Principal, reference: str, *, message: str | None = None,
                    errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    complaint = get_complaint(db, p, reference)
    return render(request, "participation/complaint.html", {
        "c": _view(request, p, complaint), "complaint_id": complaint.id, "message": message, "errors": errors or {},
        "handler": complaints.may_handle(p, complaint)}, status_code=status_code)


@router.get("/complaints/{complaint_ref}", response_class=HTMLResponse)
def complaint_page(complaint_ref: Reference, request: Request, p: Principal = allow(PUBLIC),
                   db: Session = Depends(get_db)) -> Response:
    return _complaint_page(request, db, p, complaint_ref)


async def _post(request: Request, db: Session, reference: str, step: Callable[[Sent, Complaint], str | None],
                page: Callable[..., Response], back: str, p: Principal) -> Response:
    """Run a form's step; on a refusal show the page again with the reason (never a bare error)."""
    try:
        sent = await read_sent(request)

        def work() -> str:
            elsewhere = step(sent, get_complaint(db, p, reference, lock=True))
            db.commit()
            return elsewhere or back

        back = await run_in_threadpool(work)
    except PrachaError as exc:
        if exc.status_code not in (403, 409, 422):
            raise
        db.rollback()
        errors, message = _failed(request, exc)
        return await run_in_threadpool(page, request, db, p, reference, message=message, errors=errors,
                                       status_code=exc.status_code)
    return RedirectResponse(back, status_code=303)


@router.post("/complaints/{complaint_ref}/details", response_class=HTMLResponse)
async def complaint_details(complaint_ref: Reference, request: Request, p: Principal = allow(CITIZEN),
                            db: Session = Depends(get_db)) -> Response:
    def step(sent: Sent, complaint: Complaint) -> str | None:
        complaints.add_details(db, p, complaint, sent.text("note"), sent.cleaned_photos())
        return None

    return await _post(request, db, complaint_ref, step, _complaint_page, f"/complaints/{complaint_ref}", p)


@router.post("/complaints/{complaint_ref}/rating", response_class=HTMLResponse)
async def complaint_rating(complaint_ref: Reference, request: Request, p: Principal = allow(CITIZEN),
                           db: Session = Depends(get_db)) -> Response:
    def step(sent: Sent, complaint: Complaint) -> str | None:
        complaints.rate(db, p, complaint, sent.integer("rating") or 0, sent.text("comment"))
        return None

    return await _post(request, db, complaint_ref, step, _complaint_page, f"/complaints/{complaint_ref}", p)


@router.post("/complaints/{complaint_ref}/reopen", response_class=HTMLResponse)
async def complaint_reopen(complaint_ref: Reference, request: Request, p: Principal = allow(CITIZEN),
                           db: Session = Depends(get_db)) -> Response:
    def step(sent: Sent, complaint: Complaint) -> str | None:
        complaints.reopen(db, p, rules_of(request), complaint, sent.text("reason"))
        return None

    return await _post(request, db, complaint_ref, step, _complaint_page, f"/complaints/{complaint_ref}", p)


@router.get("/officer/complaints", response_class=HTMLResponse)
def complaint_queue_page(request: Request, p: Principal = allow(*HANDLERS), db: Session = Depends(get_db)
                         ) -> Response:
    """The unit's open complaints, soonest due first, flagged overdue or without a first response."""
    items = staff_queue(db, p, rules_of(request), now=utcnow())
    return render(request, "participation/complaint_queue.html", {
        "items": [{"c": _view(request, p, i.complaint), "overdue": i.overdue,
                   "no_first_response": i.no_first_response} for i in items],
        "first_response_days": rules_of(request).first_response_days})


def _staff_page(request: Request, db: Session, p: Principal, reference: str, *, message: str | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    complaint = get_complaint(db, p, reference)
    if not complaints.may_handle(p, complaint):
        raise complaints.NotHandler()
    reporter = None if complaint.anonymous else db.get(User, complaint.reporter_id)
    return render(request, "participation/complaint_staff.html", {
        **_choices(request), "c": _view(request, p, complaint), "message": message, "errors": errors or {},
        "reporter": reporter.display_name if reporter is not None else None,
        "may": {a: complaint.status in complaints.allowed_from(a) for a in complaints.ACTIONS}},
        status_code=status_code)


@router.get("/officer/complaints/{complaint_ref}", response_class=HTMLResponse)
def complaint_staff_page(complaint_ref: Reference, request: Request, p: Principal = allow(*HANDLERS),
                         db: Session = Depends(get_db)) -> Response:
    return _staff_page(request, db, p, complaint_ref)


@router.post("/officer/complaints/{complaint_ref}/actions", response_class=HTMLResponse)
async def complaint_action(complaint_ref: Reference, request: Request, p: Principal = allow(*HANDLERS),
                           db: Session = Depends(get_db)) -> Response:
    def step(sent: Sent, complaint: Complaint) -> str | None:
        complaints.act(db, p, rules_of(request), complaint, sent.text("action"), sent.text("note"),
                       agency=sent.text("agency") or None, agencies=catalog_of(request).agencies.keys(),
                       photos=sent.cleaned_photos())
        return "/officer/complaints?forwarded=1" if sent.text("action") == "forward" else None

    return await _post(request, db, complaint_ref, step, _staff_page, f"/officer/complaints/{complaint_ref}?done=1", p)
