"""RefreshService with a real store and a real loopback server: what a refresh writes."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from feedserver import FeedServer, RequestInfo

from tui_reader.core.config import Settings
from tui_reader.core.feed_writer import FeedWriter
from tui_reader.core.feeds_file import Subscription, load_subscriptions, save_subscriptions
from tui_reader.core.models import FeedState, HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.refresh import (
    MAX_BACKOFF,
    STATUS_DEAD,
    STATUS_ERROR,
    STATUS_OK,
    STATUS_UNCHANGED,
    RefreshProgress,
    RefreshService,
    backoff_seconds,
)
from tui_reader.core.store import FeedWrite, Store, StoreError, open_store

pytestmark = pytest.mark.timeout(60)

NOW = int(time.time())
HOUR = 3600
DAY = 86400


def rfc822(ts: int) -> str:
    return format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)


def rss(items: list[tuple[str, str, int]], *, title: str = "Test Feed",
        links: dict[str, str] | None = None) -> str:
    """An RSS 2.0 document; items are (guid, title, published)."""
    links = links or {}
    body = "".join(
        f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{t}</title>"
        f"<link>{links.get(guid, f'https://example.org/{guid}')}</link>"
        f"<description>Summary of {t}</description><pubDate>{rfc822(ts)}</pubDate></item>"
        for guid, t, ts in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{body}</channel></rss>"
    )


THREE = [("g1", "First story", NOW - 3 * HOUR), ("g2", "Second story", NOW - 2 * HOUR),
         ("g3", "Third story", NOW - HOUR)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "cache.sqlite3")
    yield s
    s.close()


def subscribe(store: Store, *urls: str, full_text: bool = False) -> list[int]:
    subs = [Subscription(u, full_text=full_text) for u in urls]
    store.sync_subscriptions([Subscription(f.url, f.title, f.tags, f.full_text)
                              for f in store.feeds()] + subs)
    ids = []
    for url in urls:
        info = store.feed_by_url(url)
        assert info is not None
        ids.append(info.id)
    return ids


def service(store: Store, feeds_file: Path | None = None, **settings: object) -> RefreshService:
    opts: dict[str, object] = {"timeout_seconds": 5, "full_text_per_refresh": 0}
    opts.update(settings)
    return RefreshService(store, Settings(**opts), feeds_file=feeds_file)  # type: ignore[arg-type]


# -- the happy path and conditional requests ----------------------------------------------


async def test_first_refresh_adds_items_and_second_is_conditional(
    store: Store, feed_server: FeedServer
) -> None:
    etag, stamp = '"v1"', rfc822(NOW - DAY)
    body = rss(THREE)

    def conditional(req: RequestInfo) -> tuple[int, dict[str, str], str]:
        headers = {"ETag": etag, "Last-Modified": stamp, "Content-Type": "application/rss+xml"}
        if req.headers.get("If-None-Match") == etag:
            return 304, headers, ""
        return 200, headers, body

    feed_server.route_fn("/feed.xml", conditional)
    (fid,) = subscribe(store, feed_server.url("/feed.xml"))
    svc = service(store, refresh_minutes=30)

    report = await svc.refresh(now=NOW)
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new, outcome.error) == (STATUS_OK, 3, None)
    assert len(report.new_ids) == 3 and report.new_articles == 3
    assert report.summary() == "1 feed, 3 new"
    assert [h.title for h in store.headlines()] == ["Third story", "Second story", "First story"]
    info = store.feed(fid)
    assert info is not None
    assert (info.etag, info.last_modified, info.last_status) == (etag, stamp, STATUS_OK)
    assert info.title == "Test Feed" and info.next_due == NOW + 30 * 60
    assert info.fail_count == 0 and info.last_fetched == NOW
    first_request = feed_server.requests_for("/feed.xml")[0]
    assert "If-None-Match" not in first_request.headers

    # Not due yet: nothing is fetched.
    assert (await svc.refresh(now=NOW + 60)).outcomes == []
    assert feed_server.hits("/feed.xml") == 1

    later = NOW + 31 * 60
    report = await svc.refresh(now=later)
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new) == (STATUS_UNCHANGED, 0)
    second = feed_server.requests_for("/feed.xml")[1]
    assert second.headers["If-None-Match"] == etag
    assert second.headers["If-Modified-Since"] == stamp
    info = store.feed(fid)
    assert info is not None
    assert (info.etag, info.last_modified, info.last_status) == (etag, stamp, STATUS_UNCHANGED)
    assert info.next_due == later + 30 * 60 and info.last_fetched == later
    assert store.count() == 3


async def test_changed_feed_updates_without_duplicates_and_keeps_read_state(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", rss(THREE))
    subscribe(store, feed_server.url("/feed.xml"))
    svc = service(store)
    await svc.refresh(now=NOW)
    first = {h.title: h.id for h in store.headlines()}
    store.set_read([first["First story"]])
    store.set_bookmark(first["Second story"])

    feed_server.route("/feed.xml", rss([
        ("g1", "First story (corrected)", NOW - 3 * HOUR),
        ("g2", "Second story", NOW - 2 * HOUR),
        ("g3", "Third story", NOW - HOUR),
        ("g4", "Fourth story", NOW - 60),
    ]))
    report = await svc.refresh(force=True, now=NOW + 60)
    (outcome,) = report.outcomes
    assert (outcome.new, outcome.updated) == (1, 1)
    heads = {h.title: h for h in store.headlines()}
    assert set(heads) == {"First story (corrected)", "Second story", "Third story",
                          "Fourth story"}
    assert heads["First story (corrected)"].id == first["First story"]
    assert heads["First story (corrected)"].read
    assert heads["Second story"].bookmarked
    assert not heads["Fourth story"].read
    # A feed dropping its validators drops them here too.
    assert store.feed(outcome.feed_id).etag is None  # type: ignore[union-attr]


async def test_feed_ids_refreshes_only_those(store: Store, feed_server: FeedServer) -> None:
    feed_server.route("/a.xml", rss(THREE[:1]))
    feed_server.route("/b.xml", rss(THREE[1:]))
    a, _b = subscribe(store, feed_server.url("/a.xml"), feed_server.url("/b.xml"))
    report = await service(store).refresh(feed_ids=[a], now=NOW)
    assert [o.feed_id for o in report.outcomes] == [a]
    assert (feed_server.hits("/a.xml"), feed_server.hits("/b.xml")) == (1, 0)


# -- failures and backoff -----------------------------------------------------------------


async def test_429_retry_after_pushes_next_due(store: Store, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", "slow down", status=429, headers={"Retry-After": "7200"},
                      content_type="text/plain")
    (fid,) = subscribe(store, feed_server.url("/feed.xml"))
    report = await service(store, refresh_minutes=10).refresh(now=NOW)
    (outcome,) = report.outcomes
    assert outcome.status == STATUS_ERROR and "429" in (outcome.error or "")
    assert not outcome.network_error
    info = store.feed(fid)
    assert info is not None
    assert info.next_due is not None and info.next_due >= NOW + 7200
    assert info.fail_count == 1 and info.last_error and "429" in info.last_error
    # Not due again before then.
    assert (await service(store).refresh(now=NOW + 3600)).outcomes == []
    assert feed_server.hits("/feed.xml") == 1


async def test_503_retry_after_as_a_date(store: Store, feed_server: FeedServer) -> None:
    when = rfc822(int(time.time()) + 3 * HOUR)
    feed_server.route("/feed.xml", "", status=503, headers={"Retry-After": when},
                      content_type="text/plain")
    (fid,) = subscribe(store, feed_server.url("/feed.xml"))
    await service(store, refresh_minutes=5).refresh(now=NOW)
    info = store.feed(fid)
    assert info is not None and info.next_due is not None
    assert info.next_due >= NOW + 3 * HOUR - 120


async def test_repeated_500s_grow_the_backoff(store: Store, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", "oops", status=500, content_type="text/plain")
    (fid,) = subscribe(store, feed_server.url("/feed.xml"))
    svc = service(store, refresh_minutes=15)
    interval = 15 * 60
    waits = []
    now = NOW
    for attempt in range(1, 5):
        report = await svc.refresh(now=now)
        (outcome,) = report.outcomes
        assert outcome.error == "HTTP 500 Internal Server Error"
        info = store.feed(fid)
        assert info is not None and info.next_due is not None
        assert info.fail_count == attempt
        assert info.last_status == STATUS_ERROR
        waits.append(info.next_due - now)
        now = info.next_due  # exactly due again
    assert waits == [interval, 2 * interval, 4 * interval, 8 * interval]
    assert feed_server.hits("/feed.xml") == 4
    assert backoff_seconds(interval, 50) == MAX_BACKOFF
    # One success resets the count (with stories as fresh as ever: how quiet a feed has
    # been stretches its interval, see test_schedule.py).
    feed_server.route("/feed.xml", rss([(g, t, ts + now - NOW) for g, t, ts in THREE]))
    await svc.refresh(now=now)
    info = store.feed(fid)
    assert info is not None
    assert (info.fail_count, info.last_error, info.next_due) == (0, None, now + interval)


async def test_410_marks_dead_and_dead_feeds_are_left_alone(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.route("/gone.xml", "gone", status=410, content_type="text/plain")
    feed_server.route("/ok.xml", rss(THREE))
    gone, _ok = subscribe(store, feed_server.url("/gone.xml"), feed_server.url("/ok.xml"))
    svc = service(store)
    report = await svc.refresh(now=NOW)
    by_id = {o.feed_id: o for o in report.outcomes}
    assert by_id[gone].status == STATUS_DEAD and by_id[gone].error
    info = store.feed(gone)
    assert info is not None and info.dead and info.last_status == STATUS_DEAD
    await svc.refresh(force=True, now=NOW + DAY)
    await svc.refresh(now=NOW + 30 * DAY)
    assert feed_server.hits("/gone.xml") == 1
    assert feed_server.hits("/ok.xml") == 3


async def test_301_updates_stored_url_and_feeds_toml(
    store: Store, feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.toml"
    old, new = feed_server.url("/old.xml"), feed_server.url("/new.xml")
    other = feed_server.url("/other.xml")
    subs = [Subscription(old, "My title", ("news",), selector="article .body"),
            Subscription(other)]
    save_subscriptions(feeds_file, subs)
    store.sync_subscriptions(subs)
    feed_server.redirect("/old.xml", "/new.xml", status=301)
    feed_server.route("/new.xml", rss(THREE))
    feed_server.route("/other.xml", rss([("o1", "Other", NOW - 5)]))
    fid = store.feed_by_url(old).id  # type: ignore[union-attr]

    report = await service(store, feeds_file).refresh(now=NOW)
    assert not report.failed
    info = store.feed(fid)
    assert info is not None and info.url == new and info.total == 3
    on_disk = load_subscriptions(feeds_file)
    assert [s.url for s in on_disk] == [new, other]
    assert on_disk[0].title == "My title" and on_disk[0].tags == ("news",)
    assert on_disk[0].selector == "article .body"
    # Mirroring feeds.toml again (as every command does) keeps the feed and its stories.
    store.sync_subscriptions(on_disk)
    assert store.feed(fid) is not None and store.count(HeadlineFilter(feed_id=fid)) == 3

    await service(store, feeds_file).refresh(force=True, now=NOW + 60)
    assert feed_server.hits("/old.xml") == 1
    assert feed_server.hits("/new.xml") == 2


async def test_301_to_an_unnormalised_url_does_not_lose_the_feed(
    store: Store, feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.toml"
    old = feed_server.url("/old.xml")
    save_subscriptions(feeds_file, [Subscription(old)])
    store.sync_subscriptions(load_subscriptions(feeds_file))
    feed_server.redirect("/old.xml", "/new.xml#top", status=301)
    feed_server.route("/new.xml", rss(THREE))
    fid = store.feed_by_url(old).id  # type: ignore[union-attr]
    report = await service(store, feeds_file).refresh(now=NOW)
    assert not report.failed, report.failed
    store.set_read([store.headlines()[0].id])
    on_disk = load_subscriptions(feeds_file)
    store.sync_subscriptions(on_disk)
    info = store.feed(fid)
    assert info is not None, "the feed (and its read state) was dropped and re-added"
    assert info.url == on_disk[0].url == feed_server.url("/new.xml")
    assert info.total == 3 and info.unread == 2


async def test_several_feeds_moving_at_once_all_reach_feeds_toml(
    store: Store, feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds_file = tmp_path / "feeds.toml"
    subs = [Subscription(feed_server.url(f"/old{n}.xml")) for n in range(8)]
    save_subscriptions(feeds_file, subs)
    store.sync_subscriptions(subs)
    for n in range(8):
        feed_server.redirect(f"/old{n}.xml", f"/new{n}.xml", status=308)
        feed_server.route(f"/new{n}.xml", rss([(f"n{n}", f"Story {n}", NOW - n)]))
    report = await service(store, feeds_file, concurrency=8).refresh(now=NOW)
    assert not report.failed
    expected = [feed_server.url(f"/new{n}.xml") for n in range(8)]
    assert [s.url for s in load_subscriptions(feeds_file)] == expected
    assert sorted(f.url for f in store.feeds()) == sorted(expected)


async def test_302_does_not_change_the_url(store: Store, feed_server: FeedServer,
                                           tmp_path: Path) -> None:
    feeds_file = tmp_path / "feeds.toml"
    old = feed_server.url("/old.xml")
    save_subscriptions(feeds_file, [Subscription(old)])
    store.sync_subscriptions(load_subscriptions(feeds_file))
    feed_server.redirect("/old.xml", "/elsewhere.xml", status=302)
    feed_server.route("/elsewhere.xml", rss(THREE))
    await service(store, feeds_file).refresh(now=NOW)
    assert [f.url for f in store.feeds()] == [old]
    assert [s.url for s in load_subscriptions(feeds_file)] == [old]
    assert store.count() == 3


async def test_malformed_feed_fails_alone(store: Store, feed_server: FeedServer) -> None:
    feed_server.route("/bad.xml", "this is not a feed at all, just words\n" * 10,
                      content_type="application/rss+xml")
    feed_server.route("/html", "<!doctype html><html><body><p>Hi</p></body></html>",
                      content_type="text/html")
    feed_server.route("/good.xml", rss(THREE))
    bad, html, good = subscribe(store, feed_server.url("/bad.xml"), feed_server.url("/html"),
                                feed_server.url("/good.xml"))
    report = await service(store).refresh(now=NOW)
    by_id = {o.feed_id: o for o in report.outcomes}
    assert by_id[good].status == STATUS_OK and by_id[good].new == 3
    for fid in (bad, html):
        outcome = by_id[fid]
        assert outcome.status == STATUS_ERROR and not outcome.network_error
        assert outcome.error and "\n" not in outcome.error and len(outcome.error) < 200
        info = store.feed(fid)
        assert info is not None and info.last_error == outcome.error
    assert "HTML" in (by_id[html].error or "")
    assert len(report.failed) == 2 and not report.offline and not report.nothing_done
    assert report.summary() == "3 feeds, 3 new, 2 failed"


async def test_dead_port_is_a_network_error_and_offline_when_all_fail(
    store: Store, feed_server: FeedServer
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"
    (dead_id,) = subscribe(store, dead)
    report = await service(store).refresh(now=NOW)
    (outcome,) = report.outcomes
    assert outcome.network_error and outcome.error == "connection refused"
    assert report.offline and report.nothing_done
    assert report.summary() == "1 feed, 0 new, 1 failed, no server could be reached (offline?)"
    info = store.feed(dead_id)
    assert info is not None and info.fail_count == 1 and info.last_error == "connection refused"

    feed_server.route("/good.xml", rss(THREE))
    subscribe(store, feed_server.url("/good.xml"))
    report = await service(store).refresh(force=True, now=NOW + 60)
    assert not report.offline and not report.nothing_done
    assert len(report.failed) == 1


async def test_progress_counts_up_to_total(store: Store, feed_server: FeedServer) -> None:
    urls = []
    for n in range(6):
        feed_server.route(f"/f{n}.xml", rss([(f"f{n}", f"Story {n}", NOW - n)]),
                          delay=0.02 * n)
        urls.append(feed_server.url(f"/f{n}.xml"))
    feed_server.route("/broken.xml", "nope", status=500, content_type="text/plain")
    urls.append(feed_server.url("/broken.xml"))
    subscribe(store, *urls)
    seen: list[RefreshProgress] = []
    report = await service(store).refresh(now=NOW, progress=seen.append)
    assert report.total == 7
    assert seen[0].done == 0 and seen[0].total == 7
    assert [p.done for p in seen] == list(range(8))
    assert all(p.total == 7 for p in seen)
    news = [p.new_articles for p in seen]
    assert news == sorted(news) and news[-1] == 6
    assert seen[-1].failed == 1
    assert all(p.current for p in seen[1:])


async def test_no_feeds_reports_nothing(store: Store) -> None:
    seen: list[RefreshProgress] = []
    report = await service(store).refresh(now=NOW, progress=seen.append)
    assert report.outcomes == [] and not report.offline and not report.nothing_done
    assert report.summary() == "no feeds were due"
    assert [(p.done, p.total) for p in seen] == [(0, 0)]


async def test_oversized_feed_fails_cleanly(store: Store, feed_server: FeedServer) -> None:
    big_items = [(f"b{i}", f"Big story {i} " + "x" * 400, NOW - i) for i in range(600)]
    feed_server.route("/big.xml", rss(big_items))  # about 300 KB
    feed_server.route("/big.gz", rss(big_items), gzip=True)  # small on the wire
    feed_server.route("/small.xml", rss(THREE))
    big, big_gz, small = subscribe(store, feed_server.url("/big.xml"),
                                   feed_server.url("/big.gz"), feed_server.url("/small.xml"))
    report = await service(store, max_feed_mb=0.1).refresh(now=NOW)
    by_id = {o.feed_id: o for o in report.outcomes}
    for fid in (big, big_gz):
        assert by_id[fid].status == STATUS_ERROR
        assert "larger than" in (by_id[fid].error or "")
        assert store.count(HeadlineFilter(feed_id=fid)) == 0
        assert not by_id[fid].network_error  # the server answered: not a sign of "offline"
    assert by_id[small].new == 3


async def test_retention_purges_old_and_skips_old_items(
    store: Store, feed_server: FeedServer
) -> None:
    from tui_reader.core.models import ParsedFeed, ParsedItem

    feed_server.route("/feed.xml", rss([
        ("fresh", "Fresh", NOW - HOUR),
        ("ancient", "Ancient", NOW - 40 * DAY),
        ("kept", "Old bookmark", NOW - 50 * DAY),
    ]))
    (fid,) = subscribe(store, feed_server.url("/feed.xml"))
    seeded = store.save_feed(fid, ParsedFeed("T", None, [
        ParsedItem("old1", "https://example.org/old1", "Old one", published=NOW - 60 * DAY),
        ParsedItem("kept", "https://example.org/kept", "Old bookmark", published=NOW - 50 * DAY),
    ]), {}, now=NOW - 50 * DAY)
    store.set_bookmark(seeded.new_ids[1])

    report = await service(store, retention_days=30).refresh(now=NOW)
    assert report.purged == 1
    (outcome,) = report.outcomes
    assert outcome.new == 1  # "Ancient" is past retention and never comes in
    assert sorted(h.title for h in store.headlines()) == ["Fresh", "Old bookmark"]
    assert store.article(seeded.new_ids[1]).bookmarked  # type: ignore[union-attr]


# -- full-text snapshots ------------------------------------------------------------------


ARTICLE_HTML = """<!doctype html><html><head><title>{title} | Site</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>{title}</h1>
<p>This is the full text of {title}. It has several sentences so that extraction is sure
it is the main content of the page and not a navigation bar or a footer of some kind.</p>
<p>A second paragraph continues the story with more words about the subject at hand,
which is, for the purposes of this test, entirely made up but long enough to count.</p>
<p>A third paragraph: marker-{n} appears here so the test can find it in the snapshot.</p>
</article><footer>Copyright</footer></body></html>"""


async def test_full_text_feeds_get_snapshots_within_the_limit(
    store: Store, feed_server: FeedServer
) -> None:
    items = [(f"a{n}", f"Story {n}", NOW - n * 60) for n in range(1, 5)]
    links = {f"a{n}": feed_server.url(f"/article/{n}") for n in range(1, 5)}
    links["a4"] = feed_server.url("/missing")  # a 404 page
    feed_server.route("/ft.xml", rss(items, links=links))
    feed_server.route("/plain.xml", rss([("p1", "Plain", NOW - 10)]))
    for n in range(1, 4):
        feed_server.route(f"/article/{n}", ARTICLE_HTML.format(title=f"Story {n}", n=n),
                          content_type="text/html; charset=utf-8")
    store.sync_subscriptions([Subscription(feed_server.url("/ft.xml"), full_text=True),
                              Subscription(feed_server.url("/plain.xml"))])
    svc = service(store, full_text_per_refresh=2)

    report = await svc.refresh(now=NOW)
    assert report.new_articles == 5
    assert (report.snapshots_ok, report.snapshots_failed) == (2, 0)
    page_hits = sum(feed_server.hits(f"/article/{n}") for n in range(1, 5))
    assert page_hits + feed_server.hits("/missing") == 2
    # The newest two (Story 1, Story 2) went first.
    by_title = {h.title: h for h in store.headlines()}
    for n in (1, 2):
        art = store.article(by_title[f"Story {n}"].id)
        assert art is not None and art.snapshot == "ok"
        assert art.fulltext_md and f"marker-{n}" in art.fulltext_md
        assert "Copyright" not in art.fulltext_md
    assert by_title["Plain"].snapshot is None

    report = await svc.refresh(force=True, now=NOW + 60)
    assert (report.snapshots_ok, report.snapshots_failed) == (1, 1)
    missing = store.article(by_title["Story 4"].id)
    assert missing is not None and missing.snapshot is not None
    assert missing.snapshot.startswith("full text unavailable") and "404" in missing.snapshot
    assert missing.body_md == "Summary of Story 4"
    # Nothing left to do: the failed one is not retried (it is not a bookmark).
    report = await svc.refresh(force=True, now=NOW + 120)
    assert (report.snapshots_ok, report.snapshots_failed) == (0, 0)
    assert feed_server.hits("/missing") == 1
    assert all(feed_server.hits(f"/article/{n}") == 1 for n in range(1, 4))


async def test_snapshots_off_when_limit_is_zero(store: Store, feed_server: FeedServer) -> None:
    feed_server.route("/ft.xml", rss([("a1", "Story", NOW)],
                                     links={"a1": feed_server.url("/article/1")}))
    store.sync_subscriptions([Subscription(feed_server.url("/ft.xml"), full_text=True)])
    report = await service(store, full_text_per_refresh=0).refresh(now=NOW)
    assert report.snapshots_ok == 0 and feed_server.hits("/article/1") == 0
    assert store.headlines()[0].snapshot == "pending"


async def test_a_bookmark_retries_only_failures_that_can_pass(
    store: Store, feed_server: FeedServer
) -> None:
    """A page that is not HTML, or is gone, will not improve: fetched once. A 503 (or no
    network) is retried on the next refresh, as an offline bookmark must be."""
    items = [("pdf", "A report", NOW - 60), ("busy", "A busy site", NOW - 120)]
    links = {"pdf": feed_server.url("/report.pdf"), "busy": feed_server.url("/busy")}
    feed_server.route("/bm.xml", rss(items, links=links))
    feed_server.route("/report.pdf", b"%PDF-1.4", content_type="application/pdf")
    feed_server.route("/busy", "try later", status=503, content_type="text/html")
    subscribe(store, feed_server.url("/bm.xml"))
    svc = service(store, full_text_per_refresh=5)
    await svc.refresh(now=NOW)
    for headline in store.headlines():
        store.set_bookmark(headline.id)
    for step in range(1, 4):
        await svc.refresh(force=True, now=NOW + step * 60)
    assert feed_server.hits("/report.pdf") == 1
    assert feed_server.hits("/busy") == 3
    by_title = {h.title: h for h in store.headlines()}
    assert by_title["A report"].snapshot == (
        "full text unavailable: not an HTML page (application/pdf)"
    )


# -- the pipeline: bounded bodies in flight, batched writes -------------------------------


class SlowParser(Executor):
    """Parses in a thread after a pause: parsing slower than fetching, as in a big refresh."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._pool = ThreadPoolExecutor(max_workers=4)

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        def slow():  # type: ignore[no-untyped-def]
            time.sleep(self.seconds)
            return fn(*args, **kwargs)

        return self._pool.submit(slow)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


