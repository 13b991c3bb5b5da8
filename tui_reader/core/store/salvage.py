"""What a damaged cache still holds, read around the damage into a fresh cache.

SQLite stops a query at the first damaged page. :func:`readable_rows` reads a table in
rowid order and, when a read fails, starts again just past the last good row, stepping
further each time it fails again, so the rows after a damaged stretch are still found.
The damaged file is only ever opened read-only.

:meth:`SalvagePart.rescue_from` copies the rows into this (fresh) cache in the order
they matter: bookmarks with their full text first, then read stories (their read state),
then the rest, then each feed's fetch state. Subscriptions are not taken from the damaged
file: feeds.toml says what the user follows, and the fresh cache already mirrors it. The
sync server's feeds are (feeds.toml never has them), with the changes still queued for
the server and the account; not the high-water mark, so the next sync pulls the
server's items from the start again and brings back what was lost (it skips the rest).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..http_url import credentials_of, normalise_url
from .connection import StoreBase
from .rows import SNAPSHOT_OK, split_categories

MAX_ROWID = 2**63 - 1
SWEEP = 100_000
"""Rowids read one by one across a damaged stretch, at most (about a second)."""

ARTICLE_COLUMNS = (
    "id", "feed_id", "feed_title", "uid", "url", "title", "author", "published", "updated",
    "first_seen", "ts", "summary", "content", "categories", "comments_url", "comments_count",
    "read", "bookmarked", "bookmarked_at", "fulltext", "snapshot", "snapshot_tries", "body",
    "content_md", "digest", "server_id",
)
"""Every column a story has (older caches lack the last four)."""
REQUIRED = {"id": int, "uid": str, "title": str, "ts": int, "first_seen": int}
"""The columns a rescued story must have, with their types: a row read from a damaged
page that lacks them is not a story."""
FEED_STATE = (
    "title", "site_url", "last_status", "last_error", "last_fetched", "fail_count", "dead",
    "post_gap", "newest_post", "doc_window", "feed_wait", "poll_seconds", "poll_reason",
)
"""A feed's fetch state that is worth keeping. Not its ETag, Last-Modified or next fetch
time: the next refresh fetches every feed in full, which brings back lost stories."""
SERVER_FEED = ("id", "url", "title", "site_url", "source", "server_id")
QUEUE = ("seq", "server_id", "action", "queued_at")



@dataclass(frozen=True, slots=True)
class Rescue:
    """What was copied out of a damaged cache."""

    bookmarks: int = 0
    full_texts: int = 0
    """Bookmarks whose saved full text came along."""
    read: int = 0
    stories: int = 0
    """Every story copied, bookmarks and read ones included."""
    feed_states: int = 0


def open_read_only(path: Path) -> sqlite3.Connection:
    """The damaged file, read-only; sqlite3.Error when SQLite cannot read it at all.

    ``writable_schema`` (harmless on a read-only connection) is what lets SQLite read a
    file shorter than its header says: it refuses the whole file otherwise.
    """
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5)
    try:
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def table_columns(conn: sqlite3.Connection, table: str, wanted: Sequence[str]) -> list[str]:
    """The *wanted* columns *table* has (none when its schema cannot be read)."""
    try:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error:
        return []
    return [c for c in wanted if c in have]


def readable_rows(conn: sqlite3.Connection, table: str,
                  columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every row of *table* that can still be read, in rowid order (with its rowid)."""
    select = f"SELECT rowid, {', '.join(columns)} FROM {table} NOT INDEXED WHERE rowid"
    last: int | None = 0
    while last is not None:
        try:
            for row in conn.execute(f"{select} > ? ORDER BY rowid", (last,)):
                last = row[0]
                yield dict(zip(("rowid", *columns), row, strict=True))
            return
        except sqlite3.Error:  # a damaged page, or a value that is not text: step over it
            resume = _past_damage(conn, table, last)
        # A row a range read cannot reach may still be found by its rowid (the first one
        # on the page after a damaged one, or pages between two damaged stretches).
        end = MAX_ROWID if resume is None else resume
        for rowid in range(last + 1, end + 1) if end - last <= SWEEP else [end]:
            try:
                row = conn.execute(f"{select} = ?", (rowid,)).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                yield dict(zip(("rowid", *columns), row, strict=True))
        last = resume


