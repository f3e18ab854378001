"""Moderation's pages: the report-abuse form every public text carries (`/participation/abuse-reports`,
posted by the macro in templates/participation/report_abuse.html) and the moderators' page
`/moderation` (the queue with hide/keep forms, and the recent log)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.errors import InvalidInput
from pracha.http.access import allow, get_db
from pracha.http.params import RowId
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN, MODERATOR, STAFF_ROLES
from pracha.identity.principal import Principal
from pracha.paging import PageRequest
from pracha.participation import moderation
from pracha.participation.moderation import Kind

router = APIRouter(include_in_schema=False)
THANKS = "reported=1"  # base.html shows the thank-you note on whatever page the citizen returns to


def back_to(request: Request) -> str:
    """The page the form was on when it is ours (same host), else the hub; with the thank-you flag."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.scheme in ("http", "https") \
        and referer.path.startswith("/") and not referer.path.startswith("//")
    path, query = (referer.path, referer.query) if same_site else ("/participation", "")
    query = "&".join(part for part in query.split("&") if part and part != THANKS)
    return f"{path}?{query + '&' if query else ''}{THANKS}"


async def form_of(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}


def number(value: str | None) -> int:
    if not value or not value.isdigit() or not 1 <= int(value) <= 2**63 - 1:
        raise InvalidInput(fields={"target_id": {"th": "ไม่พบรายการที่รายงาน", "en": "Unknown item."}})
    return int(value)


@router.post("/participation/abuse-reports")
async def report_abuse_form(request: Request, p: Principal = allow(CITIZEN, *STAFF_ROLES),
                            db: Session = Depends(get_db)) -> Response:
    form = await form_of(request)

    def run() -> Response:
        moderation.report_abuse(db, p, form.get("target_kind", ""), number(form.get("target_id")),
                                form.get("reason", ""))
        db.commit()
        return RedirectResponse(back_to(request), status_code=303)

    return await run_in_threadpool(run)


@router.get("/moderation", response_class=HTMLResponse)
def moderation_page(request: Request, p: Principal = allow(MODERATOR), db: Session = Depends(get_db)) -> Response:
    queue = moderation.open_queue(db, PageRequest(limit=100))
    return render(request, "participation/moderation.html", {
        "queue": queue.items, "more": queue.next_cursor is not None, "log": moderation.moderation_log(db)})


async def _decide(request: Request, db: Session, p: Principal, action: str, *args: object) -> Response:
    form = await form_of(request)
    decide = {"hide": moderation.hide_target, "unhide": moderation.unhide_target,
              "dismiss": moderation.dismiss_report}[action]

    def run() -> Response:
        decide(db, p, *args, form.get("reason", ""))  # type: ignore[operator]
        db.commit()
        return RedirectResponse(f"/moderation?done={action}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/moderation/{target_kind}/{target_id}/hide")
async def hide_form(request: Request, target_kind: Kind, target_id: RowId, p: Principal = allow(MODERATOR),
                    db: Session = Depends(get_db)) -> Response:
    return await _decide(request, db, p, "hide", target_kind, target_id)


@router.post("/moderation/{target_kind}/{target_id}/unhide")
async def unhide_form(request: Request, target_kind: Kind, target_id: RowId, p: Principal = allow(MODERATOR),
                      db: Session = Depends(get_db)) -> Response:
    return await _decide(request, db, p, "unhide", target_kind, target_id)


@router.post("/moderation/reports/{report_id}/dismiss")
async def dismiss_form(request: Request, report_id: RowId, p: Principal = allow(MODERATOR),
                       db: Session = Depends(get_db)) -> Response:
    return await _decide(request, db, p, "dismiss", report_id)
