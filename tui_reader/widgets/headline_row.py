"""How one headline is drawn: two lines of Rich segments in the list's component styles.

Kept apart from the list's scrolling and paging. Styles are resolved once per (component,
cursor) and cached until the theme or focus changes (``forget_styles``).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.widget import Widget

from ..core.models import Headline, SnapshotState, snapshot_state
from ..core.sanitize import clean_text
from ..text import fit, relative_time


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
        if is_cursor and widget.app.no_color:
            style += Style(reverse=True)
        self._styles[key] = style
        return style

    def title(self, headline: Headline, width: int, cursor: bool) -> list[Segment]:
        """Line one: "● title" (no dot once read)."""
        title = clean_text(headline.title) or "(untitled)"
        base = self.style("", cursor)
        if headline.read:
            return [
                Segment("  ", base),
                Segment(fit(title, width - 2), self.style("headline-list--read", cursor)),
            ]
        return [
            Segment("●", self.style("headline-list--dot", cursor)),
            Segment(" ", base),
            Segment(fit(title, width - 2), self.style("headline-list--unread", cursor)),
        ]

    def meta(self, headline: Headline, width: int, cursor: bool, *, now: float,
             bookmarks_view: bool = False) -> list[Segment]:
        """Line two: "Feed · 12m", and a star for a bookmark (with its offline copy's state
        in the bookmarks view)."""
        base = self.style("", cursor)
        age = relative_time(headline.timestamp, now)
        star = " ★ " if headline.bookmarked else ""
        if star and bookmarks_view:  # the bookmarks view: is the offline copy there?
            star = f" {offline_word(headline.snapshot)} ★ "
        feed_room = width - 2 - cell_len(age) - 3 - cell_len(star)
        feed = fit(clean_text(headline.feed_title) or "?", max(feed_room, 0))
        meta = f"{feed} · {age}" if feed else age
        meta = fit(meta, width - 2 - cell_len(star))
        segments = [
            Segment("  ", base),
            Segment(meta, self.style("headline-list--meta", cursor)),
        ]
        if star:
            gap = max(width - 2 - cell_len(meta) - cell_len(star), 0)
            segments += [
                Segment(" " * gap, base),
                Segment(star, self.style("headline-list--star", cursor)),
            ]
        return segments
