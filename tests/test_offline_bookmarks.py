"""Offline bookmarks end to end: real loopback servers, a real cache file, the real app.

A bookmark is an offline snapshot of the whole article. These tests bookmark stories
whose feed gives only a one-line description, let the snapshot be fetched from article
pages (tests/pages) on 127.0.0.1, then take the network away and read the story page by
page from the cache. They also cover the bookmark's life afterwards: retries after an
offline bookmark, retention, a feed that drops the story or is removed, export, the
failure statuses, full-text feeds, per-feed selectors and undo.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedserver
import pytest
from feedserver import FeedServer
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget

from tui_reader import cli
from tui_reader.app import TuiReaderApp
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.refresh import RefreshService
from tui_reader.core.session import Session, session_for_home
from tui_reader.screens import bookmark_undo
from tui_reader.screens.main_screen import MainScreen
from tui_reader.widgets import ArticleView, HeadlineList
from tui_reader.widgets.article_body import ArticleBody

pytestmark = pytest.mark.timeout(60)

PAGES = Path(__file__).parent / "pages"
HTML = "text/html; charset=utf-8"
NOW = int(time.time())
DAY = 86400


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTTP client trusts the environment; a proxy must not catch loopback requests."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


# -- helpers ---------------------------------------------------------------------------


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def gold(name: str) -> list[str]:
    """The paragraphs (and headings, list items) a reader must get from a page."""
    lines = (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def norm(text: str) -> str:
    return " ".join(text.split())


def rss(items: list[tuple[str, str, str, int]], title: str = "Field Notes") -> str:
    """An RSS 2.0 feed whose items carry only a one-line description: (guid, title, link, ts)."""
    parts = [
        f"<item><guid>{escape(guid)}</guid><title>{escape(headline)}</title>"
        f"<link>{escape(link)}</link>"
        f"<pubDate>{format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)}</pubDate>"
        f"<description>One line about {escape(headline)}.</description></item>"
        for guid, headline, link, ts in items
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"
        f"{''.join(parts)}</channel></rss>"
    )


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class Clock:
    """The app's clock, moved on by the test (bookmark times come from it)."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_home(
    tmp_path: Path, subs: list[Subscription], config: str = "", name: str = "home"
) -> Path:
    """A home folder with config.toml and feeds.toml, the cache created and synced."""
    home = tmp_path / name
    session = session_for_home(home)
    try:
        if config:
            session.paths.config_file.write_text(config, encoding="utf-8")
        session.save_subscriptions(subs)
    finally:
        session.close()
    return home


def by_title(session: Session, title: str) -> int:
    for headline in session.store.headlines(HeadlineFilter(), limit=500):
        if headline.title == title:
            return headline.id
    raise AssertionError(f"no story titled {title!r}")


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], seconds: float = 8.0) -> None:
    """Let the app run until *check* holds, for a bounded time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        await pilot.pause(0.02)
    assert check(), "condition never became true"


def status_line(app: TuiReaderApp) -> str:
    """The article header's bookmark / offline-copy line."""
    widget = app.query_one("#article-status")
    return str(widget.render()) if widget.display else ""


def region_lines(app: TuiReaderApp, widget: Widget) -> list[str]:
    """What the terminal shows inside *widget* (without borders and scrollbars)."""
    update = app.screen._compositor.render_full_update(simplify=True)
    region = widget.scrollable_content_region
    lines = []
    for row in range(region.height):
        strip = Strip.join(update.strips[region.y + row]).crop(region.x, region.right)
        lines.append("".join(segment.text for segment in strip).rstrip())
    return lines


def cli_run(home: Path, *args: str) -> str:
    """``tui-reader --home HOME ARGS`` in this process (even beside a running app); stdout."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--home", str(home), *args])
    assert code == 0, (args, out.getvalue(), err.getvalue())
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return out.getvalue()


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Parse an exported file: YAML front matter of JSON-quoted scalars, then Markdown."""
    assert text.startswith("---\n"), text[:80]
    head, body = text[4:].split("\n---\n", 1)
    fields: dict[str, Any] = {}
    for line in head.splitlines():
        key, value = line.split(": ", 1)
        fields[key] = json.loads(value)
    return fields, body


@contextmanager
def same_port(monkeypatch: pytest.MonkeyPatch, port: int) -> Iterator[None]:
    """Make FeedServer.start() bind *port* again (the network coming back at the same URL)."""

    class Rebind(ThreadingHTTPServer):
        def __init__(self, _address: object, handler: Any) -> None:
            super().__init__(("127.0.0.1", port), handler)

    with monkeypatch.context() as patch:
        patch.setattr(feedserver, "ThreadingHTTPServer", Rebind)
        yield


