"""The main screen: headlines, the open story and "Read next", all read from the store.

The screen owns what the reader is looking at (the filter, the open story, the undo
slot for a removed bookmark) and turns keys into store calls. Network work (refreshes,
full-text fetches) belongs to the app; its results come back here as messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from dataclasses import replace
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from ..core.errors import UserError
from ..core.http_url import is_http_url
from ..core.models import Article, Headline, HeadlineFilter
from ..core.session import Session
from ..messages import RefreshFinished, RefreshProgressed, SnapshotFinished
from ..text import clock_time, count, one_line, short_date
from ..widgets import ArticleView, HeadlineList, StatusLine, Timeline
from ..widgets.article_view import EMPTY_HINT

if TYPE_CHECKING:
    from ..app import TuiReaderApp

NARROW_WIDTH = 100
"""Below this many columns the timeline hides until ``t`` asks for it."""
PREVIEW_DELAY = 0.08
"""Moving through the list shows the story after this pause, so held keys stay smooth."""
UNDO_SECONDS = 10.0

P = ParamSpec("P")
R = TypeVar("R")


def store_guard(method: Callable[P, R]) -> Callable[P, R | None]:
    """Turn a failing store call in a key handler into one notification, never a crash."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return method(*args, **kwargs)
        except (UserError, sqlite3.Error, OSError) as exc:
            screen = args[0]
            assert isinstance(screen, MainScreen)
            screen.notify(one_line(exc, 200), title="Cache problem", severity="error", markup=False)
            return None

    return wrapper


