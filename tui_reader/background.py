"""The app's background work: one writer thread, the parsing process, refreshes and
full-text fetches.

Screens reach it through :class:`tui_reader.services.ReaderServices` and hear back only
through messages posted to the listening screen (the main screen): progress, results and
failures alike. Workers run on the app, so quitting cancels them.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump

from .core.config import save_setting
from .core.demo_mode import DEMO_STATUS
from .core.sanitize import clean_text
from .core.session import Session
from .guard import CACHE_ERRORS
from .keymap import Keymap
from .messages import (
    RefreshFailed,
    RefreshFinished,
    RefreshProgressed,
    RefreshSkipped,
    RefreshStarted,
    SnapshotFinished,
    SyncFinished,
    SyncProgressed,
    WriteFailed,
)

if TYPE_CHECKING:
    from .core.refresh import RefreshReport, RefreshService

T = TypeVar("T")
Clock = Callable[[], float]

SYNC_QUIT_SECONDS = 2.0
"""On quit, how long a sync in the middle of a request may take to stop."""

WRITE_FLUSH_SECONDS = 5.0
"""On quit, how long to wait for the last user-state writes (a bookmark, a read flag)."""

BACKGROUND_MODULES = (
    "tui_reader.core.refresh",  # httpx, lxml, fastfeedparser
    "tui_reader.core.fulltext",
    "tui_reader.core.article_body",  # markdownify, BeautifulSoup
    "markdownify",
    "textual.highlight",  # Pygments, for code blocks in stories
)
"""What refreshes, full-text fetches and stories' Markdown need: ~0.4 s of imports,
done in a thread after the first screen so the event loop never runs them (the first
story with a code block took 0.75 s to show)."""


def load_background_modules() -> None:
    """Import (and warm) what the background work needs; a no-op the second time."""
    for name in BACKGROUND_MODULES:
        importlib.import_module(name)
    from textual.highlight import highlight

    from .core.http import tls_context

    tls_context(True)  # loading the CA bundle takes ~40 ms (the key the client uses)
    highlight("x = 1", language="python")  # Pygments' lexer tables


class Background:
    """Everything the reader does off the event loop, for the app and its screens."""

    def __init__(
        self, app: App[Any], session: Session, *, demo: bool, clock: Clock
    ) -> None:
        self.app = app
        self.session = session
        self.demo = demo
        self.clock = clock
        self.keymap = Keymap()
        """Replaced by the app once config.toml's [keys] are applied."""
        self.listener: MessagePump | None = None
        """Where results go (the main screen); the app until it exists."""
        self._pool: ProcessPoolExecutor | None = None
        self._pool_failed = False
        self._sync_lock = threading.Lock()
        """One sync at a time (``r`` while the scheduled one runs would push twice)."""
        self._sync_done: Future[None] | None = None
        """Resolved when the sync running (or last run) has ended."""
        self._sync_thread: threading.Thread | None = None
        self._stop_sync = threading.Event()
        """Set on quit: a sync (in a thread) stops between two requests."""
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tui-reader-store")
        """One thread for the reader's own writes (read flags, bookmarks): off the event
        loop, and in the order the keys were pressed."""

    def _post(self, message: Message) -> None:
        (self.listener or self.app).post_message(message)

    # -- the reader's own writes ------------------------------------------------------

    async def write(self, call: Callable[[], T]) -> T:
        """Run one store write in the writer thread, after any earlier ones.

        Cancelling the caller (quitting) does not cancel the write: quitting waits for it.
        """
        future = asyncio.wrap_future(self._writer.submit(call))
        return await asyncio.shield(future)

    # -- refreshing -------------------------------------------------------------------

    def start_refresh(self, force: bool = False) -> None:
        """Refresh due feeds (all with ``force``) in the background."""
        if self.demo:
            self._post(RefreshSkipped(DEMO_STATUS))
            return
        running = any(w.group == "refresh" and w.is_running for w in self.app.workers)
        if running and not force:
            return
        self._post(RefreshStarted())
        self.app.run_worker(
            self._refresh(force), name="refresh", group="refresh", exclusive=True,
            exit_on_error=False,
        )

    async def _service(self) -> RefreshService:
        await asyncio.to_thread(load_background_modules)  # no-op once they are loaded
        from .core.refresh import RefreshService

        return RefreshService(
            self.session.store,
            self.session.settings,
            feeds_file=self.session.paths.feeds_file,
            parse_executor=await self._parse_pool(),
        )

    async def _refresh(self, force: bool) -> None:
        """The account's sync first (when [sync] is set), then feeds.toml's feeds: the
        refresh's full-text pass then takes the server's new bookmarks too."""
        if self.session.settings.sync is not None:
            await self._sync()
        try:
            service = await self._service()
            report = await service.refresh(
                force=force,
                progress=lambda progress: self._post(RefreshProgressed(progress)),
                now=int(self.clock()),  # one clock for due times, dates and the status line
            )
        except Exception as exc:  # noqa: BLE001 - one line in the status bar, never a traceback
            self._post(RefreshFailed(clean_text(exc, 160) or type(exc).__name__))
            return
        self._post(RefreshFinished(report))

    async def _sync(self) -> None:
        """Wait for the sync: the one running, else a new one (see :meth:`_start_sync`).
        Cancelling this (``r``, quitting) leaves the sync running; a refresh started by
        ``r`` waits for it, so its stories are shown when the refresh ends."""
        await asyncio.shield(asyncio.wrap_future(self._start_sync()))

    def _start_sync(self) -> Future[None]:
        """The running sync, or a new one in its own daemon thread, which tells the status
        line its progress and its end (SyncFinished) itself, whoever waits for it: quitting
        never waits for it longer than :data:`SYNC_QUIT_SECONDS`."""
        with self._sync_lock:
            if self._sync_done is not None and not self._sync_done.done():
                return self._sync_done
            done: Future[None] = Future()
            done.set_running_or_notify_cancel()  # a waiter's cancel cannot cancel it
            thread = threading.Thread(target=self._run_sync, args=(done,),
                                      name="tui-reader-sync", daemon=True)
            self._sync_done, self._sync_thread = done, thread
            thread.start()
            return done

    def _run_sync(self, done: Future[None]) -> None:
        from .core.sync.engine import SyncStopped, sync_account

        account = self.session.settings.sync
        new, error = 0, None
        try:
            assert account is not None
            new = sync_account(
                self.session.store, account, timeout=self.session.settings.timeout_seconds,
                progress=lambda line: self._post(SyncProgressed(line)),
                stop=self._stop_sync.is_set,
            ).new_items
        except SyncStopped:
            pass
        except Exception as exc:  # noqa: BLE001 - one line in the status bar
            error = clean_text(exc, 160) or type(exc).__name__
        finally:
            try:
                self._post(SyncFinished(new, error))
            finally:
                done.set_result(None)

    async def refresh_feeds(self, feed_ids: list[int]) -> RefreshReport:
        """Fetch these feeds now (the feeds screen's ``r`` and ``a``), with the same parsing
        process as every other refresh; errors are the caller's to show."""
        service = await self._service()
        return await service.refresh(feed_ids=feed_ids, snapshots=False)

    async def _parse_pool(self) -> ProcessPoolExecutor | None:
        """The parsing process (see core.parse_pool); None, so threads, if it cannot start."""
        if self._pool is None and not self._pool_failed:
            from .core.parse_pool import start_parse_pool

            try:
                self._pool = await asyncio.to_thread(start_parse_pool)
            except Exception:  # noqa: BLE001 - parsing in threads still works
                self._pool_failed = True
        return self._pool

    # -- full text --------------------------------------------------------------------

    def remember_setting(self, key: str, value: int | str) -> None:
        if self.demo:  # the demo's home is thrown away; the user's config is not its to change
            return
        self.app.run_worker(
            partial(save_setting, self.session.paths.config_file, key, value),
            thread=True,
            group="setting",
            exit_on_error=False,
        )

    def fetch_full_text(
        self, article_id: int, *, prepare: Callable[[], bool] | None = None
    ) -> None:
        """Fetch one article's web page into the cache (bookmark or ``e``).

        ``prepare`` is the store write that asked for it (the bookmark, the request): it
        runs first, in the writer thread, and returns whether a fetch is still wanted.
        """
        self.app.run_worker(
            self._snapshot(article_id, prepare),
            name=f"snapshot {article_id}",
            group="snapshot",
            exit_on_error=False,
        )

    async def _snapshot(self, article_id: int, prepare: Callable[[], bool] | None) -> None:
        store = self.session.store
        if prepare is not None:
            try:
                wanted = await self.write(prepare)
            except CACHE_ERRORS as exc:
                self._post(WriteFailed(exc, article_id))
                return
            if not wanted:
                self._post(SnapshotFinished(article_id, None))
                return
        if self.demo:  # bundled feeds only: say so on the article instead of "Saving…"
            await self.write(
                partial(store.snapshot_failed, article_id, "demo mode, nothing is fetched")
            )
            self._post(SnapshotFinished(article_id, None))
            return
        try:
            reason = await self._fetch_snapshot(article_id)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            reason = clean_text(exc, 160) or type(exc).__name__
        self._post(SnapshotFinished(article_id, reason))

    async def _fetch_snapshot(self, article_id: int) -> str | None:
        from .core.fulltext import fetch_snapshot
        from .core.http import client_for

        store = self.session.store
        job = await asyncio.to_thread(store.snapshot_job, article_id)
        if job is None:
            return "no web page to fetch"
        executor = await self._parse_pool()
        async with client_for(self.session.settings) as client:
            return await fetch_snapshot(client, store, job, executor=executor)

    # -- quitting ---------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop refreshes and fetches at once (every feed is its own transaction), and a
        sync after its current request (each page is its own transaction too)."""
        self._stop_sync.set()
        self.app.workers.cancel_group(self.app, "refresh")
        self.app.workers.cancel_group(self.app, "snapshot")

    def close(self) -> None:
        """Let the last user-state writes land (bounded wait), give a sync a moment to stop
        between two requests (it is a daemon thread: quitting does not wait on), then stop
        the parser."""
        if self._sync_thread is not None:
            self._sync_thread.join(timeout=SYNC_QUIT_SECONDS)
        try:
            self._writer.submit(lambda: None).result(timeout=WRITE_FLUSH_SECONDS)
        except (FutureTimeout, RuntimeError):
            pass  # a cache busy elsewhere for that long: quit anyway
        self._writer.shutdown(wait=False)
        pool, self._pool = self._pool, None
        if pool is not None:
            from .core.parse_pool import stop_parse_pool

            stop_parse_pool(pool)