# -- the whole story, offline ----------------------------------------------------------


async def test_a_bookmark_is_read_in_full_page_by_page_with_the_network_gone(
    tmp_path: Path,
) -> None:
    clock = Clock(NOW)
    server = FeedServer().start()
    try:
        maps_url = server.url("/reportage/paper-maps")
        ferry_url = server.url("/local/tidal-ferry")
        server.route("/feed.xml", rss([
            ("maps", "The quiet afterlife of the paper map", maps_url, NOW - 600),
            ("ferry", "Ferry terminal to run on tidal power", ferry_url, NOW - 7200),
        ]))
        server.route("/reportage/paper-maps", page("longform"), content_type=HTML)
        server.route("/local/tidal-ferry", page("news_site"), content_type=HTML)
        home = make_home(tmp_path, [Subscription(server.url("/feed.xml"), "Field Notes")])

        session = session_for_home(home)
        try:
            app = TuiReaderApp(session, clock=clock, refresh_on_start=True)
            async with app.run_test(size=(120, 30)) as pilot:
                headlines = app.query_one(HeadlineList)
                await wait_until(pilot, lambda: headlines.total == 2)
                maps = by_title(session, "The quiet afterlife of the paper map")
                ferry = by_title(session, "Ferry terminal to run on tidal power")
                # Only the feed's one-line description is in the cache so far.
                assert session.store.article(maps).body_md == (  # type: ignore[union-attr]
                    "One line about The quiet afterlife of the paper map."
                )
                assert headlines.highlighted is not None and headlines.highlighted.id == maps
                await pilot.press("enter", "b")
                # The flag is saved at once, whatever the network does next.
                assert session.store.headline(maps).bookmarked  # type: ignore[union-attr]
                await wait_until(
                    pilot, lambda: session.store.article(maps).snapshot == "ok"  # type: ignore[union-attr]
                )
                await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
                await wait_until(
                    pilot, lambda: gold("longform")[-1] in app.query_one(ArticleBody).source
                )
                # A later bookmark of an older story: the bookmarks view puts it first.
                clock.advance(120)
                await pilot.press("j", "b")
                await wait_until(
                    pilot, lambda: session.store.article(ferry).snapshot == "ok"  # type: ignore[union-attr]
                )
                await app.workers.wait_for_complete()
            assert server.hits("/reportage/paper-maps") == 1
            assert server.hits("/local/tidal-ferry") == 1
        finally:
            session.close()
    finally:
        server.stop()  # the network is gone from here on

    saved = session_for_home(home)
    try:
        store = saved.store
        snapshot = store.article(maps).fulltext_md  # type: ignore[union-attr]
        assert snapshot is not None
        for paragraph in gold("longform"):
            assert paragraph in snapshot
        for furniture in ("Skip to content", "Support independent writing", "Become a member",
                          "Who pays for the mountain huts", "registered charity"):
            assert furniture not in snapshot
        ferry_text = store.article(ferry).fulltext_md  # type: ignore[union-attr]
        assert ferry_text is not None and gold("news_site")[0] in ferry_text
        for furniture in ("We use cookies", "Accept all cookies", "Share on Facebook",
                          "Related stories", "TorB_1962", "Subscribe from 1 krone"):
            assert furniture not in ferry_text

        app = TuiReaderApp(saved, clock=clock, refresh_on_start=True)
        async with app.run_test(size=(120, 30)) as pilot:
            main = app.main
            await wait_until(pilot, lambda: "up to date" in main.status.refresh_text)
            await pilot.press("r")  # every feed, due or not: the server is gone
            await wait_until(pilot, lambda: "offline" in main.status.refresh_text)
            await pilot.press("B")
            headlines = app.query_one(HeadlineList)
            await wait_until(pilot, lambda: headlines.total == 2)
            # Newest bookmark first, whatever the publication dates.
            listed = "\n".join(region_lines(app, headlines))
            assert listed.index("Ferry terminal") < listed.index("The quiet afterlife")
            assert listed.count("saved ★") == 2  # both offline copies are complete
            assert headlines.highlighted is not None and headlines.highlighted.id == ferry

            # The cookie banner and the rest of the page furniture never reach the reader.
            await pilot.press("enter")
            view = app.query_one(ArticleView)
            await wait_until(pilot, lambda: view.article is not None and view.article.id == ferry)
            await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
            ferry_screen = norm(" ".join(region_lines(app, view)))
            assert norm(gold("news_site")[0])[:60] in ferry_screen
            assert "cookies" not in ferry_screen.lower()

            # The long read, opened from the bookmarks view and read a page at a time.
            await pilot.press("j", "enter")
            await wait_until(pilot, lambda: view.article is not None and view.article.id == maps)
            body = view.query_one(ArticleBody)
            await wait_until(pilot, lambda: gold("longform")[-1] in body.source)
            await wait_until(pilot, lambda: view.max_scroll_y > 0)
            assert status_line(app) == "★ Saved offline"
            assert view.scroll_y == 0
            seen: dict[int, str] = {}

            def capture() -> None:
                top = round(view.scroll_y)
                for row, line in enumerate(region_lines(app, view)):
                    seen[top + row] = line

            capture()
            positions = [view.scroll_y]
            for key in ["space", "pagedown"] * 30:
                if view.at_end:
                    break
                await pilot.press(key)
                await pilot.pause()
                assert view.scroll_y > positions[-1], f"{key} did not scroll"
                positions.append(view.scroll_y)
                capture()
            assert view.at_end
            assert len(positions) >= 4, "a long read should take several pages"
            assert sorted(seen) == list(range(len(seen))), "paging skipped some lines"
            read = norm(" ".join(seen[n] for n in sorted(seen)).replace("▌", " "))
            for paragraph in gold("longform"):
                assert norm(paragraph) in read, paragraph
            last = norm(gold("longform")[-1])
            assert last in norm(" ".join(region_lines(app, view)))  # on the final screen
            for furniture in ("Skip to content", "Support independent writing", "Become a member",
                              "Who pays for the mountain huts", "registered charity"):
                assert furniture not in read
            # Paging to the end stayed on the story (space moves on only from the end).
            assert view.article is not None and view.article.id == maps
    finally:
        saved.close()


