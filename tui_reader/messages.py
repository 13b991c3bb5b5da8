"""Messages the background work sends back to the UI.

Refresh progress arrives in bursts (one per feed, many feeds finishing together), so
:class:`RefreshProgressed` may be replaced by a newer one still in the queue: the status
line only ever needs the latest count (the same trick as toolong's ``PendingLines``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from .core.refresh import RefreshProgress, RefreshReport


class RefreshProgressed(Message, bubble=False):
    """A refresh moved on; a newer one in the queue supersedes this one."""

    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgressed)


class RefreshFinished(Message, bubble=False):
    """A refresh completed; the list, timeline and counts should be read again."""

    def __init__(self, report: RefreshReport) -> None:
        super().__init__()
        self.report = report


class SnapshotFinished(Message, bubble=False):
    """A full-text fetch for one article ended; ``reason`` is None on success."""

    def __init__(self, article_id: int, reason: str | None) -> None:
        super().__init__()
        self.article_id = article_id
        self.reason = reason
