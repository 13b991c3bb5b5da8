"""Messages the background work sends back to the UI.

Refresh progress arrives in bursts (one per feed, many feeds finishing together), so
:class:`RefreshProgressed` may be replaced by a newer one still in the queue: the status
line only ever needs the latest count (the same trick as toolong's ``PendingLines``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from .core.models import StoryFlags
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


class RefreshStarted(Message, bubble=False):
    """A refresh began: the status line says so before the first feed is done."""


class RefreshSkipped(Message, bubble=False):
    """Nothing is fetched (the demo); ``text`` says why, in the status line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RefreshFailed(Message, bubble=False):
    """A refresh stopped on an error: one line, never a traceback."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class WriteFailed(Message, bubble=False):
    """A store write made for a story failed; its real flags should be shown again."""

    def __init__(self, error: BaseException, article_id: int | None) -> None:
        super().__init__()
        self.error = error
        self.article_id = article_id


class StoryChanged(Message, bubble=False):
    """A story's read / bookmark / full-text flags changed: sent to every widget that may
    show it (the list, the timeline, the article pane), which updates its own copy."""

    def __init__(self, article_id: int, flags: StoryFlags) -> None:
        super().__init__()
        self.article_id = article_id
        self.flags = flags


class SyncProgressed(Message, bubble=False):
    """A sync with the feed server moved on (one line); a newer one supersedes it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgressed)


class SyncFinished(Message, bubble=False):
    """A sync ended (the refresh of feeds.toml's feeds follows): ``new`` stories pulled,
    or ``error``, one line."""

    def __init__(self, new: int, error: str | None = None) -> None:
        super().__init__()
        self.new = new
        self.error = error
