"""Cross-process: the mediator (`pracha serve`) and two registries (`pracha registry serve civil` and
`welfare`) as separate uvicorn processes on loopback, on SQLite and PostgreSQL. An allowed call goes
through and is logged with both signatures and digests; a forged signature, a missing access right,
a withdrawn consent, a wrong purpose, a replayed id, a provider that is down and one that hangs are
each refused with their status and logged."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import begin_write
from pracha.demo import SOMCHAI
from pracha.exchange import consent, httpsig, keys
from pracha.exchange.members import register_subsystem
from pracha.exchange.models import MessageLog, Subsystem
from pracha.exchange.vocabulary import MEDIATOR, PORTAL
from pracha.identity.principal import Principal
from pracha.ledger.models import LedgerEntry
from pracha.services.catalog import Catalog
from pracha.vault import data_key_path
from tests import servers
from tests.exchange.helpers import ALLOWANCES, OFFICE, PERSONS, client_key, log_of, seed, signed_headers
from tests.exchange.test_gateway import silent_server  # noqa: F401 (a fixture)
from tests.factories import create_citizen

pytestmark = pytest.mark.xdist_group("exchange-processes")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One var/ (member keys) for the registries and every mediator of this module."""
    base = tmp_path_factory.mktemp("exchange")
    var_dir = base / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))  # before the registries read its public key
    with servers.registry("civil", var_dir, base) as civil, servers.registry("welfare", var_dir, base) as welfare:
        yield {"var_dir": var_dir, "base": base, "civil": civil, "welfare": welfare}


@pytest.fixture
def live(shared: dict[str, Any], make_settings: Callable[..., Settings], db: Session, catalog: Catalog,
         database_url: str, silent_server: str, tmp_path: Path, app: FastAPI) -> Iterator[dict[str, Any]]:  # noqa: F811
    settings = make_settings(var_dir=shared["var_dir"])
    # The mediator reads what this test's app wrote: the same key file for personal data at rest
    data_key_file = str(data_key_path(app.state.pracha.settings))
    dead = f"http://127.0.0.1:{servers.free_port()}"
    seed(db, settings, catalog, {"civil": shared["civil"], "welfare": shared["welfare"], "land": dead,
                                 "revenue": silent_server})
    somchai = create_citizen(db, national_id=SOMCHAI[2], first_name=SOMCHAI[0], last_name=SOMCHAI[1])
    with servers.mediator(database_url, shared["var_dir"], tmp_path, exchange_timeout_seconds="1",
                          ledger_sequence_seconds="0", data_key_file=data_key_file) as url:
        yield {"url": url, "settings": settings, "nid": somchai.national_id, "somchai": somchai,
               "office": client_key(settings, OFFICE), "portal": client_key(settings, PORTAL)}


def _call(live: dict[str, Any], path: str, key: Ed25519PrivateKey,
          **options: Any) -> tuple[httpx.Response, dict[str, str]]:
    url = f"{live['url']}/exchange/r1/{path}"
    headers = signed_headers(url, key=key, **options)
    return httpx.get(url, headers=headers, timeout=10), headers


def _mediator_signed(live: dict[str, Any], response: httpx.Response, request: dict[str, str]) -> None:
    public = client_key(live["settings"], MEDIATOR).public_key()
    assert httpsig.verify_response(response.status_code, response.headers, response.content, request_headers=request,
                                   resolve_key=lambda k: public if k == MEDIATOR else None) == MEDIATOR


def _row(db: Session, message_id: str) -> MessageLog:
    rows = log_of(db, message_id)
    assert len(rows) == 1, rows
    assert rows[0].ledger_entry_id is not None
    return rows[0]


def test_allowed_call_is_forwarded_signed_and_logged(live: dict[str, Any], db: Session) -> None:
    response, request = _call(live, f"{ALLOWANCES}/{live['nid']}/allowances", live["office"])
    assert response.status_code == 200, response.text
    assert "allowances" in response.json()
    _mediator_signed(live, response, request)
    row = _row(db, request["X-Road-Id"])
    assert (row.decision, row.status, row.legal_basis, row.categories) == ("allowed", 200, "legal-duty", ["welfare"])
    assert row.request_digest == request["Content-Digest"] and row.request_signature
    assert row.forward_signature and row.response_signature and row.response_digest
    assert row.subject_user_id == live["somchai"].id and row.user_ref == "officer:somsri"
    entry = db.get(LedgerEntry, row.ledger_entry_id)
    assert entry is not None and entry.kind == "exchange.allowed"
    assert live["nid"].encode() not in entry.data  # commitments only


