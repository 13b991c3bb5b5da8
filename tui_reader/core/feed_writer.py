"""Feed outcomes written from one thread, as many per transaction as are ready.

A refresh finishes feeds in bursts (a few hundred 304s land within milliseconds of each
other); one transaction each would make the refresh wait on as many commits and take the
write lock as often from anyone else using the cache. Callers await their own result, so
a feed's outcome is still reported only once it is stored.
"""

from __future__ import annotations

import asyncio

from .store import FeedWrite, SaveResult, Store

MAX_BATCH = 64
"""Feeds per transaction, at most: keeps each write lock short for other processes."""
MAX_ITEMS = 2000
"""Items per transaction, about (a feed is never split)."""


class FeedWriter:
    """Use from one event loop; :meth:`write` returns once the feed is in the cache."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[tuple[FeedWrite, asyncio.Future[SaveResult]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def write(self, write: FeedWrite) -> SaveResult:
        future: asyncio.Future[SaveResult] = asyncio.get_running_loop().create_future()
        self._pending.append((write, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    def _next_batch(self) -> list[tuple[FeedWrite, asyncio.Future[SaveResult]]]:
        """The oldest pending writes, up to MAX_BATCH feeds and about MAX_ITEMS items."""
        count = items = 0
        for write, _future in self._pending:
            items += len(write.parsed.items) if write.parsed is not None else 0
            count += 1
            if count >= MAX_BATCH or items >= MAX_ITEMS:
                break
        batch, self._pending = self._pending[:count], self._pending[count:]
        return batch

    async def _drain(self) -> None:
        while self._pending:
            batch = self._next_batch()
            try:
                results = await asyncio.to_thread(self.store.write_feeds, [w for w, _ in batch])
            except asyncio.CancelledError:
                for _write, future in batch:
                    future.cancel()
                raise
            except Exception as exc:  # the batch failed as one: each of its feeds hears it
                for _write, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_write, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Stop writing; anything still queued is dropped (the refresh was cancelled)."""
        if self._drainer is not None and not self._drainer.done():
            self._drainer.cancel()
        for _write, future in self._pending:
            future.cancel()
        self._pending = []
