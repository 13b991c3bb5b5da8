"""A newsboat cache for tests, and read state and flags set in it as newsboat sets them.

With the ``newsboat`` binary installed (Debian's package), the cache is newsboat's own:
it reloads the test's loopback feeds into it (``newsboat -x reload``). Without it, the
cache is built here with the tables newsboat 2.21 creates (``src/cache.cpp``; copied
from a cache that newsboat made) and the rows it would have written for the same items.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

NEWSBOAT = shutil.which("newsboat")

SCHEMA = """
CREATE TABLE rss_feed (  rssurl VARCHAR(1024) PRIMARY KEY NOT NULL,  url VARCHAR(1024) NOT NULL,
    title VARCHAR(1024) NOT NULL , lastmodified INTEGER(11) NOT NULL DEFAULT 0,
    is_rtl INTEGER(1) NOT NULL DEFAULT 0, etag VARCHAR(128) NOT NULL DEFAULT "");
CREATE TABLE rss_item (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,  guid VARCHAR(64) NOT NULL,
    title VARCHAR(1024) NOT NULL,  author VARCHAR(1024) NOT NULL,  url VARCHAR(1024) NOT NULL,
    feedurl VARCHAR(1024) NOT NULL,  pubDate INTEGER NOT NULL,  content VARCHAR(65535) NOT NULL,
    unread INTEGER(1) NOT NULL , enclosure_url VARCHAR(1024), enclosure_type VARCHAR(1024),
    enqueued INTEGER(1) NOT NULL DEFAULT 0, flags VARCHAR(52),
    deleted INTEGER(1) NOT NULL DEFAULT 0, base VARCHAR(128) NOT NULL DEFAULT "");
CREATE TABLE google_replay (  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guid VARCHAR(64) NOT NULL,  state INTEGER NOT NULL,  ts INTEGER NOT NULL );
CREATE INDEX idx_rssurl ON rss_feed(rssurl);
CREATE INDEX idx_guid ON rss_item(guid);
CREATE INDEX idx_feedurl ON rss_item(feedurl);
CREATE INDEX idx_lastmodified ON rss_feed(lastmodified);
CREATE INDEX idx_deleted ON rss_item(deleted);
CREATE TABLE metadata (  db_schema_version_major INTEGER NOT NULL,
    db_schema_version_minor INTEGER NOT NULL );
INSERT INTO metadata VALUES (2, 11);
"""


@dataclass(frozen=True)
class Item:
    """One feed entry, written into the RSS the server sends and, by hand, into a cache."""

    guid: str | None
    title: str
    link: str
    published: int
    html: str


def pub_date(ts: int) -> str:
    return format_datetime(datetime.fromtimestamp(ts, UTC), usegmt=True)


def rss(title: str, items: list[Item]) -> str:
    """An RSS 2.0 document with these items (an item with no guid has only its link)."""
    body = "".join(
        "<item>"
        + (f"<guid isPermaLink=\"false\">{escape(i.guid)}</guid>" if i.guid else "")
        + f"<title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<description>{escape(i.html)}</description>"
        f"<pubDate>{pub_date(i.published)}</pubDate></item>"
        for i in items
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://example.org/</link>"
            f"{body}</channel></rss>")


def made_by_newsboat(root: Path, feed_urls: list[str]) -> Path:
    """newsboat's cache after it reloaded *feed_urls* (served by the test) once."""
    assert NEWSBOAT is not None
    root.mkdir(parents=True, exist_ok=True)
    urls, config, cache = root / "urls", root / "config", root / "cache.db"
    urls.write_text("".join(f"{u}\n" for u in feed_urls), encoding="utf-8")
    config.write_text("reload-threads 2\n", encoding="utf-8")
    env = {**os.environ, "HOME": str(root)}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(name, None)
    done = subprocess.run(
        [NEWSBOAT, "-u", str(urls), "-c", str(cache), "-C", str(config), "-x", "reload"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return cache


def built_by_hand(root: Path, feeds: dict[str, list[Item]]) -> Path:
    """The cache newsboat would have written for *feeds* (feed URL -> its items): an item
    without a guid is known by its link and date as the feed wrote them (newsboat 2.21's
    fallback), every item starts unread."""
    root.mkdir(parents=True, exist_ok=True)
    cache = root / "cache.db"
    with closing(sqlite3.connect(cache)) as db, db:
        db.executescript(SCHEMA)
        for feed_url, items in feeds.items():
            db.execute("INSERT INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
                       (feed_url, "https://example.org/", feed_url))
            db.executemany(
                """INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content,
                       unread, enclosure_url, enclosure_type, base)
                   VALUES (?, ?, '', ?, ?, ?, ?, 1, '', '', '')""",
                [(i.guid or i.link + pub_date(i.published), i.title, i.link, feed_url,
                  i.published, i.html) for i in items],
            )
    return cache


def set_state(cache: Path, key: str, *, unread: bool | None = None, flags: str | None = None,
              deleted: bool | None = None) -> None:
    """Change one item (*key* is its guid or its link) as newsboat does (``UPDATE rss_item
    SET unread = … WHERE guid = …``, and the same for its flags and for deleting it)."""
    with closing(sqlite3.connect(cache)) as db, db:
        found = db.execute("SELECT guid FROM rss_item WHERE guid = ?1 OR url = ?1",
                           (key,)).fetchall()
        assert len(found) == 1, f"{len(found)} items {key!r} in {cache}"
        guid = found[0][0]
        changed = 0
        if unread is not None:
            changed += db.execute("UPDATE rss_item SET unread = ? WHERE guid = ?",
                                  (int(unread), guid)).rowcount
        if flags is not None:
            changed += db.execute("UPDATE rss_item SET flags = ? WHERE guid = ?",
                                  (flags, guid)).rowcount
        if deleted is not None:
            changed += db.execute("UPDATE rss_item SET deleted = ? WHERE guid = ?",
                                  (int(deleted), guid)).rowcount
        assert changed
