"""How one headline is drawn: two lines of Rich segments in the list's component styles.

Kept apart from the list's scrolling and paging. Styles are resolved once per (component,
cursor) and cached until the theme or focus changes (``forget_styles``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.widget import Widget

from ..core.models import Headline, SnapshotState, snapshot_state
from ..core.sanitize import clean_text
from ..text import fit, relative_time, split_line


def offline_word(snapshot: str | None) -> str:
    """A bookmark's offline copy in a word: the full text, still coming, or the summary."""
    state = snapshot_state(snapshot)
    if state == SnapshotState.OK:
        return "saved"
    if state == SnapshotState.PENDING:
        return "saving…"
    return "summary only"


class RowPainter:
    """Draws headline rows for one list widget, in that widget's styles."""

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        self._styles: dict[tuple[str, bool], Style] = {}

    def forget_styles(self) -> None:
        self._styles.clear()

    def style(self, name: str, is_cursor: bool) -> Style:
        """A component's Rich style on a normal or cursor row, translucent colours blended.

        Rich styles cannot carry alpha, so a partial component style turns "$text-muted"
        (auto 60%) into plain white; the blend against the row's background is done here.
        """
        widget = self.widget
        key = (name, is_cursor)
        style = self._styles.get(key)
        if style is not None:
            return style
        row = (
            widget.get_component_rich_style("headline-list--cursor")
            if is_cursor
            else widget.rich_style
        )
        style = row
        if name:
            background = Color.from_rich_color(row.bgcolor)
            component = widget.get_component_styles(name)
            if component.has_rule("color"):
                color = component.color
                if color.auto:
                    color = background.get_contrast_text(color.a)
                style += Style(color=(background + color).rich_color)
            if component.has_rule("text_style"):
                style += component.text_style
        self._styles[key] = style
        return style

    def title(self, headline: Headline, width: int, cursor: bool, *, now: float,
              bookmarks_view: bool = False) -> list[Segment]:
        """Line one: "● title" (no dot once read), its first line's worth of words."""
        first = layout(headline, width, now, bookmarks_view).first
        base = self.style("", cursor)
        if headline.read:
            return [Segment("  ", base), Segment(first, self.style("headline-list--read", cursor))]
        return [
            Segment("●", self.style("headline-list--dot", cursor)),
            Segment(" ", base),
            Segment(first, self.style("headline-list--unread", cursor)),
        ]

    def meta(self, headline: Headline, width: int, cursor: bool, *, now: float,
             bookmarks_view: bool = False) -> list[Segment]:
        """Line two: the rest of a long title, then "Feed · 12m" and a star for a bookmark
        (with its offline copy's state in the bookmarks view)."""
        row = layout(headline, width, now, bookmarks_view)
        base = self.style("", cursor)
        segments = [Segment("  ", base)]
        if row.rest:
            style = "headline-list--read" if headline.read else "headline-list--unread"
            segments.append(Segment(row.rest, self.style(style, cursor)))
        # Feed and time end at the right edge (before the star), in one column down the list.
        used = 2 + cell_len(row.rest) + cell_len(row.meta) + cell_len(row.star)
        segments += [
            Segment(" " * max(width - used, 1 if row.rest else 0), base),
            Segment(row.meta, self.style("headline-list--meta", cursor)),
        ]
        if row.star:
            segments.append(Segment(row.star, self.style("headline-list--star", cursor)))
        return segments


@dataclass(frozen=True, slots=True)
class RowText:
    """What a row's two lines say, fitted to the list's width."""

    first: str
    """The title's first line."""
    rest: str
    """The rest of the title on line two ("" when it fits on line one)."""
    meta: str
    """"Feed · 12m"."""
    star: str


MIN_REST = 8
"""Cells worth giving the rest of a title on line two; with less, line one is cut instead."""
MIN_FEED = 4
"""The fewest cells a feed's name is shown in; with less room, only the time is shown."""


def layout(headline: Headline, width: int, now: float, bookmarks_view: bool) -> RowText:
    """A title gets two lines before it is cut: the first, then as much of the rest as fits
    before the feed and time. The feed's name gives way first (to a third of the row, then
    down to a few cells for the title), the time never does; line two never runs past
    the row."""
    room = max(width - 2, 0)
    title = clean_text(headline.title) or "(untitled)"
    age = relative_time(headline.timestamp, now)
    star = " ★ " if headline.bookmarked else ""
    if star and bookmarks_view:  # the bookmarks view: is the offline copy there?
        star = f" {offline_word(headline.snapshot)} ★ "
    if cell_len(star) > room:
        star = " ★ " if cell_len(" ★ ") <= room else ""
    feed = clean_text(headline.feed_title) or "?"
    meta_room = room - cell_len(star)
    full_feed_room = meta_room - cell_len(age) - 3  # " · "

    def meta_for(feed_room: int) -> str:
        feed_room = min(feed_room, full_feed_room)
        if feed_room >= MIN_FEED:
            return f"{fit(feed, feed_room)} · {age}"
        return fit(age, meta_room)

    first, rest = split_line(title, room)
    if rest:
        feed_room = min(full_feed_room, max(10, room // 3), cell_len(feed))
        short_by = MIN_REST - (meta_room - feed_room - 3 - cell_len(age) - 2)
        if short_by > 0:  # the rest of the title needs the room more than the feed's name
            feed_room = max(MIN_FEED, feed_room - short_by)
        meta = meta_for(feed_room)
        rest_room = meta_room - cell_len(meta) - 2
        if rest_room >= MIN_REST:
            return RowText(first, fit(rest, rest_room), meta, star)
    # One line of title: it is cut there, and the feed's name has line two to itself.
    return RowText(fit(title, room), "", meta_for(full_feed_room), star)
