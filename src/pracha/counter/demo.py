"""The demo's counter session: สมชาย (born 2498 BE) was served at the city's civil registration counter by
its officer, who checked his ID card, attached his signed consent form and applied for a residence
certificate for him; the session is closed, so his timeline, data tracker and inbox show it, and the
summary prints."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.appointments.offices import offices_for
from pracha.config import Settings
from pracha.counter import service as counter
from pracha.db import utcnow
from pracha.identity.models import CounterSession, User
from pracha.identity.principal import COUNTER, ActingPerson, Principal
from pracha.ledger import log as ledger
from pracha.services.catalog import Catalog
from pracha.services.service import Storage, act, add_document, create_application

DEMO_OFFICE = "cm-city-registry-office"
DEMO_OFFICER = "officer.cm-city-registry"
SERVICE = "residence-certificate"
FORM = {"purpose": "bank_or_utility", "purpose_detail": "เปิดบัญชีเงินฝากเพื่อรับเบี้ยยังชีพ",
        "current_address": "99 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
        "matches_house_registration": True, "living_since": "1998-05-01", "copies": 1, "delivery": "pickup"}
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed_counter(session: Session, catalog: Catalog, settings: Settings, visitor: User, *, var_dir: Path,
                 pdf: bytes = SCAN) -> CounterSession | None:
    """`var_dir`: where the demo's files go (its uploads/ and counter-forms/); `pdf`: the demo's one document,
    for the signed form and the ID card copy alike."""
    offices = offices_for(settings.catalog_dir, catalog)
    officer = session.scalar(select(User).where(User.username == DEMO_OFFICER))
    service = catalog.services.get(SERVICE)
    if officer is None or service is None or DEMO_OFFICE not in offices:
        return None
    started = utcnow() - dt.timedelta(minutes=25)
    scan = counter.Scan("consent.pdf", "application/pdf", io.BytesIO(pdf))
    row = CounterSession(officer_id=officer.id, visitor=visitor, office=DEMO_OFFICE, agency=officer.agency or "",
                         id_card_checked=True, consent_method=counter.FORM, consent_tries=0, started_at=started,
                         consented_at=started, consent_file=counter.keep_scan(var_dir / counter.FORMS_DIR, scan,
                                                                              settings.max_upload_bytes))
    session.add(row)
    session.flush()
    entry = ledger.record(session, "counter.opened", actor=f"user:{officer.id}", obj=f"counter_session:{row.id}",
                          record={"office": DEMO_OFFICE, "agency": row.agency, "consent": counter.FORM},
                          subject=f"user:{visitor.id}", subject_secret=visitor.national_id)
    session.flush()
    row.ledger_entry_id = entry.id
    at_counter = Principal(user=officer, for_person=ActingPerson(visitor, COUNTER, None, row.id, DEMO_OFFICE))
    application = create_application(session, catalog, at_counter, service.id, FORM)
    for document in service.documents:
        if document.required:
            add_document(session, Storage(var_dir / "uploads", settings.max_upload_bytes), catalog, at_counter,
                         application, requirement=document.id, filename=f"{document.id}.pdf",
                         content_type="application/pdf", stream=io.BytesIO(pdf))
    act(session, catalog, at_counter, application, "submit", declaration=True)
    counter.close_session(session, row, offices=offices)
    return row
