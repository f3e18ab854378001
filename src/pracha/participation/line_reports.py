""""แจ้งปัญหา" on LINE: a report made step by step in the chat, finished on the web.

    แจ้งปัญหา / แจ้งเรื่อง / ร้องเรียน → category (a number) → description → location (LINE's location
    message, the sub-district guessed from `TAMBON_CENTRES`; or a sub-district's number) → a photo
    (LINE's image message, fetched from the content API and cleaned) or "ข้าม" → a one-time link.

"ยกเลิก" cancels at any step. LINE users are not linked to citizens (yet), so the report ends with a
link `{base}/complaints/line/{token}` (24 hours): the citizen signs in, checks the prefilled report and
confirms it, which makes the complaint with `reports.create_complaint` (channel "line"). Corruption and
misconduct are not taken on LINE (its chats are kept by LINE): the web form is offered instead.
A conversation left for 24 hours is forgotten.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import utcnow
from pracha.participation.models import LineReport
from pracha.participation.photos import BadPhoto, SafePhoto, clean_photo
from pracha.participation.rules import Rules, load_rules

__all__ = ["LINK_HOURS", "TAMBON_CENTRES", "handle_line_event", "nearest_tambon"]

log = logging.getLogger(__name__)
START = ("แจ้งปัญหา", "แจ้งเรื่อง", "ร้องเรียน", "แจ้งเหตุ")
CANCEL, SKIP = ("ยกเลิก", "cancel"), ("ข้าม", "skip")
LINK_HOURS = 24
CATEGORY, DESCRIPTION, LOCATION, PHOTO, DONE = "category", "description", "location", "photo", "done"
# Approximate centres of Mueang Chiang Mai's sub-districts (WGS 84), enough to guess the nearest one
# from a shared location; the citizen checks it on the web before confirming.
TAMBON_CENTRES: dict[str, tuple[float, float]] = {
    "ศรีภูมิ": (18.7960, 98.9890), "พระสิงห์": (18.7870, 98.9820), "หายยา": (18.7780, 98.9830),
    "ช้างม่อย": (18.7930, 98.9990), "ช้างคลาน": (18.7790, 99.0000), "วัดเกต": (18.7930, 99.0100),
    "ช้างเผือก": (18.8100, 98.9800), "สุเทพ": (18.8000, 98.9350), "แม่เหียะ": (18.7500, 98.9500),
    "ป่าแดด": (18.7450, 98.9850), "หนองหอย": (18.7600, 99.0100), "ท่าศาลา": (18.7750, 99.0300),
    "หนองป่าครั่ง": (18.7900, 99.0300), "ฟ้าฮ่าม": (18.8150, 99.0050), "ป่าตัน": (18.8200, 98.9950),
    "สันผีเสื้อ": (18.8450, 98.9950),
}
NEAR_KM = 6.0  # farther than this from every centre: outside the city, ask for the sub-district


def nearest_tambon(latitude: float, longitude: float, tambons: tuple[str, ...]) -> str | None:
    def km(centre: tuple[float, float]) -> float:
        dlat = math.radians(centre[0] - latitude)
        dlon = math.radians(centre[1] - longitude) * math.cos(math.radians(latitude))
        return 6371 * math.hypot(dlat, dlon)

    known = [(km(TAMBON_CENTRES[t]), t) for t in tambons if t in TAMBON_CENTRES]
    best = min(known, default=None)
    return best[1] if best is not None and best[0] <= NEAR_KM else None


def _categories(rules: Rules) -> list[str]:
    return [code for code, c in rules.categories.items() if not c.confidential]


def _numbered(names: list[str]) -> str:
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))


def _choice(text: str, options: list[str]) -> int | None:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return int(text) - 1
    return options.index(text) if text in options else None


def ask_category(rules: Rules) -> str:
    names = [rules.categories[c].name["th"] for c in _categories(rules)]
    return ("แจ้งปัญหาถึงหน่วยงาน: เป็นเรื่องประเภทใด กรุณาพิมพ์หมายเลข\n" + _numbered(names)
            + "\n\nเรื่องทุจริตหรือประพฤติมิชอบ กรุณาแจ้งทางเว็บไซต์เพื่อความปลอดภัยของท่าน\nพิมพ์ \"ยกเลิก\" เพื่อยกเลิกได้ทุกเมื่อ")


def ask_location(rules: Rules) -> str:
    return ("ปัญหาอยู่ที่ไหน กรุณาส่งตำแหน่ง (กด + แล้วเลือก \"ตำแหน่งที่ตั้ง\") หรือพิมพ์หมายเลขตำบล\n"
            + _numbered(list(rules.tambons)))


ASK_PHOTO = "ส่งรูปถ่ายของปัญหา 1 รูป หรือพิมพ์ \"ข้าม\""


def current_report(session: Session, user: str, now: dt.datetime) -> LineReport | None:
    """The user's conversation in progress (not finished, touched within LINK_HOURS)."""
    return session.scalar(select(LineReport).where(
        LineReport.line_user == user, LineReport.step != DONE,
        LineReport.updated_at > now - dt.timedelta(hours=LINK_HOURS)).order_by(LineReport.id.desc()).limit(1))


