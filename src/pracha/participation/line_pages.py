"""The end of a LINE report, on the web: `/complaints/line/{token}` shows the report prefilled to a
signed-in citizen, who checks it and confirms; the complaint is then made like any other
(`reports.create_complaint`, channel "line") and the page shows its reference. The link works for
24 hours and makes one complaint."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.db import utcnow
from pracha.errors import InvalidInput, NotFound, PrachaError
from pracha.http.access import allow, get_db
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal
from pracha.participation.deps import rules_of
from pracha.participation.line_reports import DONE
from pracha.participation.models import Complaint, LineReport
from pracha.participation.photos import clean_photo
from pracha.participation.reports import Report, create_complaint

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]


class LineLinkNotFound(NotFound):
    code = "line_link_not_found"
    message_th = "ลิงก์นี้ไม่ถูกต้อง หมดอายุแล้ว หรือใช้ไปแล้ว กรุณาพิมพ์ \"แจ้งปัญหา\" ใน LINE เพื่อเริ่มใหม่"
    message_en = "This link is not valid, has expired or has been used. Type \"แจ้งปัญหา\" in LINE to start again."


def find_line_report(session: Session, token: str, principal: Principal, now: dt.datetime) -> LineReport:
    """The finished LINE report behind the link: still valid, or already confirmed by this citizen."""
    report = session.scalar(select(LineReport).where(LineReport.token == token, LineReport.step == DONE))
    if report is None:
        raise LineLinkNotFound()
    if report.complaint_id is not None:
        complaint = session.get(Complaint, report.complaint_id)
        if complaint is None or complaint.reporter_id != principal.user_id:
            raise LineLinkNotFound()
        return report
    expires = report.data.get("link_expires_at")
    if not expires or dt.datetime.fromisoformat(expires) <= now:
        raise LineLinkNotFound()
    return report


def prefill(report: LineReport) -> dict[str, Any]:
    description = str(report.data.get("description", ""))
    first_line = description.splitlines()[0] if description else ""
    return {"category": report.data.get("category", ""), "tambon": report.data.get("tambon", ""),
            "description": description, "title": first_line[:80], "private_place": "", "anonymous": ""}


def _page(request: Request, report: LineReport, form: dict[str, Any], errors: dict[str, str] | None = None,
          message: str | None = None, status_code: int = 200) -> Response:
    rules = rules_of(request)
    complaint = request.state.complaint if hasattr(request.state, "complaint") else None
    return render(request, "participation/line_confirm.html", {
        "report": report, "form": form, "errors": errors or {}, "message": message, "complaint": complaint,
        "categories": [c for c in rules.categories.values() if not c.confidential], "tambons": rules.tambons,
        "has_photo": report.photo is not None, "located": report.data.get("latitude") is not None},
        status_code=status_code)


@router.get("/complaints/line/{token}", response_class=HTMLResponse)
def line_confirm_page(request: Request, token: Token, p: Principal = allow(CITIZEN),
                      db: Session = Depends(get_db)) -> Response:
    report = find_line_report(db, token, p, utcnow())
    if report.complaint_id is not None:
        request.state.complaint = db.get(Complaint, report.complaint_id)
    return _page(request, report, prefill(report))


@router.post("/complaints/line/{token}", response_class=HTMLResponse)
async def line_confirm(request: Request, token: Token, p: Principal = allow(CITIZEN),
                       db: Session = Depends(get_db)) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}
    rules = rules_of(request)

    def run() -> Response:
        report = find_line_report(db, token, p, utcnow())
        if report.complaint_id is not None:
            return RedirectResponse(f"/complaints/line/{token}", status_code=303)
        photos = [clean_photo(report.photo)] if report.photo is not None else []
        data = report.data
        try:
            complaint = create_complaint(db, p, rules, Report(
                category=form.get("category", ""), title=form.get("title", ""),
                description=form.get("description", ""), tambon=form.get("tambon", ""),
                latitude=data.get("latitude"), longitude=data.get("longitude"),
                private_place=bool(form.get("private_place")), anonymous=bool(form.get("anonymous")),
                photos=photos, channel="line"))
        except InvalidInput as exc:
            db.rollback()
            lang = request.state.lang
            errors = {k: v["en" if lang == "en" else "th"] for k, v in exc.fields.items()}
            return _page(request, report, form, errors, exc.message(lang) if not errors else None, 422)
        except PrachaError:
            db.rollback()
            raise
        report.complaint_id = complaint.id
        db.commit()
        return RedirectResponse(f"/complaints/line/{token}", status_code=303)

    return await run_in_threadpool(run)
