"""Feeds read as their authors wrote them: Atom text constructs (RFC 4287 §3.1), titles that
are text (RSS 2.0, the RSS Best Practices Profile), encodings as browsers decode them, and
ill-formed links recovered. Each case runs through fastfeedparser's path and through the
feedparser fallback, which must read the document the same way."""

from __future__ import annotations

import base64
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


READERS: dict[str, Callable[..., ParsedFeed]] = {"fastfeedparser": parse_feed,
                                                 "feedparser": _fallback}
both = pytest.mark.parametrize("read", list(READERS.values()), ids=list(READERS))


def atom(entry: str, *, head: str = "", ns: str = "http://www.w3.org/2005/Atom") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="{ns}" {head}>'
        "<title>Feed</title><id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>"
        f"<entry><id>urn:1</id><updated>2024-01-02T03:04:05Z</updated>{entry}</entry></feed>"
    ).encode()


def rss(item: str, *, encoding: str = "utf-8", ns: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0" {ns}><channel>'
        f"<title>Feed</title><link>https://f.example.test/</link><item>{item}</item>"
        "</channel></rss>"
    )


def only(feed: ParsedFeed) -> ParsedItem:
    (item,) = feed.items
    return item


XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'

# -- Atom text constructs ------------------------------------------------------------------


@both
def test_xhtml_title_is_the_title_not_the_body(read: Callable[..., ParsedFeed]) -> None:
    item = only(read(atom(
        f'<title type="xhtml"><div {XHTML}>Less: <em>&lt;</em> and <b>bold</b> tail</div></title>'
        '<content type="html">&lt;p&gt;Body text here&lt;/p&gt;</content>'
    ), URL))
    assert item.title == "Less: < and bold tail"
    assert item_markdown(item) == "Body text here"


@both
def test_xhtml_summary_and_content_keep_their_markup_and_tails(
    read: Callable[..., ParsedFeed],
) -> None:
    item = only(read(atom(
        "<title>T</title>"
        f'<summary type="xhtml"><div {XHTML}><p>Para <a href="/x">link</a> after</p></div>'
        "</summary>"
        f'<content type="xhtml"><div {XHTML}><p>Para <b>bold</b> tail text</p>'
        "<p>Two &amp; <i>three</i>.</p></div></content>"
    ), URL))
    assert item.summary == "Para link after"
    assert item_markdown(item) == "Para **bold** tail text\n\nTwo & *three*."


@both
def test_escaped_markup_in_a_text_title_is_text(read: Callable[..., ParsedFeed]) -> None:
    item = only(read(atom(
        '<title type="text">History of the &lt;blink&gt; tag &amp;amp; more</title>'
        "<summary>Use &lt;b&gt; for bold</summary>"
    ), URL))
    assert item.title == "History of the <blink> tag &amp; more"
    assert item.summary == "Use <b> for bold"  # a summary's default type is text too
    assert item_markdown(item) == r"Use \<b\> for bold"


@both
def test_a_title_without_a_type_is_text(read: Callable[..., ParsedFeed]) -> None:
    item = only(read(atom("<title>Why 1 &lt; 2 and the &lt;video&gt; element</title>"), URL))
    assert item.title == "Why 1 < 2 and the <video> element"


@both
def test_html_title_keeps_what_follows_a_bad_tag(read: Callable[..., ParsedFeed]) -> None:
    item = only(read(atom(
        '<title type="html">safe&lt;object data="x.swf"&gt; description &amp;amp; more</title>'
    ), URL))
    assert item.title == "safe description & more"


@both
def test_atom_03_modes(read: Callable[..., ParsedFeed]) -> None:
    encoded = base64.b64encode(b"<p>From <b>base64</b></p>").decode()
    data = atom(
        f'<title mode="xml" type="application/xhtml+xml"><div {XHTML}>Inline <em>xml</em> title'
        "</div></title>"
        '<summary mode="escaped" type="text/html">&lt;p&gt;Escaped &lt;i&gt;html&lt;/i&gt;'
        "&lt;/p&gt;</summary>"
        f'<content mode="base64" type="text/html">{encoded}</content>',
        ns="http://purl.org/atom/ns#",
    ).replace(b"<updated>", b"<modified>").replace(b"</updated>", b"</modified>")
    item = only(read(data, URL))
    assert item.title == "Inline xml title"
    assert item.summary == "Escaped html"
    assert item_markdown(item) == "From **base64**"


