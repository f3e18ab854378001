"""Once-only: opening the residence-certificate form asks for consent first; once given, the form offers
to fetch, and the citizen's press of the button (a POST: a GET never calls a registry) fills the address
from the civil registry (a real `pracha registry serve civil` process) through the
mediator's checks, marked "จากทะเบียนราษฎร", and the access shows in the citizen's tracker."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.demo import SOMCHAI
from pracha.exchange import keys
from pracha.exchange.vocabulary import MEDIATOR, PORTAL
from pracha.services.catalog import Catalog
from pracha.services.models import Application
from pracha.web.app import create_app
from tests import servers
from tests.exchange.helpers import CIVIL, seed
from tests.factories import create_citizen, create_staff, sign_in

pytestmark = pytest.mark.xdist_group("exchange-processes")
APPLY = "/services/residence-certificate/apply"


@pytest.fixture(scope="module")
def civil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("prefill")
    var_dir = base / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))
    with servers.registry("civil", var_dir, base) as url:
        yield {"url": url, "var_dir": var_dir}


def prefill_reads(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/v1/me/data-tracker").json()["items"]
    return [item for item in items if item["purpose"] == "service-application"]


def test_prefill_asks_consent_then_fills_the_address(civil: dict[str, Any], make_settings: Callable[..., Settings],
                                                     db: Session, catalog: Catalog, tmp_path: Path) -> None:
    settings = make_settings(var_dir=civil["var_dir"])
    seed(db, settings, catalog, {"civil": civil["url"]})
    somchai = create_citizen(db, national_id=SOMCHAI[2], first_name=SOMCHAI[0], last_name=SOMCHAI[1])
    app = create_app(settings)
    try:
        with TestClient(app, follow_redirects=False) as client:
            csrf = sign_in(db, client, somchai)
            first = client.get(APPLY)
            assert first.status_code == 200
            assert "ให้กรอกข้อมูลจากทะเบียนของทางราชการหรือไม่" in first.text  # consent first
            assert "จากทะเบียนราษฎร" in first.text and "readonly" not in first.text
            assert prefill_reads(client) == []  # nothing fetched without consent (the pre-check's reads are its own)
            given = client.post("/me/consents", data={"csrf_token": csrf, "recipient_id": PORTAL,
                                                      "purpose": "service-application", "categories": "address",
                                                      "next": APPLY})
            assert given.status_code == 303 and given.headers["location"] == APPLY
            offered = client.get(APPLY)
            assert offered.status_code == 200 and f'action="{APPLY}/prefill"' in offered.text
            assert "ให้กรอกข้อมูลจากทะเบียนของทางราชการหรือไม่" not in offered.text  # consent given
            assert prefill_reads(client) == []  # a GET fetches nothing for the form
            filled = client.post(f"{APPLY}/prefill", data={"csrf_token": csrf})
            assert filled.status_code == 200
            textarea = re.search(r'<textarea id="field-current_address"[^>]*>([^<]*)</textarea>', filled.text)
            # the actual residence may be corrected (x-prefill editable), and the road word is not doubled
            assert textarea is not None and "readonly" not in textarea.group(0)
            assert "ตำบล" in textarea.group(1) and "จังหวัด" in textarea.group(1)
            assert "ถนนถนน" not in textarea.group(1)
            sealed = re.search(r'name="current_address__registry" value="([^"]+)"', filled.text)
            assert sealed is not None
            assert 'id="source-current_address"' in filled.text and "จากทะเบียนราษฎร" in filled.text
            rows = prefill_reads(client)
            assert [(r["client"], r["decision"], r["status"], r["legal_basis"][:8]) for r in rows] == [
                (PORTAL, "allowed", 200, "consent:")]
            # the citizen confirms: the prefilled address is what the draft keeps
            saved = client.post(APPLY, data={"csrf_token": csrf, "purpose": "job", "copies": "1",
                                             "current_address": textarea.group(1), "living_since": "2020-01-01",
                                             "matches_house_registration": "on", "delivery": "pickup",
                                             "current_address__registry": sealed.group(1)})
            assert saved.status_code == 303, saved.text
            reference = saved.headers["location"].rsplit("/", 1)[1]
            application = db.scalar(select(Application).where(Application.reference == reference))
            assert application is not None and application.prefill == {
                "current_address": {"source": {"th": "จากทะเบียนราษฎร", "en": ANY}, "changed": False}}
    finally:
        app.state.pracha.db.engine.dispose()


def test_openapi_is_read_from_the_registry(civil: dict[str, Any], make_settings: Callable[..., Settings],
                                           db: Session, catalog: Catalog) -> None:
    """getOpenAPI: not stored at registration here, so the mediator reads the registry's own document."""
    settings = make_settings(var_dir=civil["var_dir"])
    seed(db, settings, catalog, {"civil": civil["url"]})
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            sign_in(db, client, create_staff(db, "auditor"))
            services = client.get("/api/v1/exchange/services?provider=TH/GOV/DOPA/civil-registry").json()["items"]
            assert {s["id"] for s in services} == {f"{CIVIL}/persons", f"{CIVIL}/households"}
            document = client.get(services[0]["openapi_url"])
            assert document.status_code == 200 and "/persons/{cid}" in str(document.json()["paths"])
            clients = client.get("/api/v1/exchange/clients").json()["items"]
            assert any(c["id"] == MEDIATOR and c["public_key"] for c in clients)
    finally:
        app.state.pracha.db.engine.dispose()
