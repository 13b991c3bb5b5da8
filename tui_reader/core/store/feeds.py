"""Subscriptions as the cache mirrors them from feeds.toml, and each feed's fetch state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..feeds_file import Subscription
from ..http_url import credentials_of, normalise_url
from ..models import FeedInfo, FeedState
from .connection import StoreBase
from .rows import CATEGORY_SEP, FEED_COLUMNS, now_ts, split_categories


def set_feed_state(tx: sqlite3.Connection, feed_id: int, state: FeedState) -> None:
    """Record a fetch outcome's changed columns (the names are FeedState's fields)."""
    changes = state.changes()
    if changes:
        assignments = ", ".join(f"{column}=?" for column in changes)
        tx.execute(f"UPDATE feeds SET {assignments} WHERE id=?", (*changes.values(), feed_id))


class FeedsPart(StoreBase):
    """Adding, removing and listing feeds; their fetch state."""

    def sync_subscriptions(self, subs: Iterable[Subscription]) -> None:
        """Make the feeds table match feeds.toml: add new ones, update settings, drop the rest."""
        subs = list(subs)
        if self._mirrors(subs):
            return  # nothing changed: don't take the write lock (read-only commands)
        with self._write() as tx:
            wanted = {s.url for s in subs}
            for (feed_id, url) in tx.execute(
                "SELECT id, url FROM feeds WHERE source IS NULL"
            ).fetchall():
                if credentials_of(url) is not None:  # cached before feed URLs lost them
                    url = self._drop_credentials(tx, feed_id, url)
                if url not in wanted:
                    self._remove_feed(tx, feed_id)
            for sub in subs:
                self._upsert_subscription(tx, sub)

    @staticmethod
    def _drop_credentials(tx: sqlite3.Connection, feed_id: int, url: str) -> str:
        """Take a password out of a cached feed URL, keeping the feed and its stories
        (unless the bare URL is cached too: then this row is the duplicate)."""
        bare = normalise_url(url)
        if not tx.execute("SELECT 1 FROM feeds WHERE url=?", (bare,)).fetchone():
            tx.execute("UPDATE feeds SET url=? WHERE id=?", (bare, feed_id))
            return bare
        return url

    def _mirrors(self, subs: list[Subscription]) -> bool:
        """Whether the feeds table already matches *subs* exactly."""
        rows = self._read(
            """SELECT f.url, f.user_title, f.full_text, f.selector,
                      (SELECT group_concat(tag, ?) FROM feed_tags t WHERE t.feed_id=f.id)
               FROM feeds f WHERE f.source IS NULL""",
            (CATEGORY_SEP,),
        )
        have = {
            r[0]: (r[1], bool(r[2]), r[3], frozenset(split_categories(r[4] or "")))
            for r in rows
        }
        want = {s.url: (s.title, s.full_text, s.selector, frozenset(s.tags)) for s in subs}
        return have == want

    def add_subscription(self, sub: Subscription) -> int:
        """Add or update one feed; returns its id. Adding a feed again revives it if it
        was dead (410) or backing off, since the user is asking for it explicitly."""
        with self._write() as tx:
            feed_id = self._upsert_subscription(tx, sub)
            tx.execute(
                "UPDATE feeds SET dead=0, next_due=0, fail_count=0 WHERE id=? AND "
                "(dead=1 OR fail_count>0)",
                (feed_id,),
            )
            return feed_id

    def _upsert_subscription(self, tx: sqlite3.Connection, sub: Subscription) -> int:
        # The sync server's copy of the same feed steps aside (it keeps its stories).
        tx.execute(
            "UPDATE feeds SET url=url || '#sync-' || server_id WHERE url=? AND source='sync'",
            (sub.url,),
        )
        tx.execute(
            """INSERT INTO feeds (url, user_title, full_text, selector) VALUES (?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET user_title=excluded.user_title,
               full_text=excluded.full_text, selector=excluded.selector""",
            (sub.url, sub.title, int(sub.full_text), sub.selector),
        )
        feed_id: int = tx.execute("SELECT id FROM feeds WHERE url=?", (sub.url,)).fetchone()[0]
        tx.execute("DELETE FROM feed_tags WHERE feed_id=?", (feed_id,))
        tx.executemany(
            "INSERT OR IGNORE INTO feed_tags (tag, feed_id) VALUES (?, ?)",
            [(tag, feed_id) for tag in sub.tags],
        )
        return feed_id

    def remove_feed(self, url: str) -> bool:
        """Forget a feed and its articles, except bookmarks, which keep the feed's name."""
        with self._write() as tx:
            row = tx.execute("SELECT id FROM feeds WHERE url=?", (url,)).fetchone()
            if row is None:
                return False
            self._remove_feed(tx, row[0])
            return True

    def _remove_feed(self, tx: sqlite3.Connection, feed_id: int) -> None:
        tx.execute(
            """UPDATE articles SET feed_title = (
                   SELECT COALESCE(user_title, title, url) FROM feeds WHERE id=?)
               WHERE feed_id=? AND bookmarked=1""",
            (feed_id, feed_id),
        )
        tx.execute("DELETE FROM articles WHERE feed_id=? AND bookmarked=0", (feed_id,))
        tx.execute("DELETE FROM feeds WHERE id=?", (feed_id,))

    def change_feed_url(self, feed_id: int, new_url: str) -> bool:
        """Follow a permanent redirect; False when another feed already has that URL."""
        with self._write() as tx:
            if tx.execute("SELECT 1 FROM feeds WHERE url=?", (new_url,)).fetchone():
                return False
            tx.execute("UPDATE feeds SET url=? WHERE id=?", (new_url, feed_id))
            return True

    def _feed_infos(self, where: str = "", params: Sequence[Any] = ()) -> list[FeedInfo]:
        rows = self._read(
            f"""SELECT {FEED_COLUMNS},
                  (SELECT COUNT(*) FROM articles a WHERE a.feed_id=f.id),
                  (SELECT COUNT(*) FROM articles a WHERE a.feed_id=f.id AND a.read=0),
                  (SELECT group_concat(tag, ?) FROM feed_tags t WHERE t.feed_id=f.id),
                  f.source
                FROM feeds f {where} ORDER BY lower(COALESCE(f.user_title, f.title, f.url))""",
            (CATEGORY_SEP, *params),
        )
        return [
            FeedInfo(
                id=r[0], url=r[1], title=r[2], site_url=r[3], etag=r[4], last_modified=r[5],
                last_status=r[6], last_error=r[7], last_fetched=r[8], next_due=r[9],
                fail_count=r[10], dead=bool(r[11]), full_text=bool(r[12]), selector=r[13],
                post_gap=r[14], newest_post=r[15], doc_window=r[16], feed_wait=r[17],
                poll_seconds=r[18], poll_reason=r[19],
                total=r[20], unread=r[21], tags=tuple(sorted(split_categories(r[22] or ""))),
                source=r[23] or "local",
            )
            for r in rows
        ]

    def feeds(self) -> list[FeedInfo]:
        """Every subscription with its counts, by title."""
        return self._feed_infos()

    def feed(self, feed_id: int) -> FeedInfo | None:
        found = self._feed_infos("WHERE f.id=?", (feed_id,))
        return found[0] if found else None

    def feed_by_url(self, url: str) -> FeedInfo | None:
        found = self._feed_infos("WHERE f.url=?", (url,))
        return found[0] if found else None

    def due_feeds(self, now: int | None = None, *, force: bool = False) -> list[FeedInfo]:
        """Feeds whose next fetch time has come (all live feeds with ``force``)."""
        if force:  # but a server that asked us to wait (429/503 Retry-After) still waits
            return self._feed_infos(
                "WHERE f.source IS NULL AND f.dead=0 AND NOT (f.next_due>? AND "
                "(COALESCE(f.last_error, '') LIKE 'HTTP 429%' OR "
                "COALESCE(f.last_error, '') LIKE 'HTTP 503%'))",
                (now or now_ts(),),
            )
        return self._feed_infos("WHERE f.source IS NULL AND f.dead=0 AND f.next_due<=?",
                                (now or now_ts(),))

    def tags(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT tag FROM feed_tags ORDER BY tag")]

    def update_feed_state(self, feed_id: int, **state: Any) -> None:
        """Record a fetch outcome (status, error, validators, next due, dead flag); the
        names are :class:`FeedState`'s fields."""
        with self._write() as tx:
            set_feed_state(tx, feed_id, FeedState(**state))
