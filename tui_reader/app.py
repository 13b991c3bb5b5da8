"""The Textual app: theme, keymap, timers and the background work, wired to the main screen.

What the reader sees lives in :mod:`tui_reader.screens.main_screen`. The app runs the
network work as workers (a refresh, full-text fetches), sends their results to the main
screen as messages, and turns any worker failure into one line in the status bar.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from typing import Any, TypeVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.notifications import Notification, Notify, SeverityLevel
from textual.worker import Worker, WorkerState

from .core.config import save_theme
from .core.models import HeadlineFilter
from .core.sanitize import clean_text
from .core.session import Session
from .messages import RefreshFinished, RefreshProgressed, SnapshotFinished
from .screens.guard import CACHE_ERRORS
from .screens.main_screen import MainScreen
from .widgets import HeadlineList, Timeline
from .widgets.article_view import ArticleView

Clock = Callable[[], float]
T = TypeVar("T")
DEMO_STATUS = "demo mode: bundled feeds, nothing to fetch"
DEMO_NOTHING_TO_FETCH = "Demo mode: the feeds are bundled, nothing to fetch"
UNBOUND = ","
"""A keymap value that leaves a binding with no key (it lost its only key to [keys])."""
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


def _load_background_modules() -> None:
    for name in BACKGROUND_MODULES:
        importlib.import_module(name)
    from textual.highlight import highlight

    from .core.http import tls_context

    tls_context(True)  # loading the CA bundle takes ~40 ms (the key the client uses)
    highlight("x = 1", language="python")  # Pygments' lexer tables


def _commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    from .commands import TuiReaderCommands

    return TuiReaderCommands


class TuiReaderApp(App[None]):
    """A keyboard-driven news reader over the local cache."""

    TITLE = "tui-reader"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS: list[BindingType] = [
        Binding("r", "refresh", "refresh", id="refresh"),
        Binding("F", "feeds", "feeds", show=False, id="feeds"),
        Binding("question_mark", "help", "help", key_display="?", id="help"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        demo: bool = False,
        clock: Clock = time.time,
        refresh_on_start: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        self.demo = demo
        self.clock = clock
        self.refresh_on_start = refresh_on_start
        self._saved_theme = session.settings.theme
        self._pool: ProcessPoolExecutor | None = None
        self._pool_failed = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tui-reader-store")
        """One thread for the reader's own writes (read flags, bookmarks): off the event
        loop, and in the order the keys were pressed."""
        self.clipboard_explained = False
        """Whether this session already said how OSC 52 copying works."""
        self.main: MainScreen

    def get_default_screen(self) -> MainScreen:
        """The main screen is the bottom of the stack: q there quits."""
        self.main = MainScreen(self.session, clock=self.clock, demo=self.demo)
        return self.main

    # -- start-up ---------------------------------------------------------------------

    def on_mount(self) -> None:
        settings = self.session.settings
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        else:
            self.notify(f"config.toml: unknown theme {clean_text(settings.theme, 40)!r}",
                        severity="warning", markup=False)
        self._apply_keymap(settings.keys)
        if self.session.first_run:
            self.notify(
                f"Created {self.session.paths.feeds_file} with a few starter feeds. "
                "F manages them.",
                title="Welcome to tui-reader",
                timeout=12,
                markup=False,
            )
        if not self.demo:
            self.set_interval(settings.refresh_minutes * 60, self._timed_refresh)
        self.run_worker(_load_background_modules, thread=True, group="imports",
                        exit_on_error=False)
        if self.refresh_on_start:
            self.call_after_refresh(self.start_refresh)
        elif self.demo:
            self.call_after_refresh(self.main.set_refresh_status, DEMO_STATUS)

    def _apply_keymap(self, keys: dict[str, str]) -> None:
        """config.toml's [keys] table: action name -> "key[,key]", matched to binding ids.

        A key given in [keys] wins: if another action on the same screen had it, that
        action loses the key (keeping its others), and one notification says so.
        """
        known = self.binding_ids()
        keymap = {action.replace("-", "_"): value for action, value in keys.items()}
        unknown = sorted(set(keymap) - known)
        if unknown:
            self.notify(
                f"config.toml [keys]: unknown action(s) {', '.join(unknown)}",
                severity="warning",
                timeout=10,
                markup=False,
            )
        wanted = self._normalize_keymap({k: v for k, v in keymap.items() if k in known})
        resolved, clashes = resolve_key_clashes(wanted, self.binding_contexts())
        if clashes:
            lines = []
            for key, winner, loser in clashes:
                shown = self.get_key_display(Binding(key, ""))
                line = f"key {shown} is bound to both {winner} and {loser}; {winner} wins"
                if resolved.get(loser) == UNBOUND:
                    line += f" ({loser} has no key now)"
                lines.append(line)
            self.notify(
                "config.toml [keys]: " + "; ".join(lines),
                severity="warning",
                timeout=15,
                markup=False,
            )
        self.set_keymap(resolved)

    @classmethod
    def binding_contexts(cls) -> list[list[type[DOMNode]]]:
        """The binding owners that are active together (the focused region, its screen
        and the app), each list one place the reader can be."""
        from .screens.feeds_screen import FeedsScreen

        return [
            [HeadlineList, MainScreen, cls],
            [ArticleView, MainScreen, cls],
            [Timeline, MainScreen, cls],
            [FeedsScreen, cls],
        ]

    @classmethod
    def binding_ids(cls) -> set[str]:
        """Every remappable action name."""
        from .screens.feeds_screen import FeedsScreen

        found: set[str] = set()
        for owner in (cls, MainScreen, HeadlineList, Timeline, ArticleView, FeedsScreen):
            for binding in owner.BINDINGS:
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
        return found

    def watch_theme(self, theme: str) -> None:
        """Remember a theme the user picked (in a thread: the event loop does no file I/O)."""
        if theme == self._saved_theme or self.demo:
            return
        self._saved_theme = theme
        self.run_worker(
            partial(save_theme, self.session.paths.config_file, theme),
            thread=True,
            group="theme",
            exit_on_error=False,
        )

    # -- refreshing -------------------------------------------------------------------

    def start_refresh(self, force: bool = False) -> None:
        """Refresh due feeds (all with ``force``) in the background."""
        if self.demo:
            self.main.set_refresh_status(DEMO_STATUS)
            return
        running = any(
            w.group == "refresh" and w.is_running for w in self.workers
        )
        if running and not force:
            return
        self.main.set_refresh_status("Checking feeds…", busy=True)
        self.run_worker(
            self._refresh(force),
            name="refresh",
            group="refresh",
            exclusive=True,
            exit_on_error=False,
        )

    def _timed_refresh(self) -> None:
        self.start_refresh()

    async def _refresh(self, force: bool) -> None:
        await asyncio.to_thread(_load_background_modules)  # no-op once they are loaded
        from .core.refresh import RefreshService

        main = self.main
        service = RefreshService(
            self.session.store,
            self.session.settings,
            feeds_file=self.session.paths.feeds_file,
            parse_executor=await self._parse_pool(),
        )
        report = await service.refresh(
            force=force,
            progress=lambda progress: main.post_message(RefreshProgressed(progress)),
            now=int(self.clock()),  # one clock for due times, dates and the status line
        )
        main.post_message(RefreshFinished(report))

    async def _parse_pool(self) -> ProcessPoolExecutor | None:
        """The parsing process (see core.parse_pool); None, so threads, if it cannot start."""
        if self._pool is None and not self._pool_failed:
            from .core.parse_pool import start_parse_pool

            try:
                self._pool = await asyncio.to_thread(start_parse_pool)
            except Exception:  # noqa: BLE001 - parsing in threads still works
                self._pool_failed = True
        return self._pool

    def on_unmount(self) -> None:
        self._flush_writes()
        self._stop_parse_pool()

    def _flush_writes(self) -> None:
        """Let the last user-state writes land before the cache closes (bounded wait)."""
        try:
            self._writer.submit(lambda: None).result(timeout=WRITE_FLUSH_SECONDS)
        except (FutureTimeout, RuntimeError):
            pass  # a cache busy elsewhere for that long: quit anyway
        self._writer.shutdown(wait=False)

    def _stop_parse_pool(self) -> None:
        """Shut the parsing process down without waiting; a busy one is terminated, or the
        interpreter would wait for it at exit (a big feed can take seconds to parse)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()

    # -- the reader's own writes ------------------------------------------------------

    async def write(self, call: Callable[[], T]) -> T:
        """Run one store write in the writer thread, after any earlier ones.

        Cancelling the caller (quitting) does not cancel the write: quitting waits for it.
        """
        future = asyncio.wrap_future(self._writer.submit(call))
        return await asyncio.shield(future)

    # -- full text --------------------------------------------------------------------

    def fetch_full_text(
        self, article_id: int, *, prepare: Callable[[], bool] | None = None
    ) -> None:
        """Fetch one article's web page into the cache (bookmark or ``e``).

        ``prepare`` is the store write that asked for it (the bookmark, the request): it
        runs first, in the writer thread, and returns whether a fetch is still wanted.
        """
        self.run_worker(
            self._snapshot(article_id, prepare),
            name=f"snapshot {article_id}",
            group="snapshot",
            exit_on_error=False,
        )

    async def _snapshot(self, article_id: int, prepare: Callable[[], bool] | None) -> None:
        from .core.fulltext import fetch_snapshot
        from .core.http import client_for

        store = self.session.store
        if prepare is not None:
            try:
                wanted = await self.write(prepare)
            except CACHE_ERRORS as exc:
                self.main.write_failed(exc, article_id)
                return
            if not wanted:
                self.main.post_message(SnapshotFinished(article_id, None))
                return
        if self.demo:  # bundled feeds only: say so on the article instead of "Saving…"
            await self.write(
                partial(store.snapshot_failed, article_id, "demo mode, nothing is fetched")
            )
            self.main.post_message(SnapshotFinished(article_id, None))
            return
        job = await asyncio.to_thread(store.snapshot_job, article_id)
        if job is None:
            reason: str | None = "no web page to fetch"
        else:
            executor = await self._parse_pool()
            async with client_for(self.session.settings) as client:
                reason = await fetch_snapshot(client, store, job, executor=executor)
        self.main.post_message(SnapshotFinished(article_id, reason))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported: one line, never a traceback."""
        if event.state != WorkerState.ERROR or not self.is_running:
            return
        worker: Worker[Any] = event.worker
        error = clean_text(worker.error, 160) or type(worker.error).__name__
        if worker.group == "refresh":
            self.main.set_refresh_status(f"refresh failed: {error}", error=True)
        elif worker.group == "snapshot":
            self.notify(f"Full text failed: {error}", severity="warning", markup=False)
        elif worker.group == "browser":
            self.notify(f"Could not open the browser: {error}", severity="warning",
                        markup=False)
        elif worker.group == "theme":
            self.notify(f"Could not save the theme: {error}", severity="warning", markup=False)
        else:
            self.notify(error, severity="error", markup=False)

    async def action_quit(self) -> None:
        """Quit at once, even mid-refresh: every feed is its own transaction."""
        self.workers.cancel_group(self, "refresh")
        self.workers.cancel_group(self, "snapshot")
        self.exit()

    # -- actions shared with the command palette --------------------------------------

    def action_refresh(self) -> None:
        if self.demo:
            self.notify(DEMO_NOTHING_TO_FETCH, timeout=4, markup=False)
        self.start_refresh(force=True)

    def action_feeds(self) -> None:
        from .screens.feeds_screen import FeedsScreen

        if isinstance(self.screen, FeedsScreen):
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.main.reload_stories()

        self.push_screen(FeedsScreen(self.session, clock=self.clock), closed)

    def action_help(self) -> None:
        from .screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_keys() if self.session.settings.keys else None))

    def help_keys(self) -> list[tuple[str, str]]:
        """(key, description) for every binding, after the user's keymap."""
        keymap = self._keymap
        rows: list[tuple[str, str]] = []
        for owner in (HeadlineList, MainScreen, ArticleView, type(self)):
            for binding in owner.BINDINGS:
                if not isinstance(binding, Binding) or not binding.id:
                    continue
                keys = keymap.get(binding.id, binding.key)
                shown = "—" if keys == UNBOUND else ", ".join(
                    self.get_key_display(binding.with_key(key)) for key in keys.split(",")
                )
                rows.append((shown, binding.description))
        return rows

    def action_toggle_unread(self) -> None:
        self.main.action_unread_only()

    def action_toggle_bookmarks(self) -> None:
        self.main.action_bookmarks()

    def action_toggle_timeline(self) -> None:
        self.main.action_toggle_timeline()

    def action_search(self) -> None:
        self.main.action_search()

    def action_show_feed(self, feed_id: int) -> None:
        self.main.set_filter(HeadlineFilter(feed_id=int(feed_id)))

    def show_tag(self, tag: str) -> None:
        self.main.set_filter(HeadlineFilter(tag=tag))

    # -- small services for the screens -----------------------------------------------

    def key_for(self, binding_id: str, default: str) -> str:
        """How to type an action after the user's keymap ("y", "C"), for hints."""
        keys = self._keymap.get(binding_id, default)
        if keys == UNBOUND:
            return default
        first = keys.split(",")[0].strip()
        return self.get_key_display(Binding(first, ""))

    def notify_handle(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> Notification:
        """:meth:`notify` (never markup) that hands back the toast, for :meth:`unnotify`."""
        notification = Notification(
            message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout,
            markup=False,
        )
        self.post_message(Notify(notification))
        return notification

    def unnotify(self, notification: Notification) -> None:
        """Take a toast away early (it said something that is no longer true)."""
        if notification in self._notifications:
            self._unnotify(notification)


def resolve_key_clashes(
    keymap: dict[str, str], contexts: Sequence[Sequence[type[DOMNode]]]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Give each key in *keymap* to its [keys] action alone, wherever they are active together.

    Returns the keymap to apply (the losers' remaining keys added, or :data:`UNBOUND`) and
    the clashes as (key, winner, loser). Between two [keys] entries, the earlier one wins.
    """
    resolved = dict(keymap)
    order = {binding_id: n for n, binding_id in enumerate(keymap)}
    clashes: list[tuple[str, str, str]] = []

    def keys_of(binding: Binding) -> list[str]:
        assert binding.id is not None
        value = resolved.get(binding.id, binding.key)
        return [] if value == UNBOUND else [k.strip() for k in value.split(",") if k.strip()]

    for mine in keymap:
        for context in contexts:
            bindings = [
                b for owner in context for b in owner.BINDINGS
                if isinstance(b, Binding) and b.id is not None
            ]
            if not any(b.id == mine for b in bindings):
                continue
            for key in keymap[mine].split(","):
                key = key.strip()
                for other in bindings:
                    if other.id == mine or key not in keys_of(other):
                        continue
                    if mine not in resolved or key not in resolved[mine].split(","):
                        break  # an earlier clash already took this key from us
                    assert other.id is not None
                    winner, loser = mine, other.id
                    if other.id in keymap and order[other.id] < order[mine]:
                        winner, loser = other.id, mine
                    lost = next(b for b in bindings if b.id == loser)
                    left = [k for k in keys_of(lost) if k != key]
                    resolved[loser] = ",".join(left) if left else UNBOUND
                    if (key, winner, loser) not in clashes:
                        clashes.append((key, winner, loser))
    return resolved, clashes
