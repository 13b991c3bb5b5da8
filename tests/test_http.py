"""PoliteClient against a real loopback server."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
import pytest
from feedserver import FeedServer, Handler, RequestInfo

from tui_reader import __version__
from tui_reader.core.http import (
    FEED_ACCEPT,
    FetchError,
    FetchResult,
    PoliteClient,
    is_http_url,
    parse_retry_after,
)

pytestmark = pytest.mark.timeout(15)

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


async def test_plain_get_sends_polite_headers(feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", RSS, headers={"ETag": '"v1"'})
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/feed.xml"))
    assert result.ok and not result.not_modified
    assert result.status == 200
    assert result.content == RSS
    assert result.content_type == "application/rss+xml"
    assert result.etag == '"v1"'
    assert result.url == feed_server.url("/feed.xml")
    assert result.permanent_url is None
    (req,) = feed_server.requests
    assert req.headers["User-Agent"] == f"tui-reader/{__version__} (+terminal news reader)"
    assert req.headers["Accept"] == FEED_ACCEPT
    assert "gzip" in req.headers["Accept-Encoding"] and "br" in req.headers["Accept-Encoding"]
    assert "If-None-Match" not in req.headers


async def test_validators_sent_and_304_returned(feed_server: FeedServer) -> None:
    etag, stamp = '"abc123"', "Wed, 21 Oct 2015 07:28:00 GMT"

    def conditional(req: RequestInfo) -> tuple[int, dict[str, str], bytes]:
        headers = {"ETag": etag, "Last-Modified": stamp, "Content-Type": "application/rss+xml"}
        if req.headers.get("If-None-Match") == etag:
            return 304, headers, b""
        return 200, headers, RSS

    feed_server.route_fn("/feed", conditional)
    async with PoliteClient() as client:
        first = await client.get(feed_server.url("/feed"))
        assert first.status == 200 and first.etag == etag and first.last_modified == stamp
        second = await client.get(
            feed_server.url("/feed"), etag=first.etag, last_modified=first.last_modified
        )
    assert second.not_modified and not second.ok
    assert second.content == b""
    last = feed_server.requests[-1]
    assert last.headers["If-None-Match"] == etag
    assert last.headers["If-Modified-Since"] == stamp


async def test_error_statuses_are_results_not_exceptions(feed_server: FeedServer) -> None:
    feed_server.route("/gone", b"bye", status=410, content_type="text/plain")
    async with PoliteClient() as client:
        gone = await client.get(feed_server.url("/gone"))
        missing = await client.get(feed_server.url("/nowhere"))
    assert (gone.status, gone.ok, gone.content) == (410, False, b"bye")
    assert missing.status == 404


async def test_retry_after_seconds(feed_server: FeedServer) -> None:
    feed_server.route("/busy", b"", status=429, headers={"Retry-After": "120"})
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/busy"))
    assert result.status == 429
    assert result.retry_after == 120


async def test_retry_after_http_date(feed_server: FeedServer) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    feed_server.route(
        "/down", b"", status=503, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/down"))
    assert result.status == 503
    assert result.retry_after is not None and 80 <= result.retry_after <= 91


def test_parse_retry_after_edge_cases() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(" 5 ") == 5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # past dates: no wait


async def test_permanent_redirect_chain_sets_permanent_url(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/older", status=301)
    feed_server.redirect("/older", feed_server.url("/new"), status=308)
    feed_server.route("/new", RSS)
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/old"))
    assert result.status == 200 and result.content == RSS
    assert result.url == feed_server.url("/new")
    assert result.permanent_url == feed_server.url("/new")


async def test_temporary_hop_means_no_permanent_url(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", "/c", status=302)
    feed_server.route("/c", RSS)
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/a"))
    assert result.url == feed_server.url("/c")
    assert result.permanent_url is None


async def test_redirect_to_ftp_refused(feed_server: FeedServer) -> None:
    feed_server.redirect("/feed", "ftp://files.invalid/feed.xml", status=301)
    async with PoliteClient() as client:
        with pytest.raises(FetchError, match="non-http"):
            await client.get(feed_server.url("/feed"))


async def test_too_many_redirects(feed_server: FeedServer) -> None:
    feed_server.redirect("/loop", "/loop", status=302)
    async with PoliteClient(max_redirects=3) as client:
        with pytest.raises(FetchError, match="^too many redirects$"):
            await client.get(feed_server.url("/loop"))
    assert feed_server.hits("/loop") == 4


async def test_redirect_without_location_is_a_fetch_error(feed_server: FeedServer) -> None:
    feed_server.route("/odd", b"", status=302, content_type=None)
    async with PoliteClient() as client:
        with pytest.raises(FetchError, match="bad redirect"):
            await client.get(feed_server.url("/odd"))


async def test_non_http_url_refused_without_a_request() -> None:
    async with PoliteClient() as client:
        with pytest.raises(FetchError, match="not an http"):
            await client.get("ftp://example.invalid/feed")
        with pytest.raises(FetchError, match="not an http"):
            await client.get("javascript:alert(1)")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/feed", "http://127.0.0.1:0/feed", "http://127.0.0.1:1/\x00"]
)
async def test_unusable_urls_are_fetch_errors(url: str) -> None:
    async with PoliteClient() as client:
        with pytest.raises(FetchError, match="^invalid URL"):
            await client.get(url)


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/feed")
    assert is_http_url("HTTP://example.com")
    assert not is_http_url("http://")
    assert not is_http_url("file:///etc/passwd")
    assert not is_http_url("/relative/path")
    assert not is_http_url("http://[::1")  # unparsable


async def test_gzip_body_is_decoded(feed_server: FeedServer) -> None:
    feed_server.route("/gz", RSS * 50, gzip=True)
    async with PoliteClient() as client:
        result = await client.get(feed_server.url("/gz"))
    assert result.content == RSS * 50


async def test_brotli_and_raw_deflate_bodies_are_decoded(feed_server: FeedServer) -> None:
    import zlib

    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = raw.compress(RSS) + raw.flush()
    feed_server.route("/br", brotli.compress(RSS), headers={"Content-Encoding": "br"})
    feed_server.route("/deflate", deflated, headers={"Content-Encoding": "deflate"})
    async with PoliteClient() as client:
        assert (await client.get(feed_server.url("/br"))).content == RSS
        assert (await client.get(feed_server.url("/deflate"))).content == RSS


async def test_size_cap_plain_body(feed_server: FeedServer) -> None:
    feed_server.route("/big", b"x" * 300_000)
    async with PoliteClient(max_bytes=100_000) as client:
        with pytest.raises(FetchError, match="^response larger than 98 KB$"):
            await client.get(feed_server.url("/big"))


async def test_size_cap_counts_streamed_bytes_without_content_length(
    feed_server: FeedServer,
) -> None:
    # A body delimited by closing the connection: no length to check up front.
    feed_server.route("/stream", b"y" * 3 * 1024 * 1024, stream=True)
    async with PoliteClient(max_bytes=1024 * 1024) as client:
        with pytest.raises(FetchError, match="^response larger than 1 MB$"):
            await client.get(feed_server.url("/stream"))


async def test_gzip_bomb_fails_cleanly(feed_server: FeedServer) -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    feed_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    async with PoliteClient(max_bytes=1024 * 1024) as client:
        with pytest.raises(FetchError, match="^response larger than 1 MB$"):
            await client.get(feed_server.url("/bomb"))


async def test_brotli_bomb_fails_cleanly(feed_server: FeedServer) -> None:
    bomb = brotli.compress(b"\0" * (8 * 1024 * 1024), quality=5)
    assert len(bomb) < 10_000
    feed_server.route("/bomb.br", bomb, headers={"Content-Encoding": "br"})
    async with PoliteClient(max_bytes=1024 * 1024) as client:
        with pytest.raises(FetchError, match="larger than"):
            await client.get(feed_server.url("/bomb.br"))


async def test_corrupt_gzip_is_a_fetch_error(feed_server: FeedServer) -> None:
    feed_server.route("/junk", b"definitely not gzip", headers={"Content-Encoding": "gzip"})
    async with PoliteClient() as client:
        with pytest.raises(FetchError, match="could not decode"):
            await client.get(feed_server.url("/junk"))


async def test_dead_port_fails_fast() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    async with PoliteClient(timeout=5) as client:
        with pytest.raises(FetchError) as info:
            await client.get(f"http://127.0.0.1:{port}/feed")
    assert time.monotonic() - started < 2
    assert str(info.value) == "connection refused"


async def test_slow_server_times_out(feed_server: FeedServer) -> None:
    feed_server.route("/slow", RSS, delay=1.0)
    async with PoliteClient(timeout=0.2) as client:
        with pytest.raises(FetchError, match="^timed out after"):
            await client.get(feed_server.url("/slow"))


class _Gauge:
    """Counts requests in flight inside the server's handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def handler(self, pause: float) -> Handler:
        def handle(req: RequestInfo) -> tuple[int, dict[str, str], bytes]:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                time.sleep(pause)
            finally:
                with self.lock:
                    self.now -= 1
            return 200, {"Content-Type": "application/rss+xml"}, RSS

        return handle


async def test_per_host_cap_is_respected(feed_server: FeedServer) -> None:
    gauge = _Gauge()
    feed_server.route_fn("/slow", gauge.handler(0.15))
    async with PoliteClient(concurrency=8, per_host=2) as client:
        results = await asyncio.gather(
            *(client.get(feed_server.url(f"/slow?n={i}")) for i in range(6))
        )
    assert all(isinstance(r, FetchResult) and r.ok for r in results)
    assert feed_server.hits("/slow") == 6
    assert gauge.peak == 2


async def test_global_cap_spans_hosts() -> None:
    gauge = _Gauge()
    with FeedServer() as one, FeedServer() as two:
        for server in (one, two):
            server.route_fn("/slow", gauge.handler(0.1))
        async with PoliteClient(concurrency=1, per_host=2) as client:
            await asyncio.gather(*(client.get(s.url("/slow")) for s in (one, two, one, two)))
    assert gauge.peak == 1