async def test_a_refresh_holds_only_a_few_feeds_at_once(
    store: Store, feed_server: FeedServer
) -> None:
    urls = []
    for n in range(12):
        feed_server.route(f"/f{n}.xml", rss([(f"g{n}", f"Story {n}", NOW - HOUR)]))
        urls.append(feed_server.url(f"/f{n}.xml"))
    subscribe(store, *urls)
    parser = SlowParser(0.15)
    svc = RefreshService(store, Settings(concurrency=3, timeout_seconds=5,
                                         full_text_per_refresh=0), parse_executor=parser)
    fetched_before_first: list[int] = []

    def progress(p: RefreshProgress) -> None:
        if p.done == 1 and not fetched_before_first:
            fetched_before_first.append(len(feed_server.requests))

    try:
        report = await svc.refresh(progress=progress)
    finally:
        parser.shutdown()
    assert report.new_articles == 12 and not report.failed
    # Three feeds in flight: the fourth body is not fetched until one feed is stored.
    assert fetched_before_first == [3]


async def test_feed_outcomes_that_arrive_together_share_a_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = subscribe(store, *[f"https://example.org/{n}.xml" for n in range(30)])
    batches: list[int] = []
    write_feeds = store.write_feeds

    def counting(writes):  # type: ignore[no-untyped-def]
        batches.append(len(writes))
        time.sleep(0.05)  # a slow disk: outcomes pile up meanwhile
        return write_feeds(writes)

    monkeypatch.setattr(store, "write_feeds", counting)
    writer = FeedWriter(store)
    feeds = [ParsedFeed(f"F{n}", None, [ParsedItem(f"g{n}", None, f"Story {n}")]) for n in ids]
    writes = [FeedWrite(i, FeedState(last_status="ok"), f, now=NOW)
              for i, f in zip(ids, feeds, strict=True)]
    first = asyncio.create_task(writer.write(writes[0]))
    await asyncio.sleep(0.01)  # its transaction is under way
    results = [*await asyncio.gather(*(writer.write(w) for w in writes[1:])), await first]
    assert [r.new for r in results] == [1] * 30
    assert batches == [1, 29]  # the first alone, the rest while it was written
    assert {h.title for h in store.headlines(limit=100)} == {f"Story {n}" for n in ids}


