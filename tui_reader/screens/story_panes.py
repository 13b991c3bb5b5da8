"""Keeping the article pane and "Read next" on the story the reader is at.

The headline list says when its cursor has rested on a story (a preview) or the reader
asked to open one; this class loads it off the event loop, shows it, marks it read when
it was opened, and fills the timeline. Keys that act on "the story" ask it first for the
story under the cursor, so a quick ``j b`` bookmarks the story the cursor moved to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

from textual.app import App
from textual.notifications import SeverityLevel

from ..core.models import Article, StoryFlags
from ..guard import CACHE_ERRORS
from ..widgets import ArticleView, HeadlineList, Timeline
from .story_editor import StoryEditor

NO_STORY = "No story open"


class PanesScreen(Protocol):
    """What the panes need from their screen (the main screen)."""

    @property
    def headlines(self) -> HeadlineList: ...

    @property
    def article_view(self) -> ArticleView: ...

    @property
    def timeline(self) -> Timeline: ...

    editor: StoryEditor

    @property
    def app(self) -> App[Any]: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = ...,
               timeout: float | None = None, markup: bool = True) -> None: ...

    def spawn(self, work: Coroutine[Any, Any, None]) -> None: ...

    def cache_problem(self, exc: BaseException) -> None: ...

    def empty_text(self) -> str: ...

    def release_first_frames(self) -> None: ...


class StoryPanes:
    """The open story: which one, whether it was opened or only previewed, and paging."""

    def __init__(self, screen: PanesScreen) -> None:
        self.screen = screen
        self.opened = False
        """Whether the story on show was opened (and marked read), not just previewed."""
        self._shows = 0
        """Counts calls to :meth:`show`, so a slow load loses to a later one."""
        self.loading: int | None = None
        """The story the latest :meth:`show` is loading, until it is on show."""

    @property
    def article(self) -> Article | None:
        return self.screen.article_view.article

    async def show(self, article_id: int, *, mark_read: bool = True,
                   select: bool = False) -> None:
        """Show a story; opening it (rather than previewing) marks it read."""
        screen = self.screen
        screen.headlines.previews.taken(article_id)
        self._shows += 1
        ticket = self._shows
        self.loading = article_id
        try:
            await self._show(article_id, ticket, mark_read=mark_read, select=select)
        finally:
            if ticket == self._shows:
                self.loading = None

    async def preview(self, article_id: int) -> None:
        """Show a story the cursor rested on, unless the cursor has moved on or a key is
        showing it already: starting again would leave that key acting on the story shown
        before (``j b`` removed the old story's bookmark)."""
        previews = self.screen.headlines.previews
        if previews.waiting_for == article_id and self.loading != article_id:
            await self.show(article_id, mark_read=False)

    async def _show(self, article_id: int, ticket: int, *, mark_read: bool,
                    select: bool) -> None:
        screen = self.screen
        try:
            article = await self.load(article_id)
        except CACHE_ERRORS as exc:
            screen.cache_problem(exc)
            return
        if ticket != self._shows:
            return  # another story was asked for while this one loaded
        if article is None:
            screen.notify("That story is no longer in the cache.", severity="warning",
                          markup=False)
            return
        known = screen.editor.known(article_id)
        if known is not None:  # flags changed on screen whose writes may still be queued
            article = StoryFlags.of(known).applied(article)
        if mark_read and not article.read:
            screen.editor.set_read(article, True)
            article = replace(article, read=True)
        if mark_read or self.article is None or self.article.id != article_id:
            self.opened = mark_read
        if select:
            screen.headlines.select_article(article_id)
        related = await screen.timeline.related(article_id)
        if ticket != self._shows:
            return
        # The story and what to read next in one frame: each frame repaints both panes,
        # and over SSH that is the cost of a keypress (five frames were 36 KB for one j).
        # The body is drawn in a thread first, so the frame waits for nothing.
        drawn = await screen.article_view.draw(article)
        if drawn is None or ticket != self._shows:
            return
        with screen.app.batch_update():
            screen.article_view.put(drawn)
            screen.timeline.fill(article_id, related)
        screen.headlines.previews.done(article_id)
        screen.release_first_frames()

    async def load(self, article_id: int) -> Article | None:
        """A story from the cache with its Markdown, read and converted in a thread (the
        first conversion of a long story takes tens of milliseconds); a new conversion is
        kept in the cache by the writer thread."""
        editor = self.screen.editor
        store = editor.store

        def load() -> tuple[Article | None, Article | None]:
            # Imported here: lxml and markdownify load in this thread, after the first
            # screen, not before it.
            from ..core.article_body import with_markdown

            stored = store.article(article_id)
            return stored, with_markdown(stored) if stored is not None else None

        stored, article = await asyncio.to_thread(load)
        if stored is not None and article is not None and article is not stored:
            editor.write(partial(store.save_markdown, article_id, stored.body_html or "",
                                 article.content_md or ""))
        return article

    def show_nothing(self) -> None:
        """The list is empty (or the cursor left it): say how to get a story."""
        screen = self.screen
        self.opened = False
        screen.headlines.previews.cleared()
        screen.article_view.article = None  # keys say "No story open" from now on
        hint = screen.empty_text() if screen.headlines.total == 0 else None
        screen.article_view.show_empty(hint)
        screen.release_first_frames()  # nothing to wait for
        screen.spawn(screen.timeline.show_for(None))

    async def show_fresh(self) -> None:
        """Show the cache's copy of the open story if it changed (its full text came)."""
        if self.article is None:
            return
        try:
            fresh = await self.load(self.article.id)
        except CACHE_ERRORS as exc:
            self.screen.cache_problem(exc)
            return
        if fresh is not None and fresh != self.article:
            await self.screen.article_view.show_update(fresh)

    def reload(self) -> None:
        """Stories came or changed behind our back: the list keeps its place, the pane
        its story (fresher, if its full text arrived), the timeline its entries."""
        screen = self.screen
        screen.headlines.reload()
        if self.article is None:
            highlighted = screen.headlines.highlighted
            if highlighted is not None:
                screen.spawn(self.show(highlighted.id, mark_read=False))
        else:
            screen.spawn(self.show_fresh())
        screen.spawn(screen.timeline.reload())

    async def settle(self) -> bool:
        """Show the highlighted story now if its preview is still on its way; True if
        another story came on show."""
        target = self.screen.headlines.previews.pending()
        if target is None or (self.article is not None and self.article.id == target):
            return False
        await self.show(target, mark_read=False)
        return self.article is not None and self.article.id == target

    async def story(self) -> Article | None:
        """The story a key acts on: the one on show once any preview has landed."""
        await self.settle()
        if self.article is None:
            self.screen.notify(NO_STORY, timeout=3, markup=False)
        return self.article

    async def step_unread(self, forward: bool) -> None:
        """``n`` / ``N``: open the nearest unread story below (above) the cursor."""
        try:
            found = self.screen.headlines.next_unread(forward)
        except CACHE_ERRORS as exc:
            self.screen.cache_problem(exc)
            return
        if found is None:
            where = "below" if forward else "above"
            self.screen.notify(f"No unread stories {where} this one.", timeout=3, markup=False)
            return
        await self.show(found.id)

    async def page_down(self, space: bool) -> None:
        """Page keys read the open story; a previewed one is opened first (from its top),
        and space at a story's end goes on to the next unread one."""
        changed = await self.settle()
        view = self.screen.article_view
        if self.article is None:
            if not space:
                self.screen.headlines.action_page_down()
            return
        if not self.opened:
            await self.show(self.article.id)
            if changed:  # it was not on screen yet: start reading at its top
                return
        elif space and view.at_end:
            await self.step_unread(True)
            return
        view.page(1)

    async def page_up(self) -> None:
        await self.settle()
        if self.article is None:
            self.screen.headlines.action_page_up()
        else:
            self.screen.article_view.page(-1)