def test_consent_then_withdrawal_takes_effect_on_the_next_request(live: dict[str, Any], db: Session) -> None:
    path = f"{PERSONS}/{live['nid']}/address"
    options = {"client": PORTAL, "purpose": "service-application", "user": f"citizen:{live['somchai'].id}"}
    refused, request = _call(live, path, live["portal"], **options)
    assert refused.status_code == 403 and refused.json()["error"] == "no_lawful_basis"
    me = Principal(user=live["somchai"])
    db.rollback()
    begin_write(db)
    given = consent.grant(db, me, recipient_id=PORTAL, purpose="service-application", categories=["address"],
                          notice_version="2569-1", days=30)
    db.commit()
    allowed, request = _call(live, path, live["portal"], **options)
    assert allowed.status_code == 200 and allowed.json()["tambon"], allowed.text
    assert _row(db, request["X-Road-Id"]).legal_basis == f"consent:{given.id}"
    whole, _ = _call(live, f"{PERSONS}/{live['nid']}", live["portal"], **options)
    assert whole.status_code == 403  # the consent covers the address, not identity
    db.rollback()
    begin_write(db)
    consent.withdraw(db, me, given.id)
    db.commit()
    again, request = _call(live, path, live["portal"], **options)
    assert again.status_code == 403 and again.json()["error"] == "no_lawful_basis"
    assert _row(db, request["X-Road-Id"]).decision == "denied"


def test_every_refusal_has_its_status_and_is_logged(live: dict[str, Any], db: Session) -> None:
    nid, office = live["nid"], live["office"]
    forged, request = _call(live, f"{PERSONS}/{nid}", Ed25519PrivateKey.generate())
    assert forged.status_code == 401
    assert _row(db, request["X-Road-Id"]).reason == "bad_signature"

    stranger = "TH/GOV/cm-nowhere/backoffice"
    db.rollback()
    begin_write(db)
    register_subsystem(db, stranger, name_th="ไม่มีสิทธิ์", name_en="No rights",
                       public_key=keys.public_key_text(client_key(live["settings"], stranger)))
    db.commit()  # committed: the mediator process sees the new member on its next request
    no_right, request = _call(live, f"{PERSONS}/{nid}", client_key(live["settings"], stranger), client=stranger)
    assert no_right.status_code == 403 and no_right.json()["error"] == "no_access_right"
    assert _row(db, request["X-Road-Id"]).reason == "no_access_right"

    wrong, request = _call(live, f"{PERSONS}/{nid}", office, purpose="service-application")
    assert wrong.status_code == 403 and wrong.json()["error"] == "wrong_purpose"
    assert _row(db, request["X-Road-Id"]).reason == "wrong_purpose"

    ok, request = _call(live, f"{PERSONS}/{nid}", office)
    assert ok.status_code == 200 and ok.json()["national_id"] == nid
    replay = httpx.get(f"{live['url']}/exchange/r1/{PERSONS}/{nid}", headers=request, timeout=10)
    assert replay.status_code == 409 and replay.json()["error"] == "replayed"
    assert [r.status for r in log_of(db, request["X-Road-Id"])] == [200, 409]

    down, request = _call(live, f"TH/GOV/DOL/land-registry/owners/{nid}/parcels", office)
    assert down.status_code == 502
    assert _row(db, request["X-Road-Id"]).reason == "provider_unavailable"

    started = time.monotonic()
    slow, request = _call(live, f"TH/GOV/RD/revenue-registry/taxpayers/{nid}", office)
    assert slow.status_code == 504 and time.monotonic() - started < 8  # its 1 s timeout, not our 10 s
    assert _row(db, request["X-Road-Id"]).reason == "provider_timeout"
    _mediator_signed(live, slow, request)

    unknown, request = _call(live, f"{PERSONS}/{nid[:-1]}{(int(nid[-1]) + 1) % 10}", office)
    assert unknown.status_code == 400  # a bad check digit never reaches a registry
    missing = thai_id_unknown(nid)
    absent, request = _call(live, f"{PERSONS}/{missing}", office)
    assert absent.status_code == 404 and absent.json()["error"] == "not_found"  # the registry's own answer
    assert _row(db, request["X-Road-Id"]).decision == "allowed"


def thai_id_unknown(nid: str) -> str:
    from pracha.identity import thai_id

    return thai_id.make("199999999999" if not nid.startswith("1999") else "188888888888")


def test_uuid_ids_only(live: dict[str, Any], db: Session) -> None:
    """A message id with characters outside [A-Za-z0-9._:-] is refused before anything is asked."""
    bad, request = _call(live, f"{PERSONS}/{live['nid']}", live["office"], message_id="a b/../" + uuid.uuid4().hex)
    assert bad.status_code in (400, 401)
    assert db.scalar(select(MessageLog.id).where(MessageLog.status == 200)) is None


def test_a_registry_answer_not_signed_by_its_registered_key_is_502(live: dict[str, Any], db: Session) -> None:
    """The welfare registry's key in the member table is replaced: its (genuine) answers no longer verify."""
    db.rollback()
    begin_write(db)
    welfare = db.get(Subsystem, ALLOWANCES.rsplit("/", 1)[0])
    assert welfare is not None
    welfare.public_key = keys.public_key_text(Ed25519PrivateKey.generate())
    db.commit()
    response, request = _call(live, f"{ALLOWANCES}/{live['nid']}/allowances", live["office"])
    assert response.status_code == 502 and response.json()["error"] == "bad_provider_signature"
    row = _row(db, request["X-Road-Id"])
    assert (row.decision, row.reason, row.response_signature) == ("denied", "bad_provider_signature", None)
