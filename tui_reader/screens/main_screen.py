"""The main screen: headlines, the open story and "Read next", all read from the store.

The screen owns what the reader is looking at (the filter, the open story) and turns keys
into store calls made through the app's services (:mod:`tui_reader.services`). Refreshes
and full-text fetches run there too; their results come back here as messages. What the
status line says is worked out in :mod:`tui_reader.status_text`; links, undo and the
story's flags have small helpers of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer

from ..core.demo_mode import DEMO_NOTHING_TO_FETCH
from ..core.http_url import is_http_url
from ..core.models import (
    Article,
    Headline,
    HeadlineFilter,
    SnapshotState,
    StoryFlags,
    snapshot_state,
)
from ..core.sanitize import clean_text
from ..guard import CACHE_ERRORS, report_cache_error, store_guard
from ..keymap import bindings_for
from ..messages import (
    RefreshFailed,
    RefreshFinished,
    RefreshProgressed,
    RefreshSkipped,
    RefreshStarted,
    SnapshotFinished,
    StoryChanged,
    WriteFailed,
)
from ..services import ReaderServices
from ..status_text import (
    Part,
    context_text,
    empty_text,
    finished_parts,
    joined,
    last_update_parts,
    progress_parts,
)
from ..text import count
from ..widgets import ArticleView, HeadlineList, StatusLine, Timeline
from ..widgets.article_view import EMPTY_HINT
from .bookmark_undo import BookmarkUndo
from .link_actions import LinkActions

NARROW_WIDTH = 100
"""Below this many columns the timeline hides until ``t`` asks for it."""
NO_STORY = "No story open"

R = TypeVar("R")


class MainScreen(Screen[None]):
    """Headline list, article pane and "Read next" timeline under a status line."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("main")

    def __init__(self, services: ReaderServices) -> None:
        super().__init__()
        self.services = services
        self.session = services.session
        self.store = services.session.store
        self.clock = services.clock
        self.demo = services.demo
        self.filter = HeadlineFilter()
        self.opened = False
        """Whether the story on show was opened (and marked read), not just previewed."""
        self._feed_title: str | None = None
        self.links = LinkActions(self, services.keymap)
        self.undo = BookmarkUndo(self)
        self._timeline_wide = True
        self._timeline_narrow = False
        self._shows = 0
        """Counts calls to show_article, so a slow load loses to a later one."""

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
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
        return self.article_view.article

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Container(id="panes"):
            yield HeadlineList(self.store, clock=self.clock, id="headlines")
            yield ArticleView(clock=self.clock, id="article")
            yield Timeline(self.store, clock=self.clock, id="timeline")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        keymap = self.services.keymap
        self.links.keymap = keymap  # the app applies [keys] before the first frame
        self.undo.undo_key = keymap.hint("undo")
        self.headlines.border_title = "Headlines"
        self.article_view.border_title = "Article"
        self.timeline.border_title = "Read next"
        self.headlines.empty_text = self._empty_text()
        self._apply_layout(self.app.size.width)
        self.update_context()
        self._show_last_update()
        self.headlines.focus()
        # The first story comes with the list's first Rested message, in a worker: the
        # first frame (the headlines) must not wait for its Markdown (0.3 s to load).

    @store_guard
    def _show_last_update(self) -> None:
        if self.status.refresh_text:
            return
        failing = self._failing_feeds()
        parts = last_update_parts(failing, self.store.last_refreshed(), self.clock())
        if parts:
            self._set_status_parts(parts, error=bool(failing))

    def _failing_feeds(self) -> int:
        """Feeds whose last fetch failed (kept in the cache across runs)."""
        return sum(1 for feed in self.store.feeds() if feed.last_error)

    def _empty_text(self) -> str:
        return empty_text(self.filter, self.demo, self.services.keymap.hint)

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

    def action_toggle_timeline(self) -> None:
        if self.query_one("#panes").has_class("-narrow"):
            self._timeline_narrow = not self._timeline_narrow
        else:
            self._timeline_wide = not self._timeline_wide
        self._apply_layout(self.app.size.width)

    # -- status line ------------------------------------------------------------------

    @store_guard
    def update_context(self) -> None:
        """The left half of the status line: where we are and how much is unread."""
        if self.filter == HeadlineFilter():
            unread = self.store.total_unread()
        else:
            unread = self.store.count(replace(self.filter, unread_only=True))
        self.status.set_context(context_text(self.filter.describe(self._feed_title), unread))

    def _set_status_parts(
        self, parts: list[Part], *, error: bool = False, busy: bool = False
    ) -> None:
        long, short = joined(parts)
        self.status.set_refresh(long, short=short, error=error, busy=busy)

    def cache_problem(self, exc: BaseException) -> None:
        """One line about a failed store call (never a traceback)."""
        report_cache_error(self, exc)

    # -- showing stories --------------------------------------------------------------

    @on(HeadlineList.Highlighted)
    def _highlighted(self, event: HeadlineList.Highlighted) -> None:
        if event.headline is None:
            self._show_nothing()

    @on(HeadlineList.Rested)
    def _rested(self, event: HeadlineList.Rested) -> None:
        """The cursor stopped on a story: show it without marking it read."""
        self._spawn(self.show_article(event.headline.id, mark_read=False))

    def _show_nothing(self) -> None:
        self.opened = False
        self.headlines.preview_cleared()
        self.article_view.article = None  # keys say "No story open" from now on
        hint = self._empty_text() if self.headlines.total == 0 else None
        self._spawn(self.article_view.show_empty(hint or EMPTY_HINT))
        self._spawn(self.timeline.show_for(None))

    @on(HeadlineList.Opened)
    async def _opened(self, event: HeadlineList.Opened) -> None:
        assert event.headline is not None
        await self.show_article(event.headline.id)

    @on(Timeline.Opened)
    async def _timeline_opened(self, event: Timeline.Opened) -> None:
        await self.show_article(event.headline.id, select=True)

    async def show_article(
        self, article_id: int, *, mark_read: bool = True, select: bool = False
    ) -> None:
        """Show a story; opening it (rather than previewing) marks it read."""
        self.headlines.preview_taken(article_id)
        self._shows += 1
        ticket = self._shows
        try:
            article = await self.load_article(article_id)
        except CACHE_ERRORS as exc:
            self.cache_problem(exc)
            return
        if ticket != self._shows:
            return  # another story was asked for while this one loaded
        if article is None:
            self.notify("That story is no longer in the cache.", severity="warning", markup=False)
            return
        if mark_read and not article.read:
            article = replace(article, read=True)
            self._show_flags(article, read=True)
            self._write(partial(self.store.set_read, [article_id], True), article_id,
                        then=lambda _: self.update_context())
        if mark_read or self.article is None or self.article.id != article_id:
            self.opened = mark_read
        if select:
            self.headlines.select_article(article_id)
        await self.article_view.show(article)
        self.headlines.preview_done(article_id)
        await self.timeline.show_for(article_id)

    async def load_article(self, article_id: int) -> Article | None:
        """A story from the cache with its Markdown, read and converted in a thread (the
        first conversion of a long story takes tens of milliseconds); a new conversion is
        kept in the cache by the writer thread."""
        store = self.store

        def load() -> tuple[Article | None, Article | None]:
            # Imported here: lxml and markdownify load in this thread, after the first
            # screen, not before it.
            from ..core.article_body import with_markdown

            stored = store.article(article_id)
            return stored, with_markdown(stored) if stored is not None else None

        stored, article = await asyncio.to_thread(load)
        if stored is not None and article is not None and article is not stored:
            self._write(partial(store.save_markdown, article_id, stored.body_html or "",
                                article.content_md or ""))
        return article

    async def _settle(self) -> bool:
        """Show the highlighted story now if its preview is still on its way.

        Every key that acts on "the story" (space, page keys, e, o, y, c, C, b, m) calls
        this first, so a quick ``j`` then ``b`` bookmarks the story under the cursor, not
        the one the pane showed a moment before. True if another story came on show.
        """
        target = self.headlines.pending_preview()
        if target is None or (self.article is not None and self.article.id == target):
            return False
        await self.show_article(target, mark_read=False)
        return self.article is not None and self.article.id == target

    async def _story(self) -> Article | None:
        """The story a key acts on: the one on show once any preview has landed."""
        await self._settle()
        if self.article is None:
            self.notify(NO_STORY, timeout=3, markup=False)
        return self.article

    # -- flags: on screen at once, in the cache from the writer thread ------------------

    def _show_flags(self, story: Article | Headline, **changes: Any) -> None:
        """Show a story's new read / bookmark / full-text flags wherever it is on screen."""
        self._broadcast(story.id, replace(StoryFlags.of(story), **changes))

    def _broadcast(self, article_id: int, flags: StoryFlags) -> None:
        message = partial(StoryChanged, article_id, flags)
        for widget in (self.headlines, self.timeline, self.article_view):
            widget.post_message(message())

    def _write(
        self,
        call: Callable[[], R],
        article_id: int | None = None,
        *,
        then: Callable[[R], None] | None = None,
    ) -> None:
        """Write the store in the writer thread; the screen already shows the result.

        If the write fails, say so in one line and show what the cache really has.
        """

        async def run() -> None:
            try:
                result = await self.services.write(call)
            except CACHE_ERRORS as exc:
                self.post_message(WriteFailed(exc, article_id))
                return
            if then is not None:
                then(result)

        self.run_worker(run(), group="store", exit_on_error=False)

    def on_write_failed(self, message: WriteFailed) -> None:
        """A store write failed: one line, and the story's real flags back on screen."""
        self.cache_problem(message.error)
        if message.article_id is not None:
            self._spawn(self._row_changed(message.article_id))
        self.update_context()

    async def _row_changed(self, article_id: int) -> None:
        """Show one story's flags as the cache has them, wherever it shows."""
        try:
            headline = await asyncio.to_thread(self.store.headline, article_id)
        except CACHE_ERRORS as exc:
            self.cache_problem(exc)
            return
        if headline is not None:
            self._broadcast(article_id, StoryFlags.of(headline))

    def _known(self, article_id: int) -> Article | Headline | None:
        """What the screen already has for a story (the open one, else a loaded row)."""
        if self.article is not None and self.article.id == article_id:
            return self.article
        return self.headlines.pager.find_cached(article_id)

    # -- reading keys -----------------------------------------------------------------

    async def action_next_unread(self) -> None:
        await self._step_unread(True)

    async def action_previous_unread(self) -> None:
        await self._step_unread(False)

    async def _step_unread(self, forward: bool) -> None:
        try:
            found = self.headlines.next_unread(forward)
        except CACHE_ERRORS as exc:
            self.cache_problem(exc)
            return
        if found is None:
            where = "below" if forward else "above"
            self.notify(f"No unread stories {where} this one.", timeout=3, markup=False)
            return
        await self.show_article(found.id)

    async def action_page_down(self, space: bool = False) -> None:  # type: ignore[override]
        changed = await self._settle()
        view = self.article_view
        if self.article is None:
            if not space:
                self.headlines.action_page_down()
            return
        if not self.opened:
            await self.show_article(self.article.id)
            if changed:  # it was not on screen yet: start reading at its top
                return
        elif space and view.at_end:
            await self._step_unread(True)
            return
        view.page(1)

    async def action_page_up(self) -> None:  # type: ignore[override]
        await self._settle()
        if self.article is None:
            self.headlines.action_page_up()
        else:
            self.article_view.page(-1)

    async def action_toggle_read(self) -> None:
        article = await self._story()
        if article is None:
            return
        read = not article.read
        self._show_flags(article, read=read)
        self._write(partial(self.store.set_read, [article.id], read), article.id,
                    then=lambda _: self.update_context())

    @store_guard
    def action_mark_all_read(self) -> None:
        unread = self.store.count(replace(self.filter, unread_only=True))
        if unread == 0:
            self.notify("Nothing unread here.", timeout=3, markup=False)
            return
        from .confirm import ConfirmDialog

        label = self.filter.describe(self._feed_title)
        question = f"Mark {count(unread)} stories in “{label}” as read?"
        self.app.push_screen(ConfirmDialog(question), self._mark_all_confirmed)

    def _mark_all_confirmed(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        self.headlines.mark_cached_read()
        filt = self.filter

        def done(changed: int) -> None:
            self.reload_stories()
            if self.article is not None:
                self._spawn(self._row_changed(self.article.id))
            self.notify(f"Marked {count(changed)} stories read.", timeout=3, markup=False)

        self._write(partial(self.store.mark_all_read, filt), then=done)

    # -- bookmarks and full text ------------------------------------------------------

    async def action_bookmark(self) -> None:
        article = await self._story()
        if article is None:
            return
        if article.bookmarked:
            self._show_flags(article, bookmarked=False)
            self.undo.arm(article.id, article.bookmarked_at)
            self._write(partial(self.store.set_bookmark, article.id, False), article.id)
        else:
            self._set_bookmark(article.id)

    def _set_bookmark(self, article_id: int, bookmarked_at: int | None = None) -> None:
        """Bookmark on screen now; in a thread, save it and fetch the page if needed."""
        known = self._known(article_id)
        if known is not None:
            fetch = bool(known.url) and snapshot_state(known.snapshot) != SnapshotState.OK
            snapshot = SnapshotState.PENDING.value if fetch else known.snapshot
            self._show_flags(known, bookmarked=True, snapshot=snapshot)
        store, now = self.store, int(self.clock())

        def save() -> bool:
            """Save the flag; True if the page still has to be fetched."""
            store.set_bookmark(article_id, True, now=now, bookmarked_at=bookmarked_at)
            article = store.article(article_id)
            return article is not None and bool(article.url) and (
                snapshot_state(article.snapshot) != SnapshotState.OK
            )

        self.services.fetch_full_text(article_id, prepare=save)

    def action_undo_bookmark(self) -> None:
        removed = self.undo.take()
        if removed is None:
            self.notify("Nothing to undo.", timeout=2, markup=False)
            return
        self._set_bookmark(removed.article_id, removed.bookmarked_at)
        self.notify("Bookmark restored.", timeout=3, markup=False)

    async def action_full_text(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not is_http_url(article.url):
            self.notify("This story has no web page to fetch.", severity="warning", markup=False)
            return
        if self.demo:
            self.notify(DEMO_NOTHING_TO_FETCH, timeout=4, markup=False)
            return
        self._show_flags(article, snapshot=SnapshotState.PENDING.value)
        store, article_id = self.store, article.id

        def request() -> bool:
            store.request_snapshot(article_id)
            return True

        self.services.fetch_full_text(article_id, prepare=request)

    # -- links ------------------------------------------------------------------------

    @on(ArticleView.LinkRequested)
    def _link_requested(self, event: ArticleView.LinkRequested) -> None:
        self.links.open(event.href)

    async def _link_of(self, comments: bool, missing: str) -> str | None:
        """The open story's link (or comments link), or None and say why not."""
        article = await self._story()
        if article is None:
            return None
        url = article.comments_url if comments else article.url
        if not url:
            self.notify(missing, timeout=3, markup=False)
        return url

    async def action_open_link(self) -> None:
        url = await self._link_of(False, "This story has no link.")
        if url:
            self.links.open(url)

    async def action_open_comments(self) -> None:
        url = await self._link_of(True, "This story has no comments link.")
        if url:
            self.links.open(url, copy_action="copy_comments", what="the comments link")

    async def action_copy_link(self) -> None:
        url = await self._link_of(False, "This story has no link to copy.")
        if url:
            self.links.copy(url, "Link")

    async def action_copy_comments(self) -> None:
        url = await self._link_of(True, "This story has no comments link.")
        if url:
            self.links.copy(url, "Comments link")

    # -- filters ----------------------------------------------------------------------

    @store_guard
    def set_filter(self, filt: HeadlineFilter, *, keep: Headline | None = None) -> None:
        """Show another set of headlines from the top (or at *keep*, when it is there)."""
        self.filter = filt
        feed = self.store.feed(filt.feed_id) if filt.feed_id is not None else None
        self._feed_title = feed.display_title if feed is not None else None
        self.headlines.empty_text = self._empty_text()
        self.headlines.set_filter(filt, keep=keep)
        self.update_context()

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
        self._set_status_parts([("Checking feeds…", "Checking feeds…")], busy=True)

    def on_refresh_skipped(self, message: RefreshSkipped) -> None:
        self.status.set_refresh(message.text)

    def on_refresh_failed(self, message: RefreshFailed) -> None:
        self.status.set_refresh(f"refresh failed: {message.error}", error=True)

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self._set_status_parts(progress_parts(message.progress), busy=True)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        report = message.report
        failing = 0
        if not report.offline and not report.failed:
            try:
                failing = self._failing_feeds()  # not due this time, but still broken
            except CACHE_ERRORS:
                failing = 0
        parts, error = finished_parts(report, failing, self.clock())
        self._set_status_parts(parts, error=error)
        self.reload_stories()

    @store_guard
    def reload_stories(self) -> None:
        """Stories were added or changed behind our back: read everything again in place."""
        self.headlines.reload()
        self.update_context()
        if self.article is None:
            highlighted = self.headlines.highlighted
            if highlighted is not None:
                self._spawn(self.show_article(highlighted.id, mark_read=False))
        else:
            # The refresh may have saved (or failed to save) this story's full text.
            self._spawn(self._show_fresh(self.article.id))
        self._spawn(self.timeline.reload())

    async def _show_fresh(self, article_id: int) -> None:
        """Show the cache's copy of the open story if it changed (its full text came)."""
        try:
            fresh = await self.load_article(article_id)
        except CACHE_ERRORS as exc:
            self.cache_problem(exc)
            return
        if fresh is not None and fresh != self.article:
            await self.article_view.show_update(fresh)

    def on_snapshot_finished(self, message: SnapshotFinished) -> None:
        self._spawn(self._row_changed(message.article_id))
        article = self.article
        if article is not None and article.id == message.article_id:
            self._spawn(self._show_fresh(article.id))
        if message.reason:
            self.notify(f"Full text unavailable: {clean_text(message.reason, 120)}",
                        severity="warning", timeout=5, markup=False)
