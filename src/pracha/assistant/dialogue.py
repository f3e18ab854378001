"""One turn of the conversation, without storage: decide what the message asks (own application
status, small talk, a service question, or something Pracha does not know) and compose the reply
in the message's language with its sources. Pure: the caller passes in the citizen's applications.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pracha.assistant import nlp
from pracha.assistant.elsewhere import PASSWORD_RESET_URL, asks_password_reset, find_elsewhere, load_elsewhere
from pracha.assistant.index import Index, Retrieval, Tuning
from pracha.assistant.knowledge import Passage
from pracha.services.catalog import Catalog

OUT_OF_SCOPE = {
    "th": "ขออภัย เรื่องนี้อยู่นอกเหนือข้อมูลที่ประชามี จึงตอบให้ไม่ได้ กรุณาสอบถามศูนย์บริการประชาชน สายด่วน 1111 "
          "หรือหน่วยงานที่รับผิดชอบโดยตรง ประชาตอบได้เรื่อง{services}",
    "en": "Sorry, that is outside what Pracha knows, so I cannot answer it. Please ask the Government Contact "
          "Centre on 1111 or the agency responsible. Pracha can help with: {services}.",
}
GREETING = {"th": "สวัสดีค่ะ ถามเรื่องบริการได้เลย เช่น เอกสารที่ต้องใช้ ค่าธรรมเนียม ยื่นที่ไหน ใช้เวลากี่วัน",
            "en": "Hello! Ask me about a service: documents, fees, where to apply, how long it takes."}
THANKS = {"th": "ยินดีค่ะ มีอะไรถามเพิ่มได้เสมอ", "en": "You're welcome. Ask me anything else about the services."}
SIGN_IN = {"th": "กรุณาเข้าสู่ระบบด้วยเลขประจำตัวประชาชนก่อน แล้วถามอีกครั้ง ระบบจะแสดงสถานะคำขอของคุณ",
           "en": "Please sign in with your national ID first, then ask again to see your applications' status."}
NO_APPLICATIONS = {"th": "คุณยังไม่มีคำขอในระบบ", "en": "You have no applications yet."}
STATUS_HEAD = {"th": "สถานะคำขอของคุณ:", "en": "Your applications:"}
MORE = {"th": "ดูเพิ่มเติม", "en": "More"}
APPLY = {"th": "ยื่นคำขอออนไลน์", "en": "Apply online"}
PASSWORD_RESET = {"th": "ลืมรหัสผ่านไม่เป็นไรค่ะ ตั้งรหัสผ่านใหม่ได้เอง: กรอกเลขประจำตัวประชาชน แล้วใส่รหัสยืนยัน 6 หลัก"
                        "ที่ส่งไปทางอีเมลหรือโทรศัพท์ที่ให้ไว้กับบัญชี หากติดต่อช่องทางนั้นไม่ได้ "
                        "ให้นำบัตรประชาชนไปที่เคาน์เตอร์ของหน่วยงาน",
                  "en": "No problem: set a new password yourself. Enter your national ID, then the 6-digit code "
                        "sent to the email or phone on your account. If you cannot reach either, bring your ID "
                        "card to an office counter."}
PASSWORD_RESET_ACTION = {"th": "ตั้งรหัสผ่านใหม่", "en": "Reset my password"}


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    kind: str  # "faq", "service" or "application"


@dataclass(frozen=True)
class ApplicationStatus:
    """What the reply shows of one of the citizen's applications (from pracha.services.service)."""
    reference: str
    service_name: str
    status_text: str


@dataclass
class Reply:
    text: str
    lang: str
    intent: str  # "answer", "elsewhere", "password_reset", "out_of_scope", "status", "sign_in", "greeting", "thanks"
    service_id: str | None = None
    sources: list[Source] = field(default_factory=list)
    actions: list[Source] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)  # what an LLM may use, numbered from 1
    retrieval: Retrieval | None = None
    topic: str | None = None  # the FAQ entry id, "elsewhere:<id>" or "action:password-reset" answered