# -- bookmarking while offline ----------------------------------------------------------


async def test_an_offline_bookmark_is_completed_by_a_later_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    server = FeedServer().start()
    port = server.port
    story_url = server.url("/story/maps")

    def unavailable(_request: object) -> tuple[int, dict[str, str], str]:
        gate.wait(10)
        return 503, {"Content-Type": "text/html"}, "<h1>Service Unavailable</h1>"

    server.route("/feed.xml", rss([("maps", "Paper maps", story_url, NOW - 600),
                                   ("ferry", "Tidal ferry", server.url("/story/ferry"),
                                    NOW - 1200)]))
    server.route_fn("/story/maps", unavailable)
    server.route("/story/ferry", page("news_site"), content_type=HTML)
    home = make_home(tmp_path, [Subscription(server.url("/feed.xml"), "Field Notes")])
    session = session_for_home(home)
    try:
        app = TuiReaderApp(session, clock=Clock(NOW), refresh_on_start=True)
        async with app.run_test(size=(120, 30)) as pilot:
            headlines = app.query_one(HeadlineList)
            await wait_until(pilot, lambda: headlines.total == 2)
            await wait_until(pilot, lambda: "updated" in app.main.status.refresh_text)
            story = by_title(session, "Paper maps")
            await pilot.press("enter", "b")
            # Saved before the (still hanging) fetch has any answer.
            article = session.store.article(story)
            assert article is not None and article.bookmarked and article.snapshot == "pending"
            await wait_until(pilot, lambda: status_line(app) == "★ Saving full text…")
            gate.set()
            await wait_until(
                pilot, lambda: status_line(app) == "★ full text unavailable: "
                "HTTP 503 Service Unavailable"
            )
            assert session.store.headline(story).bookmarked  # type: ignore[union-attr]
            assert "One line about Paper maps." in app.query_one(ArticleBody).source
            listing = cli_run(home, "bookmarks")
            assert "unavailable: HTTP 503 Service Unavailable" in listing

            # No network at all: a bookmark is still saved at once, and says it has no copy.
            server.stop()
            ferry = by_title(session, "Tidal ferry")
            view = app.query_one(ArticleView)
            await pilot.press("j", "b")
            assert session.store.headline(ferry).bookmarked  # type: ignore[union-attr]
            await wait_until(pilot, lambda: view.article is not None and view.article.id == ferry)
            await wait_until(
                pilot, lambda: status_line(app) == "★ full text unavailable: connection refused"
            )
            assert "One line about Tidal ferry." in view.query_one(ArticleBody).source

            # A refresh says the network is gone; both bookmarks wait, failing cleanly.
            await pilot.press("r")
            await wait_until(pilot, lambda: "offline" in app.main.status.refresh_text)
            await app.workers.wait_for_complete()
            for article_id in (story, ferry):
                article = session.store.article(article_id)
                assert article is not None and article.bookmarked
                assert article.snapshot == "full text unavailable: connection refused"

            # The network is back (same host and port): the next refresh saves the page.
            server.route_fn("/story/maps", lambda _r: (200, {"Content-Type": HTML},
                                                       page("longform")))
            with same_port(monkeypatch, port):
                server.start()
            try:
                await pilot.press("r")
                await wait_until(pilot, lambda: all(
                    session.store.article(a).snapshot == "ok"  # type: ignore[union-attr]
                    for a in (story, ferry)
                ))
                # The story on show picks up its new copy without being opened again.
                await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
                await wait_until(
                    pilot, lambda: gold("news_site")[-1] in view.query_one(ArticleBody).source
                )
                maps_text = session.store.article(story).fulltext_md  # type: ignore[union-attr]
                assert maps_text is not None and gold("longform")[-1] in maps_text
                assert cli_run(home, "bookmarks").count("full text saved") == 2
            finally:
                server.stop()
    finally:
        gate.set()
        server.stop()
        session.close()


