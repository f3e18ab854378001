"""What a real server does around serving: at start, warm the assistant's index in a thread and start
the background loops (the ledger sequencer, the in-process automation runner); at stop, cancel the
loops and wait for their async clean-up (Procrastinate's worker) no longer than a grace period, so
SIGTERM ends the process promptly. A step already running in a worker thread is not interrupted: it
ends on its own (every step is bounded: registry calls have timeouts). Tests that use `TestClient`
without `with` skip all of this and call the same code on demand."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from fastapi import FastAPI

from pracha.assistant.deps import ASSISTANT
from pracha.automation.runner import run_in_process
from pracha.http.state import AppState
from pracha.ledger import sequencer
from pracha.ledger.deps import LEDGER
from pracha.services.hooks import CATALOG

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.pracha
    settings, database = state.settings, state.db
    if settings.warm_up:
        warm_up(state)
    loops: list[asyncio.Task[None]] = []
    if settings.ledger_sequence_seconds > 0:
        ledger = state.registry.get(LEDGER)
        lock = database.write_lock.current() if database.write_lock is not None else None
        loops.append(_start(sequencer.run_forever(database.sessions, ledger.signer, ledger.origin,
                                                  settings.ledger_sequence_seconds, lock), "ledger sequencer"))
    if settings.automation_in_process:
        loops.append(_start(run_in_process(database, state.registry.get(CATALOG), settings), "automation runner"))
    try:
        yield
    finally:
        await stop_loops(loops, STOP_SECONDS)


def _start(loop: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    return asyncio.create_task(loop, name=name)


async def stop_loops(loops: list[asyncio.Task[None]], grace: float) -> None:
    """Cancel the loops and wait up to `grace` seconds for them to finish their current step."""
    for task in loops:
        task.cancel()
    if not loops:
        return
    _, pending = await asyncio.wait(loops, timeout=grace)
    for task in pending:
        log.warning("%s did not stop within %.0f s; shutting down without it", task.get_name(), grace)
    for task in loops:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("%s had failed", task.get_name(), exc_info=task.exception())


def warm_up(state: AppState) -> threading.Thread:
    """Build the catalogue's and the assistant's indexes in a daemon thread, so the first search and
    question are answered at once; a question that comes before it is ready waits for this build
    rather than starting its own."""
    thread = threading.Thread(target=_warm, args=(state,), name="warm-up", daemon=True)
    thread.start()
    return thread


def _warm(state: AppState) -> None:
    try:
        _ = state.registry.get(CATALOG).search_index
        state.registry.get(ASSISTANT).assistant()
    except Exception:  # noqa: BLE001 - the first question will build it again and show the error
        log.exception("warming the assistant failed")
