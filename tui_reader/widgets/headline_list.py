"""The headline list: a line-API widget over a store query, read a page at a time.

Nothing here holds the whole list: :class:`~tui_reader.core.pager.HeadlinePager` reads
200-row pages by keyset cursor, and the widget draws two lines per story from whatever
page the visible lines fall in (toolong's ``LogLines`` does the same). Its
:class:`PreviewTimer` says when the cursor has rested on a story long enough to show it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..actions import bindings_for
from ..core.models import Headline, HeadlineFilter
from ..core.pager import PAGE_SIZE, HeadlinePager
from ..core.sanitize import clean_text
from ..core.store import Store
from ..guard import CACHE_ERRORS
from ..messages import StoryChanged
from ..text import fit, relative_time
from .border_text import set_subtitle
from .headline_row import RowPainter
from .preview_timer import PreviewTimer

LINES_PER_ROW = 2


class HeadlineList(ScrollView, can_focus=True):
    """Two lines per story: "● title" and "  Feed · 12m … ★"."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("list")

    COMPONENT_CLASSES = {
        "headline-list--cursor",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--meta",
        "headline-list--dot",
        "headline-list--star",
        "headline-list--empty",
    }

    class _Message(Message):
        """A message about one row of the list."""

        def __init__(self, headline_list: HeadlineList, headline: Headline | None) -> None:
            super().__init__()
            self.headline_list = headline_list
            self.headline = headline

        @property
        def control(self) -> HeadlineList:
            return self.headline_list

    class Highlighted(_Message):
        """The cursor moved to another story (or the list became empty)."""

    class Opened(_Message):
        """The user asked to read a story (enter or a click)."""

        headline: Headline

    class Rested(_Message):
        """The cursor stayed on a story long enough to show it (see preview_timer.py)."""

        headline: Headline

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float],
        filt: HeadlineFilter | None = None,
        page_size: int = PAGE_SIZE,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self._clock = clock
        self._page_size = page_size
        self.cursor = 0
        self.empty_text = "No stories yet"
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self.painter = RowPainter(self)
        self._ticked = clock()
        """The time rows are drawn for: moved on by the minute's tick and full redraws."""
        self._generation = 0
        self._error_shown = False
        self.pager = self._new_pager(filt or HeadlineFilter())
        self.previews = PreviewTimer(self, lambda h: self.post_message(self.Rested(self, h)))

    # -- state ------------------------------------------------------------------------

    @property
    def filter(self) -> HeadlineFilter:
        return self.pager.filter

    @property
    def total(self) -> int:
        return self.pager.total

    @property
    def highlighted(self) -> Headline | None:
        return self._row(self.cursor)

    def _now(self) -> float:
        return self._clock()

    def _row(self, index: int) -> Headline | None:
        """A row, with store failures turned into one notification instead of a crash."""
        try:
            return self.pager.get(index)
        except CACHE_ERRORS as exc:
            self._report(exc)
            return None

    def _report(self, exc: Exception) -> None:
        if not self._error_shown:
            self._error_shown = True
            self.notify(
                clean_text(exc, 200), title="Cannot read the cache", severity="error", markup=False
            )

    def _new_pager(self, filt: HeadlineFilter) -> HeadlinePager:
        """A pager for *filt*; an unreadable cache shows as an empty list, not a crash."""
        self._error_shown = False
        try:
            return HeadlinePager(self.store, filt, page_size=self._page_size)
        except CACHE_ERRORS as exc:
            self._report(exc)
            return HeadlinePager(self.store, filt, page_size=self._page_size, total=0)

    def _invalidate(self) -> None:
        self._ticked = self._now()  # everything is drawn again: for the time it is now
        self._generation += 1
        self._lines.clear()
        self.refresh()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.total * LINES_PER_ROW)
        set_subtitle(self, f"{self.total:,}" if self.total else "")

    def on_mount(self) -> None:
        self._resize_virtual()
        self._cursor_moved()
        self.set_interval(60, self._tick)  # "12m" becomes "13m"

    def _tick(self) -> None:
        """A minute passed: draw again only the rows on screen whose age reads differently
        ("12m" -> "13m"), not the whole list: an idle reader over SSH should cost nothing
        (redrawing the pane each minute sent 8 KB)."""
        now, then = self._now(), self._ticked
        self._ticked = now
        if self.total == 0:
            return
        top = self.scroll_offset.y // LINES_PER_ROW
        shown = range(top, min(self.total, top + self._page_rows + 2))
        stale: set[int] = set()
        for index in shown:
            headline = self.pager.find_loaded(index)
            if headline is None or (
                relative_time(headline.timestamp, now) != relative_time(headline.timestamp, then)
            ):
                stale.add(index)
        # Drawn lines are kept only for the rows on screen that still read the same; any
        # other is drawn afresh when it next shows.
        fresh = {index * LINES_PER_ROW + part for index in shown if index not in stale
                 for part in range(LINES_PER_ROW)}
        for key in list(self._lines.keys()):
            if key[0] not in fresh:
                self._lines.discard(key)
        self._refresh_rows(sorted(stale))  # their lines are gone from the cache already

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        """Nothing to do when the list's own box is unchanged.

        Textual's ScrollView compares the layout's measure of its content (the viewport, for
        a line-API widget) with the list's own virtual size: they always differ, so every
        layout anywhere on screen (a new story in the next pane) repainted this scrollbar
        in a frame of its own, 2 KB over SSH per j. The list sets its own virtual size, and
        its scrollbar follows that.
        """
        if size == self.outer_size and container_size == self.container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_resize(self) -> None:
        self._resize_virtual()
        self._lines.clear()
        if self.total:  # a shorter pane still shows the cursor's row (80x24 -> 60x20)
            self.call_after_refresh(self._show_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._generation += 1
        self._lines.clear()
        self.painter.forget_styles()

    def on_focus(self) -> None:
        self.painter.forget_styles()
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self.painter.forget_styles()
        self._lines.clear()
        self.refresh()

    # -- loading ----------------------------------------------------------------------

    def set_filter(self, filt: HeadlineFilter, *, keep: Headline | None = None) -> None:
        """Show another filter from the top, or at *keep* if that story is in it (clearing a
        search should not lose the reader's place)."""
        self.pager = self._new_pager(filt)
        index = None
        if keep is not None:
            try:
                index = self.pager.index_of(keep)
            except CACHE_ERRORS:
                index = None
        self.cursor = 0
        self._resize_virtual()
        self.scroll_to(y=0, animate=False, immediate=True)
        self._invalidate()
        if index:
            self.move_to(index)
            # Again once the new height is laid out: until then the list cannot scroll
            # past the old (filtered) list's end, and the kept story stayed off screen.
            self.call_after_refresh(self._show_cursor)
        self._cursor_moved()

    def reload(self) -> None:
        """Read the list again (new stories arrived) keeping the selected story where it was.

        The selection's new index is the number of rows now sorting above it, and the
        viewport moves by the same amount so the story stays on the same screen line.
        No Highlighted message: a background refresh must not swap the story being read.
        """
        selected = self.highlighted
        old_cursor, old_scroll = self.cursor, self.scroll_offset.y
        self.pager = self._new_pager(self.filter)
        new_cursor = None
        if selected is not None:
            try:
                new_cursor = self.pager.index_of(selected)
            except CACHE_ERRORS:
                new_cursor = None
        if new_cursor is None:
            new_cursor = min(old_cursor, max(0, self.total - 1))
        self.cursor = new_cursor
        self._resize_virtual()
        shift = (new_cursor - old_cursor) * LINES_PER_ROW
        self.scroll_to(y=old_scroll + shift, animate=False, immediate=True)
        # Again once the new height is laid out (new stories can make it taller).
        self.call_after_refresh(self.scroll_to, y=old_scroll + shift, animate=False,
                                immediate=True)
        self._invalidate()

    def update_row(self, headline: Headline) -> None:
        """Redraw a story whose flags changed, if it is loaded: its two lines only (the
        whole pane was 14 KB over SSH for one unread dot)."""
        index = self.pager.replace_row(headline)
        if index is not None:
            self._redraw_rows([index])

    def _redraw_rows(self, indexes: list[int]) -> None:
        """Draw these rows again (those on screen now; the others when they show)."""
        lines = {index * LINES_PER_ROW + part for index in indexes
                 for part in range(LINES_PER_ROW)}
        for key in list(self._lines.keys()):
            if key[0] in lines:
                self._lines.discard(key)
        self._refresh_rows(indexes)

    def _refresh_rows(self, indexes: list[int]) -> None:
        width = self.scrollable_content_region.width
        for index in indexes:
            y = index * LINES_PER_ROW - self.scroll_offset.y
            self.refresh(Region(0, y, width, LINES_PER_ROW))

    def mark_cached_read(self) -> None:
        """Show every story in this filter as read (the store write follows in a thread)."""
        self.pager.mark_cached_read()
        self._invalidate()

    def on_story_changed(self, message: StoryChanged) -> None:
        """Show a story's new flags (read, bookmarked, full text) if it is loaded; the
        cache may not have them yet (the write runs in a thread)."""
        row = self.pager.find_cached(message.article_id)
        if row is not None:
            self.update_row(message.flags.applied(row))

    def _cursor_moved(self) -> None:
        """Say the cursor moved, and time the preview of the story it is on now."""
        headline = self.highlighted
        self.post_message(self.Highlighted(self, headline))
        self.previews.moved(headline)

    # -- moving -----------------------------------------------------------------------

    def move_to(self, index: int, *, top: bool = False) -> None:
        """Put the cursor on *index* (clamped) and scroll it into view."""
        if self.total == 0:
            index = 0
        else:
            index = max(0, min(index, self.total - 1))
        changed = index != self.cursor
        old, self.cursor = self.cursor, index
        # Only the two rows whose look changes are drawn again (the whole pane was 12 KB
        # down an SSH link for one j); no cache clear: the key says which line is the
        # cursor's. Scrolling, if the cursor left the screen, redraws what it must.
        self._refresh_rows([old, index])
        self._show_cursor(top=top)
        if changed:
            self._cursor_moved()

    def _show_cursor(self, *, top: bool = False) -> None:
        self.scroll_to_region(
            Region(0, self.cursor * LINES_PER_ROW, 1, LINES_PER_ROW),
            animate=False,
            top=top,
            immediate=True,
        )

    def select_article(self, article_id: int) -> bool:
        """Move the cursor to a story if this filter shows it."""
        highlighted = self.highlighted
        if highlighted is not None and highlighted.id == article_id:
            return True
        try:
            headline = self.store.headline(article_id)
            index = self.pager.index_of(headline) if headline is not None else None
        except CACHE_ERRORS:
            return False
        if index is None:
            return False
        self.move_to(index)
        return True

    def next_unread(self, forward: bool = True) -> Headline | None:
        """Move to the nearest unread story below (or above) the cursor."""
        found = self.pager.next_unread(self.cursor, forward)
        if found is None:
            return None
        self.move_to(found[0])
        return found[1]

    @property
    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // LINES_PER_ROW)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self._page_rows)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self._page_rows)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.total - 1)

    def action_open(self) -> None:
        headline = self.highlighted
        if headline is not None:
            self.post_message(self.Opened(self, headline))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + self.scroll_offset.y) // LINES_PER_ROW
        if 0 <= index < self.total:
            self.move_to(index)
            self.action_open()

    # -- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        index, part = divmod(line, LINES_PER_ROW)
        is_cursor = index == self.cursor and self.total > 0  # an empty list has no cursor
        key = (line, width, is_cursor, self.has_focus, self._generation, self.total)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row_line(index, part, width, is_cursor)
            self._lines[key] = strip
        return strip

    def _render_row_line(self, index: int, part: int, width: int, is_cursor: bool) -> Strip:
        paint = self.painter
        base = paint.style("", is_cursor)
        if self.total == 0:
            # The message wraps rather than being cut ("Nothing matches — esc clears t…").
            lines = textwrap.wrap(self.empty_text, max(width - 2, 8)) or [""]
            line = index * LINES_PER_ROW + part
            if line < len(lines):
                empty = paint.style("headline-list--empty", False)
                return Strip([Segment(fit(" " + lines[line], width), empty)]).adjust_cell_length(
                    width, base)
            return Strip.blank(width, base)
        headline = self._row(index)
        if headline is None:
            return Strip.blank(width, paint.style("", False))
        draw = paint.title if part == 0 else paint.meta
        # The minute's clock, not the moment's: both lines of a row are drawn for one time
        # (the first depends on it when line two runs out of room).
        segments = draw(headline, width, is_cursor, now=self._ticked,
                        bookmarks_view=self.filter.bookmarked)
        return Strip(segments).adjust_cell_length(width, base)
