"""The one-line bar at the top: where you are (left) and what the refresh is doing (right)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from ..text import fit

GAP = 3
"""Cells between the two halves (the right half's margin and padding)."""


class StatusLine(Horizontal):
    """Two plain-text halves. The left one says where you are and is never cut for the
    right one: when both do not fit, the right half switches to its short form
    ("⟳ 12/48", "3 failed — F", "09:57"), and only then is cut."""

    context_text: str = ""
    refresh_text: str = ""
    """The right half in full (whatever the width shows)."""
    refresh_short: str = ""
    """The right half's short form, for narrow terminals."""
    _shown: str | None = None
    """What the right half shows now (None before the first time)."""

    def compose(self) -> ComposeResult:
        yield Static(id="status-context")
        yield Static(id="status-refresh")

    def set_context(self, text: str) -> None:
        """" tui-reader — All feeds · 1,204 unread"."""
        if text == self.context_text:
            return
        self.context_text = text
        # Its width is the bar's less the right half: new words need no new layout (which
        # redraws the panes' scrollbars too: bytes over SSH for one changed count).
        self.query_one("#status-context", Static).update(Content(text), layout=False)
        self._fit_refresh()

    def set_refresh(
        self, text: str, *, short: str | None = None, error: bool = False, busy: bool = False
    ) -> None:
        """The refresh half: progress, last update, or one line about a problem."""
        self.refresh_text = text
        self.refresh_short = text if short is None else short
        widget = self.query_one("#status-refresh", Static)
        widget.set_class(error, "-error")
        widget.set_class(busy, "-busy")
        self._fit_refresh()

    @property
    def shown_refresh(self) -> str:
        """The right half as it is on screen now."""
        return self._pick(self.size.width)

    def _pick(self, width: int) -> str:
        if width <= 0:
            return self.refresh_text
        room = width - cell_len(self.context_text) - GAP
        for text in (self.refresh_text, self.refresh_short):
            if cell_len(text) <= room:
                return text
        return fit(self.refresh_short, room) if room >= 4 else ""

    def _fit_refresh(self) -> None:
        widget = self.query_one("#status-refresh", Static)
        text = self._pick(self.size.width)
        if text == self._shown:
            return
        # A layout only when the right half's width changes (it is as wide as its words).
        widget.update(Content(text),
                      layout=self._shown is None or cell_len(text) != cell_len(self._shown))
        self._shown = text
        widget.display = bool(text)

    def on_resize(self) -> None:
        self._fit_refresh()
