"""The demo's payments: the demo bank registered with its key, a finance officer for each agency that
collects fees, and a building permit paid in cash at the counter with its receipt (`pracha seed --demo`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.exchange.keys import public_key_text
from pracha.identity.models import FINANCE_OFFICER, User
from pracha.identity.service import create_staff
from pracha.ledger.keys import load_or_create_signer
from pracha.payments import receipts, service
from pracha.payments.bundles import COLLECTOR
from pracha.payments.keys import bank_key
from pracha.payments.models import Bank
from pracha.services import workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application

DEMO_BANK = "demo-bank"
FINANCE_NAMES = (("วราภรณ์", "ทองคำ"), ("ประเสริฐ", "บุญมา"), ("กาญจนา", "ศรีสุข"), ("อำนาจ", "แสงทอง"),
                 ("พิมพ์ใจ", "คำแก้ว"), ("ธนากร", "มณีรัตน์"))


def register_demo_bank(session: Session, settings: Settings, var_dir: Path) -> Bank:
    bank = session.get(Bank, DEMO_BANK) or Bank(id=DEMO_BANK, name_th="ธนาคารสาธิต", name_en="Demo bank")
    bank.public_key, bank.base_url = public_key_text(bank_key(var_dir, DEMO_BANK)), settings.bank_url
    session.add(bank)
    return bank


def finance_accounts(settings: Settings) -> list[tuple[str, str]]:
    """(username, agency) of the demo finance officers."""
    return [(f"finance.{agency}", agency) for agency in sorted(service.billers(settings.catalog_dir))
            if agency != COLLECTOR]  # the platform's collecting account for bundles is no agency's desk


def seed_payments(session: Session, catalog: Catalog, settings: Settings, payer: User, *, password: str,
                  password_hash: str, var_dir: Path) -> None:
    register_demo_bank(session, settings, var_dir)
    finance: dict[str, User] = {}
    for (username, agency), (first, last) in zip(finance_accounts(settings), FINANCE_NAMES, strict=False):
        finance[agency] = create_staff(session, username=username, password=password, role=FINANCE_OFFICER,
                                       first_name=first, last_name=last, agency=agency, password_hash=password_hash)
    approved = {a.service_id: a for a in session.scalars(select(Application).where(
        Application.citizen_id == payer.id, Application.status == workflow.APPROVED))}
    shop = approved.get("commercial-registration")
    if shop is not None and service.owes(session, catalog, shop, "approve"):
        service.open_payment(session, settings, catalog, shop)  # awaiting its 50 baht
    permit = approved.get("building-permit")
    if permit is None or permit.agency not in finance:
        return
    payment = service.record_cash(session, catalog, settings, permit, officer_id=finance[permit.agency].id)
    session.flush()
    receipts.issue(session, catalog, payment, signer=load_or_create_signer(var_dir, settings.ledger_origin),
                   base_url=settings.public_base_url, catalog_dir=settings.catalog_dir)