class Assistant:
    """The knowledge (catalogue + FAQ + lexicon) and the turn logic; one per app, immutable."""

    def __init__(self, catalog: Catalog, catalog_dir: Path) -> None:
        self.catalog = catalog
        self.lexicon = nlp.Lexicon.load(catalog_dir / "assistant" / "lexicon.yaml")
        self.index = Index(catalog, catalog_dir / "faq", self.lexicon, Tuning.load(catalog_dir / "assistant" /
                                                                                     "tuning.yaml"))
        self.elsewhere = load_elsewhere(catalog_dir / "assistant" / "elsewhere.yaml")

    def wants_status(self, text: str) -> bool:
        return self.lexicon.asks_status(nlp.normalise(text))

    def respond(self, text: str, *, statuses: list[ApplicationStatus] | None = None,
                signed_in: bool = False) -> Reply:
        """The reply to one message. ``statuses``: the signed-in citizen's applications, when asked."""
        lang = nlp.detect_language(text)
        normal = nlp.normalise(text)
        if asks_password_reset(self.lexicon.forgot_password, normal):
            return Reply(PASSWORD_RESET[lang], lang, "password_reset", actions=[
                Source(PASSWORD_RESET_ACTION[lang], PASSWORD_RESET_URL, "password_reset")],
                topic="action:password-reset")
        if self.lexicon.asks_status(normal):
            return self._status(lang, statuses, signed_in)
        small = self.lexicon.small_talk(normal)
        if small is not None:
            return Reply((GREETING if small == "greeting" else THANKS)[lang], lang, small)
        elsewhere = find_elsewhere(self.elsewhere, self.lexicon.correct(normal))
        if elsewhere is not None:
            return Reply(elsewhere.reply_text(lang), lang, "elsewhere", topic=f"elsewhere:{elsewhere.id}")
        retrieval = self.index.search(text)
        service_id = retrieval.service_id
        if service_id is None:
            names = ", ".join(s.name.get(lang) for s in self.catalog.services.values())
            return Reply(OUT_OF_SCOPE[lang].format(services=names), lang, "out_of_scope", retrieval=retrieval)
        service = self.catalog.services[service_id]
        passage = self.index.best_passage(retrieval, service_id)
        faq = passage is not None and passage.kind == "faq"
        answer = passage.answer.get(lang) if passage is not None and faq else service.summary.get(lang)
        sources = [Source(service.name.get(lang), f"/services/{service_id}", "service")]
        if passage is not None and passage.kind == "faq":
            sources.insert(0, Source(passage.question.get(lang), passage.url, "faq"))
        used = [p for p, _ in retrieval.passages if p.service_id == service_id][:4]
        return Reply(f"{service.name.get(lang)}: {answer}", lang, "answer", service_id, sources,
                     [Source(APPLY[lang], f"/services/{service_id}/apply", "apply")], used, retrieval,
                     passage.key if faq and passage is not None else None)

    def _status(self, lang: str, statuses: list[ApplicationStatus] | None, signed_in: bool) -> Reply:
        if not signed_in or statuses is None:
            return Reply(SIGN_IN[lang], lang, "sign_in", actions=[Source(
                "เข้าสู่ระบบ" if lang == "th" else "Sign in", "/signin", "sign_in")])
        if not statuses:
            return Reply(NO_APPLICATIONS[lang], lang, "status")
        lines = [f"{s.reference} {s.service_name}: {s.status_text}" for s in statuses]
        sources = [Source(s.reference, f"/applications/{s.reference}", "application") for s in statuses]
        return Reply("\n".join([STATUS_HEAD[lang], *lines]), lang, "status", sources=sources)


_building = threading.Lock()


def load_assistant(catalog: Catalog, catalog_dir: Path) -> Assistant:
    """One assistant per catalogue (the server builds it at start, web/lifespan.py); a caller that
    comes while it is being built waits for that build instead of starting a second one."""
    with _building:
        return _assistant(catalog, catalog_dir)


_assistant = lru_cache(maxsize=4)(Assistant)
