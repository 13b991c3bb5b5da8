"""What the reader changes about stories: read, bookmarked, their full text, undo.

A change shows at once, everywhere the story is on screen (one :class:`StoryChanged`
message to each widget that may show it), and reaches the cache from the writer thread
in key order. If a write fails, the screen says so in one line and the widgets show what
the cache really has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from functools import partial
from typing import Any, Protocol, TypeVar

from textual.app import App
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import Worker

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
from ..guard import CACHE_ERRORS
from ..messages import StoryChanged, WriteFailed
from ..services import ReaderServices
from ..text import plural
from ..widgets import HeadlineList
from .bookmark_undo import BookmarkUndo

R = TypeVar("R")


class StoryScreen(Protocol):
    """What the editor needs from the screen it works for (the main screen)."""

    @property
    def app(self) -> App[Any]: ...

    @property
    def headlines(self) -> HeadlineList: ...

    @property
    def article(self) -> Article | None: ...

    def story_widgets(self) -> list[Widget]: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = ...,
               timeout: float | None = None, markup: bool = True) -> None: ...

    def post_message(self, message: Any) -> bool: ...

    def run_worker(self, work: Coroutine[Any, Any, Any], *, group: str = ...,
                   exit_on_error: bool = ...) -> Worker[Any]: ...

    def update_context(self) -> None: ...

    def cache_problem(self, exc: BaseException) -> None: ...

    def reload_stories(self) -> None: ...


class StoryEditor:
    """The screen's keys that change a story, and the writes behind them."""

    def __init__(self, screen: StoryScreen, services: ReaderServices) -> None:
        self.screen = screen
        self.services = services
        self.store = services.session.store
        self.undo = BookmarkUndo(screen)  # type: ignore[arg-type]

    # -- on screen, then in the cache -------------------------------------------------

    def show_flags(self, story: Article | Headline, **changes: Any) -> None:
        """Show a story's new read / bookmark / full-text flags wherever it is on screen."""
        self.broadcast(story.id, replace(StoryFlags.of(story), **changes))

    def broadcast(self, article_id: int, flags: StoryFlags) -> None:
        for widget in self.screen.story_widgets():
            widget.post_message(StoryChanged(article_id, flags))

    def write(
        self,
        call: Callable[[], R],
        article_id: int | None = None,
        *,
        then: Callable[[R], None] | None = None,
    ) -> None:
        """Write the store in the writer thread; the screen already shows the result."""

        async def run() -> None:
            try:
                result = await self.services.write(call)
            except CACHE_ERRORS as exc:
                self.screen.post_message(WriteFailed(exc, article_id))
                return
            if then is not None:
                then(result)

        self.screen.run_worker(run(), group="store", exit_on_error=False)

    async def show_cached(self, article_id: int, *, report: bool = True) -> None:
        """Show one story's flags as the cache has them (after a failed write, a fetch).
        ``report=False`` when the failure that led here was said already."""
        try:
            headline = await asyncio.to_thread(self.store.headline, article_id)
        except CACHE_ERRORS as exc:
            if report:
                self.screen.cache_problem(exc)
            return
        if headline is not None:
            self.broadcast(article_id, StoryFlags.of(headline))

    def _show_cached_later(self, article_id: int) -> None:
        self.screen.run_worker(self.show_cached(article_id), group="show", exit_on_error=False)

    def known(self, article_id: int) -> Article | Headline | None:
        """What the screen already has for a story (the open one, else a loaded row)."""
        article = self.screen.article
        if article is not None and article.id == article_id:
            return article
        return self.screen.headlines.pager.find_cached(article_id)

    # -- read -------------------------------------------------------------------------

    def set_read(self, story: Article | Headline, read: bool) -> None:
        """*story* as the screen shows it (StoryPanes merges a freshly loaded copy with the
        flags on screen, whose writes may still be queued)."""
        self.show_flags(story, read=read)
        self.write(partial(self.store.set_read, [story.id], read), story.id,
                   then=lambda _: self.screen.update_context())

    def ask_mark_all_read(self, filt: HeadlineFilter, label: str) -> None:
        """Ask before marking a whole view read (it can be thousands of stories)."""
        unread = self.store.count(replace(filt, unread_only=True))
        if unread == 0:
            self.screen.notify("Nothing unread here.", timeout=3, markup=False)
            return
        from .confirm import ConfirmDialog

        question = f"Mark {plural(unread, 'story')} in “{label}” as read?"

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_all_read(filt)

        self.screen.app.push_screen(ConfirmDialog(question), answered)

    def _mark_all_read(self, filt: HeadlineFilter) -> None:
        self.screen.headlines.mark_cached_read()

        def done(changed: int) -> None:
            self.screen.reload_stories()
            article = self.screen.article
            if article is not None:
                self._show_cached_later(article.id)
            self.screen.notify(f"Marked {plural(changed, 'story')} read.", timeout=3,
                               markup=False)

        self.write(partial(self.store.mark_all_read, filt), then=done)

    # -- bookmarks and full text ------------------------------------------------------

    def toggle_bookmark(self, article: Article) -> None:
        if article.bookmarked:
            self.show_flags(article, bookmarked=False)
            self.undo.arm(article.id, article.bookmarked_at)
            self.write(partial(self.store.set_bookmark, article.id, False), article.id,
                       then=lambda _: self._show_cached_later(article.id))
        else:
            self.bookmark(article.id)

    def bookmark(self, article_id: int, bookmarked_at: int | None = None) -> None:
        """Bookmark on screen now; in a thread, save it and fetch the page if needed."""
        known = self.known(article_id)
        if known is not None:
            fetch = bool(known.url) and snapshot_state(known.snapshot) != SnapshotState.OK
            snapshot = SnapshotState.PENDING.value if fetch else known.snapshot
            self.show_flags(known, bookmarked=True, snapshot=snapshot)
        store, now = self.store, int(self.services.clock())

        def save() -> bool:
            """Save the flag; True if the page still has to be fetched."""
            store.set_bookmark(article_id, True, now=now, bookmarked_at=bookmarked_at)
            article = store.article(article_id)
            return article is not None and bool(article.url) and (
                snapshot_state(article.snapshot) != SnapshotState.OK
            )

        self.services.fetch_full_text(article_id, prepare=save)

    def undo_unbookmark(self) -> None:
        removed = self.undo.take()
        if removed is None:
            self.screen.notify("Nothing to undo.", timeout=2, markup=False)
            return
        self.bookmark(removed.article_id, removed.bookmarked_at)
        self.screen.notify("Bookmark restored.", timeout=3, markup=False)

    def fetch_full_text(self, article: Article) -> None:
        if not is_http_url(article.url):
            self.screen.notify("This story has no web page to fetch.", severity="warning",
                               markup=False)
            return
        if self.services.demo:
            self.screen.notify(DEMO_NOTHING_TO_FETCH, timeout=4, markup=False)
            return
        self.show_flags(article, snapshot=SnapshotState.PENDING.value)
        store, article_id = self.store, article.id

        def request() -> bool:
            store.request_snapshot(article_id)
            return True

        self.services.fetch_full_text(article_id, prepare=request)
