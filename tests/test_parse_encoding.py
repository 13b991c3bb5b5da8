"""Bytes read as browsers read them: WHATWG labels (iso-8859-1, latin1 and us-ascii are
windows-1252), the HTTP charset over the XML declaration, UTF-8 under a wrong label, C1
references, and ampersands that XML would lose. Each case runs through fastfeedparser's
path and through the feedparser fallback, which must read the document the same way."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tui_reader.core.article_body import item_markdown
from tui_reader.core.models import ParsedFeed, ParsedItem
from tui_reader.core.parse import parse_feed
from tui_reader.core.parse_sniff import _prepare_xml
from tui_reader.core.parse_xml import _read_feedparser

pytestmark = pytest.mark.timeout(20)

URL = "https://f.example.test/feed.xml"


def _fallback(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    feed = _read_feedparser(_prepare_xml(data, content_type), url)
    assert feed is not None
    return feed


both = pytest.mark.parametrize("read", [parse_feed, _fallback], ids=["fastfeedparser",
                                                                    "feedparser"])


def rss(item: str, *, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>Feed</title><link>https://f.example.test/</link><item>{item}</item>"
        "</channel></rss>"
    )


def only(feed: ParsedFeed) -> ParsedItem:
    (item,) = feed.items
    return item


@both
def test_a_raw_ampersand_in_a_link_is_recovered(read: Callable[..., ParsedFeed]) -> None:
    data = rss("<title>L</title><link>http://e.example.test/?a=1&b=2&c</link>").encode()
    assert only(read(data, URL)).url == "http://e.example.test/?a=1&b=2&c"


def test_raw_ampersands_inside_cdata_stay_as_written() -> None:
    data = rss(
        "<title><![CDATA[Tom & Jerry &amp; co]]></title><link>http://e.example.test/1?x&y</link>"
        '<description><![CDATA[<p><a href="/q?a=1&b=2">q</a> &amp; more</p>]]></description>'
    ).encode()
    item = only(parse_feed(data, URL))
    assert item.title == "Tom & Jerry & co"  # "&amp;" in an RSS title is an entity
    assert item.url == "http://e.example.test/1?x&y"
    assert item_markdown(item) == "[q](http://e.example.test/q?a=1&b=2) & more"


@both
@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin1", "us-ascii", "ascii"])
def test_legacy_labels_decode_as_windows_1252(read: Callable[..., ParsedFeed], label: str) -> None:
    data = rss(
        "<title>don\x92t \x93quote\x94 \x85 caf\xe9</title><link>https://f.example.test/1</link>"
        "<description>\x80 5 \x96 dash</description>",
        encoding=label,
    ).encode("latin-1")
    item = only(read(data, URL))
    assert item.title == "don’t “quote” … café"
    assert item.summary == "€ 5 – dash"


@both
@pytest.mark.parametrize("content_type", [None, "text/xml; charset=iso-8859-1"])
def test_utf8_bytes_under_a_latin1_label_are_utf8(
    read: Callable[..., ParsedFeed], content_type: str | None,
) -> None:
    # The "â¦" for "…": UTF-8 read as ISO-8859-1, then its C1 byte stripped.
    data = rss(
        "<title>Wait\u2026 it\u2019s caf\u00e9</title><link>https://f.example.test/1</link>"
        "<description>&lt;p&gt;More\u2026 &amp;hellip;&lt;/p&gt;</description>",
        encoding="iso-8859-1",
    ).encode("utf-8")
    item = only(read(data, URL, content_type))
    assert item.title == "Wait… it’s café"
    assert item.summary == "More… …"


def test_http_charset_wins_over_the_xml_declaration() -> None:
    data = rss("<title>Привет</title>", encoding="iso-8859-1").encode("koi8-r")
    assert only(parse_feed(data, URL, "application/rss+xml; charset=koi8-r")).title == "Привет"


@both
def test_c1_controls_mean_windows_1252(read: Callable[..., ParsedFeed]) -> None:
    data = rss(
        "<title>don&#146;t &#x93;q&#X94; &#0150; \u0085</title><link>https://f.example.test/1</link>"
        "<description>&amp;#147;hi&amp;#148; \u0080 &#129;x</description>"
    )
    item = only(read(data.encode(), URL))
    assert item.title == "don’t “q” – …"
    assert item.summary == "“hi” € x"  # &#129; is undefined in Windows-1252: a control


def test_c1_references_in_cdata_are_html_s_to_read() -> None:
    data = rss("<title>t</title><description><![CDATA[<p>don&#146;t</p>]]></description>")
    assert only(parse_feed(data.encode(), URL)).summary == "don’t"
