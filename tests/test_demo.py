"""The demo data set: valid and reproducible people, staff for every agency, applications in every state."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, SOMCHAI, SOMYING, SeedSummary, seed_demo
from pracha.identity import factors, thai_id
from pracha.identity.models import AGENCY_ADMIN, AUDITOR, CITIZEN, OFFICER, PLATFORM_ADMIN, TotpFactor, User
from pracha.identity.passwords import verify_password
from pracha.identity.principal import Principal
from pracha.migrate import upgrade
from pracha.notices.models import InboxMessage, OutboxMessage
from pracha.paging import MAX_LIMIT, PageRequest
from pracha.services import forms, service, workflow
from pracha.services.catalog import Catalog
from pracha.services.models import Application, ApplicationEvent, Document
from pracha.services.status_notices import BY_ACTION
from pracha.vault import attach_keyring
from tests.servers import REPO_ROOT, pracha_command

DEMO_APP_SECRET = b"demo-test-secret"  # seals the demo staff's TOTP secret


@dataclass
class Seeded:
    engine: Engine
    sessions: sessionmaker[Session]
    summary: SeedSummary
    upload_dir: Path


def seed_fresh(directory: Path, catalog: Catalog, *, seed: int = 2569) -> Seeded:
    url = f"sqlite:///{directory / 'pracha.db'}"
    upgrade(url)
    engine = make_engine(url)
    attach_keyring(engine, settings=Settings(database_url=url, var_dir=directory / "var"))
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        summary = seed_demo(session, catalog, citizens=500, seed=seed, upload_dir=directory / "uploads",
                            secret=DEMO_APP_SECRET)
    return Seeded(engine, sessions, summary, directory / "uploads")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[Seeded]:
    result = seed_fresh(tmp_path_factory.mktemp("demo"), catalog)
    yield result
    result.engine.dispose()


@pytest.fixture
def db(seeded: Seeded) -> Iterator[Session]:
    with seeded.sessions() as session:
        yield session


def people(session: Session) -> list[tuple[str | None, str, str, dt.date | None]]:
    """(national ID, first name, last name, birth date) of every citizen, in the order they were made."""
    query = (select(User.national_id, User.first_name, User.last_name, User.birth_date)
             .where(User.role == CITIZEN).order_by(User.id))
    return [(row.national_id, row.first_name, row.last_name, row.birth_date) for row in session.execute(query)]


def counts(session: Session) -> dict[str, int]:
    tables = (User, Application, ApplicationEvent, Document, InboxMessage, OutboxMessage)
    return {t.__name__: session.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def test_citizens_have_valid_unique_national_ids(db: Session) -> None:
    citizens = list(db.scalars(select(User).where(User.role == CITIZEN)))
    ids = [c.national_id or "" for c in citizens]
    assert len(citizens) >= 500
    assert all(thai_id.is_valid(i) and i[0] in "12345678" for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(c.first_name and c.last_name and c.birth_date for c in citizens)
    ages = [(service.today_in_thailand() - c.birth_date).days // 365 for c in citizens if c.birth_date]
    assert min(ages) < 5 and max(ages) > 90
    assert sum(age >= 60 for age in ages) > len(ages) // 5
    assert any(c.email for c in citizens) and any(c.phone for c in citizens)
    assert any(c.email is None for c in citizens) and any(c.phone is None for c in citizens)
    somchai = db.scalar(select(User).where(User.national_id_index == SOMCHAI[2]))
    assert somchai is not None and (somchai.first_name, somchai.last_name) == ("สมชาย", "ใจดี")
    assert somchai.birth_date is not None and somchai.birth_date.year == 1955
    assert verify_password(somchai.password_hash, DEMO_PASSWORD)


def test_staff_for_every_agency(db: Session, catalog: Catalog) -> None:
    staff = {u.username: u for u in db.scalars(select(User).where(User.role != CITIZEN))}
    for code in catalog.agencies:
        assert (staff[f"officer.{code}"].role, staff[f"officer.{code}"].agency) == (OFFICER, code)
        assert (staff[f"admin.{code}"].role, staff[f"admin.{code}"].agency) == (AGENCY_ADMIN, code)
    assert (staff["auditor"].role, staff["auditor"].agency) == (AUDITOR, None)
    assert (staff["admin"].role, staff["admin"].agency) == (PLATFORM_ADMIN, None)
    assert (staff["dpo"].role, staff["dpo"].agency) == ("dpo", None)
    assert verify_password(staff["dpo"].password_hash, DEMO_PASSWORD)
    for code in ("cm-commercial-registry", "cm-building-control", "cm-city-health", "cm-city-revenue"):  # fees
        assert (staff[f"finance.{code}"].role, staff[f"finance.{code}"].agency) == ("finance_officer", code)
    assert (staff["moderator"].role, staff["inspector.cm-damrongdhama"].role) == ("moderator", "inspector")
    assert len(staff) == 2 * len(catalog.agencies) + 3 + 4 + 2
    assert verify_password(staff["officer.cm-elderly-welfare"].password_hash, DEMO_PASSWORD)
    for user in staff.values():  # `make run` works without enrolment: every demo staff has the demo TOTP
        factor = db.get(TotpFactor, user.id)
        assert factor is not None and factor.confirmed_at is not None
        assert factors.open_secret(DEMO_APP_SECRET, user.id, factor.secret_sealed) == DEMO_TOTP_SECRET


def test_accounts_table_names_real_accounts(db: Session, seeded: Seeded) -> None:
    logins = [login for _, login, _ in seeded.summary.accounts]
    assert not seeded.summary.already_seeded
    assert logins[0] == thai_id.format_dashed(SOMCHAI[2])
    for login in logins:
        if thai_id.is_valid(login):
            found = select(User.id).where(User.national_id_index == thai_id.normalize(login), User.role == CITIZEN)
        else:
            found = select(User.id).where(User.username == login, User.role != CITIZEN)
        assert db.scalar(found) is not None, login


def test_applications_in_every_status_of_every_service(db: Session, catalog: Catalog) -> None:
    pairs = {tuple(row) for row in db.execute(select(Application.service_id, Application.status))}
    assert (db.scalar(select(func.count()).select_from(Application)) or 0) >= 150
    assert {status for _, status in pairs} == set(workflow.STATUSES)
    assert {s for s, _ in pairs} == set(catalog.services)
    assert pairs == {(s, status) for s in catalog.services for status in workflow.STATUSES}


def test_application_data_documents_and_timelines_are_real(db: Session, catalog: Catalog, seeded: Seeded) -> None:
    for application in db.scalars(select(Application)):
        svc = catalog.services[application.service_id]
        assert forms.validate(svc.form_schema, application.data, complete=True) == {}
        events = application.events
        assert events[0].action == "create" and events[-1].to_status == application.status
        assert all(a.to_status == b.from_status for a, b in pairwise(events))
        assert [e.at for e in events] == sorted(e.at for e in events)
        if application.submitted_at is not None:
            assert service.missing_documents(svc, application) == []
            assert application.due_date == catalog.calendar.add_working_days(
                application.submitted_at.astimezone(BANGKOK).date(), svc.sla_days)
        notices = db.scalar(select(func.count()).where(InboxMessage.application_id == application.id,
                                                       func.coalesce(InboxMessage.key, "").not_like("payment.%")))
        assert notices == sum(e.action in BY_ACTION for e in events)  # one per step the citizen is told of
    hashes = set(db.scalars(select(Document.sha256)))
    assert len(hashes) == 1  # one tiny PDF, stored once
    stored = (seeded.upload_dir / next(iter(hashes))[:2] / next(iter(hashes))).read_bytes()
    assert stored.startswith(b"%PDF-1.4") and stored.rstrip().endswith(b"%%EOF") and len(stored) < 1000


def whole_queue(db: Session, principal: Principal, filters: service.QueueFilter, today: dt.date
                ) -> list[Application]:
    items, page = [], PageRequest(limit=MAX_LIMIT)
    while True:
        found = service.queue(db, principal, filters, today=today, page=page)
        items += found.items
        if found.next_cursor is None:
            return items
        page = PageRequest(MAX_LIMIT, found.next_cursor)


def test_officer_queues_show_overdue_work(db: Session, catalog: Catalog) -> None:
    today = service.today_in_thailand()
    overdue, open_items = 0, 0
    for code in catalog.agencies:
        officer = db.scalar(select(User).where(User.username == f"officer.{code}"))
        principal = Principal(user=officer)
        open_items += len(whole_queue(db, principal, service.QueueFilter(), today))
        late = whole_queue(db, principal, service.QueueFilter(overdue=True), today)
        assert all(service.is_overdue(a, today) for a in late)
        overdue += len(late)
    assert 0 < overdue < open_items


def test_the_dpo_has_a_breach_with_its_affected_people_and_a_retention_report(db: Session) -> None:
    from pracha.privacy.records import Breach, BreachSubject, RetentionRun

    [breach] = db.scalars(select(Breach))
    assert breach.title.startswith("อีเมลแจ้งผลเบี้ยยังชีพ") and breach.affected_people > 0
    assert db.scalar(select(func.count()).select_from(BreachSubject)) == breach.affected_people
    assert breach.affected_records >= breach.affected_people
    runs = list(db.scalars(select(RetentionRun)))
    assert {r.record_type for r in runs} >= {"abandoned-drafts", "assistant-logs", "closed-uploads"}


def test_seeding_twice_changes_nothing(db: Session, seeded: Seeded, catalog: Catalog) -> None:
    before = counts(db)
    again = seed_demo(db, catalog, citizens=500, upload_dir=seeded.upload_dir, secret=DEMO_APP_SECRET)
    assert again.already_seeded
    assert again.accounts == seeded.summary.accounts
    assert counts(db) == before


def test_same_seed_gives_the_same_people_and_forms(tmp_path: Path, catalog: Catalog, seeded: Seeded) -> None:
    other = seed_fresh(tmp_path, catalog)
    try:
        with seeded.sessions() as a, other.sessions() as b:
            assert people(a) == people(b)
            query = select(Application.service_id, Application.status, Application.data).order_by(Application.id)
            assert [tuple(row) for row in a.execute(query)] == [tuple(row) for row in b.execute(query)]
    finally:
        other.engine.dispose()


def test_privacy_requests_in_every_state(db: Session) -> None:
    from pracha.privacy.models import PrivacyRequest
    from pracha.services.service import today_in_thailand

    requests = list(db.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)))
    assert {r.status for r in requests} == {"submitted", "forwarded", "done", "refused"}
    waiting = [r for r in requests if r.status == "submitted"]
    assert any(0 <= (r.due_on - today_in_thailand()).days <= 7 for r in waiting)  # the DPO's reminder is due
    assert all(r.details for r in requests)


def test_the_fixed_people_hold_their_documents_at_once(db: Session) -> None:
    """สมชาย's residence certificate and สมหญิง's building permit (its fee paid at the counter) are in their
    wallets as soon as the demo is seeded, with the facts they certify; her commercial registration waits
    for its fee."""
    from pracha.automation.models import Certificate

    rows = db.scalars(select(Certificate).join(User, User.id == Certificate.citizen_id)
                      .where(User.national_id_index.in_([SOMCHAI[2], SOMYING[2]]),
                             Certificate.organisation_id.is_(None)))
    held = {(c.facts or {})["holder"]["name"]: c for c in rows}
    assert held["สมชาย ใจดี"].service_id == "residence-certificate"
    assert held["สมหญิง รักไทย"].service_id == "building-permit"
    facts = {f["id"]: f["th"] for f in (held["สมหญิง รักไทย"].facts or {})["facts"]}
    assert facts["site_address"] and facts["floor_area"]


def test_somying_owes_her_commercial_registration_fee_and_paid_her_building_permit(db: Session) -> None:
    from pracha.payments.models import Payment

    somying = db.scalar(select(User).where(User.national_id_index == SOMYING[2]))
    assert somying is not None
    payments = {p.service_id: p for p in db.scalars(select(Payment).where(Payment.citizen_id == somying.id))}
    due = payments["commercial-registration"]
    assert (due.status, due.amount, due.receipt) == ("due", 5000, None)
    paid = payments["building-permit"]
    assert paid.status == "paid" and paid.method == "cash" and paid.receipt is not None
    assert paid.receipt.number.startswith("ยธ.ชม. ")


def test_the_demo_company_has_an_expiring_permit_an_authorised_employee_and_a_held_submit(db: Session) -> None:
    """บริษัท ข้าวซอยล้านนา จำกัด: its food-shop permit (issued for the company, co-approved by both
    directors, paid at the counter) expires next month; Malee may renew it; Wichai's building permit
    waits for Somying's co-approval."""
    import datetime as dt

    from pracha.automation.models import Certificate
    from pracha.demo import KHAOSOI_LANNA, MALEE
    from pracha.identity.models import ActingGrant
    from pracha.services.models import Application, CoApproval

    permit = db.scalar(select(Certificate).where(Certificate.organisation_id == KHAOSOI_LANNA))
    assert permit is not None and permit.service_id == "food-shop-permit" and permit.valid_until is not None
    assert 20 <= (permit.valid_until - dt.date.today()).days <= 40
    assert (permit.facts or {})["holder"]["organisation"] == KHAOSOI_LANNA  # signed: the person and the company
    from pracha.payments.models import Payment, Receipt
    paid = db.scalar(select(Payment).where(Payment.application_id == permit.application_id, Payment.status == "paid"))
    assert paid is not None and paid.organisation_id == KHAOSOI_LANNA
    receipt = db.scalar(select(Receipt).where(Receipt.payment_id == paid.id))
    assert receipt is None or receipt.organisation_id == KHAOSOI_LANNA
    grant = db.scalar(select(ActingGrant).where(ActingGrant.juristic_id == KHAOSOI_LANNA))
    assert grant is not None and grant.services == ["food-shop-permit"] and grant.revoked_at is None
    assert grant.grantee.national_id == MALEE[2]
    held = db.scalars(select(CoApproval).where(CoApproval.organisation_id == KHAOSOI_LANNA,
                                               CoApproval.approved_at.is_(None), CoApproval.cancelled_at.is_(None)))
    waiting = [db.get(Application, c.application_id) for c in held]
    assert [(a.service_id, a.status) for a in waiting if a is not None] == [("building-permit", "draft")]


