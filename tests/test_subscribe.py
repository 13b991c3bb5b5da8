"""Subscribing by URL against a real loopback server: feeds, pages with feed links, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedserver import FeedServer

from tui_reader.core.feeds_file import Subscription, load_subscriptions
from tui_reader.core.http import PoliteClient
from tui_reader.core.models import ParsedFeed, ParsedItem
from tui_reader.core.session import Session, session_for_home
from tui_reader.core.subscribe import (
    SubscribeError,
    add_subscription,
    find_subscription,
    remove_subscription,
    resolve_feed,
)

pytestmark = pytest.mark.timeout(20)

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Loopback Desk</title>
  <link>http://127.0.0.1/</link>
  <item><title>First story</title><link>http://127.0.0.1/a/1</link>
    <guid>a-1</guid><pubDate>Fri, 27 Nov 2026 11:20:00 GMT</pubDate>
    <description>One.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Desk</title><id>urn:x</id><updated>2026-11-27T10:00:00Z</updated>
  <entry><title>An entry</title><id>urn:x:1</id><updated>2026-11-27T10:00:00Z</updated>
    <link href="http://127.0.0.1/e/1"/></entry>
</feed>
"""


def page(*links: str) -> str:
    heads = "".join(links)
    return (
        "<!DOCTYPE html><html><head><title>A site</title>"
        f"{heads}</head><body><h1>Welcome</h1><p>Not a feed.</p></body></html>"
    )


def alternate(href: str, kind: str = "application/rss+xml") -> str:
    return f'<link rel="alternate" type="{kind}" title="Feed" href="{href}">'


@pytest.fixture
def session(tmp_path: Path) -> Session:
    s = session_for_home(tmp_path)
    yield s
    s.close()


async def resolve(url: str) -> tuple[str, str | None]:
    async with PoliteClient(timeout=5) as client:
        return await resolve_feed(client, url)


async def test_direct_feed(feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", RSS)
    url, title = await resolve(feed_server.url("/feed.xml"))
    assert url == feed_server.url("/feed.xml")
    assert title == "Loopback Desk"


async def test_html_page_with_alternate_link(feed_server: FeedServer) -> None:
    feed_server.route("/", page(alternate("/atom.xml", "application/atom+xml")),
                      content_type="text/html; charset=utf-8")
    feed_server.route("/atom.xml", ATOM, content_type="application/atom+xml")
    url, title = await resolve(feed_server.url("/"))
    assert url == feed_server.url("/atom.xml")
    assert title == "Atom Desk"


async def test_broken_candidate_is_skipped(feed_server: FeedServer) -> None:
    feed_server.route(
        "/blog", page(alternate("/missing.xml"), alternate("/feed.xml")),
        content_type="text/html",
    )
    feed_server.route("/feed.xml", RSS)
    url, title = await resolve(feed_server.url("/blog"))
    assert url == feed_server.url("/feed.xml")
    assert title == "Loopback Desk"


async def test_page_without_feeds(feed_server: FeedServer) -> None:
    feed_server.route("/plain", page(), content_type="text/html")
    with pytest.raises(SubscribeError) as caught:
        await resolve(feed_server.url("/plain"))
    message = str(caught.value)
    assert message.startswith("no feed found at ")
    assert feed_server.url("/plain") in message
    assert "\n" not in message


async def test_not_found(feed_server: FeedServer) -> None:
    with pytest.raises(SubscribeError) as caught:
        await resolve(feed_server.url("/gone.xml"))
    assert str(caught.value) == f"HTTP 404 Not Found at {feed_server.url('/gone.xml')}"


async def test_connection_refused() -> None:
    server = FeedServer().start()
    url = server.url("/feed.xml")
    server.stop()
    with pytest.raises(SubscribeError) as caught:
        await resolve(url)
    assert str(caught.value).endswith(f" at {url}")


async def test_an_address_without_a_scheme_is_tried_as_https_then_http(
    feed_server: FeedServer,
) -> None:
    """Pasted from an address bar: "not an http(s) URL" turned people away. The loopback
    server speaks plain http, so https fails and http is used."""
    feed_server.route("/feed.xml", RSS)
    bare = feed_server.url("/feed.xml").removeprefix("http://")
    url, title = await resolve(bare)
    assert url == feed_server.url("/feed.xml") and title == "Loopback Desk"
    with pytest.raises(SubscribeError) as caught:  # neither works: the https reason
        await resolve(bare.replace("/feed.xml", "/gone.xml"))
    assert f"https://{bare.replace('/feed.xml', '/gone.xml')}" in str(caught.value)


def test_only_a_bare_address_is_given_a_scheme() -> None:
    from tui_reader.core.http_url import address_without_scheme

    for bare in ("example.org/feed", "127.0.0.1:8811/", "localhost:8765/c.xml"):
        assert address_without_scheme(bare), bare
    for other in ("javascript:alert(1)", "mailto:x@y", "file:///etc/passwd",
                  "data:text/html,x", "https://x", "", "not a url at all"):
        assert not address_without_scheme(other), other


async def test_not_http() -> None:
    with pytest.raises(SubscribeError, match="not an http"):
        await resolve("file:///etc/passwd")


def test_add_appends_without_duplicates(session: Session) -> None:
    first = add_subscription(session, "HTTP://Example.ORG/feed.xml", tags=["news"])
    assert first == Subscription("http://example.org/feed.xml", None, ("news",))
    again = add_subscription(session, "http://example.org/feed.xml", "Example", ["tech", "news"])
    assert again.title == "Example"
    assert again.tags == ("news", "tech")
    subs = load_subscriptions(session.paths.feeds_file)
    assert [s.url for s in subs] == ["http://example.org/feed.xml"]
    assert subs[0].tags == ("news", "tech")
    info = session.store.feed_by_url("http://example.org/feed.xml")
    assert info is not None and info.title == "Example"
    assert find_subscription(session, "http://EXAMPLE.org/feed.xml") == again


def test_add_rejects_non_http(session: Session) -> None:
    with pytest.raises(SubscribeError):
        add_subscription(session, "javascript:alert(1)")
    assert session.subscriptions() == []


def test_remove_keeps_bookmarks(session: Session) -> None:
    add_subscription(session, "http://example.org/a.xml")
    add_subscription(session, "http://example.org/b.xml")
    feed = session.store.feed_by_url("http://example.org/a.xml")
    assert feed is not None
    items = [ParsedItem("g1", "http://example.org/1", "Kept"),
             ParsedItem("g2", "http://example.org/2", "Dropped")]
    session.store.save_feed(feed.id, ParsedFeed("Feed A", None, items), {})
    kept = next(h for h in session.store.headlines() if h.title == "Kept")
    session.store.set_bookmark(kept.id)

    assert remove_subscription(session, "http://example.org/a.xml") is True
    assert [s.url for s in session.subscriptions()] == ["http://example.org/b.xml"]
    assert session.store.feed_by_url("http://example.org/a.xml") is None
    assert [h.title for h in session.store.headlines()] == ["Kept"]
    assert session.store.headlines()[0].feed_title == "Feed A"
    assert remove_subscription(session, "http://example.org/a.xml") is False
