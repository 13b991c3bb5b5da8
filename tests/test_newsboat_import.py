"""Moving from newsboat in two commands, against a real newsboat cache.

``tui-reader import ~/.newsboat/urls`` then ``tui-reader refresh``, then
``tui-reader import --newsboat-cache ~/.newsboat/cache.db``: read state comes over, and
flagged items become bookmarks with their text, queued for a full-text snapshot. Items
are matched by guid, then by link; those tui-reader never saw become stories of their
feed. newsboat's file is opened read-only and never changes.

The cache is newsboat's own when the binary is installed (it reloads the loopback feeds
below); the ``schema`` case builds the same cache by hand with newsboat 2.21's tables
(tests/newsboat_cache.py), so both run here and CI without newsboat still runs one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from feedserver import FeedServer
from newsboat_cache import NEWSBOAT, Item, built_by_hand, made_by_newsboat, rss, set_state

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import FeedState, HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.newsboat_cache import NewsboatCache
from tui_reader.core.newsboat_state import import_newsboat_state
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(180)

PAGES = Path(__file__).parent / "pages"
NOW = int(time.time())
DAY = 86400


def run(home: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=120, env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in *folder*: its content's hash and its modification time."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir()) if p.is_file()
    }


@dataclass
class Move:
    """A newsboat user's files, and the loopback server their feeds are on."""

    server: FeedServer
    folder: Path
    urls: Path
    cache: Path
    alpha: str
    beta: str


@pytest.fixture(params=["newsboat", "schema"])
def newsboat_user(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Move]:
    if request.param == "newsboat" and NEWSBOAT is None:
        pytest.skip("newsboat is not installed (apt-get install newsboat): the [schema] "
                    "case runs the same test on a cache built with newsboat's tables")
    with FeedServer() as server:
        post = server.url
        alpha_seen_by_newsboat = [
            Item("a1", "Alpha one", post("/posts/a1.html"), NOW - 10 * DAY,
                 "<p>Alpha one, in <b>newsboat's</b> own words</p>"),
            Item(None, "Alpha two", post("/posts/a2.html"), NOW - 9 * DAY, "<p>Two</p>"),
            Item("a3", "Alpha three", post("/posts/a3.html"), NOW - 2 * DAY, "<p>Three</p>"),
            Item("a4", "Alpha four", post("/posts/a4.html"), NOW - DAY, "<p>Four</p>"),
            Item("old", "Alpha of old", post("/posts/old.html"), NOW - 400 * DAY, "<p>Old</p>"),
        ]
        # By the time tui-reader reads the feed, a1, a2 and the old one have dropped off,
        # a5 is new, and a4 has a new guid (the link is the same).
        alpha_now = [
            alpha_seen_by_newsboat[2],
            Item("urn:new:a4", "Alpha four", post("/posts/a4.html"), NOW - DAY, "<p>Four</p>"),
            Item("a5", "Alpha five", post("/posts/a5.html"), NOW - 600, "<p>Five</p>"),
        ]
        beta = [
            Item("b1", "Beta one", post("/posts/b1.html"), NOW - 3 * DAY, "<p>B1</p>"),
            Item(None, "Beta two, no guid", post("/posts/b2.html"), NOW - 2 * DAY, "<p>B2</p>"),
        ]
        gamma = [
            Item("g1", "Gamma one", post("/posts/g1.html"), NOW - DAY, "<p>G1</p>"),
            Item("g2", "Gamma two", post("/posts/g2.html"), NOW - DAY, "<p>G2</p>"),
        ]
        feeds = {post("/alpha.xml"): alpha_seen_by_newsboat, post("/beta.xml"): beta,
                 post("/gamma.xml"): gamma}
        for url, items in feeds.items():
            server.route(url.removeprefix(server.base_url), rss(url.rsplit("/")[-1], items))
        page = (PAGES / "blog_code.html").read_bytes()
        for name in ("a1", "a2", "a3", "a4", "a5", "b1", "b2"):
            server.route(f"/posts/{name}.html", page, content_type="text/html; charset=utf-8")

        folder = tmp_path / ".newsboat"
        if request.param == "newsboat":
            cache = made_by_newsboat(folder, list(feeds))
        else:
            cache = built_by_hand(folder, feeds)
        # What the user did in newsboat; newsboat writes it to the cache this way.
        set_state(cache, "a1", unread=False, flags="ab")
        set_state(cache, "a3", unread=False)
        set_state(cache, "a4", flags="s")
        set_state(cache, "old", unread=False)
        set_state(cache, "b1", unread=False)
        set_state(cache, post("/posts/b2.html"), deleted=True)
        set_state(cache, "g1", unread=False)
        with closing(sqlite3.connect(cache)) as db:
            assert db.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0] == 9
        urls = folder / "urls"
        urls.write_text(f'# newsboat feeds\n{post("/alpha.xml")} news "~Alpha, mine"\n'
                        f'{post("/beta.xml")} news\n"exec:touch {tmp_path}/ran"\n',
                        encoding="utf-8")
        server.route("/alpha.xml", rss("Alpha", alpha_now))
        yield Move(server, folder, urls, cache, post("/alpha.xml"), post("/beta.xml"))


