"""Participation's errors (Thai first)."""

from __future__ import annotations

from pracha.errors import Conflict, Forbidden, NotFound, PrachaError


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"
    message_th = "ไม่พบเรื่องแจ้งนี้"
    message_en = "Complaint not found."


class HearingNotFound(NotFound):
    code = "hearing_not_found"
    message_th = "ไม่พบการรับฟังความคิดเห็นนี้"
    message_en = "Hearing not found."


class PetitionNotFound(NotFound):
    code = "petition_not_found"
    message_th = "ไม่พบข้อเสนอนี้"
    message_en = "Petition not found."


class AlreadySupported(Conflict):
    code = "already_supported"
    message_th = "ท่านสนับสนุนข้อเสนอนี้แล้ว"
    message_en = "You already support this petition."


class NotSupported(Conflict):
    code = "not_supported"
    message_th = "ท่านยังไม่ได้สนับสนุนข้อเสนอนี้"
    message_en = "You do not support this petition."


class NotOpen(Conflict):
    code = "not_open"
    message_th = "ขณะนี้ไม่เปิดรับ (ยังไม่เปิดหรือปิดแล้ว)"
    message_en = "This is not open (not yet, or no longer)."


class NotModerator(Forbidden):
    code = "not_moderator"
    message_th = "เฉพาะผู้ดูแลเนื้อหาเท่านั้น"
    message_en = "Only moderators may do this."


class TooManyPosts(PrachaError):
    """Rate limit on creating complaints, petitions and comments (per citizen, counted in the database
    so every worker agrees)."""

    status_code = 429
    code = "too_many_posts"
    message_th = "ท่านส่งเรื่องถี่เกินไป กรุณารอสักครู่แล้วลองใหม่"
    message_en = "You are posting too often. Please wait a while and try again."
