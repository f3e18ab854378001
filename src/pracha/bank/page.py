"""The demo bank's one page, to pay by hand: Thai first (`?lang=en` for English), plain HTML, no script.

    GET  /pay[?payload=...][&return=<portal URL>]   paste a payload, or see the bill with a "Pay" button
    POST /pay/confirm (form: payload, lang, return)  pay it; the result or the refusal in words

The bank is a demo on loopback, so the form carries no CSRF token; instead a confirmation is taken only
from the bank's own page (Origin, or else Referer, must be the bank's own origin). `return` is shown as a
link back only when it starts with Pracha's public base URL, so the page never links elsewhere.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from pracha.bank.service import Bank, BankError, pay, read_payload

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))

WORDS: dict[str, tuple[str, str]] = {
    "bank": ("ธนาคารทดลอง", "Demo bank"),
    "other_language": ("English", "ภาษาไทย"),
    "demo_note": ("ธนาคารจำลองสำหรับทดลองระบบเท่านั้น ไม่มีการโอนเงินจริง",
                  "A simulated bank for trying the system: no real money moves."),
    "heading_paste": ("ชำระบิลด้วย Thai QR", "Pay a bill by Thai QR"),
    "heading_bill": ("ตรวจสอบรายการก่อนชำระเงิน", "Check the bill before you pay"),
    "heading_paid": ("ชำระเงินสำเร็จ", "Payment successful"),
    "heading_refused": ("ชำระเงินไม่สำเร็จ", "Payment not made"),
    "paste_label": ("ข้อมูล QR ที่สแกนได้", "The data of the scanned QR code"),
    "show": ("ดูรายการ", "Show the bill"),
    "biller": ("รหัสผู้รับชำระ (Biller ID)", "Biller ID"),
    "ref1": ("เลขอ้างอิง 1", "Reference 1"),
    "ref2": ("เลขอ้างอิง 2", "Reference 2"),
    "amount": ("จำนวนเงิน", "Amount"),
    "baht": ("บาท", "baht"),
    "pay": ("ชำระเงิน", "Pay"),
    "transaction": ("เลขที่รายการ", "Transaction number"),
    "back": ("กลับไปยังบริการของรัฐ", "Back to the government service"),
}
REFUSALS: dict[str, tuple[str, str]] = {
    "bad_payload": ("ข้อมูล QR นี้ไม่ใช่การชำระบิลที่ธนาคารรับได้ โปรดตรวจสอบแล้วลองใหม่",
                    "This QR code is not a bill payment the bank can pay. Check it and try again."),
    "wrong_amount": ("จำนวนเงินไม่ตรงกับบิล", "The amount does not match the bill."),
    "already_paid": ("บิลนี้ชำระเงินแล้ว ไม่ต้องชำระซ้ำ", "This bill has already been paid. Do not pay it again."),
    "expired": ("QR นี้หมดอายุแล้ว โปรดขอ QR ใหม่จากหน่วยงาน", "This QR code has expired. Ask the agency for a new one."),
    "unknown_bill": ("ผู้รับชำระไม่พบบิลนี้", "The biller does not know this bill."),
    "biller_unavailable": ("ติดต่อผู้รับชำระไม่ได้ในขณะนี้ ยังไม่มีการตัดเงิน โปรดลองใหม่ภายหลัง",
                           "The biller cannot be reached now. Nothing was paid: try again later."),
    "forbidden": ("โปรดกดชำระเงินจากหน้าของธนาคารเท่านั้น", "Please pay from the bank's own page."),
}


def add_page_routes(app: FastAPI) -> None:
    @app.get("/pay", response_class=HTMLResponse, tags=["page"])
    def pay_page(request: Request, payload: str | None = None, lang: str = "th") -> HTMLResponse:
        lang = _lang(lang)
        back = _back(request, request.query_params.get("return"))
        if not payload:
            return _render(request, lang, "heading_paste", back=back)
        try:
            bill = read_payload(payload)
        except BankError as exc:
            return _render(request, lang, "heading_paste", status=exc.status, back=back, payload=payload,
                           refusal=_refusal(exc.error, lang))
        return _render(request, lang, "heading_bill", back=back, payload=payload.strip(), bill=bill,
                       amount_text=_money(bill.amount))

    @app.post("/pay/confirm", response_class=HTMLResponse, tags=["page"])
    async def confirm(request: Request) -> HTMLResponse:
        form = await request.form()
        lang = _lang(str(form.get("lang", "th")))
        back = _back(request, _text(form.get("return")))
        if not _from_ourselves(request):
            return _render(request, lang, "heading_refused", status=403, back=back,
                           refusal=_refusal("forbidden", lang))
        payload = _text(form.get("payload")) or ""
        try:
            result = await run_in_threadpool(pay, _bank(request), payload)
        except BankError as exc:
            return _render(request, lang, "heading_refused", status=exc.status, back=back,
                           refusal=_refusal(exc.error, lang))
        return _render(request, lang, "heading_paid", back=back, result=result,
                       amount_text=_money(Decimal(result["amount"])))


def _render(request: Request, lang: str, heading: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    words = {key: pair[0 if lang == "th" else 1] for key, pair in WORDS.items()}
    other = "en" if lang == "th" else "th"
    query = {k: v for k, v in request.query_params.items() if k != "return" and request.method == "GET"}
    query["lang"] = other
    if values.get("back"):
        query["return"] = values["back"]
    switch_href = "/pay?" + urlencode(query)
    page = _TEMPLATES.get_template("pay.html").render(
        lang=lang, other_lang=other, w=words, heading=words[heading], switch_href=switch_href,
        **{"result": None, "refusal": None, "bill": None, "payload": None, "back": None} | values)
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _bank(request: Request) -> Bank:
    bank: Bank = request.app.state.bank
    return bank


def _lang(value: str) -> str:
    return "en" if value == "en" else "th"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _refusal(error: str, lang: str) -> str:
    pair = REFUSALS.get(error, REFUSALS["bad_payload"])
    return pair[0 if lang == "th" else 1]


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _back(request: Request, url: str | None) -> str | None:
    portal = _bank(request).portal_url.rstrip("/")
    if url and (url == portal or url.startswith(portal + "/")) and url.isprintable():
        return url
    return None


def _from_ourselves(request: Request) -> bool:
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own
    referer = request.headers.get("referer")
    return referer is not None and referer.startswith(own + "/")
