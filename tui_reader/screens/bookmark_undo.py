"""The one removed bookmark ``z`` can bring back, for a few seconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.notifications import Notification
from textual.screen import Screen
from textual.timer import Timer

from ..keymap import NO_KEY
from ..toasts import show_toast, withdraw_toast

UNDO_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class RemovedBookmark:
    article_id: int
    bookmarked_at: int | None
    """When it was first bookmarked: an undone removal keeps its place in the bookmarks."""


class BookmarkUndo:
    """Holds the last removed bookmark and the "z to undo" toast that says so."""

    def __init__(self, screen: Screen[Any], undo_key: str = "z") -> None:
        self.screen = screen
        self.undo_key = undo_key
        self._slot: tuple[RemovedBookmark, Timer, Notification] | None = None

    def arm(self, article_id: int, bookmarked_at: int | None) -> None:
        self.drop()
        message = "Bookmark removed"
        if self.undo_key != NO_KEY:
            message += f" — {self.undo_key} to undo"
        toast = show_toast(self.screen.app, message, timeout=UNDO_SECONDS)
        timer = self.screen.set_timer(UNDO_SECONDS, self._expire)
        self._slot = (RemovedBookmark(article_id, bookmarked_at), timer, toast)

    def drop(self) -> None:
        """Forget it, taking its toast away (it would no longer be true)."""
        if self._slot is not None:
            _removed, timer, toast = self._slot
            timer.stop()
            withdraw_toast(self.screen.app, toast)
        self._slot = None

    def take(self) -> RemovedBookmark | None:
        """The bookmark to restore, once; None if there is none (or it expired)."""
        if self._slot is None:
            return None
        removed = self._slot[0]
        self.drop()
        return removed

    def _expire(self) -> None:
        self._slot = None
