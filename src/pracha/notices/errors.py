"""The notices' errors.

    PrachaError
    └── InvalidInput
        └── InvalidPreference (422)   an unknown kind or channel, or turning off what must stay on
"""

from __future__ import annotations

from typing import Any

from pracha.errors import InvalidInput


class InvalidPreference(InvalidInput):
    code = "invalid_preference"
    message_th = "ประเภทการแจ้งเตือนหรือช่องทางไม่ถูกต้อง"
    message_en = "Unknown kind of notice or channel."

    def __init__(self, *, locked: bool = False, **details: Any) -> None:
        if locked:
            super().__init__("ปิดการแจ้งสถานะคำขอในกล่องข้อความไม่ได้ เพราะกล่องข้อความเป็นหลักฐานของคำขอ",
                             "Status notices in the inbox cannot be turned off: the inbox is the record of "
                             "your applications.", **details)
        else:
            super().__init__(**details)