def test_finding_2_the_cli_seeds_a_small_demo_whose_signboard_tax_fee_is_due_on_submit(tmp_path: Path) -> None:
    """`pracha seed --demo --citizens 40` (what the browser tests' demo portal runs) failed: a signboard-tax
    return submitted by the seeder also got its fee-due notice, which the backdating took for a status notice."""
    url = f"sqlite:///{tmp_path / 'pracha.db'}"
    env = {**os.environ, "PRACHA_DATABASE_URL": url, "PRACHA_VAR_DIR": str(tmp_path / "var"),
           "PRACHA_SECRET_KEY": "demo-test", "PRACHA_CATALOG_DIR": str(REPO_ROOT / "catalog"), "PYTHAINLP_OFFLINE": "1"}
    for step in (["migrate"], ["seed", "--demo", "--citizens", "40"]):
        done = subprocess.run([*pracha_command(), *step], env=env, cwd=tmp_path, capture_output=True, text=True,  # noqa: S603
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    engine = make_engine(url)
    attach_keyring(engine, settings=Settings(database_url=url, var_dir=tmp_path / "var"))
    try:
        with make_sessionmaker(engine)() as session:
            fee_notices = session.scalar(select(func.count()).select_from(InboxMessage)
                                         .where(InboxMessage.key == "payment.due"))
            submitted = session.scalars(select(Application).where(Application.service_id == "signboard-tax",
                                                                  Application.submitted_at.is_not(None))).all()
            told = {n.application_id: n.created_at for n in session.scalars(
                select(InboxMessage).where(InboxMessage.key == BY_ACTION["submit"]))}
    finally:
        engine.dispose()
    assert fee_notices and submitted
    assert all(told[a.id] == a.submitted_at for a in submitted if a.id in told)  # backdated with its timeline


def test_the_demo_publishes_agency_datasets_and_the_platform_statistics(db: Session) -> None:
    from pracha.opendata.models import OpenDataset

    datasets = {d.name: d for d in db.scalars(select(OpenDataset))}
    elderly = datasets["cm-elderly-allowance-recipients-by-subdistrict"]
    assert elderly.owner_org == "cm-elderly-welfare" and elderly.created_by.startswith("user:")
    assert {"cm-building-permits-by-month", "pracha-service-catalogue"} <= set(datasets)
    for name in ("cm-elderly-allowance-recipients-by-subdistrict", "cm-building-permits-by-month",
                 "pracha-service-catalogue"):
        [resource] = datasets[name].resources
        assert resource.format == "CSV" and resource.datastore_active and resource.version == 1
    assert len(elderly.resources[0].versions[0].content.decode().splitlines()) == 17  # header + 16 ตำบล
    platform = [d for d in datasets.values() if d.platform_key is not None]
    assert platform and all(d.privacy and d.privacy["k"] == 10 for d in platform)
