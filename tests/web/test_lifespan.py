"""The server's start and stop (web/lifespan.py): the assistant's index is built at start, before
anyone asks, and stopping cancels the background loops at once, even one whose step is stuck in a
worker thread (that thread finishes its step on its own). `pracha serve` stopping on SIGTERM,
registries and all, is checked in tests/registries/test_serve.py."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from starlette.concurrency import run_in_threadpool

from pracha.assistant import dialogue
from pracha.config import Settings
from pracha.services.catalog import default_catalog_dir
from pracha.services.hooks import CATALOG
from pracha.web.app import create_app
from pracha.web.lifespan import stop_loops
from tests.factories import csrf_token

GRACE = 30.0


def _warm_up_done(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while any(t.name == "warm-up" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the warm-up thread did not finish"
        time.sleep(0.05)


def test_the_assistant_is_built_at_start_not_by_the_first_question(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"  # a catalogue no other test has built an assistant for
    shutil.copytree(default_catalog_dir(), catalog_dir)
    app = create_app(make_settings(catalog_dir=catalog_dir, ledger_sequence_seconds=0,
                                   automation_in_process=False))
    built = dialogue._assistant.cache_info().misses
    try:
        with TestClient(app, base_url="http://testserver") as client:
            _warm_up_done()
            assert dialogue._assistant.cache_info().misses == built + 1  # built once, with no request
            assert "search_index" in vars(app.state.pracha.registry.get(CATALOG))  # the catalogue's too
            answer = client.post("/api/v1/assistant/messages", json={"text": "เบี้ยคนแก่ต้องใช้อะไร"},
                                 headers={"X-CSRF-Token": csrf_token(client)})
            assert answer.status_code == 200 and answer.json()["service_id"] == "elderly-allowance"
            assert dialogue._assistant.cache_info().misses == built + 1  # the question used that one
    finally:
        app.state.pracha.db.engine.dispose()


def test_without_warm_up_nothing_is_built_until_asked(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), catalog_dir)
    app = create_app(make_settings(catalog_dir=catalog_dir, ledger_sequence_seconds=0,
                                   automation_in_process=False, warm_up=False))
    catalog = app.state.pracha.registry.get(CATALOG)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            assert not any(t.name == "warm-up" for t in threading.enumerate())
            assert "search_index" not in vars(catalog)
            found = client.get("/api/v1/services", params={"q": "ย้ายบ้าน"})
            assert found.status_code == 200 and "search_index" in vars(catalog)
    finally:
        app.state.pracha.db.engine.dispose()


def test_stopping_cancels_the_loops_at_once_even_one_whose_step_is_stuck_in_a_thread() -> None:
    release = threading.Event()
    in_step = threading.Event()

    def stuck_step() -> None:
        in_step.set()
        release.wait(60)

    async def idle_loop() -> None:
        while True:
            await asyncio.sleep(3600)

    async def busy_loop() -> None:
        await run_in_threadpool(stuck_step)

    async def scenario() -> tuple[float, bool, bool]:
        idle, busy = asyncio.create_task(idle_loop()), asyncio.create_task(busy_loop())
        while not in_step.is_set():
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await stop_loops([idle, busy], grace=GRACE)
        took = time.monotonic() - started
        release.set()  # let the thread end, so the event loop can close
        await asyncio.wait([busy], timeout=60)
        return took, idle.cancelled(), busy.cancelled()

    took, idle_cancelled, busy_cancelled = asyncio.run(scenario())
    assert idle_cancelled and busy_cancelled
    assert took < GRACE  # the stuck thread is left to finish on its own; shutdown goes on
