"""The errors of acting for someone (their codes are in the README, "Acting for someone").

    PrachaError
    ├── Forbidden (403)
    │   ├── ActingForSomeone (403, acting_for_someone)   a grantor acts for themself only (not for a company)
    │   └── NotADelegate (403, not_a_delegate)           no live delegation from that person to the caller
    ├── NotFound (404)
    │   └── DelegationNotFound (404, delegation_not_found)   no such delegation, or not the caller's
    └── InvalidInput (422, invalid_input)                delegate, relationship, services, dates, the scan
"""

from __future__ import annotations

from pracha.errors import Forbidden, NotFound


class ActingForSomeone(Forbidden):
    code = "acting_for_someone"
    message_th = "ท่านกำลังดำเนินการในนามผู้อื่น กรุณากลับมาดำเนินการในนามตนเองก่อนมอบอำนาจ"
    message_en = "You are acting for someone else. Act for yourself again before you authorise anyone."


class NotADelegate(Forbidden):
    code = "not_a_delegate"
    message_th = "ท่านไม่ได้รับมอบอำนาจจากบุคคลนี้ หรือการมอบอำนาจสิ้นสุดแล้ว"
    message_en = "This person has not authorised you, or the authorisation has ended."


class DelegationNotFound(NotFound):
    code = "delegation_not_found"
    message_th = "ไม่พบการมอบอำนาจนี้"
    message_en = "No such delegation."
