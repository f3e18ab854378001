"""The data the witness needs, made before the deployment starts: the exchange's members and rights (the
welfare registry at its address), citizens with web sessions, and fees due with a bank to pay them."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from pathlib import Path
from typing import Any

import httpx
from bench.exchange import CLIENT, SERVICE
from bench.exchange import prepare as prepare_exchange
from bench.faults.witness import Citizen, Exchange
from bench.payments import SECRET, seed_due
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pracha.config import Settings
from pracha.db import make_engine, make_sessionmaker
from pracha.demo import SOMCHAI
from pracha.exchange import httpsig, keys
from pracha.identity import thai_id
from pracha.identity.models import CITIZEN, User
from pracha.identity.passwords import hash_password
from pracha.identity.service import start_web_session
from pracha.ledger.keys import load_or_create_signer, verifier_key
from pracha.vault import attach_keyring

__all__ = ["SECRET", "citizens", "exchange_call", "ledger_key", "prepare_data", "sign_in"]


def prepare_data(
    url: str, var_dir: Path, registry_url: str, due: int
) -> tuple[list[tuple[int, str]], list[tuple[dict[str, Any], Any]]]:
    """Migrate, seed the exchange, make three citizens (user id, session token) and `due` fees due."""
    prepare_exchange(url, var_dir, registry_url)
    people = citizens(url, var_dir, 3)
    bodies, bank_key = seed_due(url, var_dir, due)
    return people, [(body, bank_key) for body in bodies]


def citizens(url: str, var_dir: Path, n: int) -> list[tuple[int, str]]:
    engine = make_engine(url)
    attach_keyring(engine, settings=Settings(database_url=url, var_dir=var_dir))
    password_hash = hash_password(secrets.token_urlsafe(16))
    out = []
    with make_sessionmaker(engine)() as db:
        for i in range(n):
            user = User(
                role=CITIZEN,
                national_id=thai_id.make(str(180000000000 + i)),
                first_name="พยาน",
                last_name=f"ที่ {i + 1}",
                birth_date=dt.date(1970, 1, 1),
                password_hash=password_hash,
                language="th",
            )
            db.add(user)
            token = start_web_session(db, user, hours=24)
            db.flush()
            out.append((user.id, token))
        db.commit()
    engine.dispose()
    return out


def sign_in(base: str, people: list[tuple[int, str]]) -> tuple[list[Citizen], dict[str, str]]:
    """Each citizen's CSRF token from the server; the first consent offer (recipient and purpose)."""
    out = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for user_id, session in people:
            cookie = f"pracha_csrf={secrets.token_urlsafe(24)}; pracha_session={session}"
            who = http.get("/api/v1/session", headers={"Cookie": cookie}).raise_for_status().json()
            if not who.get("user"):
                raise RuntimeError(f"the seeded session is not signed in: {who}")
            out.append(Citizen(cookie, str(who["csrf_token"]), user_id))
            http.cookies.clear()
        offers = http.get("/api/v1/me/consent-offers", headers={"Cookie": out[0].cookie}).raise_for_status().json()
    if not offers:
        raise RuntimeError("no consent offers: the exchange was not seeded")
    return out, {"recipient_id": offers[0]["recipient_id"], "purpose": offers[0]["purpose"]}


def exchange_call(base: str, var_dir: Path) -> Exchange:
    """A welfare allowance lookup through the mediator, signed afresh for each call by the agency client."""
    path = f"/exchange/r1/{SERVICE}/{SOMCHAI[2]}/allowances"
    key: Ed25519PrivateKey = keys.load_or_create(keys.key_path(var_dir, CLIENT))

    def headers() -> dict[str, str]:
        out = {
            "X-Road-Client": CLIENT,
            "X-Road-Id": uuid.uuid4().hex,
            "X-Road-UserId": "faults",
            "X-Road-Purpose": "eligibility-check",
        }
        return out | httpsig.sign_request("GET", f"{base}{path}", out, b"", key_id=CLIENT, key=key)

    return Exchange(path, headers)


def ledger_key(var_dir: Path) -> str:
    settings = Settings(var_dir=var_dir)
    return verifier_key(load_or_create_signer(var_dir, settings.ledger_origin))
