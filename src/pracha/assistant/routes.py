"""The assistant over HTTP: the JSON API the widget uses, a plain form page that needs no JavaScript,
and the FAQ page whose anchors the answers link to. Thin: parse → service → commit → return."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.assistant import service
from pracha.assistant.deps import assistant_of
from pracha.assistant.dialogue import Reply
from pracha.assistant.schemas import MessageIn, MessageOut
from pracha.errors import InvalidInput
from pracha.http.access import PUBLIC, allow, get_db
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.models import CITIZEN
from pracha.identity.principal import Principal

router = APIRouter()


def _client_key(request: Request, p: Principal) -> str:
    if p.user_id is not None:
        return f"user:{p.user_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def reply_json(reply: Reply, conversation_id: str, p: Principal) -> dict[str, Any]:
    def link(url: str) -> str:  # the apply button sends visitors who are not citizens to sign in first
        return url if p.role == CITIZEN or not url.endswith("/apply") else f"/signin?next={url}"

    return {"reply": reply.text, "service_id": reply.service_id, "conversation_id": conversation_id,
            "language": reply.lang, "intent": reply.intent,
            "sources": [{"title": s.title, "url": s.url, "kind": s.kind} for s in reply.sources],
            "actions": [{"title": s.title, "url": link(s.url), "kind": s.kind} for s in reply.actions]}


def _answer(request: Request, db: Session, p: Principal, text: str, conversation_id: str | None
            ) -> dict[str, Any]:
    if not text.strip():
        raise InvalidInput("กรุณาพิมพ์คำถาม", "Please type a question.",
                           fields={"text": {"th": "กรุณาพิมพ์คำถาม", "en": "Please type a question."}})
    assistant_of(request).limiter.check(_client_key(request, p))
    reply, conversation = service.answer(db, assistant_of(request).assistant(), app_state(request).settings, p,
                                         text, conversation_id=conversation_id, channel="web")
    db.commit()
    return reply_json(reply, conversation, p)


@router.post("/api/v1/assistant/messages", response_model=MessageOut, tags=["assistant"])
def post_message(body: MessageIn, request: Request, p: Principal = allow(PUBLIC),
                 db: Session = Depends(get_db)) -> dict[str, Any]:
    """Ask the assistant. Anyone may ask (rate-limited); a signed-in citizen asking about "my
    application" gets the live status of their own applications. Cookie callers send `X-CSRF-Token`."""
    return _answer(request, db, p, body.text, body.conversation_id)


@router.get("/assistant", response_class=HTMLResponse, include_in_schema=False)
def assistant_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    return render(request, "assistant.html", {"answer": None, "question": ""})


@router.post("/assistant", response_class=HTMLResponse, include_in_schema=False)
async def assistant_ask(request: Request, p: Principal = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    text = str(form.get("text") or "")
    conversation_id = str(form.get("conversation_id") or "") or None

    def run() -> Response:
        if not text.strip():
            db.rollback()
            return render(request, "assistant.html", {"answer": None, "question": "", "error": True},
                          status_code=422)
        answer = _answer(request, db, p, text, conversation_id)
        return render(request, "assistant.html", {"answer": answer, "question": text})

    return await run_in_threadpool(run)


@router.get("/assistant/faq", response_class=HTMLResponse, include_in_schema=False)
def faq_page(request: Request, _: Principal = allow(PUBLIC)) -> Response:
    assistant = assistant_of(request).assistant()
    groups = [(s, [p for p in assistant.index.passages if p.kind == "faq" and p.service_id == s.id])
              for s in assistant.catalog.services.values()]
    return render(request, "assistant_faq.html", {"groups": groups})
