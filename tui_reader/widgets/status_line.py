"""The one-line bar at the top: where you are (left) and what the refresh is doing (right)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static


class StatusLine(Horizontal):
    """Two plain-text halves; the left one gives way (with an ellipsis) when space is short."""

    context_text: str = ""
    refresh_text: str = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status-context")
        yield Static(id="status-refresh")

    def set_context(self, text: str) -> None:
        """" tui-reader — All feeds · 1,204 unread"."""
        self.context_text = text
        self.query_one("#status-context", Static).update(Content(text))

    def set_refresh(self, text: str, *, error: bool = False, busy: bool = False) -> None:
        """The refresh half: progress, last update, or one line about a problem."""
        self.refresh_text = text
        widget = self.query_one("#status-refresh", Static)
        widget.update(Content(text))
        widget.set_class(error, "-error")
        widget.set_class(busy, "-busy")