def _past_damage(conn: sqlite3.Connection, table: str, last: int) -> int | None:
    """Where to go on after a read past rowid *last* failed: past the one row that cannot
    be read, or past the damaged stretch (found by stepping out twice as far each time,
    then halving back to its end); None when nothing after it can be read."""

    def first_after(position: int) -> int | None | bool:
        """The first rowid after *position* (None at the end); False if unreadable."""
        try:
            row = conn.execute(f"SELECT rowid FROM {table} NOT INDEXED WHERE rowid > ? "
                               "ORDER BY rowid LIMIT 1", (position,)).fetchone()
        except sqlite3.Error:
            return False
        return None if row is None else int(row[0])

    found = first_after(last)
    if found is not False:  # the row itself is the trouble (its text, its overflow pages)
        return None if found is None else int(found)
    bad, step = last, 1
    good = min(last + step, MAX_ROWID)
    while first_after(good) is False:
        if good >= MAX_ROWID:
            return None
        bad, step = good, step * 2
        good = min(good + step, MAX_ROWID)
    while good - bad > 1:  # the damaged stretch ends between bad and good
        middle = (bad + good) // 2
        if first_after(middle) is False:
            bad = middle
        else:
            good = middle
    return good


def _by_priority(source: sqlite3.Connection) -> list[list[int]]:
    """The readable stories' ids: bookmarks first, then read stories, then the rest."""
    bookmarks: list[int] = []
    read: list[int] = []
    rest: list[int] = []
    for row in readable_rows(source, "articles", ("bookmarked", "read")):
        (bookmarks if row["bookmarked"] else read if row["read"] else rest).append(row["rowid"])
    return [bookmarks, read, rest]


def _stories(source: sqlite3.Connection, columns: Sequence[str],
             ids: list[int]) -> Iterator[dict[str, Any]]:
    """Each story by its id; one that cannot be read is left out."""
    sql = f"SELECT {', '.join(columns)} FROM articles WHERE rowid=?"
    for article_id in ids:
        try:
            row = source.execute(sql, (article_id,)).fetchone()
        except sqlite3.Error:
            continue
        if row is not None:
            yield dict(zip(columns, row, strict=True))


def _is_story(row: dict[str, Any]) -> bool:
    return all(isinstance(row.get(name), kind) for name, kind in REQUIRED.items())


