"""The main screen: headlines, the open story and "Read next", all read from the store.

The screen owns what the reader is looking at (the filter, the open story, the undo
slot for a removed bookmark) and turns keys into store calls. Network work (refreshes,
full-text fetches) belongs to the app; its results come back here as messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.events import Resize
from textual.notifications import Notification
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from ..core.http_url import is_http_url
from ..core.models import Article, Headline, HeadlineFilter
from ..core.sanitize import clean_text
from ..core.session import Session
from ..core.store import SNAPSHOT_OK, SNAPSHOT_PENDING
from ..messages import RefreshFinished, RefreshProgressed, SnapshotFinished
from ..text import clock_time, count, short_date
from ..widgets import ArticleView, HeadlineList, StatusLine, Timeline
from ..widgets.article_view import EMPTY_HINT
from .guard import CACHE_ERRORS, report_cache_error, store_guard

if TYPE_CHECKING:
    from ..app import TuiReaderApp

NARROW_WIDTH = 100
"""Below this many columns the timeline hides until ``t`` asks for it."""
PREVIEW_DELAY = 0.08
"""Moving through the list shows the story after this pause, so held keys stay smooth."""
UNDO_SECONDS = 10.0
NO_STORY = "No story open"
CLIPBOARD_HOW = "OSC 52; in tmux needs set-clipboard on"
"""Said with the first copy of a session: we cannot know whether the terminal took it."""

R = TypeVar("R")


def failing_part(failing: int) -> tuple[str, str]:
    """"2 feeds failing — F for details", and its short form for narrow terminals."""
    feeds = "feed" if failing == 1 else "feeds"
    return f"{failing} {feeds} failing — F for details", f"{failing} failing — F"


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
        Binding("C", "copy_comments", "copy comments link", show=False, id="copy_comments"),
        Binding("z", "undo_bookmark", "undo", show=False, id="undo"),
        Binding("escape", "clear_filter", "clear filter", show=False, id="clear_filter"),
        # Not a priority binding (no region binds space): it then waits behind keys typed
        # before it, so "j space" in one burst opens the story j moved to.
        Binding("space", "page_down(True)", "scroll / next unread", show=False, id="scroll"),
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
        self._undo: tuple[int, int | None, Timer, Notification] | None = None
        """The removed bookmark z can restore: its article, its original time, the timer
        and the "z to undo" toast."""
        self._preview: Timer | None = None
        """The timer that shows the highlighted story once the cursor rests."""
        self._preview_id: int | None = None
        """The story a preview is on its way for (timer armed or being shown)."""
        self._seen_row: int | None = None
        """The list row the article pane last followed; another one means it moved."""
        self._timeline_wide = True
        self._timeline_narrow = False
        self._shows = 0
        """Counts calls to show_article, so a slow load loses to a later one."""

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

    def on_mount(self) -> None:
        self.headlines.border_title = "Headlines"
        self.article_view.border_title = "Article"
        self.timeline.border_title = "Read next"
        self.headlines.empty_text = self._empty_text()
        self._apply_layout(self.app.size.width)
        self.update_context()
        self._show_last_update()
        self.headlines.focus()
        first = self.headlines.highlighted
        if first is not None:
            # Not awaited: the first frame (the headlines) must not wait for the story's
            # Markdown, whose first conversion also loads markdownify (0.3 s).
            self._preview_id = first.id
            self._spawn(self.show_article(first.id, mark_read=False))
        else:
            self._show_nothing()

    @store_guard
    def _show_last_update(self) -> None:
        """Before any refresh: when the cache was last filled and which feeds are failing,
        so the status is never blank and a broken feed is not a secret."""
        if self.status.refresh_text:
            return
        parts: list[tuple[str, str]] = []
        failing = self._failing_feeds()
        if failing:
            parts.append(failing_part(failing))
        when = self.store.last_refreshed()
        if when:
            now = self.clock()
            stamp = clock_time(when) if now - when < 86400 else short_date(when, now)
            parts.append((f"updated {stamp}", stamp))
        if parts:
            self._set_status_parts(parts, error=bool(failing))

    def _failing_feeds(self) -> int:
        """Feeds whose last fetch failed (kept in the cache across runs)."""
        return sum(1 for feed in self.store.feeds() if feed.last_error)

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

    def set_refresh_status(
        self, text: str, *, short: str | None = None, error: bool = False, busy: bool = False
    ) -> None:
        """The status line's right half; *short* is what a narrow terminal shows."""
        self.status.set_refresh(text, short=short, error=error, busy=busy)

    def _set_status_parts(
        self, parts: list[tuple[str, str]], *, error: bool = False, busy: bool = False
    ) -> None:
        """Join (long, short) pieces into both forms of the right half."""
        self.set_refresh_status(
            " · ".join(long for long, _ in parts),
            short=" · ".join(short for _, short in parts if short),
            error=error,
            busy=busy,
        )

    def cache_problem(self, exc: BaseException) -> None:
        """One line about a failed store call (never a traceback)."""
        report_cache_error(self, exc)

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
        self._seen_row = headline.id if headline is not None else None
        if headline is None:
            self._preview_id = None
            self._show_nothing()
            return
        if self.article is not None and self.article.id == headline.id:
            self._preview_id = None
            return
        self._preview_id = headline.id
        if self.article is None:
            self._spawn(self.show_article(headline.id, mark_read=False))
        else:
            self._preview = self.set_timer(
                PREVIEW_DELAY,
                lambda: self._spawn(self.show_article(headline.id, mark_read=False)),
            )

    def _show_nothing(self) -> None:
        self.opened = False
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
        if self._preview is not None:
            self._preview.stop()
            self._preview = None
        if self._preview_id != article_id:
            self._preview_id = None  # another story wins over a preview still on its way
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
            self._show_flags(article_id, read=True)
            self._write(partial(self.store.set_read, [article_id], True), article_id,
                        then=lambda _: self.update_context())
        if mark_read or self.article is None or self.article.id != article_id:
            self.opened = mark_read
        if select:
            self.headlines.select_article(article_id)
        await self.article_view.show(article)
        if self._preview_id == article_id:
            self._preview_id = None
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
        if self._preview is not None:
            self._preview.stop()
            self._preview = None
        target = self._preview_id
        highlighted = self.headlines.highlighted
        if highlighted is not None and highlighted.id != self._seen_row:
            # The cursor moved and the screen has not heard yet (keys faster than messages).
            target = self._seen_row = highlighted.id
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

    def _show_flags(self, article_id: int, **flags: Any) -> None:
        """Show a story's new read / bookmark / snapshot flags everywhere it is on screen."""
        self.headlines.update_flags(article_id, **flags)
        self.timeline.update_flags(article_id, **flags)
        article = self.article
        if article is not None and article.id == article_id:
            self.article_view.update_status(replace(article, **flags))

    def _write(
        self,
        call: Callable[[], R],
        article_id: int | None = None,
        *,
        then: Callable[[R], None] | None = None,
    ) -> None:
        """Write the store in the app's writer thread; the screen already shows the result.

        If the write fails, say so in one line and show what the cache really has.
        """

        async def run() -> None:
            try:
                result = await self.reader_app.write(call)
            except CACHE_ERRORS as exc:
                self.write_failed(exc, article_id)
                return
            if then is not None:
                then(result)

        self.run_worker(run(), group="store", exit_on_error=False)

    def write_failed(self, exc: BaseException, article_id: int | None) -> None:
        """A store write failed: one line, and the story's real flags back on screen."""
        self.cache_problem(exc)
        if article_id is not None:
            self._row_changed(article_id)
        self.update_context()

    @store_guard
    def _row_changed(self, article_id: int) -> None:
        """Redraw one story's flags wherever they show, as the cache has them."""
        headline = self.store.headline(article_id)
        if headline is not None:
            self.headlines.update_row(headline)
        if self.article is not None and self.article.id == article_id:
            fresh = self.store.article(article_id)
            if fresh is not None:
                self.article_view.update_status(fresh)
        self.timeline.refresh_flags(headline)

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

    async def action_page_down(self, space: bool) -> None:
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
        # immediate: a burst of presses must each move a page, not all aim at one spot
        view.scroll_to(y=view.scroll_y + view.scrollable_content_region.height,
                       animate=False, immediate=True)

    async def action_page_up(self) -> None:
        await self._settle()
        if self.article is None:
            self.headlines.action_page_up()
        else:
            view = self.article_view
            view.scroll_to(y=view.scroll_y - view.scrollable_content_region.height,
                           animate=False, immediate=True)

    async def action_toggle_read(self) -> None:
        article = await self._story()
        if article is None:
            return
        read = not article.read
        self._show_flags(article.id, read=read)
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
                self._row_changed(self.article.id)
            self.notify(f"Marked {count(changed)} stories read.", timeout=3, markup=False)

        self._write(partial(self.store.mark_all_read, filt), then=done)

    # -- bookmarks --------------------------------------------------------------------

    async def action_bookmark(self) -> None:
        article = await self._story()
        if article is None:
            return
        if article.bookmarked:
            self._show_flags(article.id, bookmarked=False)
            self._arm_undo(article.id, article.bookmarked_at)
            self._write(partial(self.store.set_bookmark, article.id, False), article.id,
                        then=lambda _: self._row_changed(article.id))
        else:
            self._set_bookmark(article.id)

    def _set_bookmark(self, article_id: int, bookmarked_at: int | None = None) -> None:
        """Bookmark on screen now; in a thread, save it and fetch the page if needed."""
        known = self._known(article_id)
        flags: dict[str, Any] = {"bookmarked": True}
        if known is not None and known.url and known.snapshot != SNAPSHOT_OK:
            flags["snapshot"] = SNAPSHOT_PENDING
        self._show_flags(article_id, **flags)
        store, now = self.store, int(self.clock())

        def save() -> bool:
            """Save the flag; True if the page still has to be fetched."""
            store.set_bookmark(article_id, True, now=now, bookmarked_at=bookmarked_at)
            article = store.article(article_id)
            return article is not None and bool(article.url) and article.snapshot != SNAPSHOT_OK

        self.reader_app.fetch_full_text(article_id, prepare=save)

    def _arm_undo(self, article_id: int, bookmarked_at: int | None) -> None:
        self._drop_undo()
        toast = self.reader_app.notify_handle("Bookmark removed — z to undo",
                                              timeout=UNDO_SECONDS)
        timer = self.set_timer(UNDO_SECONDS, self._forget_undo)
        self._undo = (article_id, bookmarked_at, timer, toast)

    def _drop_undo(self) -> None:
        """Forget the undo slot, taking its toast away (it would no longer be true)."""
        if self._undo is not None:
            self._undo[2].stop()
            self.reader_app.unnotify(self._undo[3])
        self._undo = None

    def _forget_undo(self) -> None:
        self._undo = None

    def action_undo_bookmark(self) -> None:
        if self._undo is None:
            self.notify("Nothing to undo.", timeout=2, markup=False)
            return
        article_id, bookmarked_at, _timer, _toast = self._undo
        self._drop_undo()
        self._set_bookmark(article_id, bookmarked_at)
        self.notify("Bookmark restored.", timeout=3, markup=False)

    async def action_full_text(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not is_http_url(article.url):
            self.notify("This story has no web page to fetch.", severity="warning", markup=False)
            return
        if self.demo:
            from ..app import DEMO_NOTHING_TO_FETCH

            self.notify(DEMO_NOTHING_TO_FETCH, timeout=4, markup=False)
            return
        self._show_flags(article.id, snapshot=SNAPSHOT_PENDING)
        store, article_id = self.store, article.id

        def request() -> bool:
            store.request_snapshot(article_id)
            return True

        self.reader_app.fetch_full_text(article_id, prepare=request)

    # -- links ------------------------------------------------------------------------

    def open_url(self, url: str | None, *, copy_binding: str = "copy_link",
                 what: str = "the link") -> None:
        """Open a web link in the browser (in a thread: it can take seconds); anything but
        http(s) is refused. Without a browser, the message names the key that copies it."""
        if not url or not is_http_url(url):
            shown = clean_text(url, 60) if url else "this link"
            self.notify(
                f"Not opening {shown}: only web links open.", severity="warning", markup=False
            )
            return
        from .. import links

        opener = links.open_in_browser
        default_key = "C" if copy_binding == "copy_comments" else "y"
        hint = links.no_browser(self.reader_app.key_for(copy_binding, default_key), what)
        notify = self.notify

        def run() -> None:
            message = opener(url)
            if message == links.NO_BROWSER:
                message = hint
            if message:
                notify(message, timeout=6, markup=False)  # thread-safe: it posts a message

        self.app.run_worker(run, thread=True, group="browser", exit_on_error=False)

    @on(ArticleView.LinkRequested)
    def _link_requested(self, event: ArticleView.LinkRequested) -> None:
        self.open_url(event.href)

    async def action_open_link(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not article.url:
            self.notify("This story has no link.", timeout=3, markup=False)
            return
        self.open_url(article.url)

    async def action_open_comments(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not article.comments_url:
            self.notify("This story has no comments link.", timeout=3, markup=False)
            return
        self.open_url(article.comments_url, copy_binding="copy_comments",
                      what="the comments link")

    async def action_copy_link(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not article.url:
            self.notify("This story has no link to copy.", timeout=3, markup=False)
            return
        self._copy(article.url, "Link")

    async def action_copy_comments(self) -> None:
        article = await self._story()
        if article is None:
            return
        if not article.comments_url:
            self.notify("This story has no comments link.", timeout=3, markup=False)
            return
        self._copy(article.comments_url, "Comments link")

    def _copy(self, url: str, label: str) -> None:
        """Copy with OSC 52. Whether the terminal took it cannot be known, so the first
        copy of a session says what it needs."""
        self.app.copy_to_clipboard(url)
        app = self.reader_app
        message = f"{label} sent to the clipboard"
        if not app.clipboard_explained:
            app.clipboard_explained = True
            message += f" ({CLIPBOARD_HOW})"
        self.notify(message, timeout=4, markup=False)

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
            await self.reader_app.action_quit()

    # -- background results -----------------------------------------------------------

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        progress = message.progress
        if progress.total == 0:
            self.set_refresh_status("Checking feeds…", short="⟳", busy=True)
            return
        parts = [(f"Refreshing {progress.done}/{progress.total} feeds",
                  f"⟳ {progress.done}/{progress.total}")]
        if progress.new_articles:
            parts.append((f"{progress.new_articles} new", f"{progress.new_articles} new"))
        self._set_status_parts(parts, busy=True)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        report = message.report
        parts: list[tuple[str, str]] = []
        failed = len(report.failed)
        if report.offline:
            parts.append(("no feed could be reached (offline?)", "offline?"))
        elif failed:
            feeds = "feed" if failed == 1 else "feeds"
            parts.append((f"{failed} {feeds} failed — F for details", f"{failed} failed — F"))
        else:
            try:
                failing = self._failing_feeds()  # not due this time, but still broken
            except CACHE_ERRORS:
                failing = 0
            if failing:
                parts.append(failing_part(failing))
                failed = failing
        if report.new_articles:
            parts.append((f"{report.new_articles} new", f"{report.new_articles} new"))
        if report.outcomes and not report.offline:
            stamp = clock_time(self.clock())
            parts.append((f"updated {stamp}", stamp))
        elif not report.outcomes:
            parts.append(("up to date", "up to date"))
        self._set_status_parts(parts, error=bool(failed) or report.offline)
        self.reload_stories()

    @store_guard
    def reload_stories(self) -> None:
        """Stories were added or changed behind our back: read everything again in place."""
        self.headlines.reload()
        highlighted = self.headlines.highlighted
        # The list kept its place; the pane keeps its story (no preview for this move).
        self._seen_row = highlighted.id if highlighted is not None else None
        self.update_context()
        if self.article is None:
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

    @store_guard
    def on_snapshot_finished(self, message: SnapshotFinished) -> None:
        self._row_changed(message.article_id)
        article = self.article
        if article is not None and article.id == message.article_id:
            self._spawn(self._show_fresh(article.id))
        if message.reason:
            self.notify(f"Full text unavailable: {clean_text(message.reason, 120)}",
                        severity="warning", timeout=5, markup=False)
