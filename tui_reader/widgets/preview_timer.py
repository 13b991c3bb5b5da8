"""When to show the story under a moving cursor: at once, or once the cursor rests.

Showing a story costs tens of milliseconds, so a held ``j`` would stutter if every row
were shown on the way; the article pane follows the cursor after :data:`PREVIEW_DELAY`
instead. Keys that act on "the story" take the pending preview at once
(:meth:`PreviewTimer.pending`), so a quick ``j b`` acts on the row the cursor reached.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from ..core.models import Headline

PREVIEW_DELAY = 0.08
"""Moving through the list shows the story after this pause, so held keys stay smooth."""


class PreviewTimer:
    """Times previews for one list; *rested* is called with the story to show."""

    def __init__(self, widget: Widget, rested: Callable[[Headline], object]) -> None:
        self.widget = widget
        self.rested = rested
        self._timer: Timer | None = None
        self._pending: int | None = None
        """The story a preview is on its way for (timer armed, or being shown)."""
        self._shown: int | None = None
        """The story the article pane shows (or is loading)."""

    def moved(self, headline: Headline | None) -> None:
        """The cursor is on *headline* now: at once when the pane shows nothing, else once
        the cursor rests; nothing if the pane already shows it."""
        self._stop()
        if headline is None or headline.id == self._shown:
            self._pending = None
            return
        self._pending = headline.id
        if self._shown is None:
            self.rested(headline)
        else:
            self._timer = self.widget.set_timer(PREVIEW_DELAY, lambda: self.rested(headline))

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def waiting_for(self) -> int | None:
        """The story a preview is on its way for (its timer left running)."""
        return self._pending

    def pending(self) -> int | None:
        """The story a preview is on its way for, its timer stopped: the caller shows it."""
        self._stop()
        return self._pending

    def taken(self, article_id: int) -> None:
        """The pane is loading *article_id*: a preview of another story is dropped."""
        self._stop()
        self._shown = article_id
        if self._pending != article_id:
            self._pending = None

    def done(self, article_id: int) -> None:
        if self._pending == article_id:
            self._pending = None

    def cleared(self) -> None:
        """The pane shows no story."""
        self._stop()
        self._shown = self._pending = None
