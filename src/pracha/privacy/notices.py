"""The privacy notice of a service, for citizens (PDPA section 23: what is collected, why, on which
basis, who receives it, how long it is kept, and the rights of the data subject), built from the same
catalogue metadata as the record of processing activities, in Thai and English."""

from __future__ import annotations

from typing import Any

from pracha.privacy import ropa
from pracha.privacy.retention import PERIODS
from pracha.services.catalog import Catalog, Service

RIGHTS: tuple[tuple[str, str], ...] = (
    ("ขอเข้าถึงและขอรับสำเนาข้อมูล (มาตรา 30) และขอให้โอนย้ายข้อมูล (มาตรา 31)",
     "Access and a copy of your data (section 30) and data portability (section 31)"),
    ("คัดค้านการประมวลผล (มาตรา 32)", "Object to processing (section 32)"),
    ("ขอให้ลบหรือทำลายข้อมูล (มาตรา 33) เว้นแต่กฎหมายกำหนดให้ต้องเก็บไว้",
     "Erasure (section 33), except what a law requires the state to keep"),
    ("ขอให้ระงับการใช้ข้อมูล (มาตรา 34)", "Restriction of processing (section 34)"),
    ("ขอให้แก้ไขข้อมูลให้ถูกต้อง (มาตรา 35)", "Rectification (section 35)"),
    ("ร้องเรียนต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล (มาตรา 73)",
     "Complain to the Office of the Personal Data Protection Committee (section 73)"),
)


def notice(catalog: Catalog, service: Service) -> dict[str, Any]:
    """The notice in both languages: {'th': {...}, 'en': {...}}, each an activity of the RoPA plus the
    rights, and how long drafts are kept."""
    drafts = PERIODS["abandoned-drafts"]
    out: dict[str, Any] = {}
    for lang, index in (("th", 0), ("en", 1)):
        out[lang] = {**ropa.activity(catalog, service, lang), "rights": [r[index] for r in RIGHTS],
                     "draft_days": drafts.days}
    return out
