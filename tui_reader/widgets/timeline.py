"""The "Read next" sidebar: related stories as a vertical timeline, unread first.

Each entry is a time, an unread dot and why it is related (the shared topic, a shared
word, or "same feed"), then its title and summary behind a left rule; read ones are dim.
At most eight entries: eight widgets made once and filled again for each story (mounting
new widgets for every story shown cost tens of milliseconds a keypress). All feed text
goes in as :class:`Content`, never markup.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from ..actions import bindings_for
from ..core.models import Headline, Related, RelatedStory
from ..core.sanitize import clean_text
from ..core.store import Store
from ..guard import CACHE_ERRORS
from ..messages import StoryChanged
from ..text import ELLIPSIS, fit, timeline_time
from .border_text import set_subtitle
from .measured import measured_size

READ_NEXT_LIMIT = 8


def entry_heading(story: RelatedStory, now: float) -> Content:
    """"11:41 ● POLITICS": the time, a dot when unread, then why the story is here: the
    shared category upper-cased, a shared title word in quotes, or "same feed"."""
    headline = story.headline
    when = timeline_time(headline.timestamp, now)
    topic = clean_text(story.topic, 40)
    if story.why == Related.TOPIC and topic:
        why: tuple[str, str] = (topic.upper(), "bold $text-accent")
    elif story.why == Related.WORDS and topic:
        why = (f"“{topic.upper()}”", "bold $text-accent")
    else:
        why = ("same feed", "dim")
    dot = ("●", "$text-accent") if not headline.read else " "
    read = "dim" if headline.read else ""
    return Content.assemble((when, f"bold {read}".strip()), " ", dot, " ",
                            (why[0], f"{why[1]} {read}".strip()))


def wrap_lines(text: str, width: int, max_lines: int) -> list[str]:
    """Wrap to at most *max_lines* lines of *width* cells, with an ellipsis if cut."""
    if not text or width < 4:
        return []
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1], width - 1).removesuffix(ELLIPSIS).rstrip() + ELLIPSIS
    return [fit(line, width) for line in lines]


class TimelineEntry(Widget):
    """One related story: its time and topic, then a ruled title and summary.

    Drawn from plain strings wrapped to the entry's width, so a long title or summary is
    cut with an ellipsis instead of running on.
    """

    DEFAULT_CSS = """
    TimelineEntry {
        height: auto;
    }
    """

    virtual_size = measured_size()

    def __init__(self, index: int) -> None:
        super().__init__(classes="timeline-entry")
        self.story: RelatedStory | None = None
        self.index = index
        self.look: tuple[bool, bool] | None = None
        """(highlighted, drawn as the focused cursor) as last painted."""
        self._now = 0.0
        self.display = False

    @property
    def headline(self) -> Headline | None:
        return self.story.headline if self.story is not None else None

    def show(self, story: RelatedStory | None, now: float) -> None:
        """Fill the entry with *story* (hide it with None)."""
        self.story, self._now = story, now
        self.display = story is not None
        self.look = None  # drawn again anyway
        self.refresh(layout=True)

    def restate(self, headline: Headline) -> None:
        """The same story with new flags (read, bookmarked)."""
        if self.story is not None:
            self.story = RelatedStory(headline, self.story.why, self.story.topic)
            self.refresh()

    def _body(self, width: int) -> list[tuple[str, str]]:
        if self.headline is None:
            return []
        room = width - 2
        title = wrap_lines(clean_text(self.headline.title) or "(untitled)", room, 2)
        summary = clean_text(self.headline.summary, 300)
        if summary == clean_text(self.headline.title):
            summary = ""
        rows = [(line, "bold") for line in title]
        rows += [(line, "dim") for line in wrap_lines(summary, room, 2)]
        return rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._body(width))

    def render(self) -> Content:
        if self.story is None or self.headline is None:
            return Content("")
        width = self.content_region.width or self.size.width
        parent = self.parent
        current = self.has_class("-highlight") and isinstance(parent, Widget) and (
            parent.has_focus
        )
        rule, rule_style = ("┃ ", "bold $text-accent") if current else ("│ ", "dim")
        parts: list[str | tuple[str, str] | Content] = [entry_heading(self.story, self._now)]
        read = self.headline.read
        for text, style in self._body(width):
            parts += ["\n", (rule, rule_style), (text, "dim" if read else style)]
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        timeline = self.query_ancestor(Timeline)
        timeline.move_to(self.index)
        timeline.action_open()


class Timeline(VerticalScroll, can_focus=True):
    """Focusable: j/k pick an entry, enter reads it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("timeline")

    virtual_size = measured_size()

    class Opened(Message):
        """The user picked a related story."""

        def __init__(self, headline: Headline) -> None:
            super().__init__()
            self.headline = headline

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float],
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self._clock = clock
        self.article_id: int | None = None
        self.headlines: list[Headline] = []
        """The entries' stories, in order (what j/k and enter move over)."""
        self.found: list[RelatedStory] = []
        """What the entries show, with their reasons."""
        self._fills = 0
        """Counts :meth:`fill` calls, so a slow read loses to a later fill."""
        self.cursor = 0
        self._lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static(Content("Open a story to see related ones."), classes="timeline-empty")
        for index in range(READ_NEXT_LIMIT):
            yield TimelineEntry(index)

    @property
    def entries(self) -> list[TimelineEntry]:
        """The entries on show, in order."""
        return [e for e in self.query(TimelineEntry) if e.headline is not None]

    async def show_for(self, article_id: int | None) -> None:
        """Read the related stories of *article_id* again and redraw (one call at a time);
        a list read while another story was filled in meanwhile is dropped (a reload of
        the old story's list must not cover the new story's)."""
        async with self._lock:
            filled = self._fills
            found = await self.related(article_id)
            if self._fills == filled:
                self.fill(article_id, found)

    async def related(self, article_id: int | None) -> list[RelatedStory]:
        """The stories to offer next to *article_id*, read in a thread; a cache error is
        one notification and an empty list."""
        if article_id is None:
            return []
        try:
            return await asyncio.to_thread(self.store.read_next, article_id,
                                           limit=READ_NEXT_LIMIT)
        except CACHE_ERRORS as exc:
            self.notify(clean_text(exc, 200), severity="error", markup=False)
            return []

    def fill(self, article_id: int | None, found: list[RelatedStory]) -> None:
        """Show *found* for *article_id* at once (the caller may draw it in the same frame
        as the story: one frame is fewer bytes over SSH than two)."""
        self._fills += 1
        another = article_id != self.article_id
        if another:
            self.cursor = 0
        self.article_id = article_id
        if article_id is not None and found == self.found:
            # The same entries, reasons and flags: nothing to draw, but the cursor may have
            # gone back to the top (another story).
            self._paint_cursor()
            self._scroll_to_cursor(home=another)
            return
        self.found = found
        headlines = [s.headline for s in found]
        self.headlines = headlines
        self._say_unread()
        self.cursor = min(self.cursor, max(0, len(found) - 1))
        now = self._clock()
        with self.app.batch_update():
            for entry in self.query(TimelineEntry):
                entry.show(found[entry.index] if entry.index < len(found) else None, now)
            hint = self.query_one(".timeline-empty", Static)
            hint.display = not found
            if not found:
                hint.update(Content(
                    "Nothing related yet."
                    if article_id is not None
                    else "Open a story to see related ones."
                ))
                return
            self._paint_cursor()
        self._scroll_to_cursor(home=another)

    def _scroll_to_cursor(self, *, home: bool = False) -> None:
        """Bring the highlighted entry fully into view once the entries are laid out."""
        if home and self.scroll_y:
            self.scroll_home(animate=False, immediate=True)

        def scroll() -> None:
            entries = self.entries
            if 0 <= self.cursor < len(entries):
                entry = entries[self.cursor].region
                if not entry or self.scrollable_content_region.contains_region(entry):
                    return  # in view already: a scroll call would redraw the column
                # With its margin: the time above the summary must not be cut off.
                self.scroll_to_widget(entries[self.cursor], animate=False, immediate=True)

        self.call_after_refresh(scroll)

    async def reload(self) -> None:
        """New stories may have arrived: read the same story's list again."""
        await self.show_for(self.article_id)

    def _paint_cursor(self) -> None:
        """Mark the cursor's entry; only entries whose look changes are drawn again (each
        redraw is bytes down an SSH link)."""
        focused = self.has_focus
        for entry in self.query(TimelineEntry):
            current = entry.index == self.cursor
            look = (current, focused and current)
            if entry.look != look:
                entry.look = look
                entry.set_class(current, "-highlight")
                entry.refresh()

    def on_focus(self) -> None:
        self._paint_cursor()

    def on_blur(self) -> None:
        self._paint_cursor()

    def on_story_changed(self, message: StoryChanged) -> None:
        """A story's flags changed: dim (or brighten) its entry if it is here."""
        for n, headline in enumerate(self.headlines):
            if headline.id == message.article_id:
                changed = message.flags.applied(headline)
                self.headlines[n] = changed
                self.found = [RelatedStory(changed, r.why, r.topic)
                              if r.headline.id == changed.id else r for r in self.found]
                for entry in self.entries:
                    if entry.headline is not None and entry.headline.id == changed.id:
                        entry.restate(changed)
                self._say_unread()
                return

    def _say_unread(self) -> None:
        """"3 unread" under the column: unread stories come first, and this says how many."""
        unread = sum(not h.read for h in self.headlines)
        set_subtitle(self, f"{unread} unread" if unread else "all read" if self.headlines else "")

    def move_to(self, index: int) -> None:
        if not self.headlines:
            return
        self.cursor = max(0, min(index, len(self.headlines) - 1))
        self._paint_cursor()
        self._scroll_to_cursor()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_open(self) -> None:
        if 0 <= self.cursor < len(self.headlines):
            self.post_message(self.Opened(self.headlines[self.cursor]))
