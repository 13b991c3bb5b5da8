"""How fast the cache answers the UI's questions with a big history.

Run by hand (not part of the test suite):

    uv run python bench/bench_store.py [--articles 50000] [--feeds 100] [--page 100]

Seeds a throwaway cache through ``Store.save_feed`` (the refresher's own write path, in
batches like real refreshes), then times what the UI does: the first page of headlines,
keyset paging to the end, counts, unread counts, "Read next", search, marking one read.
Each figure is the median of several runs; the cache file lives in a temp folder.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_reader.core.feeds_file import Subscription  # noqa: E402
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem  # noqa: E402
from tui_reader.core.store import Store, open_store  # noqa: E402

SYLLABLES = "ka lo mi ra te su no vi pe da ri zo fa gu le mo ta si ne bu".split()


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    """Made-up words; used with Zipf weights, so some are common and most are rare."""
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))] = None
    return list(words)


CATEGORIES = [f"Topic {n}" for n in range(60)]


def seed(store: Store, articles: int, feeds: int, batch: int, rng: random.Random,
         words: list[str]) -> float:
    subs = [Subscription(f"https://feed{n}.example/rss", f"Feed {n}", (f"tag{n % 7}",))
            for n in range(feeds)]
    store.sync_subscriptions(subs)
    ids = [store.feed_by_url(s.url).id for s in subs]  # type: ignore[union-attr]
    per_feed = articles // feeds
    now = int(time.time())
    weights = [1 / (rank + 1) for rank in range(len(words))]
    start = time.perf_counter()
    for index, fid in enumerate(ids):
        for first in range(0, per_feed, batch):
            items = []
            for n in range(first, min(first + batch, per_feed)):
                text = rng.choices(words, weights, k=150)
                items.append(ParsedItem(
                    guid=f"f{index}-{n}",
                    url=f"https://feed{index}.example/story/{n}",
                    title=" ".join(text[:8]).capitalize(),
                    published=now - rng.randrange(0, 80 * 86400),
                    summary=" ".join(text[:40]),
                    content_text=" ".join(text),
                    categories=tuple(rng.sample(CATEGORIES, k=2)),
                ))
            store.save_feed(fid, ParsedFeed(f"Feed {index}", None, items), {}, now=now)
    return time.perf_counter() - start


def timed(fn: Callable[[], Any], repeat: int = 7) -> tuple[float, Any]:
    """Median wall time of ``fn`` in milliseconds, and its last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def page_to_end(store: Store, filt: HeadlineFilter, page: int) -> tuple[float, list[float], int]:
    per_page: list[float] = []
    cursor = None
    rows = 0
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        heads = store.headlines(filt, limit=page, after=cursor)
        per_page.append((time.perf_counter() - t) * 1000)
        if not heads:
            break
        rows += len(heads)
        cursor = heads[-1].cursor
    return (time.perf_counter() - start) * 1000, per_page, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--batch", type=int, default=50, help="items per save_feed call")
    args = parser.parse_args()
    rng = random.Random(1234)

    with tempfile.TemporaryDirectory(prefix="tui-reader-bench-") as tmp:
        path = Path(tmp) / "cache.sqlite3"
        store = open_store(path)
        words = vocabulary(rng)
        seconds = seed(store, args.articles, args.feeds, args.batch, rng, words)
        total = store.count()
        size = path.stat().st_size + sum(
            p.stat().st_size for p in Path(tmp).glob("cache.sqlite3-*")
        )
        print(f"seeded {total} articles over {args.feeds} feeds in {seconds:.1f}s "
              f"({total / seconds:,.0f} articles/s, {args.batch} per save_feed); "
              f"cache {size / 1e6:.0f} MB; FTS5: {store.has_fts}")
        # Some state, as a user would have.
        all_ids = [h.id for h in store.headlines(limit=total)]
        store.set_read(rng.sample(all_ids, total // 2))
        for article_id in rng.sample(all_ids, 200):
            store.set_bookmark(article_id)
        feed_id = store.feeds()[0].id
        rows: list[tuple[str, str]] = []

        def row(label: str, ms: float, extra: str = "") -> None:
            rows.append((label, f"{ms:8.2f} ms  {extra}".rstrip()))

        for name, filt in [
            ("all", HeadlineFilter()),
            ("unread", HeadlineFilter(unread_only=True)),
            ("one feed", HeadlineFilter(feed_id=feed_id)),
            ("one tag", HeadlineFilter(tag="tag3")),
            ("bookmarks", HeadlineFilter(bookmarked=True)),
        ]:
            ms, heads = timed(lambda f=filt: store.headlines(f, limit=args.page))
            row(f"first page ({name}, {args.page} rows)", ms, f"{len(heads)} rows")
        for name, filt in [("all", HeadlineFilter()), ("unread", HeadlineFilter(unread_only=True))]:
            total_ms, per_page, n = page_to_end(store, filt, args.page)
            row(f"page to the end by keyset ({name})", total_ms,
                f"{n} rows, {len(per_page)} pages; per page median "
                f"{statistics.median(per_page):.2f} ms, max {max(per_page):.2f} ms")
        middle = store.headlines(limit=1, after=(int(time.time()) - 40 * 86400, 0))[0]
        ms, _ = timed(lambda: store.headlines(limit=args.page, before=middle.cursor))
        row("page above a cursor (before=)", ms)
        for name, filt in [("all", HeadlineFilter()), ("unread", HeadlineFilter(unread_only=True)),
                           ("one feed", HeadlineFilter(feed_id=feed_id))]:
            ms, n = timed(lambda f=filt: store.count(f))
            row(f"count ({name})", ms, f"= {n}")
        ms, _ = timed(lambda: store.count(before=middle.cursor))
        row("count(before=) (position of a row)", ms)
        ms, counts = timed(store.unread_counts)
        row("unread_counts", ms, f"{len(counts)} feeds")
        ms, _ = timed(store.feeds)
        row("feeds() with counts and tags", ms)
        sample = rng.sample(all_ids, 20)
        read_next_times = [timed(lambda a=a: store.read_next(a), repeat=3)[0] for a in sample]
        row("read_next (median over 20 articles)", statistics.median(read_next_times),
            f"max {max(read_next_times):.2f} ms")
        common, medium, rare = words[5], words[300], words[3000]
        for query in (common, medium, rare, f"{common} {medium}", medium[:3]):
            ms, found = timed(lambda q=query: store.search(q, limit=args.page))
            n = store.count(HeadlineFilter(query=query))
            row(f"search {query!r} (first page)", ms, f"{len(found)} shown of {n}")
        ms, _ = timed(lambda: store.count(HeadlineFilter(query=common)))
        row(f"search count {common!r}", ms)
        store.has_fts = False
        for query in (common, rare):
            ms, _ = timed(lambda q=query: store.search(q, limit=args.page), repeat=3)
            row(f"search {query!r} without FTS (LIKE)", ms)
        store.has_fts = True
        unread_ids = [h.id for h in store.headlines(HeadlineFilter(unread_only=True), limit=20)]
        targets = iter(unread_ids)
        ms, changed = timed(lambda: store.set_read([next(targets)], True), repeat=20)
        row("mark one (unread) story read", ms, f"{changed} row changed")
        targets2 = iter(rng.sample(all_ids, 20))
        ms, _ = timed(lambda: store.set_bookmark(next(targets2)), repeat=20)
        row("bookmark one", ms)
        versions = iter(range(5))
        ms, _ = timed(lambda: store.save_feed(
            feed_id, ParsedFeed("Feed 0", None, [ParsedItem(
                guid=f"f0-{n}", url=f"https://feed0.example/story/{n}",
                title=f"edited {next_v}") for n in range(50)]), {})
            if (next_v := next(versions)) is not None else None, repeat=5)
        row("save a 50-item feed, all known, all changed", ms)
        ms, _ = timed(lambda: store.save_feed(
            feed_id, ParsedFeed("Feed 0", None, [ParsedItem(
                guid=f"f0-{n}", url=f"https://feed0.example/story/{n}",
                title="edited 4") for n in range(50)]), {}), repeat=5)
        row("save a 50-item feed, all known, unchanged", ms)
        fresh = iter(range(10**6))
        ms, _ = timed(lambda: store.save_feed(
            feed_id, ParsedFeed("Feed 0", None, [ParsedItem(
                guid=f"new-{next(fresh)}", url=None, title="brand new story",
                content_text="body " * 200) for _ in range(50)]), {}), repeat=5)
        row("save a 50-item feed, all new", ms)
        store.close()

    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
