"""Render every service's document as it is issued, and save page 1 of each as a PNG for the README:
docs/screenshots/documents/<service-id>.png (pdftoppm, 60 dpi). Run from the repository:

    .venv/bin/python scripts/document-screenshots.py [--out DIR] [--keep-pdf]

It builds a throwaway SQLite database, files one application per service for a demo person with a
realistic form, approves it (by the bot for the services that have one, else by an officer) and issues
the document through the same code the task runner uses. Needs poppler-utils (pdftoppm).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from pracha.automation import bot, certificates  # noqa: E402
from pracha.calendar import BANGKOK  # noqa: E402
from pracha.config import Settings  # noqa: E402
from pracha.demo import DEMO_PDF, SOMCHAI, SOMYING  # noqa: E402
from pracha.identity import thai_id  # noqa: E402
from pracha.identity.models import User  # noqa: E402
from pracha.identity.principal import Principal  # noqa: E402
from pracha.identity.service import create_staff  # noqa: E402
from pracha.ledger.deps import LEDGER  # noqa: E402
from pracha.migrate import upgrade  # noqa: E402
from pracha.services import service  # noqa: E402
from pracha.services.hooks import CATALOG  # noqa: E402
from pracha.web.app import build_state  # noqa: E402

TODAY = dt.datetime.now(BANGKOK).date()
BOONMEE = ("บุญมี", "แก้วมา", thai_id.make("350990012345"), dt.date(1968, 9, 2))
HOME = "99/1 หมู่ 3 ถนนห้วยแก้ว ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"
SHOP = "12 ถนนนิมมานเหมินท์ ตำบลสุเทพ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"
# service: (holder, form)
SAMPLES: dict[str, tuple[tuple[str, str, str, dt.date], dict[str, Any]]] = {
    "residence-certificate": (SOMCHAI, {
        "purpose": "job", "purpose_detail": "ยื่นต่อบริษัท ล้านนาซอฟต์ จำกัด", "current_address": HOME,
        "matches_house_registration": True, "living_since": "2015-06-01", "copies": 1, "delivery": "pickup"}),
    "commercial-registration": (SOMYING, {
        "business_form": "individual", "trade_name": "ร้านกาแฟดอยช้าง", "business_category": "ขายกาแฟและเบเกอรี่",
        "business_address": SHOP, "start_date": TODAY.isoformat(), "capital": 50000, "premises": "rented",
        "sells_online": True, "website": "https://doichang-coffee.example", "phone": "0812345678"}),
    "building-permit": (SOMYING, {
        "building_use": "detached_house", "storeys": 2, "floor_area": 180, "height": 7.5, "site_address": HOME,
        "land_title_number": "12345", "owns_land": True, "engineer_licence": "สย.12345", "phone": "0812345678"}),
    "birth-registration": (SOMYING, {
        "child_first_name": "ขวัญข้าว", "child_last_name": "รักไทย", "child_sex": "female",
        "birth_date": (TODAY - dt.timedelta(days=4)).isoformat(), "birth_place_type": "hospital",
        "hospital_notification_no": "1234/2569", "mother_id": SOMYING[2], "house_code": "50010123456",
        "notifier_relationship": "mother"}),
    "elderly-allowance": (SOMCHAI, {
        "payment_method": "bank_transfer", "bank_name": "ktb", "bank_account": "1234567890", "phone": "0812345678",
        "receives_state_pension": False, "lives_in_state_care": False, "receives_state_salary": False,
        "monthly_income": 0}),
    "disability-allowance": (BOONMEE, {
        "applicant_role": "self", "disability_type": "physical",
        "disability_card_expiry": (TODAY + dt.timedelta(days=5 * 365)).isoformat(), "payment_method": "promptpay",
        "phone": "0891234567", "in_state_care": False}),
    "child-support-grant": (SOMYING, {
        "child_id": thai_id.make("110370099881"), "child_name": "ด.ญ. ขวัญข้าว รักไทย",
        "child_birth_date": (TODAY - dt.timedelta(days=120)).isoformat(), "relationship": "mother",
        "child_lives_with_you": True, "household_members": 4, "household_income": 90000, "promptpay_linked": True,
        "phone": "0812345678"}),
    "change-of-address": (SOMCHAI, {
        "new_house_code": "50010123456", "new_address": HOME, "move_in_date": TODAY.isoformat(),
        "house_owner_id": SOMCHAI[2], "house_owner_consents": True, "people_moving": 2, "reason": "ย้ายตามครอบครัว",
        "phone": "0812345678"}),
}


def issue_all(directory: Path) -> dict[str, bytes]:
    """Every service's document, as issued, by service id."""
    url = f"sqlite:///{directory / 'pracha.db'}"
    upgrade(url)
    settings = Settings(database_url=url, var_dir=directory / "var", catalog_dir=REPO / "catalog",
                        secret_key="document-screenshots")  # noqa: S106 - a throwaway database
    state = build_state(settings)
    catalog = state.registry.get(CATALOG)
    signer = state.registry.get(LEDGER).signer
    storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
    automated = bot.rulesets(catalog)
    pdfs: dict[str, bytes] = {}
    with state.db.sessions() as session:
        people: dict[str, User] = {}
        for service_id, ((first, last, national_id, born), form) in SAMPLES.items():
            if national_id not in people:
                people[national_id] = User(role="citizen", national_id=national_id, first_name=first, last_name=last,
                                           birth_date=born, password_hash="-", language="th")  # noqa: S106
                session.add(people[national_id])
            owner = Principal(user=people[national_id])
            application = service.create_application(session, catalog, owner, service_id, form)
            svc = catalog.services[service_id]
            for requirement in [d.id for d in svc.documents if d.required]:
                service.add_document(session, storage, catalog, owner, application, requirement=requirement,
                                     filename=f"{requirement}.pdf", content_type="application/pdf",
                                     stream=io.BytesIO(DEMO_PDF))
            service.act(session, catalog, owner, application, "submit")
            officer = Principal(user=create_staff(
                session, username=f"officer.{application.agency}", password="-", role="officer",  # noqa: S106
                first_name="วิไล", last_name="ศรีสุข", agency=application.agency, password_hash="-"))  # noqa: S106
            service.act(session, catalog, officer, application, "review")
            by = Principal(system_agency=application.agency) if service_id in automated else officer
            service.act(session, catalog, by, application, "approve")
            document = certificates.issue(session, catalog, application, signer=signer,
                                          base_url=settings.public_base_url)
            pdfs[service_id] = document.pdf
        session.commit()
    state.db.engine.dispose()
    return pdfs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots" / "documents")
    parser.add_argument("--keep-pdf", action="store_true", help="Also keep each PDF beside its picture.")
    args = parser.parse_args()
    tool = shutil.which("pdftoppm")
    if tool is None:
        sys.exit("pdftoppm is needed (Debian package poppler-utils)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pracha-documents-") as name:
        for service_id, pdf in issue_all(Path(name)).items():
            path = Path(name) / f"{service_id}.pdf"
            path.write_bytes(pdf)
            subprocess.run([tool, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path),  # noqa: S603
                            str(args.out / service_id)], check=True)
            if args.keep_pdf:
                shutil.copy(path, args.out / f"{service_id}.pdf")
            print(args.out / f"{service_id}.png")


if __name__ == "__main__":
    main()