def stories(home: Path) -> dict[str, tuple[bool, bool]]:
    """Title -> (read, bookmarked), for every story in the cache."""
    rows = json.loads(run(home, "headlines", "--json", "--limit", "100").stdout)
    return {h["title"]: (h["read"], h["bookmarked"]) for h in rows}


def test_two_commands_bring_feeds_read_state_and_flags(newsboat_user: Move,
                                                       tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = fingerprint(newsboat_user.folder)
    imported = run(home, "import", str(newsboat_user.urls)).stdout
    assert "Imported 2 feeds" in imported and "1 line skipped" in imported, imported
    assert not (tmp_path / "ran").exists()
    assert "Refreshed: 2 feeds, 5 new" in run(home, "refresh").stdout

    out = run(home, "import", "--newsboat-cache", str(newsboat_user.cache)).stdout
    assert "9 items in 3 feeds" in out, out
    # a3 and b1 by guid; a4 (its guid changed) and b2 (it has none) by link.
    assert "Matched 4 items (2 by guid, 2 by link)" in out, out
    assert "2 bookmarks" in out, out
    assert "Not matched: 5 items" in out, out
    assert "2 added as stories of their feeds" in out, out
    assert "1 older than 90 days left out" in out, out
    assert "2 in 1 feed not in tui-reader" in out, out
    assert fingerprint(newsboat_user.folder) == before  # never changed, nothing added

    assert stories(home) == {
        "Alpha one": (True, True),     # not in the feed any more: added, read, bookmarked
        "Alpha two": (False, False),   # added, unread as in newsboat
        "Alpha three": (True, False),  # matched by guid
        "Alpha four": (False, True),   # matched by link (its guid changed)
        "Alpha five": (False, False),  # newsboat never saw it
        "Beta one": (True, False),
        "Beta two, no guid": (True, False),  # deleted in newsboat: read here
    }
    bookmarks = json.loads(run(home, "bookmarks", "--json").stdout)
    assert {b["title"]: b["snapshot"] for b in bookmarks} == {
        "Alpha one": "pending", "Alpha four": "pending"}
    with open_store(Paths.under(home).database) as store:
        one = next(b for b in bookmarks if b["title"] == "Alpha one")
        article = store.article(one["id"])
        assert article is not None and article.feed_title == "Alpha, mine"
        assert "newsboat's" in (article.body_html or article.content_md or "")  # offline

    # The snapshots are fetched as an app bookmark's are: at the next refresh.
    run(home, "refresh")
    bookmarks = json.loads(run(home, "bookmarks", "--json").stdout)
    assert {b["snapshot"] for b in bookmarks} == {"ok"}, bookmarks
    assert newsboat_user.server.hits("/posts/a1.html") == 1

    again = run(home, "import", "--newsboat-cache", str(newsboat_user.cache)).stdout
    assert "Matched 6 items (3 by guid, 3 by link)" in again, again
    assert "0 added" in again and "2 bookmarks" in again, again
    assert len(stories(home)) == 7
    assert fingerprint(newsboat_user.folder) == before


def test_urls_and_cache_in_one_command_before_any_refresh(newsboat_user: Move,
                                                          tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run(home, "import", str(newsboat_user.urls),
              "--newsboat-cache", str(newsboat_user.cache)).stdout
    assert "Imported 2 feeds" in out, out
    # Nothing fetched yet: newsboat's stories are the feeds' first (b2 was deleted there).
    assert "Matched 0 items" in out and "5 added as stories of their feeds" in out, out
    assert "1 deleted in newsboat left out" in out, out
    assert stories(home)["Alpha one"] == (True, True)
    assert stories(home)["Alpha four"] == (False, True)


def test_a_locked_cache_is_read_from_a_copy(newsboat_user: Move, tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "import", str(newsboat_user.urls))
    holder = sqlite3.connect(newsboat_user.cache, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # as a newsboat in the middle of a write
        before = fingerprint(newsboat_user.folder)
        out = run(home, "import", "--newsboat-cache", str(newsboat_user.cache)).stdout
        assert "locked" in out and "9 items in 3 feeds" in out, out
        assert fingerprint(newsboat_user.folder) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stories(home)["Alpha one"] == (True, True)


def test_what_is_not_a_newsboat_cache_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    run(home, "feeds")  # makes tui-reader's own cache
    cases = [
        (tmp_path / "missing.db", "missing.db"),
        (text, "not a newsboat cache"),
        (Paths.under(home).database, "not a newsboat cache"),
    ]
    for path, fragment in cases:
        result = run(home, "import", "--newsboat-cache", str(path), ok=False)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1, result.stderr
        assert lines[0].startswith("tui-reader: ") and fragment in lines[0], lines[0]


def test_a_wal_mode_cache_is_read_from_a_copy(newsboat_user: Move, tmp_path: Path) -> None:
    """In WAL mode a read-only opening may create -shm and -wal files next to the cache:
    the cache is copied instead, and its folder stays exactly as it was."""
    with closing(sqlite3.connect(newsboat_user.cache)) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    home = tmp_path / "home"
    run(home, "import", str(newsboat_user.urls))
    before = fingerprint(newsboat_user.folder)
    assert not any(name.endswith(("-wal", "-shm")) for name in before)
    out = run(home, "import", "--newsboat-cache", str(newsboat_user.cache)).stdout
    assert "9 items in 3 feeds" in out and "2 bookmarks" in out, out
    assert sorted(fingerprint(newsboat_user.folder)) == sorted(before)
    assert fingerprint(newsboat_user.folder) == before


def test_a_bookmark_without_text_gets_newsboats_and_text_is_never_replaced(
    tmp_path: Path,
) -> None:
    """In the core, on a cache built with newsboat's tables: a flagged story that
    tui-reader stored without a body is readable offline with newsboat's copy; one with
    its own body keeps it."""
    feed_url = "https://feeds.example/x.xml"
    with open_store(tmp_path / "cache.sqlite3") as store:
        feed_id = store.add_subscription(Subscription(feed_url))
        store.save_feed(feed_id, ParsedFeed("X", None, [
            ParsedItem("bare", "https://feeds.example/bare", "Bare"),
            ParsedItem("own", "https://feeds.example/own", "Own", content_text="Its own words",
                       body_html="<p>Its own words</p>"),
        ]), FeedState())
        cache = built_by_hand(tmp_path / "nb", {feed_url: [
            Item("bare", "Bare", "https://feeds.example/bare", NOW, "<p>Kept by newsboat</p>"),
            Item("own", "Own", "https://feeds.example/own", NOW, "<p>newsboat's copy</p>"),
        ]})
        set_state(cache, "bare", flags="f")
        set_state(cache, "own", flags="f", unread=False)
        with NewsboatCache(cache) as newsboat:
            report = import_newsboat_state(store, newsboat, retention_days=90)
        assert (report.by_guid, report.bookmarks, report.marked_read) == (2, 2, 1)
        shown = {a.title: a.body_html or a.content_md or "" for a in store.bookmarks()}
        assert "Kept by newsboat" in shown["Bare"]
        assert "Its own words" in shown["Own"] and "newsboat's copy" not in shown["Own"]
        found = store.headlines(HeadlineFilter(query="newsboat"))
        assert [h.title for h in found] == ["Bare"]  # its text is searchable too
