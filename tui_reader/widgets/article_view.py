"""The article pane: a header built from plain text, the body as Markdown, comments.

Feed text is hostile. The header lines are :class:`Content` objects made from plain
strings (never markup), and the Markdown widget is told not to open links: a click only
posts :class:`ArticleView.LinkRequested`, and the screen lets http(s) through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Markdown, Static

from ..actions import bindings_for
from ..core.http_url import display_url
from ..core.models import Article, SnapshotState, snapshot_state
from ..core.sanitize import clean_block, clean_text
from ..keymap import Keymap
from ..messages import StoryChanged
from ..text import long_date, plural
from .border_text import set_subtitle

MAX_BODY_CHARS = 200_000
"""Longer bodies are cut (at a paragraph) in the pane: mounting 500 KB of Markdown takes
seconds, and the whole page is one ``o`` away."""
ONE_FRAME_CHARS = 30_000
"""Stories up to this long change in one frame (see ArticleView._show)."""
_LINES = ("article-title", "article-meta", "article-tags", "article-status", "article-link",
          "article-comments", "article-cut")


def _default_key(action_id: str) -> str:
    """An action's default key (a pane made without the app's keymap: tests)."""
    return Keymap().hint(action_id)


def empty_hint(hint: Callable[[str], str] = _default_key) -> str:
    return f"Choose a headline and press {hint('open')} to read it."


def snapshot_line(article: Article) -> str:
    """The bookmark / offline-copy status under the title, or "" when there is none."""
    star = "★ " if article.bookmarked else ""
    state = snapshot_state(article.snapshot)
    if state == SnapshotState.OK:
        return f"{star}Saved offline" if article.bookmarked else "Full text"
    if state == SnapshotState.PENDING:
        return f"{star}Saving full text…" if article.bookmarked else "Fetching full text…"
    if state == SnapshotState.FAILED:
        return f"{star}{clean_text(article.snapshot, 120)}"
    return "★ Bookmarked" if article.bookmarked else ""


def meta_line(article: Article, now: float) -> str:
    """"Feed · Author · Mon 27 Nov, 10:02" (with the year when it is not this one)."""
    parts = [clean_text(article.feed_title, 80), clean_text(article.author, 60)]
    parts.append(long_date(article.published or article.updated or article.timestamp, now))
    return " · ".join(p for p in parts if p)


def comments_line(article: Article, hint: Callable[[str], str] = _default_key) -> str:
    if not article.comments_url:
        return ""
    count = article.comments_count
    if count is None:
        label = "Comments"
    else:
        label = plural(count, "comment")
    return f"{label} · {hint('open_comments')} open · {hint('copy_comments')} copy"


def cap_body(body: str, limit: int = MAX_BODY_CHARS, open_key: str = "o") -> tuple[str, str]:
    """*body* cut to about *limit* characters at a paragraph break, and the line saying so.

    The second value is "" when nothing was cut.
    """
    if len(body) <= limit:
        return body, ""
    cut = body.rfind("\n\n", 0, limit)
    if cut < limit // 2:  # no paragraph break near the end: a line break, else anywhere
        cut = body.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
    rest = len(body[cut:].encode("utf-8"))
    kb = max(1, round(rest / 1024))
    return body[:cut].rstrip(), f"(cut: {kb:,} KB more — {open_key} opens the page)"


class ArticleView(VerticalScroll, can_focus=True):
    """One story, scrolled with space / page keys from anywhere on the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("article")

    class LinkRequested(Message):
        """A link in the body was clicked; the href is untrusted."""

        def __init__(self, href: str) -> None:
            super().__init__()
            self.href = href

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        hint: Callable[[str], str] = _default_key,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article: Article | None = None
        self._clock = clock
        self.hint = hint
        """An action's key as the user has it, for the hints the pane shows."""
        self._lock = asyncio.Lock()
        self._lines: dict[str, str] = {}
        """What each header line says now."""
        self._body = ""

    def compose(self) -> ComposeResult:
        yield Static(Content(empty_hint(self.hint)), id="article-empty")
        yield Static(id="article-title", classes="article-part")
        yield Static(id="article-meta", classes="article-part")
        yield Static(id="article-tags", classes="article-part")
        yield Static(id="article-status", classes="article-part")
        yield Static(id="article-link", classes="article-part")
        yield Markdown(id="article-body", open_links=False, classes="article-part")
        yield Static(id="article-cut", classes="article-part")
        yield Static(id="article-comments", classes="article-part")

    def _set_line(self, widget_id: str, text: str) -> None:
        """Set one header line; an unchanged one is left alone (an update lays the whole
        pane out again and redraws it: enter on a previewed story cost 27 KB over SSH)."""
        if self._lines.get(widget_id) == text:
            return
        self._lines[widget_id] = text
        widget = self.query_one(f"#{widget_id}", Static)
        widget.update(Content(text))
        widget.display = bool(text)

    async def show_empty(self, hint: str | None = None) -> None:
        """No story: say how to get one, and leave nothing of the last one on show."""
        async with self._lock:
            self.article = None
            self.set_class(True, "-empty")
            text = hint or empty_hint(self.hint)
            self.query_one("#article-empty", Static).update(Content(text))
            for widget_id in _LINES:
                self._set_line(widget_id, "")
            set_subtitle(self, "")
            self._body = ""
            await self.query_one(Markdown).update("")
            self.scroll_home(animate=False, immediate=True)

    async def show(self, article: Article) -> None:
        """Show *article* (from the top if it is another story).

        Calls are serialised: two overlapping Markdown updates would both keep their blocks.
        """
        async with self._lock:
            await self._show(article)

    async def show_update(self, article: Article) -> None:
        """Show a newer copy of the story on show (its full text arrived); if another story
        was opened meanwhile, leave that one alone."""
        async with self._lock:
            if self.article is not None and self.article.id == article.id:
                await self._show(article)

    async def _show(self, article: Article) -> None:
        # One frame for the whole change: the new title never shows over the old story's
        # text, nor the new text under the old title. Not for a huge story, whose Markdown
        # takes long enough to lay out that the rest of the screen must not wait for it.
        if len(article.body_md) > ONE_FRAME_CHARS:
            await self._show_all(article)
            return
        with self.app.batch_update():
            await self._show_all(article)

    async def _show_all(self, article: Article) -> None:
        same = self.article is not None and self.article.id == article.id
        body, cut = cap_body(clean_block(article.body_md), open_key=self.hint("open_link"))
        self.article = article
        if body != self._body or not same:
            self._body = body
            await self.query_one(Markdown).update(body)
        # The flags may have changed while the body mounted (update_status): use the latest.
        if self.article is not None and self.article.id == article.id:
            article = self.article
        self.set_class(False, "-empty")
        self._set_line("article-title", clean_text(article.title) or "(untitled)")
        self._set_line("article-meta", meta_line(article, self._clock()))
        tags = " · ".join(clean_text(c, 40) for c in article.categories[:8])
        self._set_line("article-tags", tags)
        self._set_line("article-link", display_url(article.url) if article.url else "")
        self._set_line("article-cut", cut)
        self._set_line("article-comments", comments_line(article, self.hint))
        self._set_line("article-status", snapshot_line(article))
        links = f"{self.hint('open_link')} open · {self.hint('copy_link')} copy link"
        set_subtitle(self, links if article.url else "")
        if not same and self.scroll_y:
            self.scroll_home(animate=False, immediate=True)

    def on_story_changed(self, message: StoryChanged) -> None:
        """Show the open story's new flags (read, bookmark, full text); the body stays."""
        if self.article is not None and self.article.id == message.article_id:
            self.article = message.flags.applied(self.article)
            self._set_line("article-status", snapshot_line(self.article))

    def page(self, direction: int) -> None:
        """Scroll a page down (1) or up (-1), at once: a burst of presses must each move a
        page, not all aim at one spot."""
        height = self.scrollable_content_region.height
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkRequested(event.href))

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

