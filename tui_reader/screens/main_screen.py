"""The main screen: headlines, the open story and "Read next", all read from the store.

The screen owns the layout and what the reader is looking at (the filter), and turns
keys into calls on its helpers: :class:`StoryPanes` keeps the article pane and timeline
on the story the list points at, :class:`StoryEditor` changes stories (read, bookmarks,
full text), :class:`LinkActions` opens and copies links, :class:`StatusUpdates` writes the
status line. Background work is the app's (:mod:`tui_reader.services`); its results come
back here as messages.
"""

from __future__ import annotations

import gc
from collections.abc import Coroutine
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, ClassVar, Self

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container
from textual.events import Resize
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

from ..actions import bindings_for
from ..core.config import LIST_WIDTHS
from ..core.models import Article, Headline, HeadlineFilter
from ..core.sanitize import clean_text
from ..guard import CACHE_ERRORS, report_cache_error, store_guard
from ..links import terminal_hyperlinks
from ..messages import (
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
from ..services import ReaderServices
from ..status_text import empty_text
from ..widgets import ArticleView, HeadlineList, KeyBar, StatusLine, Timeline
from ..widgets.measured import measured_size
from .link_actions import LinkActions
from .status_updates import StatusUpdates
from .story_editor import StoryEditor
from .story_panes import StoryPanes

NARROW_WIDTH = 100
HOLD_FIRST_FRAMES = 1.0
"""Seconds start-up may hold the screen while it fills in (see _hold_first_frames)."""
"""Below this many columns the timeline hides until ``t`` asks for it."""
LIST_STEP = 5
"""Percent of the width one press of < or > moves the list's edge."""


class MainScreen(Screen[None]):
    """Headline list, article pane and "Read next" timeline under a status line."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("main")

    _laid_out_on_resume = False
    _first_frames: AbstractContextManager[None] | None = None
    virtual_size = measured_size()
    """The layout sets it; Textual's own asked for a second layout, drawing the whole
    screen again at start-up."""

    def __init__(self, services: ReaderServices) -> None:
        super().__init__()
        self.services = services
        self.store = services.session.store
        self.clock = services.clock
        self.filter = HeadlineFilter()
        self._feed_title: str | None = None
        self.links = LinkActions(self, services.keymap,
                                 browser=services.session.settings.browser)
        self.editor = StoryEditor(self, services)
        self.panes = StoryPanes(self)
        self.status_updates = StatusUpdates(lambda: self.status, self.store, self.clock,
                                            self.hint)
        self._timeline_wide = True
        self._timeline_narrow = False
        self.list_width = services.session.settings.list_width
        """The list's share of the width in percent; 0 leaves it to the stylesheet."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """An action [keys] left with no key leaves the footer."""
        return action not in self.services.keymap.hidden("main")

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run UI work (Markdown mounting) without blocking a key handler."""
        self.run_worker(work, group="show", exit_on_error=False)

    # -- parts ------------------------------------------------------------------------

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def article(self) -> Article | None:
        """The story on show."""
        return self.article_view.article

    def story_widgets(self) -> list[Widget]:
        """Every widget that may show a story (each handles StoryChanged)."""
        return [self.headlines, self.timeline, self.article_view]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Container(id="panes"):
            yield HeadlineList(self.store, clock=self.clock, id="headlines")
            links = terminal_hyperlinks(self.services.session.settings.low_bandwidth)
            yield ArticleView(clock=self.clock, hint=self.hint, links=links, id="article")
            yield Timeline(self.store, clock=self.clock, id="timeline")
        yield KeyBar(compact=True, show_command_palette=False)

    def on_screen_resume(self) -> None:
        """Runs before Textual's own resume handler, which lays a resized screen out (and
        so draws it whole) and then asks for the whole screen to be drawn once more: at
        start-up that second drawing was 14 KB over SSH for nothing."""
        self._laid_out_on_resume = self.is_attached and self.outer_size != self.app.size
        self.call_later(setattr, self, "_laid_out_on_resume", False)  # for this resume only

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._laid_out_on_resume and not (regions or layout or recompose):
            self._laid_out_on_resume = False  # the resume's layout has drawn it all
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_mount(self) -> None:
        keymap = self.services.keymap
        self.links.keymap = keymap  # the app applies [keys] before the first frame
        self.editor.undo.undo_key = keymap.hint("undo")
        self.headlines.border_title = "Headlines"
        self.article_view.border_title = "Article"
        self.timeline.border_title = "Read next"
        self.headlines.empty_text = self.empty_text()
        self._apply_layout(self.app.size.width)
        self.update_context()
        try:
            self.status_updates.last_update()
        except CACHE_ERRORS as exc:
            self.cache_problem(exc)
        self.headlines.focus()
        # The first story comes with the list's first Rested message, in a worker: the
        # first frame (the headlines) must not wait for its Markdown (0.3 s to load).
        self._hold_first_frames()

    def _hold_first_frames(self) -> None:
        """Draw the screen once it has settled, not as each part arrives.

        Start-up drew the whole screen, then the list, the panes, the status line and the
        key bar again as each filled in: 50 KB over SSH before the first story. The
        screen is held (Textual's batch) until the first story is on it, or for at most
        HOLD_FIRST_FRAMES seconds, then drawn once. Not in tests (headless): nothing is
        drawn there, and layouts must not wait.
        """
        if self.app.is_headless:
            return
        hold = self.app.batch_update()
        hold.__enter__()
        self._first_frames = hold
        self.set_timer(HOLD_FIRST_FRAMES, self.release_first_frames)

    def release_first_frames(self) -> None:
        """The screen may be drawn (called again, it does nothing).

        What start-up made stays for the session, so it is moved out of the garbage
        collector's sight (``gc.freeze``): full collections of it took 56-87 ms, the
        longest stalls while keys were pressed during a sync (bench/bench_sync.py
        --tui); with it they take 6-35 ms.
        """
        hold, self._first_frames = self._first_frames, None
        if hold is not None:
            hold.__exit__(None, None, None)
            gc.freeze()  # not in tests (headless): a test run would keep every app

    def hint(self, action_id: str) -> str:
        """The key in force for an action, for hints on screen."""
        return self.services.keymap.hint(action_id)

    def empty_text(self) -> str:
        return empty_text(self.filter, self.services.demo, self.services.keymap.hint)

    def cache_problem(self, exc: BaseException) -> None:
        """One line about a failed store call (never a traceback)."""
        report_cache_error(self, exc)

    @store_guard
    def update_context(self) -> None:
        """The left half of the status line: where we are and how much is unread."""
        self.status_updates.context(self.filter, self.filter.describe(self._feed_title))

    # -- layout -----------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        narrow = width < NARROW_WIDTH
        show = self._timeline_narrow if narrow else self._timeline_wide
        panes = self.query_one("#panes")
        panes.set_class(narrow, "-narrow")
        panes.set_class(show, "-with-timeline")
        timeline = self.timeline
        if not show and timeline.has_focus:
            self.headlines.focus()
        timeline.display = show
        if self.list_width:
            rest = "3fr 2fr" if show and not narrow else "1fr"
            panes.styles.grid_columns = f"{self.list_width}% {rest}"
        else:
            panes.styles.clear_rule("grid_columns")

    def action_wider_list(self) -> None:
        self._widen(+LIST_STEP)

    def action_narrower_list(self) -> None:
        self._widen(-LIST_STEP)

    def _widen(self, step: int) -> None:
        """Change the list's share by *step* percent (from what it has now, the first time),
        and remember it in config.toml."""
        low, high = LIST_WIDTHS
        now = self.list_width or round(
            self.headlines.outer_size.width * 100 / max(self.app.size.width, 1) / LIST_STEP
        ) * LIST_STEP
        width = max(low, min(high, now + step))
        if width == self.list_width:
            self.notify(f"The headline list is as {'wide' if step > 0 else 'narrow'} as it "
                        "gets.", timeout=2, markup=False)
            return
        self.list_width = width
        self._apply_layout(self.app.size.width)
        self.services.remember_setting("list_width", width)

    def action_toggle_timeline(self) -> None:
        if self.query_one("#panes").has_class("-narrow"):
            self._timeline_narrow = not self._timeline_narrow
        else:
            self._timeline_wide = not self._timeline_wide
        self._apply_layout(self.app.size.width)

    # -- showing stories (see story_panes.py) -----------------------------------------

    @on(HeadlineList.Highlighted)
    def _highlighted(self, event: HeadlineList.Highlighted) -> None:
        if event.headline is None:
            self.panes.show_nothing()

    @on(HeadlineList.Rested)
    def _rested(self, event: HeadlineList.Rested) -> None:
        """The cursor stopped on a story: show it without marking it read (on a slow
        link, only when the pane shows nothing: each preview redraws two panes)."""
        if self.services.session.settings.low_bandwidth and self.article is not None:
            return
        self.spawn(self.panes.preview(event.headline.id))

    @on(HeadlineList.Opened)
    async def _opened(self, event: HeadlineList.Opened) -> None:
        await self.panes.show(event.headline.id)

    @on(Timeline.Opened)
    async def _timeline_opened(self, event: Timeline.Opened) -> None:
        await self.panes.show(event.headline.id, select=True)

    async def action_next_unread(self) -> None:
        await self.panes.step_unread(True)

    async def action_previous_unread(self) -> None:
        await self.panes.step_unread(False)

    async def action_page_down(self, space: bool = False) -> None:  # type: ignore[override]
        await self.panes.page_down(space)

    async def action_page_up(self) -> None:  # type: ignore[override]
        await self.panes.page_up()

    # -- changing stories (see story_editor.py) and their links -----------------------

    async def action_toggle_read(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.editor.set_read(article, not article.read)

    @store_guard
    def action_mark_all_read(self) -> None:
        self.editor.ask_mark_all_read(self.filter, self.filter.describe(self._feed_title))

    async def action_bookmark(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.editor.toggle_bookmark(article)

    def action_undo_bookmark(self) -> None:
        self.editor.undo_unbookmark()

    async def action_full_text(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.editor.fetch_full_text(article)

    @on(ArticleView.LinkRequested)
    def _link_requested(self, event: ArticleView.LinkRequested) -> None:
        self.links.open(event.href, copy_without_browser=True)

    async def action_open_link(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.links.open_story(article)

    async def action_open_comments(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.links.open_story(article, comments=True)

    async def action_copy_link(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.links.copy_story(article)

    async def action_copy_comments(self) -> None:
        if (article := await self.panes.story()) is not None:
            self.links.copy_story(article, comments=True)

    # -- filters ----------------------------------------------------------------------

    @store_guard
    def set_filter(self, filt: HeadlineFilter, *, keep: Headline | None = None) -> None:
        """Show another set of headlines from the top (or at *keep*, when it is there)."""
        self.filter = filt
        feed = self.store.feed(filt.feed_id) if filt.feed_id is not None else None
        self._feed_title = feed.display_title if feed is not None else None
        self.headlines.empty_text = self.empty_text()
        self.headlines.set_filter(filt, keep=keep)
        self.update_context()
        # The list just changed under the reader: j walks it, wherever focus was (left in
        # Read next, j moved that column instead).
        self.headlines.focus()

    def action_unread_only(self) -> None:
        self.set_filter(replace(self.filter, unread_only=not self.filter.unread_only))

    def action_bookmarks(self) -> None:
        self.set_filter(replace(self.filter, bookmarked=not self.filter.bookmarked))

    def action_filter(self) -> None:
        from .filter_picker import FilterPicker

        def chosen(result: HeadlineFilter | None) -> None:
            if result is not None:
                self.set_filter(result)

        self.app.push_screen(FilterPicker(self.store, self.filter), chosen)

    def action_search(self) -> None:
        from .search_dialog import SearchDialog

        def searched(text: str | None) -> None:
            if text is not None:
                self.set_filter(replace(self.filter, query=text.strip() or None))

        self.app.push_screen(SearchDialog(self.filter.query or ""), searched)

    def _clear_one_filter(self) -> bool:
        """Drop the search, else the whole filter; False when there was nothing to drop.
        The highlighted story stays highlighted in the wider list."""
        keep = self.headlines.highlighted
        if self.filter.query:
            self.set_filter(replace(self.filter, query=None), keep=keep)
        elif self.filter != HeadlineFilter():
            self.set_filter(HeadlineFilter(), keep=keep)
        else:
            return False
        return True

    def action_clear_filter(self) -> None:
        self._clear_one_filter()

    async def action_back(self) -> None:
        if not self._clear_one_filter():
            await self.app.run_action("quit")

    # -- background results -----------------------------------------------------------

    def on_refresh_started(self, _message: RefreshStarted) -> None:
        self.status_updates.started()

    def on_refresh_skipped(self, message: RefreshSkipped) -> None:
        self.status_updates.said(message.text)

    def on_refresh_failed(self, message: RefreshFailed) -> None:
        self.status_updates.said(f"refresh failed: {message.error}", error=True)

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self.status_updates.progressed(message.progress)

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self.status_updates.syncing(message.text)

    def on_sync_finished(self, message: SyncFinished) -> None:
        self.status_updates.synced(message.new, message.error)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.status_updates.finished(message.report)
        self.reload_stories()

    @store_guard
    def feeds_changed(self) -> None:
        """The feeds screen added, removed or fetched feeds: stories and the status line
        again (it said "no feed could be reached" above the stories just fetched)."""
        self.reload_stories()
        if not self.services.demo:  # the demo's line says its feeds are never fetched
            self.status_updates.last_update(again=True)

    @store_guard
    def reload_stories(self) -> None:
        """Stories were added or changed behind our back: read everything again in place."""
        self.panes.reload()
        self.update_context()

    def on_snapshot_finished(self, message: SnapshotFinished) -> None:
        self.spawn(self.editor.show_cached(message.article_id))
        article = self.article
        if article is not None and article.id == message.article_id:
            self.spawn(self.panes.show_fresh())
        if message.reason:
            self.notify(f"Full text unavailable: {clean_text(message.reason, 120)}",
                        severity="warning", timeout=5, markup=False)

    def on_write_failed(self, message: WriteFailed) -> None:
        """A store write failed: one line, and the story's real flags back on screen."""
        self.cache_problem(message.error)
        if message.article_id is not None:
            self.spawn(self.editor.show_cached(message.article_id, report=False))
        self.update_context()
