"""A feed's last fetch and its next one in a few words, for the feeds screen and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .models import FeedInfo, FeedStatus
from .sanitize import clean_text

DUE_HORIZON = 30 * 86400
"""Beyond this, the Next column shows a month rather than a count of days."""


def _when(ts: float, now: float) -> str:
    then, today = datetime.fromtimestamp(ts), datetime.fromtimestamp(now)
    if then.date() == today.date():
        return f"{then:%H:%M}"
    return f"{then.day} {then:%b}"


def _reason(error: str | None) -> str:
    """ "HTTP 410 Gone: the feed was removed" -> "410 Gone"."""
    text = clean_text(error or "")
    if text.startswith("HTTP "):
        text = text[5:].split(":", 1)[0]
    return text


def status_words(
    feed: FeedInfo, now: float, stamp: Callable[[float, float], str] | None = None
) -> str:
    """The last fetch in a few words: "ok 10:42", "not modified 9 Nov", "error: …",
    "dead: 410 Gone". *stamp* writes the fetch time (the CLI prints a full date)."""
    if feed.source == "sync":
        return "from the sync server"
    if feed.dead or feed.last_status == FeedStatus.DEAD:
        return f"dead: {_reason(feed.last_error) or 'gone'}"
    if feed.last_status is None:
        return "never fetched"
    if feed.last_status in (FeedStatus.OK, FeedStatus.NOT_MODIFIED):
        status = clean_text(feed.last_status)
        if not feed.last_fetched:
            return status
        return f"{status} {(stamp or _when)(feed.last_fetched, now)}"
    if feed.last_status == FeedStatus.ERROR or feed.last_error:
        return f"error: {clean_text(feed.last_error) or 'unknown'}"
    return clean_text(feed.last_status)


def due_words(feed: FeedInfo, now: float) -> str:
    """When the next background refresh will fetch this feed."""
    if feed.source == "sync":
        return "at each sync"
    if feed.dead:
        return "never"
    if not feed.next_due or feed.next_due <= now:
        return "now"
    wait = int(feed.next_due - now)
    if wait < 3600:
        return f"in {max(wait // 60, 1)}m"
    if wait < 86400:
        return f"in {wait // 3600}h"
    if wait < DUE_HORIZON:
        return f"in {wait // 86400}d"
    try:
        return f"{datetime.fromtimestamp(feed.next_due):%b %Y}"
    except (OverflowError, OSError, ValueError):
        return "later"
