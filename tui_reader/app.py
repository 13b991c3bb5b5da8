"""The Textual app: theme, keymap, timers and the background work, wired to the main screen.

What the reader sees lives in :mod:`tui_reader.screens.main_screen`. The app runs the
network work as workers (a refresh, full-text fetches), sends their results to the main
screen as messages, and turns any worker failure into one line in the status bar.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.worker import Worker, WorkerState

from .core.config import save_theme
from .core.models import HeadlineFilter
from .core.session import Session
from .messages import RefreshFinished, RefreshProgressed, SnapshotFinished
from .screens.main_screen import MainScreen
from .text import one_line
from .widgets import HeadlineList, Timeline
from .widgets.article_view import ArticleView

Clock = Callable[[], float]
DEMO_STATUS = "demo mode: bundled feeds, nothing to fetch"


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
            self.notify(f"config.toml: unknown theme {one_line(settings.theme, 40)!r}",
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
        if self.refresh_on_start:
            self.call_after_refresh(self.start_refresh)
        elif self.demo:
            self.call_after_refresh(self.main.set_refresh_status, DEMO_STATUS)

    def _apply_keymap(self, keys: dict[str, str]) -> None:
        """config.toml's [keys] table: action name -> "key[,key]", matched to binding ids."""
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
        self.set_keymap({k: v for k, v in keymap.items() if k in known})

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
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def fetch_full_text(self, article_id: int) -> None:
        """Fetch one article's web page into the cache (bookmark or ``e``)."""
        if self.demo:  # bundled feeds only: say so on the article instead of "Saving…"
            self.session.store.snapshot_failed(article_id, "demo mode, nothing is fetched")
            self.main.post_message(SnapshotFinished(article_id, None))
            return
        self.run_worker(
            self._snapshot(article_id),
            name=f"snapshot {article_id}",
            group="snapshot",
            exit_on_error=False,
        )

    async def _snapshot(self, article_id: int) -> None:
        import asyncio

        from .core.fulltext import fetch_snapshot
        from .core.http import PoliteClient

        store, settings = self.session.store, self.session.settings
        job = await asyncio.to_thread(store.snapshot_job, article_id)
        if job is None:
            reason: str | None = "no web page to fetch"
        else:
            async with PoliteClient(
                concurrency=settings.concurrency,
                timeout=settings.timeout_seconds,
                max_bytes=settings.max_bytes,
            ) as client:
                reason = await fetch_snapshot(client, store, job)
        self.main.post_message(SnapshotFinished(article_id, reason))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported: one line, never a traceback."""
        if event.state != WorkerState.ERROR or not self.is_running:
            return
        worker: Worker[Any] = event.worker
        error = one_line(worker.error, 160) or type(worker.error).__name__
        if worker.group == "refresh":
            self.main.set_refresh_status(f"refresh failed: {error}", error=True)
        elif worker.group == "snapshot":
            self.notify(f"Full text failed: {error}", severity="warning", markup=False)
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
                shown = ", ".join(
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
