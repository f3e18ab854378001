"""Group commit: concurrent requests hand their writes to one writer, which commits them together in
one transaction, and each request waits for the commit of its own batch before it answers.

    writer = GroupCommit(write_batch, database.write_lock)
    await writer.submit(item)       # returns once `item`'s batch is committed; raises what the batch raised

Per event loop there is a bounded queue and at most one writer task. The task starts when an item
arrives and ends when the queue is empty; while one batch is being written (in a worker thread, under
the process's SQLite write lock when there is one), the next requests queue and go together in the
next batch: the busier the server, the larger the batches. A full queue makes `submit` wait
(back-pressure) rather than hold unbounded memory. A batch that fails fails every request in it with
its exception: nothing is answered as if written when it was not.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from pracha.db import WriteLock

T = TypeVar("T")
MAX_QUEUE = 1024  # items waiting per event loop: about 1,000 requests' log rows, a few MB at most
MAX_BATCH = 256  # items per transaction: large enough to amortise a commit, small enough to keep it short


@dataclass
class _LoopWriter(Generic[T]):
    queue: asyncio.Queue[tuple[T, asyncio.Future[None]]]
    task: asyncio.Task[None] | None = None
    writing: int = 0  # items in the batch being written now
    sizes: list[int] = field(default_factory=list)


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], None], lock: WriteLock | None = None, *,
                 max_queue: int = MAX_QUEUE, max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._lock = lock
        self.max_queue = max_queue
        self.max_batch = max_batch
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopWriter[T]] = weakref.WeakKeyDictionary()

    def _current(self) -> _LoopWriter[T]:
        loop = asyncio.get_running_loop()
        writer = self._loops.get(loop)
        if writer is None:
            writer = self._loops[loop] = _LoopWriter(asyncio.Queue(self.max_queue))
        return writer

    async def submit(self, item: T) -> None:
        """Queue `item` (waiting while the queue is full) and return once its batch is committed."""
        writer = self._current()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await writer.queue.put((item, done))
        if writer.task is None:
            writer.task = asyncio.create_task(self._run(writer))
        await done

    def waiting(self) -> tuple[int, int]:
        """(queued, being written) on this event loop."""
        writer = self._current()
        return writer.queue.qsize(), writer.writing

    def batch_sizes(self) -> list[int]:
        """The sizes of the batches committed or failed on this event loop so far (the last 1,000)."""
        return list(self._current().sizes)

    async def _run(self, writer: _LoopWriter[T]) -> None:
        try:
            while not writer.queue.empty():
                batch = [writer.queue.get_nowait() for _ in range(min(writer.queue.qsize(), self.max_batch))]
                writer.writing = len(batch)
                try:
                    await self._commit([item for item, _ in batch])
                except Exception as failed:  # every request of the batch gets the failure, none a success
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(failed)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
                finally:
                    writer.writing = 0
                    writer.sizes = [*writer.sizes[-999:], len(batch)]
        finally:
            writer.task = None

    async def _commit(self, items: list[T]) -> None:
        if self._lock is None:
            await run_in_threadpool(self._write, items)
        else:
            async with self._lock.current():
                await run_in_threadpool(self._write, items)
