"""The gateway's group-commit writer, with a real registry process, a real database and the ASGI app
driven concurrently: concurrent requests share a transaction, every answer's log row is there after,
nothing is answered before its batch is committed (a failing commit fails the whole batch), the queue
is bounded, and a registry that hangs, dies or comes back is answered 504/502 and then served again
without restarting the mediator."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.db import Database, begin_write
from pracha.demo import SOMCHAI
from pracha.exchange import checks, keys, mediator, pipeline
from pracha.exchange.errors import ProviderUnavailable
from pracha.exchange.groupcommit import GroupCommit
from pracha.exchange.models import MessageLog
from pracha.exchange.vocabulary import MEDIATOR
from pracha.services.catalog import Catalog
from pracha.web.app import create_app
from tests import servers
from tests.exchange.helpers import ALLOWANCES, OFFICE, client_key, seed, signed_headers
from tests.factories import create_citizen

pytestmark = pytest.mark.xdist_group("exchange-processes")
BASE = "http://testserver/exchange/r1"
WAIT = 60.0  # for a condition, on a busy machine


@contextmanager
def registry_on(port: int, var_dir: Path, workdir: Path) -> Iterator[Any]:
    """`pracha registry serve welfare` on a given port (so it can come back on the same one)."""
    command = [*servers.pracha_command(), "registry", "serve", "welfare", "--citizens", "20",
               "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PRACHA_CATALOG_DIR": str(servers.REPO_ROOT / "catalog"),
           "PRACHA_VAR_DIR": str(var_dir)}
    with servers.serving(command, env, workdir, workdir / "registry.log", f"http://127.0.0.1:{port}") as child:
        yield child


@pytest.fixture
def world(make_settings: Callable[..., Settings], db: Session, catalog: Catalog,
          tmp_path: Path) -> Iterator[dict[str, Any]]:
    var_dir = tmp_path / "var"
    keys.load_or_create(keys.key_path(var_dir, MEDIATOR))  # before the registry reads its public key
    port = servers.free_port()
    settings = make_settings(var_dir=var_dir, exchange_timeout_seconds=1, warm_up=False)
    with registry_on(port, var_dir, tmp_path) as child:
        seed(db, settings, catalog, {"welfare": f"http://127.0.0.1:{port}"})
        create_citizen(db, national_id=SOMCHAI[2], first_name=SOMCHAI[0], last_name=SOMCHAI[1])
        app = create_app(settings)
        yield {"app": app, "settings": settings, "port": port, "var_dir": var_dir, "registry": child,
               "key": client_key(settings, OFFICE)}
        app.state.pracha.db.engine.dispose()
    mediator.public_keys.clear()
    checks.services.clear()


def _headers(world: dict[str, Any]) -> tuple[str, dict[str, str]]:
    url = f"{BASE}/{ALLOWANCES}/{SOMCHAI[2]}/allowances"
    return url, signed_headers(url, key=world["key"])


def _run(world: dict[str, Any], body: Callable[[httpx.AsyncClient], Awaitable[Any]]) -> Any:
    """`body` with a client of the app, all on one event loop (as a server has one)."""
    async def main() -> Any:
        transport = httpx.ASGITransport(world["app"], raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
            return await body(client)

    return asyncio.run(main())


@contextmanager
def writes_held(db: Session) -> Iterator[None]:
    """Another connection holds the log table's write lock (SQLite: the database's; PostgreSQL: the
    table's), so the writer's next transaction waits for it, as it would behind a slow writer."""
    db.rollback()
    begin_write(db)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("LOCK TABLE exchange_messages IN EXCLUSIVE MODE"))
    else:
        db.execute(text("DELETE FROM exchange_messages WHERE 0"))  # takes SQLite's write lock now
    try:
        yield
    finally:
        db.rollback()


async def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


def _commits(database: Database) -> list[int]:
    seen: list[int] = []
    event.listen(database.engine, "commit", lambda _conn: seen.append(1))
    return seen


def _logged(db: Session, message_ids: list[str]) -> list[MessageLog]:
    db.rollback()
    return list(db.scalars(select(MessageLog).where(MessageLog.message_id.in_(message_ids))))


N = 12


def _concurrently(world: dict[str, Any], db: Session, *, same_id: bool = False
                  ) -> tuple[list[httpx.Response], list[str], list[int]]:
    """N requests at once, while the log is held: the first batch waits with one request, the others
    queue behind it; then the hold is released."""
    database: Database = world["app"].state.pracha.db
    writer = pipeline.log_writer(database)
    requests = [_headers(world)] * N if same_id else [_headers(world) for _ in range(N)]

    async def body(client: httpx.AsyncClient) -> tuple[list[httpx.Response], list[int]]:
        with writes_held(db):
            first = asyncio.create_task(client.get(requests[0][0], headers=requests[0][1]))
            await _until(lambda: writer.waiting() == (0, 1))
            rest = [asyncio.create_task(client.get(url, headers=h)) for url, h in requests[1:]]
            await _until(lambda: writer.waiting() == (N - 1, 1))
            assert not first.done() and not any(task.done() for task in rest)  # nothing answered yet
        responses = [await first, *[await task for task in rest]]
        return responses, writer.batch_sizes()

    responses, sizes = _run(world, body)
    return responses, [h["X-Road-Id"] for _, h in requests], sizes


def test_concurrent_requests_are_committed_together(world: dict[str, Any], db: Session) -> None:
    commits = _commits(world["app"].state.pracha.db)
    responses, ids, sizes = _concurrently(world, db)
    assert [r.status_code for r in responses] == [200] * N, [r.text for r in responses]
    assert sizes == [1, N - 1]  # two transactions for N requests
    assert len(commits) < N
    rows = _logged(db, ids)
    assert sorted(r.message_id for r in rows) == sorted(ids)
    assert all(r.decision == "allowed" and r.ledger_entry_id is not None for r in rows)
    assert {r.headers["x-road-reference"] for r in responses} == {r.reference for r in rows}


def test_a_replay_that_raced_past_the_checks_is_still_a_409(world: dict[str, Any], db: Session) -> None:
    """The same X-Road-Id N times at once: every copy passes the replay check before the first is
    committed; the writer gives the id to the first and answers the others 409, each logged."""
    responses, ids, sizes = _concurrently(world, db, same_id=True)
    assert sizes == [1, N - 1]
    assert [r.status_code for r in responses] == [200] + [409] * (N - 1)
    assert {r.json()["error"] for r in responses[1:]} == {"replayed"}
    rows = sorted(_logged(db, ids[:1]), key=lambda r: r.id)
    assert [(r.status, r.holds_id) for r in rows] == [(200, True)] + [(409, False)] * (N - 1)
    assert all(r.ledger_entry_id is not None for r in rows)


def test_a_failed_commit_fails_its_whole_batch_and_answers_none(world: dict[str, Any], db: Session) -> None:
    postgres = db.get_bind().dialect.name == "postgresql"
    db.rollback()
    begin_write(db)
    if postgres:
        db.execute(text("CREATE FUNCTION refuse_log() RETURNS trigger AS $$ BEGIN "
                        "RAISE EXCEPTION 'no space left'; END $$ LANGUAGE plpgsql"))
        db.execute(text("CREATE TRIGGER refuse_log BEFORE INSERT ON exchange_messages "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_log()"))
    else:
        db.execute(text("CREATE TRIGGER refuse_log BEFORE INSERT ON exchange_messages "
                        "BEGIN SELECT RAISE(ABORT, 'no space left'); END"))
    db.commit()
    responses, ids, sizes = _concurrently(world, db)
    assert sizes == [1, N - 1]
    assert [r.status_code for r in responses] == [500] * N  # none answered 200 with data that was not logged
    assert not any("x-road-reference" in r.headers for r in responses)  # the app's error page, not an answer
    assert _logged(db, ids) == []
    begin_write(db)
    db.execute(text("DROP TRIGGER refuse_log ON exchange_messages" if postgres else "DROP TRIGGER refuse_log"))
    db.commit()

    async def again(client: httpx.AsyncClient) -> httpx.Response:
        url, headers = _headers(world)
        return await client.get(url, headers=headers)

    assert _run(world, again).status_code == 200  # the writer works again, no restart


def test_a_full_queue_makes_submitters_wait(world: dict[str, Any], db: Session) -> None:
    database: Database = world["app"].state.pracha.db
    writer: GroupCommit[pipeline.Outcome] = GroupCommit(lambda batch: pipeline.write_batch(database, batch),
                                                        database.write_lock, max_queue=3, max_batch=2)

    def refused() -> pipeline.Outcome:
        ask = checks.Ask(client=OFFICE, message_id=uuid.uuid4().hex, purpose="eligibility-check",
                         service_id=ALLOWANCES, path=f"{SOMCHAI[2]}/allowances")
        return pipeline.Outcome(ask, checks.Trace(), mediator.new_reference(), time.perf_counter(),
                                error=ProviderUnavailable())

    outcomes = [refused() for _ in range(8)]

    async def body() -> list[int]:
        with writes_held(db):
            first = asyncio.create_task(writer.submit(outcomes[0]))
            await _until(lambda: writer.waiting() == (0, 1))
            rest = [asyncio.create_task(writer.submit(o)) for o in outcomes[1:]]
            await _until(lambda: writer.waiting() == (3, 1))
            for _ in range(20):  # the other four stay outside the queue, however long they wait
                await asyncio.sleep(0)
                assert writer.waiting() == (3, 1)
            assert sum(task.done() for task in [first, *rest]) == 0
        await asyncio.gather(first, *rest)
        return writer.batch_sizes()

    sizes = asyncio.run(body())
    assert sizes[0] == 1 and max(sizes) <= 2 and sum(sizes) == 8
    assert db.scalar(select(func.count()).select_from(MessageLog).where(
        MessageLog.message_id.in_([o.ask.message_id for o in outcomes]))) == 8


def test_a_registry_that_hangs_dies_and_returns_is_answered_and_served_again(world: dict[str, Any],
                                                                            db: Session, tmp_path: Path) -> None:
    registry = world["registry"]

    async def call(client: httpx.AsyncClient) -> tuple[int, str, float]:
        url, headers = _headers(world)
        started = time.monotonic()
        response = await client.get(url, headers=headers)
        return response.status_code, response.json().get("error", ""), time.monotonic() - started

    async def body(client: httpx.AsyncClient) -> list[tuple[int, str, float]]:
        seen = [await call(client)]
        registry.send_signal(signal.SIGSTOP)  # hangs: connections are accepted, nothing is answered
        try:
            seen.append(await call(client))
        finally:
            registry.send_signal(signal.SIGCONT)
        seen.append(await call(client))
        registry.kill()
        registry.wait()
        seen.append(await call(client))
        with registry_on(world["port"], world["var_dir"], tmp_path):
            seen.append(await call(client))
        return seen

    up, hung, resumed, dead, back = _run(world, body)
    assert up[:2] == (200, "")
    assert hung[:2] == (504, "provider_timeout") and hung[2] < 1 + 5  # its 1 s timeout, not the client's 60 s
    assert resumed[:2] == (200, "")
    assert dead[:2] == (502, "provider_unavailable") and dead[2] < 1 + 5
    assert back[:2] == (200, "")  # the same mediator, a new connection to the registry