async def test_a_failed_batch_fails_the_refresh_with_one_line(
    store: Store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.route("/f.xml", rss(THREE))
    subscribe(store, feed_server.url("/f.xml"))

    def full_disk(writes):  # type: ignore[no-untyped-def]
        raise StoreError("cache.sqlite3: database or disk is full")

    monkeypatch.setattr(store, "write_feeds", full_disk)
    with pytest.raises(StoreError, match="disk is full"):
        await service(store).refresh()


async def test_a_parse_pool_starts_only_when_a_feed_needs_parsing(
    store: Store, feed_server: FeedServer
) -> None:
    for n in range(4):
        feed_server.route(f"/f{n}.xml", rss(THREE), headers={"ETag": '"v1"'})
    subscribe(store, *[feed_server.url(f"/f{n}.xml") for n in range(4)])
    started: list[ThreadPoolExecutor] = []

    def factory() -> ThreadPoolExecutor:
        time.sleep(0.1)  # as slow as spawning a process: every feed waits for one start
        started.append(ThreadPoolExecutor(max_workers=1))
        return started[-1]

    svc = RefreshService(store, Settings(timeout_seconds=5, full_text_per_refresh=0),
                         parse_pool_factory=factory)
    report = await svc.refresh(force=True)
    assert report.new_articles == 12 and len(started) == 1
    assert svc.parse_executor is started[0]
    svc.close()
    assert svc.parse_executor is None

    for n in range(4):  # nothing changed: every feed answers 304, nothing to parse
        feed_server.route(f"/f{n}.xml", b"", status=304, headers={"ETag": '"v1"'})
    svc = RefreshService(store, Settings(timeout_seconds=5, full_text_per_refresh=0),
                         parse_pool_factory=factory)
    await svc.refresh(force=True)
    svc.close()
    assert len(started) == 1
