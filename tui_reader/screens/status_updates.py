"""The status line's two halves kept up to date: where the reader is, what refreshes did.

The words come from :mod:`tui_reader.status_text`; this class reads the counts they need
from the store and hands the result to the :class:`~tui_reader.widgets.StatusLine`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.models import HeadlineFilter
from ..core.store import Store
from ..guard import CACHE_ERRORS
from ..status_text import (
    Part,
    context_text,
    finished_parts,
    joined,
    last_update_parts,
    progress_parts,
    sync_part,
)
from ..widgets import StatusLine

if TYPE_CHECKING:
    from ..core.refresh import RefreshProgress, RefreshReport


class StatusUpdates:
    """Writes the status line; store errors propagate to the caller's guard."""

    def __init__(self, line: Callable[[], StatusLine], store: Store,
                 clock: Callable[[], float], hint: Callable[[str], str] = str) -> None:
        self._line = line
        self.store = store
        self.clock = clock
        self.hint = hint
        """An action's key as the user has it ("F for details")."""
        self.busy = False
        """Whether a refresh is running (its progress owns the line)."""
        self.sync_note: tuple[Part, bool] | None = None
        """The last sync's outcome, said again after the refresh that follows it."""

    @property
    def line(self) -> StatusLine:
        return self._line()

    def failing_feeds(self) -> int:
        """Feeds whose last fetch failed (kept in the cache across runs)."""
        return sum(1 for feed in self.store.feeds() if feed.last_error)

    def context(self, filt: HeadlineFilter, label: str) -> None:
        """The left half: where we are and how much is unread."""
        if filt == HeadlineFilter():
            unread = self.store.total_unread()
        else:
            unread = self.store.count(replace(filt, unread_only=True))
        self.line.set_context(context_text(label, unread))

    def show(self, parts: list[Part], *, error: bool = False, busy: bool = False) -> None:
        long, short = joined(parts)
        self.line.set_refresh(long, short=short, error=error, busy=busy)

    def last_update(self, *, again: bool = False) -> None:
        """Before any refresh (or *again*, after the feeds screen fetched or removed
        feeds): failing feeds and when the cache was last filled. A running refresh keeps
        the line."""
        if (self.line.refresh_text and not again) or self.busy:
            return
        failing = self.failing_feeds()
        parts = last_update_parts(failing, self.store.last_refreshed(), self.clock(),
                                  self.hint("feeds"))
        if parts:
            self.show(parts, error=bool(failing))

    def started(self) -> None:
        self.busy = True
        self.show([("Checking feeds…", "Checking feeds…")], busy=True)

    def said(self, text: str, *, error: bool = False) -> None:
        self.busy = False
        self.line.set_refresh(text, error=error)

    def progressed(self, progress: RefreshProgress) -> None:
        self.busy = True
        self.show(progress_parts(progress), busy=True)

    def syncing(self, text: str) -> None:
        self.busy = True
        self.show([(text, "⟳ sync")], busy=True)

    def synced(self, new: int, error: str | None) -> None:
        """Keep the sync's outcome for the refresh's line; an error shows at once."""
        self.sync_note = (sync_part(new, error), error is not None)
        if error:
            self.show([self.sync_note[0]], error=True, busy=True)

    def finished(self, report: RefreshReport) -> None:
        self.busy = False
        failing = 0
        if not report.offline and not report.failed:
            try:
                failing = self.failing_feeds()  # not due this time, but still broken
            except CACHE_ERRORS:
                failing = 0
        parts, error = finished_parts(report, failing, self.clock(), self.hint("feeds"))
        if self.sync_note is not None:
            (note, failed), self.sync_note = self.sync_note, None
            parts.insert(0, note)
            error = error or failed
        self.show(parts, error=error)
