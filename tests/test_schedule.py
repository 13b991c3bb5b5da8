"""Each feed's own fetch interval: what the server and the feed ask, and how it posts.

The last test runs two simulated days of a real refresh against a loopback server whose
feeds post at different rates and keep only their last few items: every story posted must
reach the cache, with far fewer requests than fetching every feed at every refresh.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from feedserver import FeedServer, RequestInfo

from tui_reader.cli import main as cli_main
from tui_reader.core.config import Settings
from tui_reader.core.feeds_file import Subscription, save_subscriptions
from tui_reader.core.http import fresh_for
from tui_reader.core.parse import declared_wait, parse_feed
from tui_reader.core.refresh import RefreshService
from tui_reader.core.schedule import (
    DAY,
    PostingPattern,
    failure_reason,
    next_poll,
    posting_pattern,
)
from tui_reader.core.store import Store, open_store

pytestmark = pytest.mark.timeout(120)

HOUR = 3600
MIN = 60
T0 = 1_800_000_000
FLOOR = 30 * MIN


# -- the rule -----------------------------------------------------------------------------


def test_posting_pattern_from_item_dates() -> None:
    times = [T0 - n * 2 * HOUR for n in range(10)] + [None, None]
    pattern = posting_pattern(times)
    assert pattern == PostingPattern(gap=2 * HOUR, newest=T0, window=18 * HOUR)
    assert posting_pattern([T0, None]) == PostingPattern(newest=T0)
    assert posting_pattern([]) == PostingPattern()


def test_a_busy_feed_is_fetched_at_the_floor() -> None:
    pattern = posting_pattern(T0 - n * 10 * MIN for n in range(20))
    poll = next_poll(FLOOR, now=T0, pattern=pattern)
    assert (poll.seconds, poll.reason) == (FLOOR, "posts every 10 min or so")


def test_a_daily_feed_is_fetched_every_six_hours() -> None:
    pattern = posting_pattern(T0 - n * DAY for n in range(10))
    poll = next_poll(FLOOR, now=T0 + HOUR, pattern=pattern)
    assert poll.seconds == 6 * HOUR
    assert poll.reason == "posts every 24 h or so"


def test_a_quiet_feed_waits_longer_up_to_a_day() -> None:
    pattern = posting_pattern(T0 - n * HOUR for n in range(10))
    assert next_poll(FLOOR, now=T0 + 8 * HOUR, pattern=pattern).seconds == 2 * HOUR
    poll = next_poll(FLOOR, now=T0 + 30 * DAY, pattern=pattern)
    # Quiet for a month, but the document only spans 9 hours: it could fill up again in
    # that time, so never wait more than half of it.
    assert poll.seconds == int(4.5 * HOUR)
    assert poll.reason == "its feed holds only 9 h of posts"
    wide = posting_pattern(T0 - n * 3 * DAY for n in range(10))
    assert next_poll(FLOOR, now=T0 + 60 * DAY, pattern=wide).seconds == DAY


def test_a_small_window_keeps_a_slow_looking_feed_frequent() -> None:
    # Posts every 4 hours on average, but in bursts: the document holds 40 minutes.
    pattern = PostingPattern(gap=4 * HOUR, newest=T0, window=40 * MIN)
    assert next_poll(FLOOR, now=T0, pattern=pattern).seconds == FLOOR
    wider = PostingPattern(gap=4 * HOUR, newest=T0, window=90 * MIN)
    assert next_poll(FLOOR, now=T0, pattern=wider).seconds == 45 * MIN


def test_too_few_posts_and_failures_say_so() -> None:
    few = next_poll(FLOOR, now=T0, pattern=posting_pattern([T0, T0 - DAY]))
    assert (few.seconds, few.reason) == (FLOOR, "too few dated posts to tell how often it posts")
    assert failure_reason(1) == "retrying: 1 failure in a row"
    assert failure_reason(4) == "retrying: 4 failures in a row"
    assert failure_reason(2, retry_after=2 * HOUR) == "server asks to wait 2 h"


async def test_a_failing_feed_says_when_it_is_tried_again(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.route("/gone.xml", "nope", status=404, content_type="text/plain")
    store.add_subscription(Subscription(feed_server.url("/gone.xml")))
    service = RefreshService(store, settings())
    now = T0
    for _ in range(3):
        await service.refresh(now=now)
        (info,) = store.feeds()
        now = info.next_due or now
    assert info.poll_reason == "retrying: 3 failures in a row"
    assert info.poll_seconds == info.next_due - info.last_fetched == 4 * FLOOR


def test_server_and_feed_waits_are_respected_and_capped_at_a_day() -> None:
    poll = next_poll(FLOOR, now=T0, server_wait=2 * HOUR)
    assert (poll.seconds, poll.reason) == (2 * HOUR, "server asks for 2 h")
    poll = next_poll(FLOOR, now=T0, server_wait=2 * HOUR, feed_wait=3 * HOUR)
    assert (poll.seconds, poll.reason) == (3 * HOUR, "feed asks for 3 h")
    assert next_poll(FLOOR, now=T0, server_wait=60).seconds == FLOOR  # never below the floor
    assert next_poll(FLOOR, now=T0, feed_wait=7 * DAY).seconds == DAY
    assert next_poll(2 * HOUR, now=T0).seconds == 2 * HOUR


def test_cache_headers_give_a_freshness_lifetime() -> None:
    assert fresh_for("public, max-age=3600", None, None) == 3600
    assert fresh_for('max-age="120"', "Thu, 01 Jan 2099 00:00:00 GMT", None) == 120
    assert fresh_for("no-cache, max-age=3600", None, None) is None
    assert fresh_for(None, "Wed, 21 Oct 2026 09:00:00 GMT", "Wed, 21 Oct 2026 07:00:00 GMT") == (
        2 * HOUR
    )
    assert fresh_for(None, "0", None) is None  # an invalid date means "already expired"
    assert fresh_for("max-age=abc", None, None) is None
    assert fresh_for(None, None, None) is None


def test_feed_declared_waits() -> None:
    assert declared_wait(b"<rss><channel><ttl>180</ttl><item><ttl>1</ttl></item>") == 3 * HOUR
    sy = (
        b'<rdf:RDF xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
        b"<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
        b"</channel><item/></rdf:RDF>"
    )
    assert declared_wait(sy) == 6 * HOUR
    assert declared_wait(b"<rss><channel><ttl>60</ttl><sy:updatePeriod>weekly"
                         b"</sy:updatePeriod></channel></rss>") == 7 * DAY
    assert declared_wait(b"<rss><channel><title>none</title><item/></channel></rss>") is None
    assert declared_wait(b"<rss><channel><ttl>0</ttl></channel></rss>") is None
    feed = parse_feed(b"<rss version='2.0'><channel><title>T</title><ttl>90</ttl>"
                      b"<item><title>x</title></item></channel></rss>", "https://e.test/")
    assert feed.wait == 90 * MIN


# -- through a refresh, and where the user sees it ----------------------------------------


def rss(items: list[tuple[str, int]], extra: str = "") -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>Story {guid}</title>"
        f"<link>https://example.test/{guid}</link>"
        f"<pubDate>{format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)}</pubDate>"
        "</item>"
        for guid, ts in items
    )
    return f"<rss version='2.0'><channel><title>T</title>{extra}{body}</channel></rss>"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "cache.sqlite3")
    yield s
    s.close()


def settings() -> Settings:
    return Settings(refresh_minutes=30, timeout_seconds=5, full_text_per_refresh=0)


async def test_refresh_follows_cache_control_and_keeps_the_pattern_through_304s(
    store: Store, feed_server: FeedServer
) -> None:
    daily = [(f"d{n}", T0 - n * DAY) for n in range(8)]
    feed_server.route("/feed.xml", rss(daily), headers={"ETag": '"v1"'})
    feed_server.route("/cached.xml", rss(daily), headers={"Cache-Control": "max-age=36000"})
    for path in ("/feed.xml", "/cached.xml"):
        store.add_subscription(Subscription(feed_server.url(path)))
    service = RefreshService(store, settings())
    await service.refresh(now=T0 + HOUR)
    feeds = {f.url.rsplit("/", 1)[-1]: f for f in store.feeds()}
    assert feeds["feed.xml"].next_due == T0 + HOUR + 6 * HOUR
    assert feeds["feed.xml"].poll_reason == "posts every 24 h or so"
    assert feeds["cached.xml"].next_due == T0 + HOUR + 10 * HOUR
    assert feeds["cached.xml"].poll_reason == "server asks for 10 h"

    feed_server.route("/feed.xml", b"", status=304, headers={"ETag": '"v1"'})
    await service.refresh(now=T0 + 7 * HOUR)
    (info,) = [f for f in store.feeds() if f.url.endswith("/feed.xml")]
    assert info.last_status == "not modified"
    assert info.next_due == T0 + 7 * HOUR + 6 * HOUR  # the pattern survived the 304
    # The feeds screen says when, as it does for "ok 23:43" (it once said only the words).
    from tui_reader.core.feed_status import status_words

    assert info.last_fetched == T0 + 7 * HOUR
    assert status_words(info, T0 + 7 * HOUR).startswith("not modified ")
    assert feed_server.hits("/cached.xml") == 1  # not due yet: not asked again


def test_feeds_json_shows_when_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       feed_server: FeedServer) -> None:
    feed_server.route("/f.xml", rss([("a", T0)], extra="<ttl>240</ttl>"))
    home = tmp_path / "home"
    assert cli_main(["--home", str(home), "add", "--no-check", feed_server.url("/f.xml")]) == 0
    assert cli_main(["--home", str(home), "refresh"]) == 0
    capsys.readouterr()
    assert cli_main(["--home", str(home), "feeds", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["poll_every_seconds"] == 4 * HOUR
    assert record["poll_reason"] == "feed asks for 4 h"
    due = datetime.fromisoformat(record["next_due"].replace("Z", "+00:00"))
    fetched = datetime.fromisoformat(record["last_fetched"].replace("Z", "+00:00"))
    assert (due - fetched).total_seconds() == 4 * HOUR


# -- two simulated days: fewer requests, nothing missed -----------------------------------


class SimulatedFeeds:
    """Feeds that post every ``gap`` seconds of simulated time and list their last
    ``keep`` posts, answering 304 when nothing new was posted since the client's copy."""

    def __init__(self, rates: dict[str, tuple[int, int]]) -> None:
        self.rates = rates
        self.now = T0
        self.lock = threading.Lock()

    def posts(self, name: str, until: int, since: int | None = None) -> list[tuple[str, int]]:
        """Newest first: the ones listed at *until*, or all posted after *since*."""
        gap, keep = self.rates[name]
        last = until - until % gap
        first = since + 1 if since is not None else last - (keep - 1) * gap
        return [(f"{name}-{t}", t) for t in range(last, first - 1, -gap)]

    def handler(self, name: str):  # type: ignore[no-untyped-def]
        def answer(request: RequestInfo) -> tuple[int, dict[str, str], str]:
            with self.lock:
                now = self.now
            shown = self.posts(name, now)
            etag = f'"{shown[0][1]}"'
            if request.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, ""
            return 200, {"ETag": etag, "Content-Type": "application/rss+xml"}, rss(shown)

        return answer


