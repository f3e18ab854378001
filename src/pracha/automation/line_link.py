"""The LINE handler that links and unlinks a citizen's LINE account (`LINE_HANDLERS`, registered by
the automation's install ahead of participation's, so a link code never reaches a report in progress).

"PR-123456" (the code from the citizen's notifications page) links the LINE account that sent it;
"ยกเลิกการเชื่อม" unlinks it. Anything else is left to the next handler and the assistant. Wrong, used
and expired codes get one polite answer, so the reply tells nothing about which codes exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.notices import line_links

UNLINK_WORDS = frozenset({"ยกเลิกการเชื่อม", "ยกเลิกการเชื่อมต่อ", "ยกเลิกการเชื่อมบัญชี", "unlink"})
LINKED = ("เชื่อมบัญชี LINE กับประชาเรียบร้อยแล้ว จะได้รับการแจ้งเตือนทาง LINE ตามที่ตั้งค่าไว้ "
          "(Your LINE account is now linked to Pracha.)")
UNKNOWN_CODE = ("รหัสนี้ใช้ไม่ได้ อาจพิมพ์ผิด ใช้ไปแล้ว หรือหมดอายุ (10 นาที) กรุณาขอรหัสใหม่ที่หน้า "
                "\"การแจ้งเตือน\" บนเว็บไซต์ประชา แล้วส่งมาอีกครั้ง")
UNLINKED = "ยกเลิกการเชื่อมบัญชี LINE กับประชาแล้ว จะไม่ได้รับการแจ้งเตือนทาง LINE อีก"
NOT_LINKED = "บัญชี LINE นี้ยังไม่ได้เชื่อมกับประชา"


def handle_line_event(session: Session, settings: Settings, base_url: str, user: str, event: Any) -> list[str] | None:
    """Link by code or unlink; None for every other message."""
    from linebot.v3.webhooks import TextMessageContent

    if not isinstance(event.message, TextMessageContent):
        return None
    line_user = getattr(event.source, "user_id", None)  # the link keeps LINE's own id: pushes need it
    text = " ".join(event.message.text.split())
    if not line_user:
        return None
    if text.lower() in UNLINK_WORDS:
        return [UNLINKED if line_links.unlink_line_user(session, line_user) else NOT_LINKED]
    digits = line_links.looks_like_code(text)
    if digits is None:
        return None
    linked = line_links.link_by_code(session, line_user, digits)
    if linked is line_links.Linked.LINKED:
        return [f"{LINKED}\n{base_url.rstrip('/')}/me/notifications"]
    return [UNKNOWN_CODE]
