"""The access matrix's world, built once per engine (per xdist worker) and copied for every row: a
SQLite file copy or a PostgreSQL `CREATE DATABASE … TEMPLATE`, plus a copy of its var dir (the
ledger key, the uploads). Every row still gets its own database, so rows that write cannot disturb
each other; only the seeding is shared."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import certificates
from pracha.automation.models import Task
from pracha.config import Settings
from pracha.db import utcnow
from pracha.identity import service as identity
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.ledger import log as ledger
from pracha.ledger.deps import LEDGER
from pracha.privacy import breaches, rights
from pracha.services import service
from pracha.services.catalog import Catalog, default_catalog_dir
from pracha.web.app import create_app
from tests.exchange.helpers import exchange_world
from tests.factories import create_citizen, create_staff
from tests.pgserver import PostgresServer
from tests.services.helpers import ELDERLY_FORM, PDF
from tests.web import matrix_complaints, matrix_hearings, matrix_moderation, matrix_petitions
from tests.web.matrix_acting import act_for_citizen, acting_people
from tests.web.matrix_business import (
    BusinessRegistry,
    act_in_session,
    company_people,
    company_world,
    copy_keys,
    use_registry,
)

AGENCY = "cm-elderly-welfare"
INSPECTED = "cm-damrongdhama"  # the inspector's agency: corruption reports are routed there
SECRET = "test-secret"


@dataclass
class World:
    user_ids: dict[str, int]  # role → users.id (each row loads them from its own copy)
    reference: str
    event_id: int
    document_id: int
    token: str
    spare_token_id: int
    consent_id: int = 0
    right_id: int = 0
    exchange_reference: str = ""
    cert_id: str = ""  # a certificate of a second, approved application (automation)
    task_id: int = 0  # the bot task the submit queued (automation)
    privacy_request_id: int = 0  # the citizen's registry correction, waiting for the DPO (privacy)
    breach_id: int = 0  # a breach in the register (privacy)
    company_granted: str = ""  # the demo company's application of the service its employees are granted
    company_other: str = ""  # … and of another service
    other_company: str = ""  # a juristic person in the registry that no matrix role directs
    ids: dict[str, Any] = field(default_factory=dict)  # participation's path ids: complaint_ref, hearing_id…
    # role → a signed-in session made in the template (every row has its own copy of the database, so a
    # row that signs out or switches changes only its copy); acting roles already act for the company,
    # the delegate and the counter officer for the world's citizen (tests/web/matrix_acting.py)
    sessions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """A built world: its database (a SQLite file or a PostgreSQL template name) and var dir."""

    world: World
    var_dir: Path
    sqlite_file: Path | None = None
    pg_name: str | None = None
    pg_server: PostgresServer | None = field(default=None, repr=False)

    def copy(self, target_dir: Path, name: str) -> str:
        """A fresh copy for one row under `target_dir` (its var dir goes to target_dir/var); its URL."""
        shutil.copytree(self.var_dir, target_dir / "var")
        if self.sqlite_file is not None:
            shutil.copy(self.sqlite_file, target_dir / "pracha.db")
            return f"sqlite:///{target_dir / 'pracha.db'}"
        assert self.pg_server is not None and self.pg_name is not None
        return self.pg_server.create_database(name, template=self.pg_name)

    def drop(self, name: str) -> None:
        if self.pg_server is not None:
            self.pg_server.drop_database(name)


def build_template(database_url: str, var_dir: Path, catalog: Catalog, business: BusinessRegistry, *,
                   sqlite_file: Path | None = None, pg_name: str | None = None,
                   pg_server: PostgresServer | None = None) -> Template:
    copy_keys(business, var_dir)
    settings = Settings(database_url=database_url, var_dir=var_dir, secret_key=SECRET,
                        catalog_dir=default_catalog_dir())
    app = create_app(settings)
    try:
        with app.state.pracha.db.sessions() as db:
            world = build_world(db, catalog, settings, app, business)
    finally:
        app.state.pracha.db.engine.dispose()  # PostgreSQL copies a template only when nobody is connected to it
    return Template(world, var_dir, sqlite_file, pg_name, pg_server)


def build_world(db: Session, catalog: Catalog, settings: Settings, app: FastAPI, business: BusinessRegistry
                ) -> World:
    users = {
        "citizen": create_citizen(db), "other_citizen": create_citizen(db, first_name="สมหญิง"),
        "officer": create_staff(db, "officer", AGENCY),
        "other_officer": create_staff(db, "officer", "cm-city-registry"),
        "agency_admin": create_staff(db, "agency_admin", AGENCY), "auditor": create_staff(db, "auditor"),
        "platform_admin": create_staff(db, "platform_admin"), "dpo": create_staff(db, "dpo"),
        "finance": create_staff(db, "finance_officer", AGENCY), **company_people(db),
        "moderator": create_staff(db, "moderator"), "inspector": create_staff(db, "inspector", INSPECTED),
        **acting_people(db, AGENCY),
    }
    owner = Principal(user=users["citizen"])
    # first the approved application (one open application per service: it must be decided before the
    # open one below is made)
    cert_id, task_id = _automation_world(db, catalog, app, users["officer"], owner)
    application = service.create_application(db, catalog, owner, "elderly-allowance", ELDERLY_FORM)
    storage = service.Storage(settings.upload_dir, settings.max_upload_bytes)
    document = None
    for requirement in ("id-card", "house-registration"):
        document = service.add_document(db, storage, catalog, owner, application, requirement=requirement,
                                        filename="id.pdf", content_type="application/pdf", stream=io.BytesIO(PDF))
    service.act(db, catalog, owner, application, "submit", declaration=True)
    submitted = application.events[-1]
    admin = users["agency_admin"]
    _, raw = identity.create_api_token(db, admin, name="registry", agency=AGENCY,
                                       scopes=["applications:read", "applications:write"], agencies=catalog.agencies)
    spare, _ = identity.create_api_token(db, admin, name="spare", agency=AGENCY, scopes=["applications:read"],
                                         agencies=catalog.agencies)
    db.commit()
    assert document is not None
    consent_id, right_id, exchange_reference = exchange_world(db, settings, catalog, users["citizen"])
    use_registry(db, business)
    company_granted, company_other = company_world(db, catalog, users)
    ledger.sequence(db, app.state.pracha.registry.get(LEDGER).signer, settings.ledger_origin)
    db.commit()
    correction = rights.create_request(db, owner, kind="rectification", fields=["last_name"], details="สะกดผิด",
                                       today=dt.date(2026, 12, 1), calendar=catalog.calendar)
    breach = breaches.record_breach(db, catalog, users["dpo"], breaches.BreachIn(
        "แฟ้มสำเนาบัตรหาย", "กล่องเอกสารหายระหว่างขนย้าย", utcnow(), ["identity"], {"services": ["elderly-allowance"]}))
    db.commit()
    ids = {**matrix_complaints.build(db, catalog, settings, users),
           **matrix_hearings.build(db, catalog, settings, users),
           **matrix_petitions.build(db, catalog, settings, users),
           **matrix_moderation.build(db, catalog, settings, users)}
    db.commit()
    sessions = {role: identity.start_web_session(db, user, hours=24, amr="pwd otp" if user.is_staff else "pwd")
                for role, user in users.items()}
    for role, token in sessions.items():
        act_in_session(db, role, token)
    act_for_citizen(db, users["citizen"], users, sessions)
    db.commit()
    return World({role: user.id for role, user in users.items()}, application.reference, submitted.id,
                 document.id, raw, spare.id, consent_id, right_id, exchange_reference, cert_id, task_id,
                 correction.id, breach.id, company_granted, company_other, business.other_company, ids, sessions)


def _automation_world(db: Session, catalog: Catalog, app: FastAPI, officer_user: User,
                      owner: Principal) -> tuple[str, int]:
    storage = service.Storage(app.state.pracha.settings.upload_dir, app.state.pracha.settings.max_upload_bytes)
    approved = service.create_application(db, catalog, owner, "elderly-allowance", ELDERLY_FORM)
    for requirement in ("id-card", "house-registration"):
        service.add_document(db, storage, catalog, owner, approved, requirement=requirement, filename="id.pdf",
                             content_type="application/pdf", stream=io.BytesIO(PDF))
    service.act(db, catalog, owner, approved, "submit", declaration=True)
    task = db.scalar(select(Task).where(Task.kind == "bot"))  # the bot this submit queued
    assert task is not None
    officer = Principal(user=officer_user)
    service.act(db, catalog, officer, approved, "review")
    service.act(db, catalog, officer, approved, "approve")
    certificate = certificates.issue(db, catalog, approved, signer=app.state.pracha.registry.get(LEDGER).signer,
                                     base_url="http://testserver")
    db.commit()
    ledger.sequence(db, app.state.pracha.registry.get(LEDGER).signer, app.state.pracha.settings.ledger_origin)
    db.commit()
    return certificate.id, task.id
