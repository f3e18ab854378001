"""Several processes over one database (`pracha serve --workers N`, many machines): two apps built by
`create_app` on the same database stand for two worker processes (each has its own keyring, caches,
pools and sequencer). They must agree on an erasure, on sign-in throttling, on the exchange's replay
and rate limits, and on the ledger's order. `serve` refuses several workers on SQLite."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pracha.cli import app as cli
from pracha.config import Settings
from pracha.db import begin_write, make_sessionmaker
from pracha.identity import factors
from pracha.identity import service as identity
from pracha.identity.errors import SignInFailed
from pracha.identity.models import SigninThrottle, User
from pracha.identity.throttle import ThrottlePolicy
from pracha.ledger import sequencer
from pracha.ledger.audit import audit
from pracha.ledger.deps import LEDGER
from pracha.ledger.log import record
from pracha.ledger.models import LedgerEntry
from pracha.services.catalog import Catalog
from pracha.vault import ERASED, attach_keyring, forget_subject, keyring_of
from pracha.vault.keyring import ERASURE_CHECK_SECONDS
from pracha.web.app import create_app
from tests import servers
from tests.exchange.helpers import OFFICE, PERSONS, client_key, seed, signed_headers
from tests.factories import TEST_SECRET, create_citizen, create_staff, csrf_token, new_national_id, totp_code

BASE = "http://testserver/exchange/r1"


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., FastAPI]]:
    """Another "worker process": its own app, keyring and pools over the test's database."""
    apps: list[FastAPI] = []

    def make(**overrides: object) -> FastAPI:
        application = create_app(settings.model_copy(update=overrides))
        apps.append(application)
        return application

    yield make
    for application in apps:
        application.state.pracha.db.engine.dispose()


def _name_in(app: FastAPI, user_id: int) -> str:
    with app.state.pracha.db.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        return str(user.first_name)


def test_an_erasure_through_one_process_reads_as_erased_in_the_other(
    app: FastAPI, db: Session, make_app: Callable[..., FastAPI]
) -> None:
    other = make_app()
    citizen = create_citizen(db, first_name="มานี")
    assert _name_in(other, citizen.id) == "มานี"  # the other process now caches the person's key
    assert forget_subject(db, citizen.id)
    db.commit()
    erased_at = time.monotonic()
    deadline = erased_at + ERASURE_CHECK_SECONDS + 5
    while _name_in(other, citizen.id) != ERASED:
        assert time.monotonic() < deadline, "the other process still reads the erased person"
        time.sleep(0.05)
    assert time.monotonic() - erased_at < ERASURE_CHECK_SECONDS + 5  # not the key cache's 300 s
    assert _name_in(app, citizen.id) == ERASED


def test_an_erasure_rolled_back_is_not_one_in_any_process(
    app: FastAPI, db: Session, make_app: Callable[..., FastAPI]
) -> None:
    other = make_app()
    citizen = create_citizen(db, first_name="ปิติ")
    keyring_of(other.state.pracha.db.engine.dialect).erasure_check_seconds = 0.0  # it looks every time
    assert forget_subject(db, citizen.id)
    db.rollback()
    assert _name_in(other, citizen.id) == "ปิติ" and _name_in(app, citizen.id) == "ปิติ"


def test_keys_are_read_beside_a_request_that_holds_the_last_pooled_connection(
    app: FastAPI, db: Session, settings: Settings
) -> None:
    """A one-connection pool, held by the session that decrypts: the keyring reads the person's key on
    its own pool (it used to ask the app's pool, and waited for the connection its own caller held)."""
    citizen = create_citizen(db, first_name="ชูใจ")  # its key is cached in `app`'s keyring, not below
    small = create_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=3)
    attach_keyring(small, settings=settings)
    try:
        with make_sessionmaker(small)() as session:
            assert session.scalar(select(func.count()).select_from(User)) >= 1  # holds the only connection
            user = session.get(User, citizen.id)
            assert user is not None and user.first_name == "ชูใจ"
    finally:
        small.dispose()


def _fail_signin(client: TestClient, national_id: str) -> int:
    response = client.post(
        "/api/v1/session",
        headers={"X-CSRF-Token": csrf_token(client)},
        json={"national_id": national_id, "username": "", "password": "a wrong guess"},
    )
    return response.status_code


