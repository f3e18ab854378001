"""Passkeys with the server's real WebAuthn verification (a software authenticator plays the
device): registration, step-up to the higher acr when a client asks for it, sign-in with a passkey
alone, and the refusals (replayed challenge, altered signature, someone else's passkey)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.identity.oidc.authorize import ACR_PASSKEY
from tests.factories import create_citizen, sign_in
from tests.identity.oidc.helpers import exchange, query, register, start, verify_id_token
from tests.identity.oidc.softkey import SoftKey

STEP_UP = {"acr_values": ACR_PASSKEY}


def add_passkey(client: TestClient, csrf: str) -> SoftKey:
    device = SoftKey("testserver", "http://testserver")
    options = client.post("/me/passkeys/options", headers={"X-CSRF-Token": csrf}).json()
    assert options["rp"]["id"] == "testserver"
    made = client.post("/me/passkeys", headers={"X-CSRF-Token": csrf},
                       json={"name": "โทรศัพท์", "credential": device.create(options)})
    assert made.status_code == 201, made.text
    return device


def prove(client: TestClient, csrf: str, device: SoftKey, **options: Any) -> Any:
    challenge = client.post("/passkeys/options", headers={"X-CSRF-Token": csrf}).json()
    return client.post("/passkeys/verify", headers={"X-CSRF-Token": csrf}, json=device.get(challenge, **options))


def test_step_up_gives_the_higher_acr(db: Session, client: TestClient) -> None:
    reg = register(db)
    csrf = sign_in(db, client, create_citizen(db))
    device = add_passkey(client, csrf)
    assert "โทรศัพท์" in client.get("/me/passkeys").text
    flow = start(client, reg, **STEP_UP)
    asked = client.get("/oidc/authorize", params=flow.params)
    assert asked.status_code == 200 and "ยืนยันตัวตนด้วยพาสคีย์" in asked.text
    quiet = client.get("/oidc/authorize", params={**flow.params, "prompt": "none"})
    assert query(quiet.headers["location"])["error"] == "interaction_required"
    still = client.post("/oidc/authorize", data={**flow.params, "action": "allow", "csrf_token": csrf})
    assert still.status_code == 200 and "ยืนยันตัวตนด้วยพาสคีย์" in still.text  # no consent without the passkey
    proved = prove(client, csrf, device)
    assert proved.status_code == 200, proved.text
    consent = client.post("/oidc/authorize", data={**flow.params, "action": "continue", "csrf_token": csrf})
    assert consent.status_code == 200 and 'value="allow"' in consent.text
    code = client.post("/oidc/authorize", data={**flow.params, "action": "allow", "csrf_token": csrf})
    tokens = exchange(client, reg, query(code.headers["location"])["code"], flow.verifier).json()
    claims = verify_id_token(client, tokens["id_token"], reg.id)
    assert claims["acr"] == ACR_PASSKEY and claims["amr"] == ["pwd", "hwk"]


def test_passkey_refusals(db: Session, make_client: Callable[..., TestClient]) -> None:
    owner, other = make_client(), make_client()
    csrf = sign_in(db, owner, create_citizen(db))
    device = add_passkey(owner, csrf)
    challenge = owner.post("/passkeys/options", headers={"X-CSRF-Token": csrf}).json()
    answer = device.get(challenge)
    signature = answer["response"]["signature"]
    altered = {**answer, "response": {**answer["response"], "signature": signature[:-6] + "AAAAAA"}}
    bad = owner.post("/passkeys/verify", headers={"X-CSRF-Token": csrf}, json=altered)
    assert bad.status_code == 422
    assert owner.post("/passkeys/verify", headers={"X-CSRF-Token": csrf}, json=answer).status_code == 200
    replay = owner.post("/passkeys/verify", headers={"X-CSRF-Token": csrf}, json=answer)
    assert replay.status_code == 422  # the challenge cookie is spent
    other_csrf = sign_in(db, other, create_citizen(db))
    assert prove(other, other_csrf, device).status_code == 422  # not their passkey
    unknown = SoftKey("testserver", "http://testserver")
    assert prove(owner, csrf, unknown).status_code == 422


def test_sign_in_with_a_passkey_alone(db: Session, make_client: Callable[..., TestClient]) -> None:
    setup = make_client()
    device = add_passkey(setup, sign_in(db, setup, create_citizen(db)))
    reg = register(db)
    browser = make_client()
    flow = start(browser, reg, **STEP_UP)
    page = browser.get("/oidc/authorize", params=flow.params)
    assert page.status_code == 200 and 'data-passkey="signin"' in page.text
    assert prove(browser, flow.csrf, device, verified=False).status_code == 422  # no user verification
    proved = prove(browser, flow.csrf, device)
    assert proved.status_code == 200
    consent = browser.post("/oidc/authorize", data={**flow.params, "action": "continue",
                                                    "csrf_token": proved.json()["csrf_token"]})
    assert consent.status_code == 200 and 'value="allow"' in consent.text
