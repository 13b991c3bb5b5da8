"""A sync server's side of the cache: its feeds, its stories' ids, the queue of changes.

The server's feeds are rows of ``feeds`` with ``source='sync'``: feeds.toml never
mirrors them and a refresh never fetches them. Their stories are ordinary ``articles``
rows with the server's id in ``server_id``, so every screen works on them unchanged.
A read or bookmark change made here to such a story is written with a ``sync_queue``
row in the same transaction (:func:`enqueue`); a row leaves the queue only once the
server has confirmed it. The server's own state is applied (:meth:`reconcile`) to every
story without a queued change: a change still queued was made after the last sync, so
it wins; otherwise the server's state wins.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import FeedState, ParsedFeed, ParsedItem
from ..sync.account import normal_key
from ..sync.protocol import Action, ServerFeed, ServerItem
from .articles import ArticlesPart
from .feeds import FeedsPart
from .rows import SNAPSHOT_PENDING, FeedWrite, now_ts

SOURCE_SYNC = "sync"
"""``feeds.source`` of a feed that comes from the sync server."""
SINCE_ID = "since_id"
ACCOUNT = "account"
MISSING = "missing:"
"""``sync_state`` key prefix: in how many feeds answers in a row a server feed was missing."""
MISSING_SYNCS = 3
"""A server feed missing from this many answers in a row was unsubscribed: it goes."""

PAIRS: dict[str, tuple[Action, Action]] = {
    "read": ("read", "unread"), "unread": ("read", "unread"),
    "saved": ("saved", "unsaved"), "unsaved": ("saved", "unsaved"),
}
"""Each action with its opposite: the later of the two is the one that counts."""

_BOOKMARK_ON = f"""bookmarked=1, bookmarked_at=COALESCE(bookmarked_at, :now),
    snapshot=CASE WHEN snapshot='ok' OR url IS NULL THEN snapshot ELSE '{SNAPSHOT_PENDING}' END,
    snapshot_tries=CASE WHEN snapshot='ok' THEN snapshot_tries ELSE 0 END"""
_BOOKMARK_OFF = """bookmarked=0, bookmarked_at=NULL,
    snapshot=CASE WHEN snapshot<>'ok' AND NOT EXISTS (SELECT 1 FROM feeds f
        WHERE f.id=articles.feed_id AND f.full_text=1) THEN NULL ELSE snapshot END"""
"""As ``set_bookmark`` writes a bookmark: the full text is fetched for offline reading."""


def enqueue(tx: sqlite3.Connection, action: Action, where: str, params: Sequence[Any]) -> None:
    """Queue *action* for the server's stories among ``articles`` rows matching *where*
    (call it before the change, with *where* selecting the rows it will change)."""
    tx.execute(
        f"""INSERT INTO sync_queue (server_id, action, queued_at)
            SELECT server_id, ?, ? FROM articles
            WHERE server_id IS NOT NULL AND ({where}) ORDER BY id""",
        (action, now_ts(), *params),
    )


@dataclass(frozen=True, slots=True)
class QueuedChange:
    """A change made here, waiting for the server."""

    seq: int
    server_id: int
    action: Action


@dataclass(frozen=True, slots=True)
class Reconciled:
    """How many stories the server's state changed here."""

    read: int = 0
    unread: int = 0
    saved: int = 0
    unsaved: int = 0