def test_sign_in_failures_through_both_processes_lock_the_pair_in_both(
    db: Session, make_app: Callable[..., FastAPI]
) -> None:
    first, second = (make_app(signin_slowdown_after=100, signin_lock_after=4) for _ in range(2))
    national_id = create_citizen(db).national_id or ""
    address = ("203.0.113.9", 4000)
    with TestClient(first, client=address) as a, TestClient(second, client=address) as b:
        statuses = [_fail_signin(client, national_id) for client in (a, b, a, b)]
        assert statuses == [401] * 4  # four failures, two in each process: the pair is now locked
        assert _fail_signin(a, national_id) == 429 and _fail_signin(b, national_id) == 429


def test_sign_in_failures_at_once_in_both_processes_all_count(db: Session, make_app: Callable[..., FastAPI]) -> None:
    """The same client and identifier failing in two processes at the same moment: every failure is
    counted once (an upsert in the database), and none turns into an error (a duplicate new row)."""
    apps = [make_app(), make_app()]
    national_id = new_national_id()
    policy, attempts = ThrottlePolicy(slowdown_after=100, lock_after=100), 8
    start = threading.Barrier(attempts)

    def fail(n: int) -> str:
        with apps[n % 2].state.pracha.db.sessions() as session:
            start.wait()
            begin_write(session)  # as the sign-in route's session does
            try:
                identity.authenticate(
                    session,
                    national_id,
                    "wrong",
                    staff=False,
                    policy=policy,
                    client="203.0.113.10",
                    secret=b"test-secret",
                )
            except SignInFailed:
                return "failed"
            return "signed in"

    with ThreadPoolExecutor(attempts) as pool:
        outcomes = list(pool.map(fail, range(attempts)))
    assert outcomes == ["failed"] * attempts
    attempt = identity.signin_attempt(national_id, staff=False, client="203.0.113.10", secret=b"test-secret")
    db.rollback()
    row = db.get(SigninThrottle, attempt.pair)
    assert row is not None and row.failures == attempts


@pytest.fixture
def exchange_world(db: Session, settings: Settings, catalog: Catalog) -> dict[str, str]:
    with socket.socket() as s:  # a port nobody listens on: every allowed call is a 502
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    seed(db, settings, catalog, {"civil": closed, "welfare": closed})
    return {"nid": create_citizen(db).national_id or ""}


def test_an_exchange_message_id_used_in_one_process_is_a_replay_in_the_other(
    exchange_world: dict[str, str], settings: Settings, make_app: Callable[..., FastAPI]
) -> None:
    url = f"{BASE}/{PERSONS}/{exchange_world['nid']}"
    headers = signed_headers(url, key=client_key(settings, OFFICE))
    with TestClient(make_app()) as a, TestClient(make_app()) as b:
        assert a.get(url, headers=headers).status_code == 502  # the id is used (the registry is down)
        again = b.get(url, headers=headers)
    assert again.status_code == 409 and again.json()["error"] == "replayed"


def test_the_exchange_rate_limit_counts_calls_in_both_processes(
    exchange_world: dict[str, str], settings: Settings, make_app: Callable[..., FastAPI]
) -> None:
    url = f"{BASE}/{PERSONS}/{exchange_world['nid']}"
    key = client_key(settings, OFFICE)
    with (
        TestClient(make_app(exchange_rate_limit_per_minute=2)) as a,
        TestClient(make_app(exchange_rate_limit_per_minute=2)) as b,
    ):
        statuses = [client.get(url, headers=signed_headers(url, key=key)).status_code for client in (a, b, a, b)]
    assert statuses == [502, 502, 429, 429]


