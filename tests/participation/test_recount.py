"""Recounting a petition from the public log alone: against a real `pracha serve` process with the CLI,
and in process for the log's own faults."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.ledger import note
from pracha.ledger.deps import LEDGER
from pracha.participation.models import Petition
from pracha.participation.recount import recount_petition, tally_of
from tests.factories import create_citizen
from tests.participation.test_petitions_api import signed_in, start
from tests.servers import REPO_ROOT, pracha_command, process


class RewritingLog(httpx.BaseTransport):
    """A log that serves its entry bundles with the withdrawals rewritten (same length, other bytes)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "/tile/entries/" not in request.url.path:
            return response
        content = response.read().replace(b"tally.petition.withdraw", b"tally.petition.withdrew")
        return httpx.Response(response.status_code, headers=response.headers, content=content)


def supported_petition(db: Session, make_client: Callable[..., TestClient], supporters: int = 3) -> int:
    petition_id = start(db, make_client, signed_in(db, make_client, create_citizen(db)))
    clients = [signed_in(db, make_client, create_citizen(db)) for _ in range(supporters)]
    for supporter in clients:
        assert supporter.post(f"/api/v1/petitions/{petition_id}/supports").status_code == 201
    assert clients[0].delete(f"/api/v1/petitions/{petition_id}/supports/mine").status_code == 200
    assert clients[1].delete(f"/api/v1/petitions/{petition_id}/supports/mine").status_code == 200
    assert clients[1].post(f"/api/v1/petitions/{petition_id}/supports").status_code == 201
    return petition_id  # live: supporters - 1


def recount_cli(url: str, petition_id: int, key: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1"}
    return subprocess.run([*pracha_command(), "ledger", "recount-petition", "--url", url, "--petition",  # noqa: S603
                           str(petition_id), "--key", key], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=120, check=False)


def test_recount_against_a_live_server_matches_then_catches_a_tampered_count(
        db: Session, make_client: Callable[..., TestClient], app: FastAPI, settings: Settings,
        tmp_path: Path) -> None:
    petition_id = supported_petition(db, make_client)
    key = app.state.pracha.registry.get(LEDGER).verifier_key
    env = {"PRACHA_DATABASE_URL": settings.database_url, "PRACHA_VAR_DIR": str(settings.var_dir),
           "PRACHA_DATA_KEY_FILE": str(settings.data_key_file), "PRACHA_SECRET_KEY": "test-secret",
           "PRACHA_WARM_UP": "false"}
    with process(["serve"], env, tmp_path, "portal") as url:
        fine = recount_cli(url, petition_id, key)
        assert fine.returncode == 0, fine.stdout + fine.stderr
        assert "matches" in fine.stdout and "Counted in the log: 2 (published: 2)" in fine.stdout
        db.execute(update(Petition).where(Petition.id == petition_id).values(support_count=Petition.support_count + 1))
        db.commit()
        tampered = recount_cli(url, petition_id, key)
        assert tampered.returncode == 1 and "does not match" in tampered.stdout, tampered.stdout


def test_recount_refuses_a_changed_entry_and_a_foreign_key(db: Session, make_client: Callable[..., TestClient],
                                                           client: TestClient, app: FastAPI) -> None:
    petition_id = supported_petition(db, make_client)
    key = app.state.pracha.registry.get(LEDGER).verifier_key
    assert recount_petition("http://testserver", petition_id, key, client=client).ok
    _, other = note.generate_key("other.example/log")
    assert not recount_petition("http://testserver", petition_id, other, client=client).ok
    tampered = httpx.Client(base_url="http://testserver", transport=RewritingLog(client._transport))
    changed = recount_petition("http://testserver", petition_id, key, client=tampered)
    assert not changed.ok and "signed root" in changed.message


def test_tally_counts_the_latest_entry_of_each_commitment() -> None:
    def leaf(kind: str, value: str, petition: int = 7) -> bytes:
        return f'{{"category":"tally.petition.{kind}","object":"petition:{petition}/{value}","v":2}}'.encode()

    entries = [leaf("support", "a"), leaf("support", "b"), leaf("withdraw", "a"), leaf("support", "x", 8),
               leaf("support", "a"), leaf("withdraw", "b"), b'{"category":"sealed","v":2}']
    assert tally_of(entries, 7, len(entries) - 1) == (1, 0, 5)
    assert tally_of(entries, 7, 2) == (1, 0, 2)
