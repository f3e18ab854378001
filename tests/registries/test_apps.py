"""Each registry through its ASGI app: the contract's paths and shapes, the mediator's signature required,
every answer signed by the registry, seeding once; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pracha.config import Settings
from pracha.exchange import httpsig
from pracha.registries import REGISTRIES, create_app
from pracha.registries import civil as civil_module
from pracha.registries.base import create_registry_app, registry_state, seed_once
from tests.registries.helpers import (
    SOMCHAI_ID,
    SOMYING_ID,
    UNKNOWN_ID,
    make_registry_settings,
    mediator_key,
    signed_headers,
    verify_answer,
    world,
)

BASE = "http://testserver"
PATHS = {"civil": f"/persons/{SOMCHAI_ID}", "business": f"/owners/{SOMYING_ID}/businesses",
         "welfare": f"/persons/{SOMCHAI_ID}/allowances", "land": f"/owners/{SOMCHAI_ID}/parcels",
         "revenue": f"/taxpayers/{SOMYING_ID}"}
ADDRESS = {"house_no", "moo", "road", "tambon", "amphoe", "province", "postcode", "house_id", "local_authority", "text"}


def get(client: TestClient, settings: Settings, name: str, path: str, **sign: Any) -> Any:
    headers = signed_headers(BASE + path, mediator_key(settings), **sign)
    response = client.get(path, headers=headers)
    assert verify_answer(settings, name, response, headers) == REGISTRIES[name].subsystem
    return response


@pytest.mark.parametrize("name", list(REGISTRIES))
def test_signed_request_signed_answer(registry_settings: Settings, name: str) -> None:
    client = TestClient(create_app(name, registry_settings))
    response = get(client, registry_settings, name, PATHS[name])
    assert response.status_code == 200, response.text
    assert response.headers["x-road-id"] == "msg-1"
    data = response.json()
    if name == "civil":
        assert set(data) == {"national_id", "title_th", "first_name_th", "last_name_th", "first_name_en",
                             "last_name_en", "birth_date", "sex", "alive", "address"}
        assert (data["first_name_th"], data["last_name_th"], data["birth_date"]) == ("สมชาย", "ใจดี", "1955-03-14")
        assert set(data["address"]) == ADDRESS and data["address"]["local_authority"] == "เทศบาลนครเชียงใหม่"
    elif name == "business":
        assert [set(b) for b in data["businesses"]] == [
            {"registration_no", "name_th", "kind", "registered_on", "status", "address"}]
        assert data["businesses"][0]["name_th"] == "ร้านกาแฟสมหญิง"
        assert set(data["businesses"][0]["address"]) == ADDRESS
    elif name == "welfare":
        assert data == {"allowances": [], "state_pension": False, "in_state_care": False}
    elif name == "land":
        assert [p["deed_no"] for p in data["parcels"]] == ["12345", "884"]
        assert set(data["parcels"][0]) == {"deed_no", "kind", "tambon", "amphoe", "province", "area_rai",
                                           "area_ngan", "area_sq_wa"}
    else:
        assert data["national_id"] == SOMYING_ID and data["registered"] is True
        assert set(data) == {"national_id", "registered", "filed_years", "outstanding_baht"}
    unknown = get(client, registry_settings, name, PATHS[name].replace(
        SOMCHAI_ID if SOMCHAI_ID in PATHS[name] else SOMYING_ID, UNKNOWN_ID))
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not_found"})


def test_civil_address_and_household(registry_settings: Settings) -> None:
    client = TestClient(create_app("civil", registry_settings))
    address = get(client, registry_settings, "civil", f"/persons/{SOMCHAI_ID}/address").json()
    assert address["text"] == "12 ถนนราชวิถี ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200"
    household = get(client, registry_settings, "civil", f"/households/{address['house_id']}").json()
    assert household["address"] == address
    assert [(m["national_id"], m["relation"]) for m in household["members"]][0] == (SOMCHAI_ID, "เจ้าบ้าน")
    assert [m["relation"] for m in household["members"]][1:] == ["คู่สมรส"]
    missing = get(client, registry_settings, "civil", "/households/00000000000")
    assert (missing.status_code, missing.json()) == (404, {"error": "not_found"})


def test_welfare_of_an_elderly_citizen_already_paid(registry_settings: Settings) -> None:
    paid = next(a for a in world().allowances if a.kind == "elderly" and a.status == "paying")
    client = TestClient(create_app("welfare", registry_settings))
    data = get(client, registry_settings, "welfare", f"/persons/{paid.national_id}/allowances").json()
    assert {"kind": "elderly", "status": "paying", "monthly_baht": paid.monthly_baht,
            "since": paid.since.isoformat(), "paying_authority": paid.paying_authority} in data["allowances"]


def test_refused_requests_get_a_signed_401(registry_settings: Settings) -> None:
    client = TestClient(create_app("civil", registry_settings))
    path = f"/persons/{SOMCHAI_ID}"
    good = signed_headers(BASE + path, mediator_key(registry_settings))
    cases = {
        "unsigned": {"X-Road-Id": "m"},
        "forged": signed_headers(BASE + path, Ed25519PrivateKey.generate()),
        "stale": signed_headers(BASE + path, mediator_key(registry_settings), created=int(time.time()) - 3600),
        "other client key": signed_headers(BASE + path, mediator_key(registry_settings),
                                           key_id="TH/GOV/PRACHA/portal"),
        "tampered": good | {"X-Road-Client": "TH/GOV/EVIL/x"},
        "other path": signed_headers(BASE + f"/persons/{SOMYING_ID}", mediator_key(registry_settings)),
        "garbage": good | {"Signature": "sig1=:!!:"},
    }
    for case, headers in cases.items():
        response = client.get(path, headers=headers)
        assert response.status_code == 401, case
        assert response.json()["error"] == "unauthorized", case
        assert verify_answer(registry_settings, "civil", response, headers) == "TH/GOV/DOPA/civil-registry", case


def test_other_errors_are_json_and_signed(registry_settings: Settings) -> None:
    client = TestClient(create_app("revenue", registry_settings))
    invalid = get(client, registry_settings, "revenue", "/taxpayers/1234")
    assert (invalid.status_code, invalid.json()) == (400, {"error": "invalid_national_id"})
    nowhere = get(client, registry_settings, "revenue", "/nowhere")
    assert (nowhere.status_code, nowhere.json()) == (404, {"error": "not_found"})
    path = f"/taxpayers/{SOMYING_ID}"
    post = client.post(path, headers=httpsig.sign_request("POST", BASE + path, {}, b"", key_id="TH/GOV/PRACHA/mediator",
                                                          key=mediator_key(registry_settings)))
    assert (post.status_code, post.json()) == (405, {"error": "method_not_allowed"})


def test_open_paths_and_openapi(registry_settings: Settings) -> None:
    client = TestClient(create_app("land", registry_settings))
    health = client.get("/healthz")
    assert health.json() == {"status": "ok", "registry": "land", "subsystem": "TH/GOV/DOL/land-registry"}
    assert verify_answer(registry_settings, "land", health)
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/owners/{cid}/parcels"]["get"]
    assert operation["summary"] and operation["description"]
    assert {"200", "401", "404"} <= set(operation["responses"])
    assert "ParcelsOut" in spec["components"]["schemas"] and "RFC 9421" in spec["info"]["description"]
    assert client.get("/docs").status_code == 401  # no docs page (it would load scripts from a CDN)


def test_seeds_once(registry_settings: Settings, database_url: str) -> None:
    """On SQLite and PostgreSQL: tables made and filled on first start, left alone on the next."""
    create_registry_app(REGISTRIES["civil"], registry_settings, database_url)
    app = create_registry_app(REGISTRIES["civil"], registry_settings, database_url)
    assert not seed_once(registry_state(app).sessions, civil_module, world)
    with registry_state(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(civil_module.Person)) == len(world().people)
    client = TestClient(app)
    assert get(client, registry_settings, "civil", f"/persons/{SOMYING_ID}").json()["first_name_th"] == "สมหญิง"
    registry_state(app).engine.dispose()


def test_keys_are_shared_through_var_dir(tmp_path: Any) -> None:
    """The registry trusts exactly the mediator key found in its var dir."""
    mine, theirs = make_registry_settings(tmp_path / "a"), make_registry_settings(tmp_path / "b")
    client = TestClient(create_app("civil", mine))
    path = f"/persons/{SOMCHAI_ID}"
    assert client.get(path, headers=signed_headers(BASE + path, mediator_key(theirs))).status_code == 401
    assert client.get(path, headers=signed_headers(BASE + path, mediator_key(mine))).status_code == 200
