"""The built-in demo: bundled sample feeds loaded into a throwaway home, with no network.

The sample files go through the same parser as real feeds. Their dates are written
relative to ``DEMO_ANCHOR`` and shifted so that the anchor becomes "now", so the demo
always has stories from today and the days before.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from .feeds_file import Subscription, save_subscriptions
from .models import FeedState, FeedStatus, ParsedFeed, ParsedItem
from .parse import parse_feed
from .paths import Paths
from .store import open_store

TEN_YEARS = 10 * 365 * 86400


def _anchor() -> int:
    from ..demo.catalog import DEMO_ANCHOR

    return int(datetime.fromisoformat(DEMO_ANCHOR.replace("Z", "+00:00")).timestamp())


DEMO_NOW = _anchor()
"""A fixed "now" (the sample files' anchor) for snapshot tests and screenshots."""


def _shift(item: ParsedItem, delta: int) -> ParsedItem:
    return replace(
        item,
        published=item.published + delta if item.published else None,
        updated=item.updated + delta if item.updated else None,
    )


def demo_subscriptions() -> list[Subscription]:
    from ..demo.catalog import DEMO_FEEDS

    return [Subscription(url, None, tuple(tags)) for _name, url, tags in DEMO_FEEDS]


def build_demo_home(home: Path, now: float | None = None) -> Paths:
    """Write feeds.toml and a cache filled from the bundled feeds under *home*."""
    from ..demo.catalog import DEMO_FEEDS

    now_i = int(now if now is not None else time.time())
    delta = now_i - DEMO_NOW
    paths = Paths.under(home).ensure()
    subs = demo_subscriptions()
    save_subscriptions(paths.feeds_file, subs)
    with open_store(paths.database) as store:
        store.sync_subscriptions(subs)
        package = files("tui_reader.demo")
        for (name, url, _tags), sub in zip(DEMO_FEEDS, subs, strict=True):
            parsed = parse_feed(package.joinpath(name).read_bytes(), url)
            items = [_shift(i, delta) for i in parsed.items]
            shifted = ParsedFeed(parsed.title, parsed.site_url, items)
            info = store.feed_by_url(sub.url)
            assert info is not None
            state = FeedState(last_status=FeedStatus.OK, last_fetched=now_i,
                              next_due=now_i + TEN_YEARS)
            store.save_feed(info.id, shifted, state, now=now_i)
    return paths