async def test_two_days_fewer_requests_than_fixed_polling_and_nothing_missed(
    store: Store, feed_server: FeedServer, tmp_path: Path
) -> None:
    rates = {  # name: (seconds between posts, items the feed lists); a reader's usual mix
        "wire": (5 * MIN, 20),  # busy: 100 minutes of posts in the document
        "burst": (20 * MIN, 4),  # a busy feed with a tiny window
        "paper": (HOUR, 30),
        **{f"blog{n}": ((20 + 2 * n) * HOUR, 10) for n in range(4)},
        **{f"weekly{n}": ((6 + n) * DAY, 10) for n in range(3)},
    }
    sim = SimulatedFeeds(rates)
    subs = []
    for name in rates:
        feed_server.route_fn(f"/{name}.xml", sim.handler(name))
        subs.append(Subscription(feed_server.url(f"/{name}.xml")))
    save_subscriptions(tmp_path / "feeds.toml", subs)
    store.sync_subscriptions(subs)
    service = RefreshService(store, settings())
    tick = 15 * MIN
    end = T0 + 2 * DAY
    for now in range(T0, end + 1, tick):  # bounded: 193 ticks of simulated time
        with sim.lock:
            sim.now = now
        await service.refresh(now=now)
    requests = len(feed_server.requests)
    fixed = len(rates) * (2 * DAY // FLOOR + 1)  # every feed at every 30-minute refresh
    assert requests < fixed * 0.5, (requests, fixed)

    stored = {h.url.rsplit("/", 1)[-1] for h in store.headlines(limit=10_000)}
    for name in rates:
        # Everything posted in the two days (and what the first fetch could see).
        first_seen = {guid for guid, _ in sim.posts(name, T0)}
        posted = {guid for guid, _ in sim.posts(name, end, since=T0)} | first_seen
        missing = posted - stored
        assert not missing, (name, sorted(missing)[:5])