class SyncStatePart(FeedsPart, ArticlesPart):
    """The server's feeds and stories, the high-water mark, the queue."""

    # -- state ---------------------------------------------------------------------------

    def sync_value(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM sync_state WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def since_id(self) -> int:
        """The highest server item id pulled so far (0 before the first sync)."""
        return int(self.sync_value(SINCE_ID) or 0)

    def use_sync_account(self, account: str) -> int | None:
        """Start over when the account (server and user) is not the one synced before:
        its feeds go (their bookmarks stay, as local stories), with the queue and the
        high-water mark. None when it is the same account, else how many queued changes
        were dropped (they were for the other account)."""
        before = self.sync_value(ACCOUNT)
        if before is not None and normal_key(before) == normal_key(account):
            if before != account:  # as written by an earlier version, or the URL retyped
                with self._write() as tx:
                    tx.execute("UPDATE sync_state SET value=? WHERE key=?", (account, ACCOUNT))
            return None
        with self._write() as tx:
            dropped = tx.execute("SELECT COUNT(*) FROM sync_queue").fetchone()[0]
            for (feed_id,) in tx.execute(
                "SELECT id FROM feeds WHERE source=?", (SOURCE_SYNC,)
            ).fetchall():
                self._remove_feed(tx, feed_id)
            tx.execute("UPDATE articles SET server_id=NULL WHERE server_id IS NOT NULL")
            tx.execute("DELETE FROM sync_queue")
            tx.execute("DELETE FROM sync_state")
            tx.execute("INSERT INTO sync_state (key, value) VALUES (?, ?)", (ACCOUNT, account))
        return int(dropped)

    # -- feeds -----------------------------------------------------------------------------

    def apply_server_feeds(self, feeds: Iterable[ServerFeed], *,
                           remove: bool = True) -> tuple[int, int]:
        """Make the server's feeds and groups the cache's ``source='sync'`` feeds and their
        tags; returns (added, removed). A server feed whose URL is also in feeds.toml is
        kept apart under the URL with ``#sync-ID`` after it.

        A feed missing from the answer goes (with its unbookmarked stories) only once it
        has been missing from :data:`MISSING_SYNCS` answers in a row, and an answer with no
        feeds at all removes nothing: a server's hiccup must not cost the stories (those
        below the high-water mark would never be pulled again). ``remove=False`` (a second
        read in the same sync) only adds and updates."""
        feeds = list(feeds)
        added = removed = 0
        with self._write() as tx:
            wanted = {f.id for f in feeds}
            for feed_id, server_id in tx.execute(
                "SELECT id, server_id FROM feeds WHERE source=?", (SOURCE_SYNC,)
            ).fetchall():
                key = f"{MISSING}{server_id}"
                if server_id in wanted:
                    tx.execute("DELETE FROM sync_state WHERE key=?", (key,))
                    continue
                if not remove or not feeds:
                    continue
                row = tx.execute("SELECT value FROM sync_state WHERE key=?", (key,)).fetchone()
                missed = int(row[0]) + 1 if row else 1
                if missed >= MISSING_SYNCS:
                    self._remove_feed(tx, feed_id)
                    tx.execute("DELETE FROM sync_state WHERE key=?", (key,))
                    removed += 1
                else:
                    tx.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)",
                               (key, str(missed)))
            for feed in feeds:
                row = tx.execute("SELECT id FROM feeds WHERE server_id=?", (feed.id,)).fetchone()
                url = feed.url
                taken = tx.execute("SELECT id FROM feeds WHERE url=?", (url,)).fetchone()
                if taken is not None and (row is None or taken[0] != row[0]):
                    url = f"{feed.url}#sync-{feed.id}"
                if row is None:
                    feed_id = tx.execute(
                        """INSERT INTO feeds (url, title, site_url, source, server_id)
                           VALUES (?, ?, ?, ?, ?)""",
                        (url, feed.title, feed.site_url, SOURCE_SYNC, feed.id),
                    ).lastrowid
                    added += 1
                else:
                    feed_id = row[0]
                    tx.execute("UPDATE feeds SET url=?, title=?, site_url=? WHERE id=?",
                               (url, feed.title, feed.site_url, feed_id))
                tx.execute("DELETE FROM feed_tags WHERE feed_id=?", (feed_id,))
                tx.executemany("INSERT OR IGNORE INTO feed_tags (tag, feed_id) VALUES (?, ?)",
                               [(group, feed_id) for group in feed.groups])
        return added, removed

    # -- items ---------------------------------------------------------------------------

    def save_server_items(
        self, items: Sequence[tuple[ServerItem, ParsedItem]], *, now: int | None = None
    ) -> int:
        """One page of the server's items in one transaction, with the new high-water mark:
        stored as a refresh stores stories, with the server's read and saved state for the
        new ones. Returns how many were new."""
        if not items:
            return 0
        now = now or now_ts()
        new = 0
        with self._write() as tx:
            feed_ids = dict(tx.execute(
                "SELECT server_id, id FROM feeds WHERE source=?", (SOURCE_SYNC,)).fetchall())
            ids = [server.id for server, _parsed in items]
            marks = ",".join("?" * len(ids))
            known = {r[0] for r in tx.execute(
                f"SELECT server_id FROM articles WHERE server_id IN ({marks})", ids)}
            by_feed: dict[int, list[tuple[ServerItem, ParsedItem]]] = {}
            for server, parsed in items:
                if server.feed_id in feed_ids and server.id not in known:
                    by_feed.setdefault(feed_ids[server.feed_id], []).append((server, parsed))
            for feed_id, pairs in by_feed.items():
                parsed_feed = ParsedFeed(None, None, [parsed for _server, parsed in pairs])
                self._write_feed(tx, FeedWrite(feed_id, FeedState(), parsed_feed, now=now))
                tx.executemany(
                    "UPDATE articles SET server_id=? WHERE feed_id=? AND uid=? "
                    "AND server_id IS NULL",
                    [(server.id, feed_id, parsed.guid) for server, parsed in pairs],
                )
                new += len(pairs)
                read = [(s.id,) for s, _p in pairs if s.read]
                tx.executemany("UPDATE articles SET read=1 WHERE server_id=?", read)
                tx.executemany(f"UPDATE articles SET {_BOOKMARK_ON} WHERE server_id=:id",
                               [{"now": now, "id": s.id} for s, _p in pairs if s.saved])
            tx.execute(
                """INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE
                   SET value=MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))""",
                (SINCE_ID, str(max(ids))),
            )
        return new

    def reconcile(self, unread: Collection[int], saved: Collection[int],
                  *, now: int | None = None) -> Reconciled:
        """Take the server's read and saved state for every story of it that has no
        change queued here (a queued change is newer: it wins)."""
        now = now or now_ts()
        with self._write() as tx:
            for table, ids in (("sync_unread", unread), ("sync_saved", saved)):
                tx.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
                tx.execute(f"DELETE FROM temp.{table}")
                tx.executemany(f"INSERT OR IGNORE INTO temp.{table} (id) VALUES (?)",
                               [(i,) for i in ids])

            def quiet(kind: str) -> str:
                return (f"server_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sync_queue q "
                        f"WHERE q.server_id=articles.server_id AND q.action IN {kind})")

            flags, marks = quiet("('read', 'unread')"), quiet("('saved', 'unsaved')")
            unread_ids = "server_id IN (SELECT id FROM temp.sync_unread)"
            saved_ids = "server_id IN (SELECT id FROM temp.sync_saved)"
            made_read = tx.execute(
                f"UPDATE articles SET read=1 WHERE {flags} AND read=0 AND NOT {unread_ids}"
            ).rowcount
            made_unread = tx.execute(
                f"UPDATE articles SET read=0 WHERE {flags} AND read=1 AND {unread_ids}"
            ).rowcount
            made_saved = tx.execute(
                f"UPDATE articles SET {_BOOKMARK_ON} WHERE {marks} AND bookmarked=0 "
                f"AND {saved_ids}", {"now": now},
            ).rowcount
            made_unsaved = tx.execute(
                f"UPDATE articles SET {_BOOKMARK_OFF} WHERE {marks} AND bookmarked=1 "
                f"AND NOT {saved_ids}"
            ).rowcount
        return Reconciled(made_read, made_unread, made_saved, made_unsaved)

    def unknown_server_ids(self, ids: Collection[int]) -> list[int]:
        """Those of *ids* no story here has, in order."""
        with self._write() as tx:
            tx.execute("CREATE TEMP TABLE IF NOT EXISTS sync_wanted (id INTEGER PRIMARY KEY)")
            tx.execute("DELETE FROM temp.sync_wanted")
            tx.executemany("INSERT OR IGNORE INTO temp.sync_wanted (id) VALUES (?)",
                           [(i,) for i in ids])
            return [r[0] for r in tx.execute(
                "SELECT id FROM temp.sync_wanted w WHERE NOT EXISTS (SELECT 1 FROM articles a "
                "WHERE a.server_id=w.id) ORDER BY id")]

    # -- the queue -----------------------------------------------------------------------

    def queued_changes(self) -> list[QueuedChange]:
        """Changes waiting for the server, oldest first."""
        return [QueuedChange(r[0], r[1], r[2]) for r in self._read(
            "SELECT seq, server_id, action FROM sync_queue ORDER BY seq")]

    def confirm_change(self, change: QueuedChange) -> int:
        """The server has *change*: drop it and every earlier change of the same kind to
        the same story (they are overtaken). Returns how many rows went."""
        with self._write() as tx:
            return tx.execute(
                "DELETE FROM sync_queue WHERE server_id=? AND action IN (?, ?) AND seq<=?",
                (change.server_id, *PAIRS[change.action], change.seq),
            ).rowcount

    def detach_server_item(self, server_id: int) -> None:
        """The server no longer has this item: its story stays here as a local one (its
        bookmark and read flag kept), and its queued changes have nowhere to go."""
        with self._write() as tx:
            tx.execute("UPDATE articles SET server_id=NULL WHERE server_id=?", (server_id,))
            tx.execute("DELETE FROM sync_queue WHERE server_id=?", (server_id,))

    def sync_feed_url(self, url: str) -> bool:
        """Whether *url* names a feed that comes from the sync server."""
        return bool(self._read("SELECT 1 FROM feeds WHERE url=? AND source=?",
                               (url, SOURCE_SYNC)))
