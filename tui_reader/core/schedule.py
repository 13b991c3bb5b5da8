"""When to fetch a feed next: what its server and the feed itself ask, and how it posts.

newsboat fetches every feed at every reload. Most feeds post a few times a day or less,
so most of those requests come back with nothing. Here each feed gets its own interval:

- never sooner than ``refresh_minutes`` (the user's floor), never later than a day;
- never sooner than the server asks (``Cache-Control: max-age``, ``Expires``) or the feed
  declares (RSS ``<ttl>``, ``sy:updatePeriod`` / ``sy:updateFrequency``);
- otherwise about a quarter of the feed's typical gap between posts (a feed that posts
  daily is looked at every six hours), and longer while it has been quiet for a while;
- but at most half the span of time the feed's document covers, so a busy feed that keeps
  only its last few items is fetched before an unseen item can drop off its end.

Failures are not handled here: :func:`tui_reader.core.refresh.backoff_seconds` is.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from .words import plural

DAY = 86400
POLLS_PER_GAP = 4
"""How many fetches per typical gap between posts: a new story waits a quarter gap."""
RECENT_POSTS = 20
"""How many of the newest dated items the posting rate is taken from."""
MIN_POSTS = 3


@dataclass(frozen=True, slots=True)
class PostingPattern:
    """How a feed has been posting, from the dated items of its last document."""

    gap: int | None = None
    """The median seconds between its recent posts; None with too few dated items."""
    newest: int | None = None
    """When its newest dated item was published."""
    window: int | None = None
    """The seconds between the newest and oldest dated item the document still lists."""


def posting_pattern(times: Iterable[int | None]) -> PostingPattern:
    """The pattern behind a document's item dates (undated items say nothing)."""
    dated = sorted((t for t in times if t), reverse=True)
    if not dated:
        return PostingPattern()
    window = dated[0] - dated[-1] if len(dated) >= MIN_POSTS else None
    recent = dated[:RECENT_POSTS]
    gap = None
    if len(recent) >= MIN_POSTS:
        gap = int(statistics.median(a - b for a, b in zip(recent, recent[1:], strict=False)))
    return PostingPattern(gap=gap, newest=dated[0], window=window)


@dataclass(frozen=True, slots=True)
class Poll:
    """The chosen interval and why, for the feeds screen and ``feeds --json``."""

    seconds: int
    reason: str


def _span(seconds: int) -> str:
    """"40 min", "6 h", "2 days": how an interval reads in a reason."""
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    if seconds < 2 * DAY:
        hours = seconds / 3600
        return f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
    return f"{seconds // DAY} days"


def next_poll(
    floor: int,
    *,
    now: int,
    server_wait: int | None = None,
    feed_wait: int | None = None,
    pattern: PostingPattern | None = None,
) -> Poll:
    """Seconds until the next fetch of a feed that was just fetched successfully.

    ``floor``: refresh_minutes in seconds. ``server_wait``: from the HTTP cache headers.
    ``feed_wait``: from the document (ttl or sy:update*).
    """
    floor = min(max(floor, 60), DAY)
    pattern = pattern or PostingPattern()
    wait, reason = floor, "too few dated posts to tell how often it posts"
    if pattern.gap is not None:
        quiet = max(now - pattern.newest, 0) if pattern.newest else 0
        guess = max(pattern.gap, quiet) // POLLS_PER_GAP
        if quiet > pattern.gap:
            reason = f"quiet for {_span(quiet)}"
        else:
            reason = f"posts every {_span(pattern.gap)} or so"
        if pattern.window and pattern.window // 2 < guess:
            guess = pattern.window // 2
            reason = f"its feed holds only {_span(pattern.window)} of posts"
        wait = max(wait, guess)
    for asked, who in ((server_wait, "server"), (feed_wait, "feed")):
        if asked is not None and asked > wait:
            wait, reason = asked, f"{who} asks for {_span(asked)}"
    return Poll(int(min(wait, DAY)), reason)


def failure_reason(failures: int, retry_after: int | None = None) -> str:
    """Why a failing feed waits: the server said so, or failures back off."""
    if retry_after:
        return f"server asks to wait {_span(retry_after)}"
    return f"retrying: {plural(failures, 'failure')} in a row"
