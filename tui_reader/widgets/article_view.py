"""The article pane: a header built from plain text, the body as Markdown, comments.

Feed text is hostile. The header lines are :class:`Content` objects made from plain
strings (never markup); the body is drawn by :mod:`.markdown_lines`, which keeps only clean
http(s) link targets, and a click on a link only posts :class:`ArticleView.LinkRequested`:
the screen decides what opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Static

from ..actions import bindings_for
from ..core.http_url import display_url
from ..core.models import Article, SnapshotState, snapshot_state
from ..core.sanitize import clean_block, clean_text
from ..keymap import Keymap
from ..messages import StoryChanged
from ..text import long_date, plural
from .article_body import ArticleBody
from .border_text import set_subtitle
from .measured import PaneLine, measured_size

MAX_BODY_CHARS = 200_000
"""Longer bodies are cut (at a paragraph) in the pane: drawing 500 KB of Markdown takes
seconds, and the whole page is one ``o`` away."""
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


@dataclass(frozen=True, slots=True)
class Drawn:
    """A story's body drawn for the pane, waiting to be put on screen."""

    body: str
    cut: str
    lines: list[Strip] | None
    """None: the text on show already (only the flags changed)."""
    width: int
    ticket: int


class ArticleView(VerticalScroll, can_focus=True):
    """One story, scrolled with space / page keys from anywhere on the main screen."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("article")

    virtual_size = measured_size()

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
        links: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article: Article | None = None
        self._clock = clock
        self._links = links
        self.hint = hint
        """An action's key as the user has it, for the hints the pane shows."""
        self._drawn = 0
        """Counts stories asked for: only the latest one drawn is put on screen."""
        self._drawing: Article | None = None
        self._lines: dict[str, str] = {}
        """What each header line says now."""

    def compose(self) -> ComposeResult:
        yield Static(Content(empty_hint(self.hint)), id="article-empty")
        yield PaneLine(id="article-title", classes="article-part")
        yield PaneLine(id="article-meta", classes="article-part")
        yield PaneLine(id="article-tags", classes="article-part")
        yield PaneLine(id="article-status", classes="article-part")
        yield PaneLine(id="article-link", classes="article-part")
        body = ArticleBody(id="article-body", classes="article-part")
        body.hyperlinks = self._links
        yield body
        yield PaneLine(id="article-cut", classes="article-part")
        yield PaneLine(id="article-comments", classes="article-part")

    def _set_line(self, widget_id: str, text: str) -> None:
        """Set one header line; an unchanged one is left alone (an update lays the whole
        pane out again and redraws it: enter on a previewed story cost 27 KB over SSH)."""
        if self._lines.get(widget_id) == text:
            return
        self._lines[widget_id] = text
        widget = self.query_one(f"#{widget_id}", Static)
        widget.update(Content(text))
        widget.display = bool(text)

    def show_empty(self, hint: str | None = None) -> None:
        """No story: say how to get one, and leave nothing of the last one on show."""
        self._drawn += 1  # a story still being drawn must not land after this
        self.article = None
        self.set_class(True, "-empty")
        text = hint or empty_hint(self.hint)
        self.query_one("#article-empty", Static).update(Content(text))
        for widget_id in _LINES:
            self._set_line(widget_id, "")
        set_subtitle(self, "")
        self.query_one(ArticleBody).clear()
        self.scroll_home(animate=False, immediate=True)

    async def show(self, article: Article) -> None:
        """Show *article* (from the top if it is another story), in one frame."""
        drawn = await self.draw(article)
        if drawn is not None:
            with self.app.batch_update():
                self.put(drawn)

    async def show_update(self, article: Article) -> None:
        """Show a newer copy of the story on show (its full text arrived); if another story
        was opened meanwhile, leave that one alone."""
        if self.article is None or self.article.id != article.id:
            return
        drawn = await self.draw(article)
        if drawn is not None and self.article is not None and self.article.id == article.id:
            self.put(drawn)

    async def draw(self, article: Article) -> Drawn | None:
        """*article*'s body drawn for the pane (in a thread), ready for :meth:`put`; None
        when another story was asked for while it was drawn."""
        self._drawn += 1
        ticket = self._drawn
        self._drawing = article
        body, cut = cap_body(clean_block(article.body_md), open_key=self.hint("open_link"))
        widget = self.query_one(ArticleBody)
        width = widget.size.width or self.scrollable_content_region.width or 80
        if body == widget.source and width == widget.drawn_width:
            lines = None  # the same text (only the flags changed): nothing to draw
        else:
            lines = await widget.draw(body, width)
        if ticket != self._drawn:
            return None
        return Drawn(body, cut, lines, width, ticket)

    def put(self, drawn: Drawn) -> None:
        """Show what :meth:`draw` made (synchronous, so it joins the caller's frame)."""
        if drawn.ticket != self._drawn:
            return
        article = self._drawing  # with any flags changed while it was drawn
        if article is None:
            return
        self._drawing = None
        same = self.article is not None and self.article.id == article.id
        self.article = article
        if drawn.lines is not None:
            self.query_one(ArticleBody).show(drawn.body, drawn.lines, drawn.width)
        self.set_class(False, "-empty")
        self._set_line("article-title", clean_text(article.title) or "(untitled)")
        self._set_line("article-meta", meta_line(article, self._clock()))
        tags = " · ".join(clean_text(c, 40) for c in article.categories[:8])
        self._set_line("article-tags", tags)
        self._set_line("article-link", display_url(article.url) if article.url else "")
        self._set_line("article-cut", drawn.cut)
        self._set_line("article-comments", comments_line(article, self.hint))
        self._set_line("article-status", snapshot_line(article))
        links = f"{self.hint('open_link')} open · {self.hint('copy_link')} copy link"
        set_subtitle(self, links if article.url else "")
        if not same and self.scroll_y:
            self.scroll_home(animate=False, immediate=True)

    def on_story_changed(self, message: StoryChanged) -> None:
        """Show the open story's new flags (read, bookmark, full text); the body stays."""
        if self._drawing is not None and self._drawing.id == message.article_id:
            self._drawing = message.flags.applied(self._drawing)
        if self.article is not None and self.article.id == message.article_id:
            self.article = message.flags.applied(self.article)
            self._set_line("article-status", snapshot_line(self.article))

    def page(self, direction: int) -> None:
        """Scroll a page down (1) or up (-1), at once: a burst of presses must each move a
        page, not all aim at one spot."""
        height = self.scrollable_content_region.height
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)

    @on(ArticleBody.LinkClicked)
    def _link_clicked(self, event: ArticleBody.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkRequested(event.href))

    @property
    def at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y