class MainScreen(Screen[None]):
    """Headline list, article pane and "Read next" timeline under a status line."""

    BINDINGS: list[BindingType] = [
        Binding("n", "next_unread", "next", id="next_unread"),
        Binding("N", "previous_unread", "previous unread", show=False, id="previous_unread"),
        Binding("b", "bookmark", "bookmark", id="bookmark"),
        Binding("slash", "search", "search", key_display="/", id="search"),
        Binding("f", "filter", "filter", id="filter"),
        Binding("t", "toggle_timeline", "timeline", id="toggle_timeline"),
        Binding("q", "back", "quit", id="back"),
        Binding("m", "toggle_read", "read/unread", show=False, id="toggle_read"),
        Binding("A", "mark_all_read", "mark all read", show=False, id="mark_all_read"),
        Binding("B", "bookmarks", "bookmarks", show=False, id="bookmarks"),
        Binding("u", "unread_only", "unread only", show=False, id="unread_only"),
        Binding("e", "full_text", "full text", show=False, id="full_text"),
        Binding("o", "open_link", "open in browser", show=False, id="open_link"),
        Binding("y", "copy_link", "copy link", show=False, id="copy_link"),
        Binding("c", "open_comments", "comments", show=False, id="open_comments"),
        Binding("z", "undo_bookmark", "undo", show=False, id="undo"),
        Binding("escape", "clear_filter", "clear filter", show=False, id="clear_filter"),
        Binding("space", "page_down(True)", "scroll", show=False, priority=True, id="scroll"),
        Binding("pagedown", "page_down(False)", "page down", show=False, priority=True,
                id="page_down"),
        Binding("pageup", "page_up", "page up", show=False, priority=True, id="page_up"),
    ]

    def __init__(self, session: Session, *, clock: Callable[[], float], demo: bool = False) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        self.clock = clock
        self.demo = demo
        self.filter = HeadlineFilter()
        self.opened = False
        """Whether the story on show was opened (and marked read), not just previewed."""
        self._feed_title: str | None = None
        self._undo: tuple[int, int | None, Timer] | None = None
        """The removed bookmark z can restore: its article, its original time, the timer."""
        self._preview: Timer | None = None
        self._timeline_wide = True
        self._timeline_narrow = False

    @property
    def reader_app(self) -> TuiReaderApp:
        from ..app import TuiReaderApp

        assert isinstance(self.app, TuiReaderApp)
        return self.app

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

    async def on_mount(self) -> None:
        self.headlines.border_title = "Headlines"
        self.article_view.border_title = "Article"
        self.timeline.border_title = "Read next"
        self.headlines.empty_text = self._empty_text()
        self._apply_layout(self.app.size.width)
        self.update_context()
        self._show_last_update()
        self.headlines.focus()
        # Show the top story before the first frame settles (snapshot tests rely on it).
        first = self.headlines.highlighted
        if first is not None:
            await self.show_article(first.id, mark_read=False)
        else:
            self._show_nothing()

    @store_guard
    def _show_last_update(self) -> None:
        """Before any refresh: when the cache was last filled, so the status is never blank."""
        when = self.store.last_refreshed()
        if when and not self.status.refresh_text:
            now = self.clock()
            stamp = clock_time(when) if now - when < 86400 else short_date(when, now)
            self.set_refresh_status(f"updated {stamp}")

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

    @property
    def _narrow(self) -> bool:
        return self.query_one("#panes").has_class("-narrow")

    def action_toggle_timeline(self) -> None:
        if self._narrow:
            self._timeline_narrow = not self._timeline_narrow
        else:
            self._timeline_wide = not self._timeline_wide
        self._apply_layout(self.app.size.width)

    # -- context line -----------------------------------------------------------------

    @store_guard
    def update_context(self) -> None:
        """The left half of the status line: where we are and how much is unread."""
        if self.filter == HeadlineFilter():
            unread = self.store.total_unread()
        else:
            unread = self.store.count(replace(self.filter, unread_only=True))
        label = self.filter.describe(self._feed_title)
        self.status.set_context(f" tui-reader — {label} · {count(unread)} unread")

    def set_refresh_status(self, text: str, *, error: bool = False, busy: bool = False) -> None:
        self.status.set_refresh(text, error=error, busy=busy)

    def _empty_text(self) -> str:
        if self.filter.query:
            return "Nothing matches — esc clears the search"
        if self.filter != HeadlineFilter():
            return "Nothing here — esc shows all feeds"
        if self.demo:
            return "No stories"
        return "No stories yet — r refreshes, F manages feeds"

    # -- showing stories --------------------------------------------------------------

    @on(HeadlineList.Highlighted)
    def _highlighted(self, event: HeadlineList.Highlighted) -> None:
        if self._preview is not None:
            self._preview.stop()
            self._preview = None
        headline = event.headline
        if headline is None:
            self._show_nothing()
            return
        if self.article is not None and self.article.id == headline.id:
            return
        if self.article is None:
            self._spawn(self.show_article(headline.id, mark_read=False))
        else:
            self._preview = self.set_timer(
                PREVIEW_DELAY,
                lambda: self._spawn(self.show_article(headline.id, mark_read=False)),
            )

    def _show_nothing(self) -> None:
        self.opened = False
        hint = self._empty_text() if self.headlines.total == 0 else None
        self._spawn(self.article_view.show_empty(hint or EMPTY_HINT))
        self._spawn(self.timeline.show_for(None))

    @on(HeadlineList.Opened)
    async def _opened(self, event: HeadlineList.Opened) -> None:
        await self.show_article(event.headline.id)

    @on(Timeline.Opened)
    async def _timeline_opened(self, event: Timeline.Opened) -> None:
        await self.show_article(event.headline.id, select=True)

    async def show_article(
        self, article_id: int, *, mark_read: bool = True, select: bool = False
    ) -> None:
        """Show a story; opening it (rather than previewing) marks it read."""
        if self._preview is not None:
            self._preview.stop()
            self._preview = None
        try:
            article = self.store.article(article_id)
            if article is None:
                self.notify(
                    "That story is no longer in the cache.", severity="warning", markup=False
                )
                return
            if mark_read and not article.read:
                self.store.set_read([article_id], True)
                article = replace(article, read=True)
                self._row_changed(article_id)
        except (UserError, sqlite3.Error) as exc:
            self.notify(one_line(exc, 200), title="Cache problem", severity="error", markup=False)
            return
        if mark_read or self.article is None or self.article.id != article_id:
            self.opened = mark_read
        if select:
            self.headlines.select_article(article_id)
        await self.article_view.show(article)
        if mark_read:
            self.update_context()
        await self.timeline.show_for(article_id)

    def _row_changed(self, article_id: int) -> None:
        """Redraw one story's flags wherever they show."""
        headline = self.store.headline(article_id)
        if headline is not None:
            self.headlines.update_row(headline)
        if self.article is not None and self.article.id == article_id:
            fresh = self.store.article(article_id)
            if fresh is not None:
                self.article_view.update_status(fresh)
        self.timeline.refresh_flags(headline)

    def _target(self) -> Headline | None:
        """What m and b act on: the highlighted row from the list, else the open story."""
        if self.headlines.has_focus or self.article is None:
            return self.headlines.highlighted
        return self.store.headline(self.article.id)

    def _link_target(self) -> Article | None:
        """What o, y, c and e act on: the open story, else the highlighted row."""
        if self.article is not None:
            return self.article
        highlighted = self.headlines.highlighted
        return self.store.article(highlighted.id) if highlighted else None

    # -- reading keys -----------------------------------------------------------------

    async def action_next_unread(self) -> None:
        await self._step_unread(True)

    async def action_previous_unread(self) -> None:
        await self._step_unread(False)

    async def _step_unread(self, forward: bool) -> None:
        try:
            found = self.headlines.next_unread(forward)
        except (UserError, sqlite3.Error) as exc:
            self.notify(one_line(exc, 200), severity="error", markup=False)
            return
        if found is None:
            where = "below" if forward else "above"
            self.notify(f"No unread stories {where} this one.", timeout=3, markup=False)
            return
        await self.show_article(found.id)

    async def action_page_down(self, space: bool) -> None:
        view = self.article_view
        if self.article is None:
            if not space:
                self.headlines.action_page_down()
            return
        if not self.opened:
            await self.show_article(self.article.id)
        elif space and view.at_end:
            await self._step_unread(True)
            return
        view.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        if self.article is None:
            self.headlines.action_page_up()
        else:
            self.article_view.scroll_page_up(animate=False)

    @store_guard
    def action_toggle_read(self) -> None:
        target = self._target()
        if target is None:
            return
        self.store.set_read([target.id], not target.read)
        self._row_changed(target.id)
        self.update_context()

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

    @store_guard
    def _mark_all_confirmed(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        changed = self.store.mark_all_read(self.filter)
        self.reload_stories()
        if self.article is not None:
            self._row_changed(self.article.id)
        self.notify(f"Marked {count(changed)} stories read.", timeout=3, markup=False)

    # -- bookmarks --------------------------------------------------------------------

    @store_guard
    def action_bookmark(self) -> None:
        target = self._target()
        if target is None:
            return
        if target.bookmarked:
            removed = self.store.article(target.id)
            self.store.set_bookmark(target.id, False)
            self._row_changed(target.id)
            self._arm_undo(target.id, removed.bookmarked_at if removed is not None else None)
            self.notify("Bookmark removed — z to undo", timeout=UNDO_SECONDS, markup=False)
        else:
            self._set_bookmark(target.id)

    def _set_bookmark(self, article_id: int, bookmarked_at: int | None = None) -> None:
        self.store.set_bookmark(
            article_id, True, now=int(self.clock()), bookmarked_at=bookmarked_at
        )
        self._row_changed(article_id)
        job = self.store.snapshot_job(article_id)
        article = self.store.article(article_id)
        if job is not None and article is not None and article.snapshot != "ok":
            self.reader_app.fetch_full_text(article_id)

    def _arm_undo(self, article_id: int, bookmarked_at: int | None) -> None:
        if self._undo is not None:
            self._undo[2].stop()
        timer = self.set_timer(UNDO_SECONDS, self._forget_undo)
        self._undo = (article_id, bookmarked_at, timer)

    def _forget_undo(self) -> None:
        self._undo = None

    @store_guard
    def action_undo_bookmark(self) -> None:
        if self._undo is None:
            return
        article_id, bookmarked_at, timer = self._undo
        timer.stop()
        self._undo = None
        self._set_bookmark(article_id, bookmarked_at)
        self.notify("Bookmark restored.", timeout=3, markup=False)

    @store_guard
    def action_full_text(self) -> None:
        article = self._link_target()
        if article is None:
            return
        if not is_http_url(article.url):
            self.notify("This story has no web page to fetch.", severity="warning", markup=False)
            return
        if self.demo:
            self.notify("demo mode: bundled feeds, nothing to fetch", timeout=4, markup=False)
            return
        self.store.request_snapshot(article.id)
        self._row_changed(article.id)
        self.reader_app.fetch_full_text(article.id)

    # -- links ------------------------------------------------------------------------

    def open_url(self, url: str | None) -> None:
        """Open a web link in the browser; anything but http(s) is refused."""
        if not url or not is_http_url(url):
            shown = one_line(url, 60) if url else "this link"
            self.notify(
                f"Not opening {shown}: only web links open.", severity="warning", markup=False
            )
            return
        from ..links import open_in_browser

        message = open_in_browser(url)
        if message:
            self.notify(message, timeout=6, markup=False)

    @on(ArticleView.LinkRequested)
    def _link_requested(self, event: ArticleView.LinkRequested) -> None:
        self.open_url(event.href)

    @store_guard
    def action_open_link(self) -> None:
        article = self._link_target()
        if article is not None:
            self.open_url(article.url)

    @store_guard
    def action_open_comments(self) -> None:
        article = self._link_target()
        if article is None:
            return
        if not article.comments_url:
            self.notify("This story has no comments link.", timeout=3, markup=False)
            return
        self.open_url(article.comments_url)

    @store_guard
    def action_copy_link(self) -> None:
        article = self._link_target()
        if article is None or not article.url:
            self.notify("This story has no link to copy.", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard(article.url)
        self.notify(f"Copied {one_line(article.url, 80)}", timeout=3, markup=False)

    # -- filters ----------------------------------------------------------------------

    @store_guard
    def set_filter(self, filt: HeadlineFilter) -> None:
        """Show another set of headlines from the top."""
        self.filter = filt
        feed = self.store.feed(filt.feed_id) if filt.feed_id is not None else None
        self._feed_title = feed.display_title if feed is not None else None
        self.headlines.empty_text = self._empty_text()
        self.headlines.set_filter(filt)
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
        """Drop the search, else the whole filter; False when there was nothing to drop."""
        if self.filter.query:
            self.set_filter(replace(self.filter, query=None))
        elif self.filter != HeadlineFilter():
            self.set_filter(HeadlineFilter())
        else:
            return False
        return True

    def action_clear_filter(self) -> None:
        self._clear_one_filter()

    async def action_back(self) -> None:
        if not self._clear_one_filter():
            await self.reader_app.action_quit()

    # -- background results -----------------------------------------------------------

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        progress = message.progress
        if progress.total == 0:
            text = "Checking feeds…"
        else:
            text = f"Refreshing {progress.done}/{progress.total} feeds"
            if progress.new_articles:
                text += f" · {progress.new_articles} new"
        self.set_refresh_status(text, busy=True)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        report = message.report
        parts: list[str] = []
        failed = len(report.failed)
        if report.offline:
            parts.append("offline")
        elif failed:
            feeds = "feed" if failed == 1 else "feeds"
            parts.append(f"{failed} {feeds} failed — F for details")
        if report.new_articles:
            parts.append(f"{report.new_articles} new")
        if report.outcomes and not report.offline:
            parts.append(f"updated {clock_time(self.clock())}")
        elif not report.outcomes:
            parts.append("up to date")
        self.set_refresh_status(" · ".join(parts), error=bool(failed))
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
            fresh = self.store.article(self.article.id)
            if fresh is not None and fresh != self.article:
                self._spawn(self.article_view.show_update(fresh))
        self._spawn(self.timeline.reload())

    @store_guard
    def on_snapshot_finished(self, message: SnapshotFinished) -> None:
        self._row_changed(message.article_id)
        article = self.article
        if article is not None and article.id == message.article_id:
            fresh = self.store.article(article.id)
            if fresh is not None:
                self._spawn(self.article_view.show_update(fresh))
        if message.reason:
            self.notify(f"Full text unavailable: {one_line(message.reason, 120)}",
                        severity="warning", timeout=5, markup=False)