# -- retention, dropped stories and removed feeds ---------------------------------------


async def test_bookmarks_survive_retention_a_feed_dropping_them_and_removing_the_feed(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    long_ago = NOW - 400 * DAY
    old_keep = ("old-keep", "Harbour history, bookmarked", feed_server.url("/a"), long_ago)
    old_lose = ("old-lose", "Harbour history, not bookmarked", feed_server.url("/b"), long_ago)
    fresh = ("fresh", "Today's harbour news", feed_server.url("/c"), NOW - 3600)
    feed_url = feed_server.url("/gazette.xml")
    feed_server.route("/gazette.xml", rss([old_keep, old_lose, fresh], "Harbour Gazette"))
    feed_server.route("/a", page("longform"), content_type=HTML)
    feed_server.route("/c", page("news_site"), content_type=HTML)
    home = make_home(tmp_path, [Subscription(feed_url)], "retention_days = 7\n")

    session = session_for_home(home)
    try:
        store = session.store
        service = RefreshService(store, session.settings, feeds_file=session.paths.feeds_file)
        # A year ago the old stories were new (and within retention); one was bookmarked.
        await service.refresh(force=True, now=long_ago + 3600, snapshots=False)
        keep, lose = by_title(session, old_keep[1]), by_title(session, old_lose[1])
        store.set_bookmark(keep, True, now=long_ago + 7200)

        # Today's refresh purges what the 7-day retention no longer covers, but no bookmark.
        report = await service.refresh(force=True, now=NOW, snapshots=False)
        assert report.purged == 1
        assert store.article(lose) is None
        assert store.article(keep) is not None
        today = by_title(session, fresh[1])
        store.set_bookmark(today, True, now=NOW - 30)

        # Purging everything older than now still leaves every bookmark.
        store.purge(NOW + 1)
        assert store.article(keep) is not None and store.article(today) is not None

        # A refresh under a 7-day retention, of a feed that no longer lists the bookmarks
        # (it saves their full text too).
        feed_server.route("/gazette.xml", rss([old_lose], "Harbour Gazette"))
        report = await service.refresh(force=True, now=NOW + 60)
        assert report.snapshots_ok == 2
        assert {a.id for a in store.bookmarks()} == {keep, today}

        # Unsubscribing keeps them, with their snapshots, under the feed's original name.
        out = cli_run(home, "remove", feed_url)
        assert "bookmarked stories from it are kept" in out
        assert store.feed_by_url(feed_url) is None
        marks = store.bookmarks()
        assert [a.feed_title for a in marks] == ["Harbour Gazette"] * 2
        assert [a.snapshot for a in marks] == ["ok", "ok"]
        assert gold("longform")[-1] in (store.article(keep).fulltext_md or "")  # type: ignore[union-attr]
    finally:
        session.close()

    listing = cli_run(home, "bookmarks")
    rows = [line for line in listing.splitlines() if "Harbour" in line]
    assert len(rows) == 2
    assert all("Harbour Gazette" in row and "full text saved" in row for row in rows)
    records = json.loads(cli_run(home, "bookmarks", "--json"))
    assert [r["title"] for r in records] == [fresh[1], old_keep[1]]
    assert {r["feed"] for r in records} == {"Harbour Gazette"}

    session = session_for_home(home)
    try:
        assert session.store.feeds() == []
        app = TuiReaderApp(session, clock=Clock(NOW), refresh_on_start=False)
        async with app.run_test(size=(180, 30)) as pilot:
            await pilot.press("B")
            headlines = app.query_one(HeadlineList)
            await wait_until(pilot, lambda: headlines.total == 2)
            listed = "\n".join(region_lines(app, headlines))
            assert listed.count("Harbour Gazette") == 2, listed
            await pilot.press("j", "enter")
            view = app.query_one(ArticleView)
            await wait_until(pilot, lambda: view.article is not None and view.article.id == keep)
            meta = str(app.query_one("#article-meta").render())
            assert meta.startswith("Harbour Gazette")
            await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
            assert gold("longform")[-1] in view.query_one(ArticleBody).source
    finally:
        session.close()


# -- export ----------------------------------------------------------------------------


HOSTILE = [
    ("passwd", "../../etc/passwd", "longform"),
    ("con", "CON", "news_site"),
    ("emoji", "🦆🦆🦆", "blog_code"),
    ("long", "Very long " + "headline " * 60 + "end", "div_soup"),
    ("quotes", 'Say "yes": the --- colon\\backslash #tag', "ads_heavy"),
]


def test_bookmarks_export_round_trips_with_hostile_titles(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = []
    for n, (guid, title, name) in enumerate(HOSTILE):
        feed_server.route(f"/p/{guid}", page(name), content_type=HTML)
        items.append((guid, title, feed_server.url(f"/p/{guid}"), NOW - 3600 * (n + 1)))
    feed_server.route("/feed.xml", rss(items, "Ünïcode Desk ✓"))
    home = make_home(tmp_path, [Subscription(feed_server.url("/feed.xml"))])
    cli_run(home, "refresh")

    bookmarked_at: dict[str, int] = {}
    ids: dict[str, int] = {}
    session = session_for_home(home)
    try:
        for n, (guid, _title, _name) in enumerate(HOSTILE):
            article_id = next(h.id for h in session.store.headlines(HeadlineFilter(), limit=50)
                              if h.url and h.url.endswith(f"/p/{guid}"))
            ids[guid] = article_id
            bookmarked_at[guid] = NOW - 1000 + n
            session.store.set_bookmark(article_id, True, now=bookmarked_at[guid])
        assert {a.snapshot for a in session.store.bookmarks()} == {"pending"}
    finally:
        session.close()

    listing = cli_run(home, "bookmarks")
    assert "summary only — will retry" in listing
    cli_run(home, "refresh")  # nothing is due, but the bookmarks' pages are fetched
    listing = cli_run(home, "bookmarks")
    assert listing.count("full text saved") == len(HOSTILE)

    records = json.loads(cli_run(home, "bookmarks", "--json"))
    assert [r["id"] for r in records] == [ids[g] for g, _t, _n in reversed(HOSTILE)]
    titles = {record["id"]: record["title"] for record in records}
    for record in records:
        assert set(record) >= {"id", "title", "url", "feed", "published", "bookmarked",
                               "snapshot"}
        assert record["feed"] == "Ünïcode Desk ✓" and record["snapshot"] == "ok"

    out = tmp_path / "export"
    message = cli_run(home, "bookmarks", "export", str(out))
    assert f"Wrote {len(HOSTILE)} bookmarks" in message
    files = sorted(out.iterdir())
    assert len(files) == len(HOSTILE)
    assert list(tmp_path.glob("etc*")) == [] and not (tmp_path / "passwd").exists()
    by_id: dict[int, Path] = {}
    for path in files:
        assert path.parent == out and path.is_file()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d-[a-z0-9][a-z0-9-]*-\d+\.md", path.name), path.name
        assert len(path.name) <= 100
        by_id[int(path.stem.rsplit("-", 1)[1])] = path
    assert set(by_id) == set(ids.values())

    for n, (guid, title, name) in enumerate(HOSTILE):
        text = by_id[ids[guid]].read_bytes().decode("utf-8")  # strict: valid UTF-8
        fields, body = front_matter(text)
        if guid == "long":  # the parser caps titles; the file keeps what the cache has
            assert fields["title"] == titles[ids[guid]] and title.startswith(
                fields["title"].rstrip("…"))
        else:
            assert fields["title"] == title
        assert fields["url"] == feed_server.url(f"/p/{guid}")
        assert fields["feed"] == "Ünïcode Desk ✓"
        assert fields["published"] == iso(NOW - 3600 * (n + 1))
        assert fields["bookmarked"] == iso(bookmarked_at[guid])
        assert body.lstrip().startswith("# ")
        expected = gold(name)
        assert norm(expected[0]) in norm(body) and norm(expected[-1]) in norm(body)


# -- failures --------------------------------------------------------------------------


async def test_full_text_failures_say_why_and_keep_the_feed_readable(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    teaser = ("<html><head><title>Locked</title></head><body><article><p>Subscribe to read "
              "the rest of this story.</p></article></body></html>")
    cases = [
        ("forbidden", "/p/forbidden", "full text unavailable: HTTP 403 Forbidden"),
        ("broken", "/p/broken", "full text unavailable: HTTP 500 Internal Server Error"),
        ("pdf", "/p/report.pdf", "full text unavailable: not an HTML page (application/pdf)"),
        ("paywall", "/p/paywall", "full text unavailable: no article text found on the page"),
        ("slow", "/p/slow", "full text unavailable: timed out after 1s"),
    ]
    feed_server.route("/p/forbidden", page("news_site"), status=403, content_type=HTML)
    feed_server.route("/p/broken", "<h1>Oops</h1>", status=500, content_type=HTML)
    feed_server.route("/p/report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
                      content_type="application/pdf")
    feed_server.route("/p/paywall", teaser, content_type=HTML)
    feed_server.route("/p/slow", page("longform"), content_type=HTML, delay=2.5)
    feed_server.route("/p/fine", page("longform"), content_type=HTML)
    items = [(guid, f"Story {guid}", feed_server.url(path), NOW - 60 * n)
             for n, (guid, path, _want) in enumerate([*cases, ("fine", "/p/fine", "")])]
    feed_server.route("/feed.xml", rss(items))
    home = make_home(tmp_path, [Subscription(feed_server.url("/feed.xml"))],
                     "timeout_seconds = 1\n")
    session = session_for_home(home)
    try:
        app = TuiReaderApp(session, clock=Clock(NOW), refresh_on_start=True)
        async with app.run_test(size=(120, 30)) as pilot:
            headlines = app.query_one(HeadlineList)
            await wait_until(pilot, lambda: headlines.total == len(items))
            await wait_until(pilot, lambda: "updated" in app.main.status.refresh_text)
            view = app.query_one(ArticleView)
            for index, (guid, _path, want) in enumerate(cases):
                story = by_title(session, f"Story {guid}")
                headlines.move_to(index)
                await pilot.press("enter")
                await wait_until(pilot, lambda s=story: view.article is not None  # type: ignore[misc]
                                 and view.article.id == s)
                await pilot.press("e")
                await wait_until(pilot, lambda w=want: status_line(app) == w, seconds=10)
                assert f"One line about Story {guid}." in view.query_one(ArticleBody).source
                assert session.store.article(story).snapshot == want  # type: ignore[union-attr]
                assert any(want.replace("full text", "Full text") in str(n.message)
                           for n in app._notifications)

            # A bookmark whose page is refused says so under the star, and stays a bookmark.
            headlines.move_to(0)
            await pilot.press("enter", "b")
            await wait_until(pilot, lambda: status_line(app) == f"★ {cases[0][2]}")
            assert session.store.headline(by_title(session, "Story forbidden")).bookmarked  # type: ignore[union-attr]

            # A saved snapshot is not lost when a later fetch of the page fails.
            fine = by_title(session, "Story fine")
            headlines.move_to(len(cases))
            await pilot.press("enter", "b")
            await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
            feed_server.route("/p/fine", "gone", status=404, content_type=HTML)
            await pilot.press("e")
            await wait_until(pilot, lambda: any("HTTP 404" in str(n.message)
                                                for n in app._notifications))
            await app.workers.wait_for_complete()
            await pilot.pause()
            article = session.store.article(fine)
            assert article is not None and article.snapshot == "ok"
            assert gold("longform")[0] in (article.fulltext_md or "")
            assert status_line(app) == "★ Saved offline"

            # The bookmarks view tells the complete copy from the summary-only one.
            await pilot.press("B")
            await wait_until(pilot, lambda: headlines.total == 2)
            rows = sorted(line for line in region_lines(app, headlines) if "★" in line)
            assert len(rows) == 2
            assert [row.endswith(" saved ★") for row in rows].count(True) == 1, rows
            assert [row.endswith(" summary only ★") for row in rows].count(True) == 1, rows
    finally:
        session.close()


# -- full-text feeds and selectors -------------------------------------------------------


async def test_a_full_text_feed_saves_new_items_a_few_per_refresh(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    names = ["longform", "news_site", "blog_code", "div_soup", "ads_heavy"]
    items = []
    for n, name in enumerate(names):
        feed_server.route(f"/full/{name}", page(name), content_type=HTML)
        items.append((name, f"Full {name}", feed_server.url(f"/full/{name}"), NOW - 600 * n))
    feed_server.route("/full.xml", rss(items, "Whole Stories"))
    feed_server.route("/plain/1", page("longform"), content_type=HTML)
    feed_server.route("/plain.xml", rss([("p1", "Plain one", feed_server.url("/plain/1"),
                                          NOW - 60)], "Summaries Only"))
    home = make_home(
        tmp_path,
        [Subscription(feed_server.url("/full.xml"), full_text=True),
         Subscription(feed_server.url("/plain.xml"))],
        "full_text_per_refresh = 2\n",
    )
    assert "full_text = true" in (home / "config" / "feeds.toml").read_text(encoding="utf-8")
    session = session_for_home(home)
    try:
        store = session.store
        service = RefreshService(store, session.settings, feeds_file=session.paths.feeds_file)

        def page_hits() -> int:
            return sum(feed_server.hits(f"/full/{name}") for name in names)

        def saved() -> list[str]:
            return [h.title for h in store.headlines(HeadlineFilter(), limit=50)
                    if h.snapshot == "ok"]

        report = await service.refresh()
        assert report.new_articles == 6
        assert (report.snapshots_ok, page_hits()) == (2, 2)
        assert saved() == ["Full longform", "Full news_site"]  # the newest first
        pending = [h for h in store.headlines(HeadlineFilter(), limit=50) if h.title != "Plain one"
                   and h.snapshot == "pending"]
        assert len(pending) == 3
        for title, name in (("Full longform", "longform"), ("Full news_site", "news_site")):
            text = store.article(by_title(session, title)).fulltext_md  # type: ignore[union-attr]
            assert text is not None and gold(name)[-1] in text

        report = await service.refresh()  # nothing due: only the next two pages
        assert report.total == 0 and report.snapshots_ok == 2 and page_hits() == 4
        await service.refresh()
        assert len(saved()) == 5 and page_hits() == 5
        await service.refresh()
        assert page_hits() == 5  # each page fetched once
        plain = store.article(by_title(session, "Plain one"))
        assert plain is not None and plain.snapshot is None and plain.fulltext_md is None
        assert feed_server.hits("/plain/1") == 0
    finally:
        session.close()


async def test_a_feed_selector_in_feeds_toml_picks_the_element(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/story", page("news_site"), content_type=HTML)
    feed_server.route("/feed.xml", rss([("s", "Tidal ferry", feed_server.url("/story"),
                                         NOW - 60)], "Harbour Gazette"))
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "feeds.toml").write_text(
        "[[feed]]\n"
        f'url = "{feed_server.url("/feed.xml")}"\n'
        "# only the second half of the story body\n"
        "selector = \"div.story-body > p:nth-of-type(n+5)\"\n",
        encoding="utf-8",
    )
    session = session_for_home(home)
    try:
        app = TuiReaderApp(session, clock=Clock(NOW), refresh_on_start=True)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: app.query_one(HeadlineList).total == 1)
            await pilot.press("enter", "e")
            story = by_title(session, "Tidal ferry")
            await wait_until(
                pilot, lambda: session.store.article(story).snapshot == "ok"  # type: ignore[union-attr]
            )
            await wait_until(pilot, lambda: status_line(app) == "Full text")
            text = session.store.article(story).fulltext_md or ""  # type: ignore[union-attr]
            body = gold("news_site")
            for paragraph in body[4:]:
                assert norm(paragraph) in norm(text)
            for paragraph in body[:4]:
                assert norm(paragraph)[:50] not in norm(text)
            markdown = app.query_one(ArticleView).query_one(ArticleBody)
            # The body follows the status line once the new copy is read in its thread.
            await wait_until(pilot, lambda: norm(body[-1]) in norm(markdown.source))
            assert norm(body[0])[:50] not in norm(markdown.source)
    finally:
        session.close()


# -- unbookmarking ---------------------------------------------------------------------


async def test_unbookmarking_asks_nothing_and_z_restores_the_bookmark_as_it_was(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.route("/story", page("longform"), content_type=HTML)
    feed_server.route("/feed.xml", rss([("s", "Paper maps", feed_server.url("/story"), NOW - 60),
                                        ("t", "Other news", feed_server.url("/other"),
                                         NOW - 120)]))
    home = make_home(tmp_path, [Subscription(feed_server.url("/feed.xml"))])
    clock = Clock(NOW)
    first_bookmark = NOW - 5 * DAY
    session = session_for_home(home)
    try:
        service = RefreshService(session.store, session.settings)
        await service.refresh(snapshots=False)
        story = by_title(session, "Paper maps")
        session.store.set_bookmark(story, True, now=first_bookmark)
        await service.refresh(snapshots=True)
        assert session.store.article(story).snapshot == "ok"  # type: ignore[union-attr]
        hits = feed_server.hits("/story")

        app = TuiReaderApp(session, clock=clock, refresh_on_start=False)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.press("B")
            headlines = app.query_one(HeadlineList)
            await wait_until(pilot, lambda: headlines.total == 1)
            await pilot.press("enter")
            await wait_until(pilot, lambda: status_line(app) == "★ Saved offline")
            clock.advance(3600)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)  # no question asked
            assert not session.store.headline(story).bookmarked  # type: ignore[union-attr]
            assert any("z to undo" in str(n.message) for n in app._notifications)
            assert status_line(app) in ("", "Full text")
            await pilot.press("z")
            await pilot.pause()
            article = session.store.article(story)
            assert article is not None and article.bookmarked
            assert article.bookmarked_at == first_bookmark  # its place in the list is kept
            assert article.snapshot == "ok"
            assert status_line(app) == "★ Saved offline"
            await app.workers.wait_for_complete()
            assert feed_server.hits("/story") == hits  # nothing fetched again

            # The undo is only offered for a moment.
            monkeypatch.setattr(bookmark_undo, "UNDO_SECONDS", 0.2)
            await pilot.press("b")
            await pilot.pause(0.5)
            await pilot.press("z")
            await pilot.pause()
            assert not session.store.headline(story).bookmarked  # type: ignore[union-attr]
    finally:
        session.close()



def test_unbookmarking_drops_a_fetch_queued_only_for_the_bookmark(tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9"  # nothing is fetched here: the store alone decides
    home = make_home(tmp_path, [Subscription(f"{dead}/plain.xml"),
                                Subscription(f"{dead}/full.xml", full_text=True)])
    session = session_for_home(home)
    try:
        store = session.store
        ids = {}
        for name in ("plain", "full"):
            feed = store.feed_by_url(f"{dead}/{name}.xml")
            assert feed is not None
            item = ParsedItem(name, f"{dead}/{name}/1", f"A {name} story", published=NOW)
            store.save_feed(feed.id, ParsedFeed(name, None, [item]), {}, now=NOW)
            ids[name] = by_title(session, f"A {name} story")
            store.set_bookmark(ids[name], True, now=NOW)
        assert {j.article_id for j in store.snapshot_jobs()} == set(ids.values())
        for article_id in ids.values():
            store.set_bookmark(article_id, False)
        # The plain feed's story needs no page any more; the full-text feed's still does.
        assert [j.article_id for j in store.snapshot_jobs()] == [ids["full"]]
        assert store.article(ids["plain"]).snapshot is None  # type: ignore[union-attr]
    finally:
        session.close()


# -- where extraction runs ---------------------------------------------------------------


async def test_full_text_is_extracted_in_the_given_executor(feed_server: FeedServer) -> None:
    """The TUI passes its parsing process: extraction holds the GIL and must not run in a
    thread next to the event loop. A broken executor falls back to a thread."""
    from concurrent.futures import BrokenExecutor, Executor, Future

    from tui_reader.core.fulltext import fetch_article
    from tui_reader.core.http import PoliteClient
    from tui_reader.core.parse_pool import start_parse_pool

    feed_server.route("/story", page("news_site"), content_type=HTML)

    class Broken(Executor):
        calls = 0

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            Broken.calls += 1
            raise BrokenExecutor("the worker process died")

    pool = start_parse_pool()
    try:
        async with PoliteClient(concurrency=2, timeout=5, max_bytes=5_000_000) as client:
            in_process = await fetch_article(client, feed_server.url("/story"), executor=pool)
            fallback = await fetch_article(client, feed_server.url("/story"), executor=Broken())
        assert Broken.calls == 1
        for article in (in_process, fallback):
            assert norm(gold("news_site")[0]) in norm(article.markdown)
        assert in_process == fallback
        # The pool's fresh process did the work: only extracting imports the extractor.
        assert pool.submit(extractor_loaded).result(timeout=10)
    finally:
        pool.shutdown(wait=True)


def extractor_loaded() -> bool:
    """In the pool's process: whether the extractor has been imported there."""
    import sys

    return "tui_reader.core.extract" in sys.modules


async def test_the_app_extracts_full_text_in_its_parse_pool(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tui_reader.core import fulltext

    feed_server.route("/story", page("news_site"), content_type=HTML)
    feed_server.route("/feed.xml", rss([("s", "Tidal ferry", feed_server.url("/story"),
                                         NOW - 60)]))
    home = make_home(tmp_path, [Subscription(feed_server.url("/feed.xml"))])
    used: list[object] = []
    real = fulltext._extract

    async def spy(executor: object, *args: Any) -> Any:
        used.append(executor)
        return await real(executor, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(fulltext, "_extract", spy)
    executor = ThreadPoolExecutor(1)  # stands in for the process pool
    session = session_for_home(home)
    try:
        app = TuiReaderApp(session, clock=Clock(NOW), refresh_on_start=True)

        async def pool() -> Any:
            return executor

        monkeypatch.setattr(app.background, "_parse_pool", pool)
        async with app.run_test(size=(120, 30)) as pilot:
            await wait_until(pilot, lambda: app.query_one(HeadlineList).total == 1)
            await pilot.press("enter", "e")
            story = by_title(session, "Tidal ferry")
            await wait_until(
                pilot, lambda: session.store.article(story).snapshot == "ok"  # type: ignore[union-attr]
            )
        assert used == [executor]
    finally:
        executor.shutdown()
        session.close()
