"""What account recovery tells a citizen (`pracha.identity.recovery.RESET_MESSENGER`, given by the
composition root): the one-time code by e-mail and SMS only (never the inbox, which needs a sign-in
anyway), and, once the password is changed, a notice on every channel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pracha.i18n import Phrase
from pracha.identity.models import User
from pracha.notices.models import OutboxMessage
from pracha.notices.service import define_notice, notify

PASSWORD_CHANGED = define_notice(
    "identity.password_changed",
    subject=("รหัสผ่านของท่านถูกเปลี่ยนแล้ว", "Your password was changed"),
    body=("รหัสผ่านของท่านถูกเปลี่ยน หากไม่ใช่ท่านเปลี่ยน กรุณาตั้งรหัสผ่านใหม่ทันที (ลิงก์ด้านล่าง) "
          "หรือโทรสายด่วน 1111 ทุกเครื่องที่เคยเข้าสู่ระบบไว้ถูกออกจากระบบแล้ว",
          "Your password was changed. If this was not you, set a new one at once (link below) or call 1111. "
          "Every device that was signed in has been signed out."),
)


class NoticeResetMessenger:
    """Recovery's messages through the notices outbox."""

    def send_code(self, session: Session, user: User, code: str, minutes: int) -> list[str]:
        subject = "รหัสตั้งรหัสผ่านใหม่ Pracha / Pracha password reset code"
        body = (f"รหัสสำหรับตั้งรหัสผ่านใหม่ของท่านคือ {code} ใช้ได้ {minutes} นาที "
                "อย่าบอกรหัสนี้แก่ผู้ใด หากท่านไม่ได้ขอ ไม่ต้องทำอะไร\n"
                f"Your code to set a new password is {code}. It is valid for {minutes} minutes. "
                "Do not share it. If you did not ask for it, do nothing.")
        sms = f"Pracha: รหัสตั้งรหัสผ่านใหม่ {code} (ใช้ได้ {minutes} นาที อย่าบอกผู้ใด) / reset code {code}"
        channels: list[str] = []
        if user.email:
            session.add(OutboxMessage(channel="email", recipient=user.email, user_id=user.id, subject=subject,
                                      body=body))
            channels.append("email")
        if user.phone:
            session.add(OutboxMessage(channel="sms", recipient=user.phone, user_id=user.id, subject=subject,
                                      body=sms))
            channels.append("sms")
        return channels

    def tell_password_changed(self, session: Session, user: User) -> None:
        notify(session, user, phrase=Phrase(PASSWORD_CHANGED), link="/password-reset")
