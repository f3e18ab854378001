"""What the Locust scenario needs in a fresh, migrated database, and the JSON file that tells the
locustfile who may sign in (its path goes in PRACHA_LOCUST_USERS).

    prepare(base_url, database_url, var_dir) -> Path

Run it with the PRACHA_* environment of the server under test (the same var_dir, secret key,
registry ports and bank URL): the staff's TOTP secrets are sealed with the server's secret, agency
clients' keys and the bank's key are read from var_dir, and the registries are registered at the
ports the settings name. It seeds, through the services' own functions:

- the exchange's members, services and access rights, and an Ed25519 key for every agency's
  back-office client (each a separate subsystem with its own rate limit);
- the demo bank (its key and URL), so a Thai QR payment can be paid at `pracha bank serve`;
- the demo open datasets (CKAN search and /data have something to find; their ledger entries);
- `citizens` citizens with the demo password, one argon2 hash shared (set-up time, not load);
- `officers` officers of the civil registry (birth registrations) with the demo TOTP secret.

Idempotent for one database: a second call adds nothing and rewrites the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import begin_write
from pracha.demo import DEMO_PASSWORD, DEMO_PDF, DEMO_TOTP_SECRET, SOMCHAI, SOMYING
from pracha.exchange import keys
from pracha.exchange.members import register_subsystem
from pracha.exchange.seed import seed_exchange
from pracha.exchange.vocabulary import REGISTRIES, agency_client
from pracha.identity import factors, thai_id
from pracha.identity.models import CITIZEN, OFFICER, User
from pracha.identity.passwords import hash_password
from pracha.identity.service import create_staff
from pracha.opendata.demo_datasets import seed_open_data
from pracha.payments.seed import register_demo_bank
from pracha.services.hooks import CATALOG
from pracha.web.app import build_state

OFFICE = "cm-city-registry"  # decides birth registrations, the service the citizens apply for
FIRST_ID = 180_000_000_000  # load-test citizens' IDs (12 digits before the check digit): no demo person's
USERS_FILE = "locust-users.json"


def prepare(base_url: str, database_url: str, var_dir: Path, *, citizens: int = 3000, officers: int = 40) -> Path:
    """Seed what the scenario needs; returns the path of the users file (also under var_dir)."""
    var_dir = var_dir.resolve()
    settings = Settings(database_url=database_url, var_dir=var_dir)
    state = build_state(settings)
    catalog = state.registry.get(CATALOG)
    clients = sorted(agency_client(code) for code in catalog.agencies)
    try:
        with state.db.sessions() as db:
            begin_write(db)
            seed_exchange(db, settings, catalog, fetch=False)
            for client in clients:
                key = keys.load_or_create(keys.key_path(var_dir, client))
                register_subsystem(db, client, name_th=client, name_en=client, public_key=keys.public_key_text(key))
            register_demo_bank(db, settings, var_dir)
            db.commit()
            begin_write(db)  # each unit of work takes SQLite's write lock first: the server may be writing
            seed_open_data(db, catalog, settings, dt.date.today())
            db.commit()
            begin_write(db)
            national_ids = _citizens(db, citizens)
            usernames = _officers(db, state.secret, officers)
            db.commit()
    finally:
        state.db.engine.dispose()
    out = var_dir / "locust"
    out.mkdir(parents=True, exist_ok=True)
    (out / "document.pdf").write_bytes(DEMO_PDF)
    (out / "photo.jpg").write_bytes(_jpeg())
    users = {
        "base_url": base_url,
        "bank_url": settings.bank_url.rstrip("/"),
        "password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "citizens": national_ids,
        "officers": usernames,
        "agencies": [{"client": c, "key": str(keys.key_path(var_dir, c))} for c in clients],
        "exchange_service": f"{REGISTRIES['welfare'].subsystem}/persons",
        "exchange_subjects": [SOMCHAI[2], SOMYING[2]],  # people the demo welfare registry knows
        "pdf": str(out / "document.pdf"),
        "jpeg": str(out / "photo.jpg"),
        "claims": str(out / "claims"),  # who has used which citizen and which officer's TOTP step
    }
    path = out / USERS_FILE
    path.write_text(json.dumps(users, ensure_ascii=False, indent=1))
    return path


def _citizens(db: Session, count: int) -> list[str]:
    ids = [thai_id.make(str(FIRST_ID + i)) for i in range(count)]
    if ids and db.scalar(select(User.id).where(User.national_id_index == ids[0])) is None:
        shared = hash_password(DEMO_PASSWORD)
        db.add_all(
            User(
                role=CITIZEN,
                national_id=nid,
                first_name="ผู้ทดสอบ",
                last_name=f"โหลดที่ {i + 1}",
                birth_date=dt.date(1980, 1, 1),
                password_hash=shared,
                language="th",
            )
            for i, nid in enumerate(ids)
        )
        db.flush()
    return ids


def _officers(db: Session, secret: bytes, count: int) -> list[str]:
    names = [f"load.officer.{i + 1}" for i in range(count)]
    have = set(db.scalars(select(User.username).where(User.username.in_(names))))
    shared = hash_password(DEMO_PASSWORD)
    for i, name in enumerate(names):
        if name in have:
            continue
        user = create_staff(
            db,
            username=name,
            password=DEMO_PASSWORD,
            password_hash=shared,
            role=OFFICER,
            first_name="เจ้าหน้าที่ทดสอบ",
            last_name=f"ที่ {i + 1}",
            agency=OFFICE,
        )
        db.flush()
        factors.set_totp(db, user, secret, DEMO_TOTP_SECRET)
    return names


def _jpeg() -> bytes:
    """A small real photo-like JPEG (a gradient), as a phone would send of a signboard or a card."""
    image = Image.linear_gradient("L").resize((320, 240)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
