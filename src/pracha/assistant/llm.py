"""Generative answers from an OpenAI-compatible endpoint (``POST {PRACHA_LLM_URL}/v1/chat/completions``),
grounded in numbered passages. The answer must cite the passages it used as [1], [2] …; an answer
citing none, or a number that was not given, is refused, and so is any error or timeout: the caller
then keeps the retrieval answer. National ID numbers never leave: the question is masked first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import httpx

from pracha.assistant.knowledge import Passage
from pracha.assistant.nlp import mask_national_ids

log = logging.getLogger(__name__)
_CITATION = re.compile(r"\[(\d{1,2})\]")

SYSTEM = {
    "th": ("คุณคือผู้ช่วยของพอร์ทัลบริการภาครัฐ ตอบเป็นภาษาไทยสั้น ๆ โดยใช้เฉพาะข้อมูลในข้อความอ้างอิงที่มีหมายเลขกำกับ "
           "และอ้างอิงหมายเลขที่ใช้ในรูป [1] ห้ามแต่งข้อมูลเพิ่ม ถ้าข้อความอ้างอิงไม่มีคำตอบ ให้ตอบว่า ไม่ทราบ"),
    "en": ("You are the assistant of a government services portal. Answer briefly in English using only the "
           "numbered passages, and cite the passages you used as [1], [2]. Never add facts. If the passages "
           "do not answer the question, say you do not know."),
}


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str
    api_key: str
    timeout: float


def build_messages(question: str, passages: list[Passage], lang: str) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{i}] {p.question.get(lang)} — {p.answer.get(lang)}" for i, p in enumerate(passages, 1))
    label = "ข้อความอ้างอิง" if lang == "th" else "Passages"
    asked = "คำถาม" if lang == "th" else "Question"
    return [{"role": "system", "content": SYSTEM[lang]},
            {"role": "user", "content": f"{label}:\n{numbered}\n\n{asked}: {mask_national_ids(question)}"}]


def cited(answer: str, count: int) -> list[int] | None:
    """The passage numbers the answer cites, or None when it cites none or one that does not exist."""
    numbers = sorted({int(n) for n in _CITATION.findall(answer)})
    if not numbers or any(n < 1 or n > count for n in numbers):
        return None
    return numbers


def generate(config: LlmConfig, question: str, passages: list[Passage], lang: str) -> tuple[str, list[int]] | None:
    """(answer, cited passage numbers), or None on any error, timeout or ungrounded answer."""
    if not passages:
        return None
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    body = {"model": config.model, "messages": build_messages(question, passages, lang), "temperature": 0}
    try:
        response = httpx.post(config.url.rstrip("/") + "/v1/chat/completions", json=body, headers=headers,
                              timeout=config.timeout)
        response.raise_for_status()
        answer = str(response.json()["choices"][0]["message"]["content"]).strip()
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("LLM call failed, using the retrieval answer: %s", exc.__class__.__name__)
        return None
    numbers = cited(answer, len(passages))
    if numbers is None:
        log.warning("LLM answer cites no given passage, using the retrieval answer")
        return None
    return answer, numbers