def test_both_processes_sequencing_at_once_make_one_log(db: Session, make_app: Callable[..., FastAPI]) -> None:
    """Entries written through both apps while both sequence in a loop: every entry gets exactly one
    index, 0..n-1 without a gap, and the log re-derives from its tiles (no fork)."""
    apps = [make_app(ledger_sequence_seconds=0), make_app(ledger_sequence_seconds=0)]
    writing = threading.Event()
    writing.set()

    def write(n: int) -> None:
        with apps[n % 2].state.pracha.db.sessions() as session:
            for i in range(40):
                begin_write(session)
                record(session, "test.event", actor="system", obj=f"test:{n}:{i}")
                session.commit()

    def sequence(app: FastAPI) -> int:
        ledger, sessions = app.state.pracha.registry.get(LEDGER), app.state.pracha.db.sessions
        rounds = 0
        while writing.is_set() or rounds == 0:
            sequencer.sequence_if_needed(sessions, ledger.signer, ledger.origin)
            rounds += 1
        sequencer.sequence_if_needed(sessions, ledger.signer, ledger.origin)
        return rounds

    with ThreadPoolExecutor(6) as pool:
        sequencers = [pool.submit(sequence, app) for app in apps]
        for done in [pool.submit(write, n) for n in range(4)]:
            done.result()
        writing.clear()
        assert all(s.result() > 0 for s in sequencers)
    db.rollback()
    indexes = sorted(db.scalars(select(LedgerEntry.index).where(LedgerEntry.kind == "test.event")))
    everything = db.scalar(select(func.count()).select_from(LedgerEntry))
    assert len(indexes) == 160
    assert sorted(db.scalars(select(LedgerEntry.index))) == list(range(everything or 0))
    result = audit(db)
    assert result.ok and result.size == everything, result.problems


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_refuses_several_workers_on_sqlite(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRACHA_DATABASE_URL", settings.database_url)
    from pracha.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs PostgreSQL" in " ".join(result.output.split())


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_serve_with_two_workers_makes_one_set_of_keys_both_use(database_url: str, tmp_path: Path) -> None:
    """A real `pracha serve --workers 2` with an empty var/ and no PRACHA_SECRET_KEY: the keys are made
    before the workers start, so a CSRF token one worker issued is good in the other (each request on a
    new connection, so the two workers share them)."""
    var_dir = tmp_path / "served-var"
    env = {
        "PRACHA_DATABASE_URL": database_url,
        "PRACHA_VAR_DIR": str(var_dir),
        "PRACHA_SECRET_KEY": "",
        "PRACHA_WARM_UP": "false",
        "PRACHA_SIGNIN_SLOWDOWN_AFTER": "1000",
        "PRACHA_SIGNIN_LOCK_AFTER": "1000",
        "PRACHA_SIGNIN_CLIENT_IDENTIFIERS": "0",
    }
    with servers.process(["serve", "--workers", "2"], env, tmp_path, "serve-2") as url:
        assert all((var_dir / name).is_file() for name in ("secret.key", "ledger.key", "data.key"))
        statuses = []
        for _ in range(12):
            session = httpx.get(f"{url}/api/v1/session", timeout=30)
            body = {"national_id": new_national_id(), "username": "", "password": "wrong"}
            answer = httpx.post(
                f"{url}/api/v1/session",
                json=body,
                cookies=session.cookies,
                timeout=30,
                headers={"X-CSRF-Token": session.json()["csrf_token"], "Connection": "close"},
            )
            statuses.append(answer.status_code)
    assert statuses == [401] * 12  # never 403: every worker checks the token with the same secret


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite's writers are one at a time
def test_one_totp_code_sent_to_two_processes_at_once_counts_once(db: Session, make_app: Callable[..., FastAPI]) -> None:
    """Process A accepts the code and, before it commits, process B checks the same code: B must wait for
    A's row and then refuse the code A used (without a lock B reads the old last step and accepts it)."""
    staff = create_staff(db, "officer", "dopa")
    code, apps = totp_code(staff.username or ""), [make_app(), make_app()]
    a_checked, b_checked, outcomes = threading.Event(), threading.Event(), {}

    def check(name: str, app: FastAPI) -> None:
        with app.state.pracha.db.sessions() as session:
            begin_write(session)
            user = session.get(User, staff.id)
            assert user is not None
            outcomes[name] = factors.check_code(session, user, code, TEST_SECRET)
            if name == "a":
                a_checked.set()
                b_checked.wait(timeout=2)  # B has checked (no lock), or is waiting for A's row (locked)
            else:
                b_checked.set()
            session.commit()

    a = threading.Thread(target=check, args=("a", apps[0]))
    a.start()
    assert a_checked.wait(timeout=60)  # A has checked (and, with a lock, holds the row)
    check("b", apps[1])
    a.join()
    assert outcomes == {"a": True, "b": False}
