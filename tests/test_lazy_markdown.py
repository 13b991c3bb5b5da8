"""Markdown made when a story is first shown, not at refresh time.

A refresh keeps each body as the feed sent it, plus its words for search; the article
pane converts it the first time and the cache keeps the result. What the reader sees must
be what converting at refresh time used to give, search must still find words in bodies,
and caches written before the change must keep working.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer

from tui_reader.app import TuiReaderApp
from tui_reader.core.article_body import item_markdown, with_markdown
from tui_reader.core.config import Settings
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.html_to_md import html_to_markdown, html_to_text, search_text
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.parse import parse_feed
from tui_reader.core.refresh import RefreshService
from tui_reader.core.session import Session, session_for_home
from tui_reader.core.store import Store, open_store, schema
from tui_reader.widgets.article_body import ArticleBody

pytestmark = pytest.mark.timeout(60)

PAGES = Path(__file__).parent / "pages"
NOW = int(time.time())


# -- what a refresh keeps of a body -------------------------------------------------------


def test_search_text_has_the_words_and_nothing_that_is_not_text() -> None:
    html = (
        "<h2>Head</h2><p>one <a href='/x'>two</a></p><p>three</p><script>hidden()</script>"
        "<style>p{color:red}</style><!-- comment --><form><button>Send</button></form>"
        "<embed src='x.swf'><p>after embed</p><p>AT&amp;T &eacute;t&eacute;</p>"
    )
    words = search_text(html).split()
    assert words == ["Head", "one", "two", "three", "after", "embed", "AT&T", "été"]


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.name)
def test_search_text_of_whole_pages_has_the_words_the_pane_shows(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    shown = set(re.findall(r"\w+", html_to_text(html)))
    indexed = set(re.findall(r"\w+", search_text(html)))
    assert len(shown - indexed) <= len(shown) // 50, sorted(shown - indexed)[:20]


def test_plain_text_and_broken_html_still_give_words() -> None:
    assert search_text("plain words, AT&amp;T") == "plain words, AT&T"
    deep = "<div>" * 300 + "deep" + "</div>" * 300
    assert "deep" in search_text(deep)
    assert search_text("<" * 5000) is not None


def test_a_body_without_a_link_of_its_own_keeps_its_feeds_base() -> None:
    feed = (
        b"<rss version='2.0'><channel><title>T</title><item><title>a</title>"
        b"<description>&lt;a href='x.html'&gt;rel&lt;/a&gt; &lt;img src='/i.png'&gt;"
        b"</description></item></channel></rss>"
    )
    (item,) = parse_feed(feed, "https://r.example.test/feeds/all.xml").items
    assert item.url is None and item.body_html is not None
    assert item_markdown(item) == (
        "[rel](https://r.example.test/feeds/x.html) ![](https://r.example.test/i.png)"
    )
    assert item.summary == "rel"


# -- through a refresh --------------------------------------------------------------------

BODY = (
    '<p>The <a href="/wombats">wombat census</a> found <b>many</b> burrows.</p>'
    "<ul><li>north</li><li>south</li></ul><script>track()</script>"
    "<p>Counting was done by a quasiparticle team.</p>"
)


def feed_xml(body: str = BODY, guid: str = "w1") -> str:
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Wildlife</title><link>https://news.example.test/</link>"
        f"<item><guid>{guid}</guid><title>Wombats counted</title>"
        "<link>https://news.example.test/2026/wombats.html</link>"
        "<description>A short summary.</description>"
        f"<content:encoded>{escaped}</content:encoded></item></channel></rss>"
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "cache.sqlite3")
    yield s
    s.close()


async def refresh(store: Store, url: str) -> None:
    if store.feed_by_url(url) is None:
        store.add_subscription(Subscription(url))
    settings = Settings(timeout_seconds=5, full_text_per_refresh=0)
    report = await RefreshService(store, settings).refresh(force=True)
    assert not report.failed, report.failed


def raw(store: Store, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_a_refresh_stores_html_and_the_first_show_converts_it(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", feed_xml(), content_type="application/rss+xml")
    await refresh(store, feed_server.url("/feed.xml"))
    assert raw(store, "SELECT content_md FROM articles") == [(None,)]
    (head,) = store.headlines()
    stored = store.article(head.id)
    assert stored is not None and stored.content_md is None and stored.body_html

    shown = with_markdown(stored)
    expected = html_to_markdown(BODY, "https://news.example.test/2026/wombats.html")
    assert shown.content_md == expected
    assert "[wombat census](https://news.example.test/wombats)" in expected
    assert "track" not in expected and "- north" in expected

    store.save_markdown(head.id, stored.body_html, expected)
    again = store.article(head.id)
    assert again is not None and again.content_md == expected and again.body_html is None
    assert with_markdown(again) is again  # nothing left to convert


async def test_search_finds_words_in_bodies_never_converted(
    store: Store, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", feed_xml(), content_type="application/rss+xml")
    await refresh(store, feed_server.url("/feed.xml"))
    (head,) = store.headlines()
    has_fts = store.has_fts
    for fts in (True, False):  # FTS5, then the LIKE fallback
        store.has_fts = fts and has_fts
        found = store.headlines(HeadlineFilter(query="quasiparticle"))
        assert [h.id for h in found] == [head.id]
        assert store.headlines(HeadlineFilter(query="track")) == []  # script text is gone


async def test_a_changed_body_is_converted_again(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.url("/feed.xml")
    feed_server.route("/feed.xml", feed_xml(), content_type="application/rss+xml")
    await refresh(store, url)
    (head,) = store.headlines()
    first = store.article(head.id)
    assert first is not None and first.body_html is not None
    store.save_markdown(head.id, first.body_html, with_markdown(first).content_md or "")

    feed_server.route("/feed.xml", feed_xml("<p>Corrected: <i>few</i> burrows.</p>"),
                      content_type="application/rss+xml")
    await refresh(store, url)
    changed = store.article(head.id)
    assert changed is not None and changed.content_md is None
    assert with_markdown(changed).content_md == "Corrected: *few* burrows."
    # A conversion of the old body that lands late must not overwrite the new one.
    store.save_markdown(head.id, first.body_html, "stale")
    late = store.article(head.id)
    assert late is not None and late.content_md is None


async def test_an_unchanged_feed_rewrites_nothing(store: Store, feed_server: FeedServer) -> None:
    url = feed_server.url("/feed.xml")
    feed_server.route("/feed.xml", feed_xml(), content_type="application/rss+xml")
    await refresh(store, url)
    (head,) = store.headlines()
    first = store.article(head.id)
    assert first is not None and first.body_html is not None
    store.save_markdown(head.id, first.body_html, "kept")
    await refresh(store, url)  # a 200 with the same items
    kept = store.article(head.id)
    assert kept is not None and kept.content_md == "kept"


def test_plain_text_bodies_need_no_conversion() -> None:
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "title": "Plain", "content_text": "Line one\\nLine two"}]}'
    )
    (item,) = parse_feed(doc, "https://example.test/feed.json").items
    assert item.body_html is None and item_markdown(item) == "Line one\\\nLine two"


async def test_plain_text_shows_as_written_in_the_pane(tmp_path: Path) -> None:
    """A JSON Feed's content_text is text, not Markdown: no emphasis, no links."""
    text = "Use *stars* and [a link](https://evil.example/) # not a heading\nsecond line"
    doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
        {"id": "1", "title": "Plain", "content_text": text,
         "url": "https://example.test/1"}]}).encode()
    session = session_for_home(tmp_path / "home")
    try:
        url = "https://example.test/feed.json"
        session.save_subscriptions([Subscription(url)])
        info = session.store.feed_by_url(url)
        assert info is not None
        session.store.save_feed(info.id, parse_feed(doc, url), {"next_due": NOW * 2}, now=NOW)
        app = TuiReaderApp(session, refresh_on_start=False, clock=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            markdown = app.screen.query_one("#article-body", ArticleBody)
            for _ in range(200):
                if markdown.line_count:
                    break
                await pilot.pause(0.02)
            shown = " ".join(markdown.text.split(" "))  # lines kept, words joined again
            shown = shown.replace("[a\nlink]", "[a link]")
            assert "Use *stars* and [a link](https://evil.example/) # not a heading" in shown
            assert "second line" in shown.split("heading", 1)[1]
            assert markdown.links() == []  # the text is not a link
    finally:
        session.close()


def test_a_cache_from_before_lazy_conversion_keeps_its_markdown(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path)
    for step in range(3):
        schema.MIGRATIONS[step](conn)
    conn.execute("PRAGMA user_version=3")
    conn.execute("INSERT INTO feeds (url) VALUES ('https://old.example/feed')")
    conn.execute(
        "INSERT INTO articles (feed_id, uid, title, first_seen, ts, content, read)"
        " VALUES (1, 'u', 'Old story', 1, 1, '## Old\n\nA [link](https://x.example/) "
        "about an axolotl.', 1)"
    )
    conn.commit()
    conn.close()
    with Store(path) as migrated:
        (head,) = migrated.headlines()
        article = migrated.article(head.id)
        assert article is not None and article.read
        assert article.content_md == "## Old\n\nA [link](https://x.example/) about an axolotl."
        assert with_markdown(article) is article
        assert [h.id for h in migrated.headlines(HeadlineFilter(query="axolotl"))] == [head.id]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    conn.close()


# -- in the app ---------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = session_for_home(tmp_path / "home")
    yield session
    session.close()


async def test_opening_a_story_shows_and_keeps_its_markdown(
    session: Session, feed_server: FeedServer
) -> None:
    url = feed_server.url("/feed.xml")
    feed_server.route("/feed.xml", feed_xml(), content_type="application/rss+xml")
    session.save_subscriptions([Subscription(url, "Wildlife")])
    await refresh(session.store, url)
    app = TuiReaderApp(session, refresh_on_start=False, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        for _ in range(200):
            if raw(session.store, "SELECT content_md FROM articles")[0][0]:
                break
            await pilot.pause(0.02)
        (saved,) = raw(session.store, "SELECT content_md FROM articles")[0]
        assert isinstance(saved, str) and "[wombat census]" in saved
        markdown = app.screen.query_one("#article-body", ArticleBody)
        assert markdown.source == saved
