"""The cache write for a feed that was fetched (200) and parsed: its items, its own
title, when to fetch it next, and the validators for the next conditional request.

A refresh and ``tui-reader add`` (which keeps the feed it fetched to find it) both
write a fetched feed this way, so a feed just added is stored as if refreshed.
"""

from __future__ import annotations

from .config import Settings
from .models import FeedState, FeedStatus, ParsedFeed
from .schedule import next_poll, posting_pattern
from .store import FeedWrite


def fetched_write(
    feed_id: int,
    parsed: ParsedFeed,
    settings: Settings,
    *,
    now: int,
    fresh_for: int | None,
    etag: str | None,
    last_modified: str | None,
) -> FeedWrite:
    """What to write for *parsed*; items older than the retention window are left out,
    so purged stories do not come back as unread."""
    interval = settings.refresh_minutes * 60
    pattern = posting_pattern(i.published or i.updated for i in parsed.items)
    poll = next_poll(interval, now=now, server_wait=fresh_for,
                     feed_wait=parsed.wait, pattern=pattern)
    state = FeedState(
        last_status=FeedStatus.OK.value, last_error=None, last_fetched=now, fail_count=0,
        dead=False, next_due=now + poll.seconds, etag=etag,
        last_modified=last_modified, post_gap=pattern.gap,
        newest_post=pattern.newest, doc_window=pattern.window,
        feed_wait=parsed.wait, poll_seconds=poll.seconds, poll_reason=poll.reason,
    )
    min_ts = now - settings.retention_days * 86400
    return FeedWrite(feed_id, state, parsed, now=now, min_ts=min_ts)
