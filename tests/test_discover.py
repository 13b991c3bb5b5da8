"""Feed discovery in HTML pages."""

from __future__ import annotations

import pytest
from feedserver import FeedServer

from tui_reader.core.discover import discover_feed_urls
from tui_reader.core.http import HTML_ACCEPT, PoliteClient
from tui_reader.core.parse import looks_like_html, parse_feed

pytestmark = pytest.mark.timeout(10)

BASE = "https://site.example.test/blog/index.html"

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="Alternate" type="application/rss+xml" title="Posts" href="/feed.xml">
<link rel="alternate nofollow" type="application/atom+xml; charset=utf-8" href="atom.xml">
<link rel="ALTERNATE" type="Application/Feed+JSON" href="https://cdn.example.test/feed.json">
<link rel="alternate" type="application/json" href="/feed-v2.json">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
<link rel="alternate" type="application/rss+xml" href="/feed.xml#dup">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="ftp://files.example.test/f.xml">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="home" type="application/rss+xml" href="/not-alternate.xml">
</head><body>
<a href="/comments/feed/">comments feed</a>
</body></html>"""


def test_link_tags_in_document_order() -> None:
    assert discover_feed_urls(PAGE, BASE) == [
        "https://site.example.test/feed.xml",
        "https://site.example.test/blog/atom.xml",
        "https://cdn.example.test/feed.json",
        "https://site.example.test/feed-v2.json",
    ]


def test_bytes_and_str_agree() -> None:
    assert discover_feed_urls(PAGE.encode(), BASE) == discover_feed_urls(PAGE, BASE)


def test_base_element_is_honoured() -> None:
    page = """<html><head><base href="https://static.example.test/root/">
    <link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>"""
    assert discover_feed_urls(page, BASE) == ["https://static.example.test/root/rss.xml"]


def test_anchor_fallback_only_without_link_tags() -> None:
    page = """<html><body>
    <a href="/about">About</a>
    <a href="/feed/">Feed</a>
    <a href="https://x.example.test/podcast.rss">Podcast</a>
    <a href="sitemap.XML">Sitemap</a>
    <a href="/blog/atom.xml">Atom</a>
    <a href="/notes/feed.json">JSON</a>
    <a href="/RSS">rss</a>
    <a href="/feed/">Feed again</a>
    <a href="javascript:'/feed'">js</a>
    <a href="/feedback">not a feed</a>
    </body></html>"""
    assert discover_feed_urls(page, "https://site.example.test/") == [
        "https://site.example.test/feed/",
        "https://x.example.test/podcast.rss",
        "https://site.example.test/sitemap.XML",
        "https://site.example.test/blog/atom.xml",
        "https://site.example.test/notes/feed.json",
        "https://site.example.test/RSS",
    ]
    # A page that announces its feeds is believed; its anchors are not guessed at.
    assert "https://site.example.test/comments/feed/" not in discover_feed_urls(PAGE, BASE)


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", b"", b"\x00\x00", "<", "<<<<>>>>", b"\xff\xfe\x00garbage", "<?xml version='1.0'?>"],
)
def test_garbage_gives_nothing(garbage: str | bytes) -> None:
    assert discover_feed_urls(garbage, BASE) == []


def test_non_ascii_page_in_declared_charset() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1">'
        '<link rel="alternate" type="application/rss+xml" href="/caf\xe9.xml"></head></html>'
    ).encode("iso-8859-1")
    assert discover_feed_urls(page, "https://site.example.test/") == [
        "https://site.example.test/café.xml"
    ]


async def test_discover_over_loopback(feed_server: FeedServer) -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Found it</title>
    <item><title>One</title><link>/one</link></item></channel></rss>"""
    feed_server.route(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>',
        content_type="text/html; charset=utf-8",
    )
    feed_server.route("/rss", rss)
    async with PoliteClient() as client:
        page = await client.get(feed_server.url("/"), accept=HTML_ACCEPT)
        assert looks_like_html(page.content, page.content_type)
        (candidate,) = discover_feed_urls(page.content, page.url)
        assert candidate == feed_server.url("/rss")
        result = await client.get(candidate)
    feed = parse_feed(result.content, result.url, result.content_type)
    assert feed.title == "Found it"
    assert feed.items[0].url == feed_server.url("/one")
    assert feed_server.requests[0].headers["Accept"] == HTML_ACCEPT