def fetch_photo(settings: Settings, message_id: str) -> bytes:
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApiBlob

    config = Configuration(host=settings.line_data_api_url.rstrip("/"),
                           access_token=settings.line_channel_access_token.get_secret_value())
    with ApiClient(config) as client:
        return bytes(MessagingApiBlob(client).get_message_content(message_id))


def finish(report: LineReport, base_url: str, now: dt.datetime) -> str:
    report.step, report.token = DONE, secrets.token_urlsafe(24)
    report.data = {**report.data, "link_expires_at": (now + dt.timedelta(hours=LINK_HOURS)).isoformat()}
    report.updated_at = now
    return (f"ขอบคุณครับ/ค่ะ ขั้นสุดท้าย: เปิดลิงก์นี้ เข้าสู่ระบบ ตรวจสอบรายละเอียด แล้วกดยืนยันเพื่อส่งเรื่อง "
            f"(ใช้ได้ภายใน {LINK_HOURS} ชั่วโมง ครั้งเดียว)\n{base_url.rstrip('/')}/complaints/line/{report.token}")


def handle_line_event(session: Session, settings: Settings, base_url: str, user: str, event: Any) -> list[str] | None:
    """Participation's LINE handler (`pracha.assistant.line.LINE_HANDLERS`): the replies, or None when
    the event is not part of a report (the assistant answers it)."""
    from linebot.v3.webhooks import ImageMessageContent, LocationMessageContent, TextMessageContent

    message = event.message
    text = " ".join(message.text.split()) if isinstance(message, TextMessageContent) else None
    now = utcnow()
    rules = load_rules(settings.catalog_dir.resolve())
    if text is not None and text in START:
        session.execute(delete(LineReport).where(LineReport.line_user == user, LineReport.step != DONE))
        session.add(LineReport(line_user=user, step=CATEGORY, data={}, created_at=now, updated_at=now))
        return [ask_category(rules)]
    report = current_report(session, user, now)
    if report is None:
        return None
    if text is not None and text.lower() in CANCEL:
        session.delete(report)
        return ["ยกเลิกการแจ้งปัญหาแล้ว พิมพ์ \"แจ้งปัญหา\" เพื่อเริ่มใหม่ได้ทุกเมื่อ"]
    report.updated_at = now
    if report.step == CATEGORY:
        codes = _categories(rules)
        picked = _choice(text or "", codes) if text is not None else None
        if picked is None:
            picked = _choice(text or "", [rules.categories[c].name["th"] for c in codes])
        if picked is None:
            return ["กรุณาพิมพ์หมายเลขประเภทเรื่องจากรายการ", ask_category(rules)]
        report.data, report.step = {"category": codes[picked]}, DESCRIPTION
        return ["เล่ารายละเอียดของปัญหา (อย่างน้อย 10 ตัวอักษร) เช่น เกิดอะไรขึ้น ตั้งแต่เมื่อไร สังเกตได้ตรงไหน"]
    if report.step == DESCRIPTION:
        if text is None or not 10 <= len(text) <= 5000:
            return ["กรุณาพิมพ์รายละเอียด 10–5,000 ตัวอักษร"]
        report.data, report.step = {**report.data, "description": text}, LOCATION
        return [ask_location(rules)]
    if report.step == LOCATION:
        if isinstance(message, LocationMessageContent):
            lat, lon = float(message.latitude), float(message.longitude)
            tambon = nearest_tambon(lat, lon, rules.tambons)
            if tambon is None:
                report.data = {**report.data, "latitude": lat, "longitude": lon}
                return ["ตำแหน่งนี้อยู่นอกพื้นที่ที่รับแจ้ง กรุณาพิมพ์หมายเลขตำบล\n" + _numbered(list(rules.tambons))]
            report.data, report.step = {**report.data, "latitude": lat, "longitude": lon, "tambon": tambon}, PHOTO
            return [f"รับตำแหน่งแล้ว (ตำบล{tambon}: แก้ไขได้ก่อนยืนยันบนเว็บไซต์)", ASK_PHOTO]
        picked = _choice(text or "", list(rules.tambons)) if text is not None else None
        if picked is None:
            return [ask_location(rules)]
        report.data, report.step = {**report.data, "tambon": rules.tambons[picked]}, PHOTO
        return [f"ตำบล{rules.tambons[picked]}", ASK_PHOTO]
    if report.step == PHOTO:
        if isinstance(message, ImageMessageContent):
            try:
                photo: SafePhoto = clean_photo(fetch_photo(settings, message.id))
            except BadPhoto:
                return ["รูปนี้ใช้ไม่ได้ (รองรับ JPEG, PNG, WebP ไม่เกิน 8 MB) กรุณาส่งรูปใหม่ หรือพิมพ์ \"ข้าม\""]
            except Exception as exc:  # noqa: BLE001 - LINE's content API failing is no reason to lose the report
                log.warning("LINE content fetch failed: %s", exc.__class__.__name__)
                return ["ดึงรูปจาก LINE ไม่สำเร็จ กรุณาส่งรูปอีกครั้ง หรือพิมพ์ \"ข้าม\""]
            report.photo = photo.content
            if photo.latitude is not None and "latitude" not in report.data:
                report.data = {**report.data, "latitude": photo.latitude, "longitude": photo.longitude}
            return ["ได้รับรูปแล้ว", finish(report, base_url, now)]
        if text is not None and text.lower() in SKIP:
            return [finish(report, base_url, now)]
        return [ASK_PHOTO]
    return None