@both
def test_atom_03_text_title_keeps_escaped_markup(read: Callable[..., ParsedFeed]) -> None:
    data = atom('<title mode="escaped" type="text/plain">A &amp;lt;tag&amp;gt;</title>',
                ns="http://purl.org/atom/ns#")
    assert only(read(data, URL)).title == "A &lt;tag&gt;"


@both
def test_xml_base_resolves_links_and_bodies(read: Callable[..., ParsedFeed]) -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://base.example.test/dir/">'
        b'<title>T</title><link href="/home"/>'
        b'<entry xml:base="sub/"><id>1</id><title>x</title><link href="post.html"/>'
        b'<content type="html" xml:base="http://other.example.test/c/">&lt;a href="rel.html"'
        b'&gt;r&lt;/a&gt;</content></entry>'
        b'<entry><id>2</id><title>y</title><link href="p2"/>'
        b'<summary type="html">&lt;a href="s.html"&gt;s&lt;/a&gt;</summary></entry></feed>'
    )
    feed = read(data, URL)
    assert feed.site_url == "http://base.example.test/home"
    first, second = feed.items
    assert first.url == "http://base.example.test/dir/sub/post.html"
    assert item_markdown(first) == "[r](http://other.example.test/c/rel.html)"
    assert second.url == "http://base.example.test/dir/p2"
    assert item_markdown(second) == "[s](http://base.example.test/dir/s.html)"


# -- RSS titles ------------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Using the &lt;video&gt; element", "Using the <video> element"),
        ("<![CDATA[Why 1 < 2 and the <video> element]]>", "Why 1 < 2 and the <video> element"),
        ("Council approves &lt;em&gt;new&lt;/em&gt; library", "Council approves new library"),
        ("Wait&amp;hellip; what", "Wait… what"),  # escaped once more: still an entity
        ("AT&amp;amp;T &amp; &amp;bogus; ok", "AT&T & &bogus; ok"),
    ],
)
def test_rss_titles_are_text_unless_they_are_clearly_html(
    read: Callable[..., ParsedFeed], written: str, shown: str,
) -> None:
    data = rss(f"<title>{written}</title><link>https://f.example.test/1</link>").encode()
    assert only(read(data, URL)).title == shown


@both
def test_media_title_does_not_override_the_item_title(read: Callable[..., ParsedFeed]) -> None:
    data = rss(
        "<media:title>The video's own name</media:title><title>The story</title>"
        "<link>https://f.example.test/1</link>",
        ns='xmlns:media="http://search.yahoo.com/mrss/"',
    ).encode()
    assert only(read(data, URL)).title == "The story"


# -- JSON Feed -------------------------------------------------------------------------------


def test_json_feed_title_is_plain_text_and_html_wins_over_text() -> None:
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J &amp; co",'
        b'"items": [{"id": "1", "url": "https://j.example.test/1",'
        b'"title": "Using the <video> element &amp; more",'
        b'"content_html": "<p>HTML <b>body</b></p>", "content_text": "Text body"}]}'
    )
    feed = parse_feed(doc, "https://j.example.test/feed.json")
    assert feed.title == "J &amp; co"
    item = only(feed)
    assert item.title == "Using the <video> element &amp; more"
    assert item_markdown(item) == "HTML **body**"


def test_a_huge_hostile_html_title_is_read_in_linear_time() -> None:
    import time

    hostile = "&lt;script " * 50_000 + "&lt;!-- " * 50_000 + "&lt;b" * 50_000
    data = atom(f'<title type="html">{hostile}</title>')
    started = time.monotonic()
    title = only(parse_feed(data, URL)).title
    assert time.monotonic() - started < 2
    assert len(title) <= 500


@both
def test_xml_base_on_an_rss_item_resolves_its_body(read: Callable[..., ParsedFeed]) -> None:
    data = rss(
        "<title>T</title><link>https://elsewhere.example.test/story</link>"
        '<description>&lt;a href="notes.html"&gt;notes&lt;/a&gt;</description>'
    ).replace("<item>", '<item xml:base="https://base.example.test/blog/">').encode()
    item = only(read(data, URL))
    assert item.url == "https://elsewhere.example.test/story"
    assert item_markdown(item) == "[notes](https://base.example.test/blog/notes.html)"


@both
def test_content_without_a_type_is_text(read: Callable[..., ParsedFeed]) -> None:
    item = only(read(atom("<title>T</title><content>Use &lt;b&gt; for *bold*</content>"), URL))
    assert item_markdown(item) == r"Use \<b\> for \*bold\*"
    assert item.summary == "Use <b> for *bold*"