class SalvagePart(StoreBase):
    """Filling a fresh cache from a damaged one."""

    def rescue_from(self, damaged: Path) -> Rescue:
        """Copy what *damaged* still holds; this cache already has feeds.toml's feeds."""
        try:
            source = open_read_only(damaged)
        except sqlite3.Error:  # not SQLite, or its schema is gone: nothing to read
            return Rescue()
        try:
            return self._rescue(source)
        finally:
            source.close()

    def _rescue(self, source: sqlite3.Connection) -> Rescue:
        self._rescue_sync(source)
        new_ids = {url: feed_id for feed_id, url in self._read("SELECT id, url FROM feeds")}
        state_columns = table_columns(source, "feeds", FEED_STATE)
        old_feeds: dict[int, tuple[str, dict[str, Any]]] = {}
        for row in readable_rows(source, "feeds", ["id", "url", *state_columns]):
            if isinstance(row["id"], int) and isinstance(row["url"], str):
                url = row["url"]
                url = normalise_url(url) if credentials_of(url) is not None else url
                old_feeds[row["id"]] = (url, row)
        columns = table_columns(source, "articles", ARTICLE_COLUMNS)
        counts = {"bookmarks": 0, "full_texts": 0, "read": 0, "stories": 0}
        if set(REQUIRED) <= set(columns):
            for ids in _by_priority(source):
                with self._write() as tx:
                    for row in _stories(source, columns, ids):
                        if self._copy_story(tx, row, old_feeds, new_ids, columns):
                            counts["stories"] += 1
                            counts["read"] += bool(row.get("read"))
                            if row.get("bookmarked"):
                                counts["bookmarks"] += 1
                                counts["full_texts"] += bool(
                                    row.get("fulltext") and row.get("snapshot") == SNAPSHOT_OK)
        feed_states = 0
        with self._write() as tx:
            for url, row in old_feeds.values():
                if url in new_ids and state_columns:
                    assignments = ", ".join(f"{c}=?" for c in state_columns)
                    tx.execute(f"UPDATE feeds SET {assignments} WHERE id=?",
                               (*(row[c] for c in state_columns), new_ids[url]))
                    feed_states += 1
            if self._fts_table:
                tx.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        return Rescue(feed_states=feed_states, **counts)

    def _rescue_sync(self, source: sqlite3.Connection) -> None:
        """The sync server's feeds, the changes queued for it and its account."""
        columns = table_columns(source, "feeds", SERVER_FEED)
        if len(columns) < len(SERVER_FEED):
            return  # a cache from before sync
        with self._write() as tx:
            for row in readable_rows(source, "feeds", columns):
                if (row["source"] == "sync" and isinstance(row["url"], str)
                        and isinstance(row["server_id"], int)):
                    tx.execute("INSERT OR IGNORE INTO feeds (url, title, site_url, source, "
                               "server_id) VALUES (?, ?, ?, 'sync', ?)",
                               (row["url"], row["title"], row["site_url"], row["server_id"]))
            for row in readable_rows(source, "sync_queue", table_columns(
                    source, "sync_queue", QUEUE)):
                if all(isinstance(row.get(c), int) for c in ("seq", "server_id", "queued_at")):
                    tx.execute("INSERT OR IGNORE INTO sync_queue (seq, server_id, action, "
                               "queued_at) SELECT ?, ?, ?, ? WHERE ? IN ('read', 'unread', "
                               "'saved', 'unsaved')", (row["seq"], row["server_id"],
                                                       row["action"], row["queued_at"],
                                                       row["action"]))
            try:  # WITHOUT ROWID: readable_rows cannot step over damage in it
                account = source.execute(
                    "SELECT value FROM sync_state WHERE key='account'").fetchone()
            except sqlite3.Error:
                account = None
            if account is not None and isinstance(account[0], str):
                tx.execute("INSERT OR REPLACE INTO sync_state (key, value) "
                           "VALUES ('account', ?)", (account[0],))

    @staticmethod
    def _copy_story(tx: sqlite3.Connection, row: dict[str, Any],
                    old_feeds: dict[int, tuple[str, dict[str, Any]]],
                    new_ids: dict[str, int], columns: Sequence[str]) -> bool:
        """One story into the fresh cache, under its feed's new id. A story of a feed no
        longer in feeds.toml is kept only when bookmarked (as removing a feed keeps it)."""
        if not _is_story(row):
            return False
        old = old_feeds.get(row["feed_id"]) if isinstance(row.get("feed_id"), int) else None
        feed_id = new_ids.get(old[0]) if old is not None else None
        if feed_id is None:
            if not row.get("bookmarked"):
                return False
            if not row.get("feed_title") and old is not None:
                row["feed_title"] = old[1].get("title") or old[0]
        row["feed_id"] = feed_id
        marks = ", ".join("?" * len(columns))
        try:
            cursor = tx.execute(
                f"INSERT OR IGNORE INTO articles ({', '.join(columns)}) VALUES ({marks})",
                [row[c] for c in columns],
            )
        except sqlite3.IntegrityError:  # a NOT NULL column read back as NULL
            return False
        if cursor.rowcount != 1:
            return False
        categories = row.get("categories")
        if isinstance(categories, str):
            tx.executemany(
                "INSERT OR IGNORE INTO article_categories (category, article_id) VALUES (?, ?)",
                [(c, row["id"]) for c in split_categories(categories)],
            )
        return True
