"""The local SQLite cache: feeds, articles, read state and bookmarks.

Several processes share one file (the TUI, ``tui-reader refresh`` from cron, a second
TUI over another SSH session), so the database runs in WAL mode with a busy timeout and
every write is a short ``BEGIN IMMEDIATE`` transaction: a deferred transaction that
reads and then writes would fail with SQLITE_BUSY at once, whatever the timeout.

Each thread gets its own connection, so a refresh worker can write while the UI reads.
Every list query is paged by key ``(ts, id)``, newest first; nothing loads everything.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UserError
from .feeds_file import Subscription
from .models import Article, FeedInfo, Headline, HeadlineFilter, ParsedFeed, ParsedItem
from .schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT = 15.0
CATEGORY_SEP = "\n"
SNAPSHOT_OK = "ok"
SNAPSHOT_PENDING = "pending"
MAX_SNAPSHOT_TRIES = 8
FUTURE_SLACK = 86400
"""Dates up to a day ahead are clock skew or time zones; beyond that they are clamped."""
_WORD = re.compile(r"\w+", re.UNICODE)

Cursor = tuple[int, int]


class StoreError(UserError):
    """The cache file cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What one feed's write changed."""

    new: int
    updated: int
    new_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedWrite:
    """One feed's fetch outcome to write: its new state, and its items if it had some."""

    feed_id: int
    state: dict[str, Any]
    parsed: ParsedFeed | None = None
    now: int | None = None
    min_ts: int | None = None
    """The retention cut-off: older items are not stored."""


@dataclass(frozen=True, slots=True)
class SnapshotJob:
    """An article whose full text should be fetched."""

    article_id: int
    url: str
    selector: str | None
    bookmarked: bool


@dataclass(frozen=True, slots=True)
class _Known:
    """What a refresh needs of an article already stored."""

    id: int
    ts: int
    categories: str
    digest: bytes | None


def now_ts() -> int:
    return int(time.time())


def article_uid(item: ParsedItem) -> str:
    """A stable identity: guid, else link, else a hash of title and date."""
    if item.guid:
        return item.guid
    if item.url:
        return item.url
    raw = f"{item.title}\x00{item.published or item.updated or ''}"
    return "sha1:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


_HEADLINE_COLUMNS = """
    a.id, a.feed_id, COALESCE(f.user_title, f.title, NULLIF(a.feed_title, ''), f.url, ''),
    a.title, a.url, a.ts, a.read, a.bookmarked, a.summary, a.categories, a.snapshot
"""
_ARTICLE_COLUMNS = """
    a.id, a.feed_id, COALESCE(f.user_title, f.title, NULLIF(a.feed_title, ''), f.url, ''),
    a.title, a.url, a.author, a.published, a.updated, a.ts, a.summary, a.content,
    a.categories, a.comments_url, a.comments_count, a.read, a.bookmarked, a.bookmarked_at,
    a.fulltext, a.snapshot, a.body, a.content_md
"""
_FEED_COLUMNS = """
    f.id, f.url, COALESCE(f.user_title, f.title), f.site_url, f.etag, f.last_modified,
    f.last_status, f.last_error, f.last_fetched, f.next_due, f.fail_count, f.dead,
    f.full_text, f.selector, f.post_gap, f.newest_post, f.doc_window, f.feed_wait,
    f.poll_seconds, f.poll_reason
"""


def _split(categories: str) -> tuple[str, ...]:
    return tuple(c for c in categories.split(CATEGORY_SEP) if c) if categories else ()


def _headline(row: Sequence[Any]) -> Headline:
    return Headline(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2],
        title=row[3],
        url=row[4],
        timestamp=row[5],
        read=bool(row[6]),
        bookmarked=bool(row[7]),
        summary=row[8],
        categories=_split(row[9]),
        snapshot=row[10],
    )


def _article(row: Sequence[Any]) -> Article:
    body, markdown = row[19], row[20]
    if markdown is None and body is None:
        markdown = row[10]  # a plain-text body, or a row from before schema v4
    return Article(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2],
        title=row[3],
        url=row[4],
        author=row[5],
        published=row[6],
        updated=row[7],
        timestamp=row[8],
        summary=row[9],
        content_md=markdown,
        categories=_split(row[11]),
        comments_url=row[12],
        comments_count=row[13],
        read=bool(row[14]),
        bookmarked=bool(row[15]),
        bookmarked_at=row[16],
        fulltext_md=row[17],
        snapshot=row[18],
        body_html=body if markdown is None else None,
    )


def fts_query(text: str) -> str:
    """User words as a safe FTS5 query: every word must match, the last one as a prefix."""
    words = _WORD.findall(text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


_BOOKMARK_KEY = "COALESCE(a.bookmarked_at, a.ts)"


def _order_by(filt: HeadlineFilter, direction: str) -> str:
    """Newest first; the bookmarks view puts the newest *bookmark* first."""
    prefix = f"{_BOOKMARK_KEY} {direction}, " if filt.bookmarked else ""
    return f"{prefix}a.ts {direction}, a.id {direction}"


def _past(filt: HeadlineFilter, op: str, cursor: Cursor) -> tuple[str, list[Any]]:
    """The keyset clause for rows below (``<``) or above (``>``) *cursor* in _order_by.

    Cursors stay ``(ts, id)``; in the bookmarks view the cursor row's bookmark time is
    looked up by its id, so lists and pagers need not know about the other order.
    """
    if not filt.bookmarked:
        return f"(a.ts, a.id) {op} (?, ?)", [*cursor]
    mark = "COALESCE((SELECT COALESCE(bookmarked_at, ts) FROM articles WHERE id=?), ?)"
    return f"({_BOOKMARK_KEY}, a.ts, a.id) {op} ({mark}, ?, ?)", [cursor[1], cursor[0], *cursor]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Store:
    """One open cache file. Safe to share between threads; each thread has a connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[tuple[sqlite3.Connection, threading.RLock]] = []
        self._lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._conn
            self._migrate(conn)
            self._fts_table = bool(
                conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='articles_fts'"
                ).fetchone()
            )
            self.has_fts = self._fts_table
            """Whether search uses FTS5 (else LIKE); the index is kept either way."""
        except BaseException:
            self.close()  # a refused file must not stay open (and locked on Windows)
            raise

    # -- connections and transactions -------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError(f"{self.path}: the cache is closed")
            conn = None
            try:
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
                )
                self._enter_wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise self._error(exc) from None
            self._local.conn = conn
            self._local.busy = threading.RLock()
            with self._lock:
                self._connections.append((conn, self._local.busy))
        return conn

    @contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, held so that :meth:`close` (from another thread, when
        the app quits) waits for the statement under way instead of freeing it."""
        conn = self._conn
        with self._local.busy:
            if self._closed:
                raise StoreError(f"{self.path}: the cache is closed")
            yield conn

    @staticmethod
    def _enter_wal(conn: sqlite3.Connection) -> None:
        """Switch to WAL, retrying while another process does the same.

        Turning a new file into WAL needs an exclusive lock, and SQLite answers "database
        is locked" at once, without its busy handler, when two connections race for it
        (two processes opening a fresh cache together), so the wait is done here.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                message = str(exc)
                busy = "locked" in message or "busy" in message
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            return StoreError(f"{self.path}: not a usable tui-reader cache ({message})")
        if "locked" in message or "busy" in message:
            return StoreError(f"{self.path}: the cache is busy in another process ({message})")
        return StoreError(f"{self.path}: {message}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction that takes the write lock up front."""
        with self._using() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (disk full)
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        with self._using() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None

    def close(self) -> None:
        """Close every thread's connection, each once its statement under way is done
        (bounded: a statement stuck longer is left to the process exit)."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn, busy in connections:
            if not busy.acquire(timeout=BUSY_TIMEOUT):
                continue
            try:
                conn.close()
            except sqlite3.Error:
                pass
            finally:
                busy.release()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer tui-reader (schema {version}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade tui-reader"
                )
            with self._write() as tx:
                version = tx.execute("PRAGMA user_version").fetchone()[0]
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](tx)
                    tx.execute(f"PRAGMA user_version={step + 1}")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    # -- feeds ------------------------------------------------------------------------

    def sync_subscriptions(self, subs: Iterable[Subscription]) -> None:
        """Make the feeds table match feeds.toml: add new ones, update settings, drop the rest."""
        subs = list(subs)
        if self._mirrors(subs):
            return  # nothing changed: don't take the write lock (read-only commands)
        with self._write() as tx:
            wanted = {s.url for s in subs}
            for (feed_id, url) in tx.execute("SELECT id, url FROM feeds").fetchall():
                if url not in wanted:
                    self._remove_feed(tx, feed_id)
            for sub in subs:
                self._upsert_subscription(tx, sub)

    def _mirrors(self, subs: list[Subscription]) -> bool:
        """Whether the feeds table already matches *subs* exactly."""
        rows = self._read(
            """SELECT f.url, f.user_title, f.full_text, f.selector,
                      (SELECT group_concat(tag, ?) FROM feed_tags t WHERE t.feed_id=f.id)
               FROM feeds f""",
            (CATEGORY_SEP,),
        )
        have = {r[0]: (r[1], bool(r[2]), r[3], frozenset(_split(r[4] or ""))) for r in rows}
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
            f"""SELECT {_FEED_COLUMNS},
                  (SELECT COUNT(*) FROM articles a WHERE a.feed_id=f.id),
                  (SELECT COUNT(*) FROM articles a WHERE a.feed_id=f.id AND a.read=0),
                  (SELECT group_concat(tag, ?) FROM feed_tags t WHERE t.feed_id=f.id)
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
                total=r[20], unread=r[21], tags=tuple(sorted(_split(r[22] or ""))),
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
                "WHERE f.dead=0 AND NOT (f.next_due>? AND (COALESCE(f.last_error, '') LIKE"
                " 'HTTP 429%' OR COALESCE(f.last_error, '') LIKE 'HTTP 503%'))",
                (now or now_ts(),),
            )
        return self._feed_infos("WHERE f.dead=0 AND f.next_due<=?", (now or now_ts(),))

    def tags(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT tag FROM feed_tags ORDER BY tag")]

    def update_feed_state(self, feed_id: int, **state: Any) -> None:
        """Record a fetch outcome (status, error, validators, next due, dead flag)."""
        with self._write() as tx:
            self._set_feed_state(tx, feed_id, state)

    _STATE_COLUMNS = frozenset(
        {"title", "site_url", "etag", "last_modified", "last_status", "last_error",
         "last_fetched", "next_due", "fail_count", "dead", "post_gap", "newest_post",
         "doc_window", "feed_wait", "poll_seconds", "poll_reason"}
    )

    def _set_feed_state(self, tx: sqlite3.Connection, feed_id: int, state: dict[str, Any]) -> None:
        unknown = set(state) - self._STATE_COLUMNS
        if unknown:
            raise ValueError(f"unknown feed columns: {sorted(unknown)}")
        if state:
            assignments = ", ".join(f"{column}=?" for column in state)
            tx.execute(f"UPDATE feeds SET {assignments} WHERE id=?", (*state.values(), feed_id))

    # -- writing articles -------------------------------------------------------------

    def save_feed(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        state: dict[str, Any],
        *,
        now: int | None = None,
        min_ts: int | None = None,
    ) -> SaveResult:
        """Write one fetched feed in one transaction: its state, new and changed items."""
        return self.write_feeds([FeedWrite(feed_id, state, parsed, now=now, min_ts=min_ts)])[0]

    def write_feeds(self, writes: Sequence[FeedWrite]) -> list[SaveResult]:
        """Several feeds' fetch outcomes in one transaction: a refresh writes whatever is
        ready at once, so 200 feeds do not cost 200 commits."""
        with self._write() as tx:
            return [self._write_feed(tx, write) for write in writes]

    def _write_feed(self, tx: sqlite3.Connection, write: FeedWrite) -> SaveResult:
        """One feed's state and, when it was fetched, its new and changed items.

        Items older than ``min_ts`` (the retention cut-off) are skipped, so purged stories
        do not come back as unread. Read and bookmark flags are never touched here.
        """
        feed_id, parsed, state, min_ts = write.feed_id, write.parsed, write.state, write.min_ts
        if parsed is None:
            self._set_feed_state(tx, feed_id, state)
            return SaveResult(0, 0)
        now = write.now or now_ts()
        state = dict(state)
        if parsed.title:
            state.setdefault("title", parsed.title)
        if parsed.site_url:
            state.setdefault("site_url", parsed.site_url)
        items: dict[str, ParsedItem] = {}
        for item in parsed.items:
            items.setdefault(article_uid(item), item)
        new_ids: list[int] = []
        updated = 0
        self._set_feed_state(tx, feed_id, state)
        row = tx.execute(
            "SELECT COALESCE(user_title, title, url), full_text FROM feeds WHERE id=?",
            (feed_id,),
        ).fetchone()
        if row is None:
            return SaveResult(0, 0)
        feed_title, full_text = row
        existing = self._existing(tx, feed_id, list(items))
        next_id = tx.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0]
        snapshot = SNAPSHOT_PENDING if full_text else None
        inserts: list[tuple[Any, ...]] = []
        for uid, item in items.items():
            known = existing.get(uid)
            dated = item.published or item.updated or None
            if dated is not None:
                ts = dated
                if dated > now + FUTURE_SLACK:  # would pin a story to the top
                    ts = known.ts if known is not None else now
                if min_ts is not None and ts < min_ts:
                    continue
            elif known is not None:
                # Undated and already stored: keep its time, or it would jump to the
                # top (and count as updated) on every refresh; while the feed still
                # lists it, keep it from being purged and coming back as unread.
                ts = known.ts
                if min_ts is not None:
                    tx.execute(
                        "UPDATE articles SET first_seen=? WHERE id=? AND first_seen<?",
                        (now, known.id, min_ts),
                    )
            else:
                ts = now
            if known is None:
                # Ids chosen here (the write lock is ours) so a feed's new stories go in
                # with one executemany per table instead of a statement per story each.
                inserts.append((item, uid, ts, next_id))
                next_id += 1
            elif known.digest != item.digest or known.ts != ts:
                categories = CATEGORY_SEP.join(item.categories)
                tx.execute(
                    """UPDATE articles SET url=?, title=?, author=?, published=?, updated=?,
                           ts=?, summary=?, content=?, categories=?, comments_url=?,
                           comments_count=?, body=?, digest=?, content_md=NULL,
                           feed_title=? WHERE id=?""",
                    (item.url, item.title, item.author, item.published, item.updated, ts,
                     item.summary, item.content_text, categories, item.comments_url,
                     item.comments_count, item.body_html, item.digest, feed_title, known.id),
                )
                if known.categories != categories:
                    self._set_categories(tx, known.id, item.categories)
                updated += 1
        if inserts:
            new_ids = self._insert_items(tx, feed_id, feed_title, inserts, now, snapshot)
        return SaveResult(len(new_ids), updated, tuple(new_ids))

    def _insert_items(
        self,
        tx: sqlite3.Connection,
        feed_id: int,
        feed_title: str,
        inserts: list[tuple[ParsedItem, str, int, int]],
        now: int,
        snapshot: str | None,
    ) -> list[int]:
        """New stories of one feed, with their search index and category rows."""
        tx.executemany(
            """INSERT INTO articles (id, feed_id, feed_title, uid, url, title, author,
                   published, updated, ts, summary, content, categories, comments_url,
                   comments_count, body, digest, first_seen, snapshot)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (article_id, feed_id, feed_title, uid, item.url, item.title, item.author,
                 item.published, item.updated, ts, item.summary, item.content_text,
                 CATEGORY_SEP.join(item.categories), item.comments_url, item.comments_count,
                 item.body_html, item.digest, now, snapshot if item.url else None)
                for item, uid, ts, article_id in inserts
            ],
        )
        if self._fts_table:  # exactly what the update and delete triggers will take out
            tx.executemany(
                "INSERT INTO articles_fts (rowid, title, summary, content) VALUES (?, ?, ?, ?)",
                [(article_id, item.title, item.summary, item.content_text)
                 for item, _uid, _ts, article_id in inserts],
            )
        tx.executemany(
            "INSERT OR IGNORE INTO article_categories (category, article_id) VALUES (?, ?)",
            [(c, article_id) for item, _uid, _ts, article_id in inserts for c in item.categories],
        )
        return [article_id for _item, _uid, _ts, article_id in inserts]

    def _existing(
        self, tx: sqlite3.Connection, feed_id: int, uids: list[str]
    ) -> dict[str, _Known]:
        found: dict[str, _Known] = {}
        for start in range(0, len(uids), 400):
            chunk = uids[start : start + 400]
            marks = ",".join("?" * len(chunk))
            for row in tx.execute(
                f"""SELECT uid, id, ts, categories, digest
                    FROM articles WHERE feed_id=? AND uid IN ({marks})""",
                (feed_id, *chunk),
            ):
                found[row[0]] = _Known(row[1], row[2], row[3], row[4])
        return found

    def save_markdown(self, article_id: int, body_html: str, markdown: str) -> None:
        """Keep a body's Markdown, converted when the story was first shown; skipped if a
        refresh has changed the body since."""
        with self._write() as tx:
            tx.execute(
                "UPDATE articles SET content_md=? WHERE id=? AND body=? AND content_md IS NULL",
                (markdown, article_id, body_html),
            )

    def _set_categories(
        self, tx: sqlite3.Connection, article_id: int, categories: Iterable[str]
    ) -> None:
        tx.execute("DELETE FROM article_categories WHERE article_id=?", (article_id,))
        self._add_categories(tx, article_id, categories)

    @staticmethod
    def _add_categories(
        tx: sqlite3.Connection, article_id: int, categories: Iterable[str]
    ) -> None:
        tx.executemany(
            "INSERT OR IGNORE INTO article_categories (category, article_id) VALUES (?, ?)",
            [(c, article_id) for c in categories],
        )

    def purge(self, older_than: int) -> int:
        """Delete articles older than the cut-off; bookmarks are never purged."""
        with self._write() as tx:
            cursor = tx.execute(
                "DELETE FROM articles WHERE bookmarked=0 AND ts<? AND first_seen<?",
                (older_than, older_than),
            )
            return cursor.rowcount

    # -- reading articles -------------------------------------------------------------

    def _where(self, filt: HeadlineFilter) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filt.feed_id is not None:
            clauses.append("a.feed_id=?")
            params.append(filt.feed_id)
        if filt.tag:
            clauses.append("a.feed_id IN (SELECT feed_id FROM feed_tags WHERE tag=?)")
            params.append(filt.tag)
        if filt.unread_only:
            clauses.append("a.read=0")
        if filt.bookmarked:
            clauses.append("a.bookmarked=1")
        if filt.query:
            if not _WORD.search(filt.query):
                clauses.append("0")  # nothing searchable (e.g. "***") matches nothing
            elif self.has_fts:
                clauses.append(
                    "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
                )
                params.append(fts_query(filt.query))
            else:
                for word in _WORD.findall(filt.query):
                    clauses.append(
                        "(a.title LIKE ? ESCAPE '\\' OR a.summary LIKE ? ESCAPE '\\'"
                        " OR a.content LIKE ? ESCAPE '\\' OR a.fulltext LIKE ? ESCAPE '\\')"
                    )
                    params.extend([_like(word)] * 4)
        return clauses, params

    def headlines(
        self,
        filt: HeadlineFilter | None = None,
        *,
        limit: int = 100,
        after: Cursor | None = None,
        before: Cursor | None = None,
    ) -> list[Headline]:
        """A page of headlines, newest first.

        ``after``: rows older than that cursor (the next page down). ``before``: rows newer
        than it, still returned newest first (the page above, or stories that just arrived).
        """
        filt = filt or HeadlineFilter()
        clauses, params = self._where(filt)
        order = "DESC"
        for op, cursor in (("<", after), (">", before)):
            if cursor is not None:
                clause, values = _past(filt, op, cursor)
                clauses.append(clause)
                params.extend(values)
        if before is not None:
            order = "ASC"
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._read(
            f"""SELECT {_HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                {where} ORDER BY {_order_by(filt, order)} LIMIT ?""",
            (*params, limit),
        )
        headlines = [_headline(r) for r in rows]
        if order == "ASC":
            headlines.reverse()
        return headlines

    def count(self, filt: HeadlineFilter | None = None, *, before: Cursor | None = None) -> int:
        """How many headlines match; with ``before``, how many sort above that cursor."""
        filt = filt or HeadlineFilter()
        clauses, params = self._where(filt)
        if before is not None:
            clause, values = _past(filt, ">", before)
            clauses.append(clause)
            params.extend(values)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return int(self._read(f"SELECT COUNT(*) FROM articles a {where}", params)[0][0])

    def cursor_at(self, filt: HeadlineFilter | None, index: int) -> Cursor | None:
        """The cursor of the row at *index* (0 = newest): lets a list jump, e.g. when the
        scrollbar is dragged, without walking every page in between."""
        if index < 0:
            return None
        filt = filt or HeadlineFilter()
        clauses, params = self._where(filt)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._read(
            f"SELECT a.ts, a.id FROM articles a {where} ORDER BY {_order_by(filt, 'DESC')} "
            "LIMIT 1 OFFSET ?",
            (*params, index),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def last_refreshed(self) -> int | None:
        """When any feed was last fetched (for the status line at start-up)."""
        row = self._read("SELECT MAX(last_fetched) FROM feeds")
        return row[0][0] if row else None

    def search(self, text: str, *, limit: int = 100, after: Cursor | None = None) -> list[Headline]:
        """Full-text search over titles, summaries and content, newest first."""
        return self.headlines(HeadlineFilter(query=text), limit=limit, after=after)

    def headline(self, article_id: int) -> Headline | None:
        rows = self._read(
            f"""SELECT {_HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.id=?""",
            (article_id,),
        )
        return _headline(rows[0]) if rows else None

    def article(self, article_id: int) -> Article | None:
        rows = self._read(
            f"""SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.id=?""",
            (article_id,),
        )
        return _article(rows[0]) if rows else None

    def read_next(self, article_id: int, *, limit: int = 8) -> list[Headline]:
        """Other stories for the "Read next" timeline, newest first.

        Candidates share a category with the article or come from its feed; unread ones
        are chosen first, then the choice is shown newest first like a news site's column.
        """
        base = self._read("SELECT feed_id FROM articles WHERE id=?", (article_id,))
        if not base:
            return []
        feed_id = base[0][0]
        picked: dict[int, Headline] = {}
        queries = [
            (
                """a.id IN (SELECT c2.article_id FROM article_categories c1
                       JOIN article_categories c2 ON c2.category=c1.category
                       WHERE c1.article_id=?)""",
                article_id,
            ),
        ]
        if feed_id is not None:
            queries.append(("a.feed_id=?", feed_id))
        for clause, param in queries:
            rows = self._read(
                f"""SELECT {_HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f
                    ON f.id=a.feed_id WHERE {clause} AND a.id<>?
                    ORDER BY a.read ASC, a.ts DESC, a.id DESC LIMIT ?""",
                (param, article_id, limit),
            )
            for row in rows:
                picked.setdefault(row[0], _headline(row))
        chosen = sorted(picked.values(), key=lambda h: (h.read, -h.timestamp, -h.id))[:limit]
        return sorted(chosen, key=lambda h: (h.timestamp, h.id), reverse=True)

    def unread_counts(self) -> dict[int, int]:
        rows = self._read(
            "SELECT feed_id, COUNT(*) FROM articles WHERE read=0 AND feed_id IS NOT NULL "
            "GROUP BY feed_id"
        )
        return {r[0]: r[1] for r in rows}

    def total_unread(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM articles WHERE read=0")[0][0])

    # -- user state -------------------------------------------------------------------

    def set_read(self, article_ids: Iterable[int], read: bool = True) -> int:
        ids = list(article_ids)
        with self._write() as tx:
            changed = 0
            for start in range(0, len(ids), 400):
                chunk = ids[start : start + 400]
                marks = ",".join("?" * len(chunk))
                changed += tx.execute(
                    f"UPDATE articles SET read=? WHERE id IN ({marks}) AND read<>?",
                    (int(read), *chunk, int(read)),
                ).rowcount
            return changed

    def mark_all_read(self, filt: HeadlineFilter | None = None) -> int:
        """Mark every unread headline in the filter read; returns how many changed."""
        clauses, params = self._where(filt or HeadlineFilter())
        clauses.append("a.read=0")
        with self._write() as tx:
            return tx.execute(
                f"UPDATE articles SET read=1 WHERE id IN (SELECT a.id FROM articles a "
                f"WHERE {' AND '.join(clauses)})",
                params,
            ).rowcount

    def set_bookmark(
        self,
        article_id: int,
        on: bool = True,
        *,
        now: int | None = None,
        bookmarked_at: int | None = None,
    ) -> None:
        """Save the flag at once; a new bookmark without a complete snapshot becomes pending.

        ``bookmarked_at`` restores a removed bookmark's original time (undo), so it goes
        back to its place in the newest-bookmark-first list.
        """
        with self._write() as tx:
            if on:
                tx.execute(
                    """UPDATE articles SET bookmarked=1,
                           bookmarked_at=COALESCE(?, bookmarked_at, ?),
                           snapshot=CASE WHEN snapshot='ok' OR url IS NULL THEN snapshot
                                         ELSE 'pending' END,
                           snapshot_tries=CASE WHEN snapshot='ok' THEN snapshot_tries ELSE 0 END
                       WHERE id=?""",
                    (bookmarked_at, now or now_ts(), article_id),
                )
            else:
                # A fetch queued only for the bookmark is dropped with it (a full-text
                # feed's stories stay queued); a saved snapshot stays for an undo.
                tx.execute(
                    """UPDATE articles SET bookmarked=0, bookmarked_at=NULL,
                           snapshot=CASE WHEN snapshot='pending' AND NOT EXISTS (
                               SELECT 1 FROM feeds f WHERE f.id=articles.feed_id
                               AND f.full_text=1) THEN NULL ELSE snapshot END
                       WHERE id=?""",
                    (article_id,),
                )

    def bookmarks(self, *, limit: int = 100, offset_cursor: tuple[int, int] | None = None
                  ) -> list[Article]:
        """Bookmarked articles, newest bookmark first, paged by (bookmarked_at, id)."""
        clause = ""
        params: list[Any] = []
        if offset_cursor is not None:
            clause = "AND (a.bookmarked_at, a.id) < (?, ?)"
            params.extend(offset_cursor)
        rows = self._read(
            f"""SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.bookmarked=1 {clause}
                ORDER BY a.bookmarked_at DESC, a.id DESC LIMIT ?""",
            (*params, limit),
        )
        return [_article(r) for r in rows]

    # -- full-text snapshots ----------------------------------------------------------

    def snapshot_jobs(self, *, limit: int = 20) -> list[SnapshotJob]:
        """Articles waiting for their full text: bookmarks first, then full-text feeds."""
        rows = self._read(
            """SELECT a.id, a.url, f.selector, a.bookmarked FROM articles a
               LEFT JOIN feeds f ON f.id=a.feed_id
               WHERE a.url IS NOT NULL AND a.snapshot IS NOT NULL AND a.snapshot<>'ok'
                 AND (a.snapshot='pending' OR a.bookmarked=1) AND a.snapshot_tries<?
               ORDER BY a.bookmarked DESC, a.snapshot_tries ASC, a.ts DESC LIMIT ?""",
            (MAX_SNAPSHOT_TRIES, limit),
        )
        return [SnapshotJob(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def snapshot_job(self, article_id: int) -> SnapshotJob | None:
        rows = self._read(
            """SELECT a.id, a.url, f.selector, a.bookmarked FROM articles a
               LEFT JOIN feeds f ON f.id=a.feed_id WHERE a.id=? AND a.url IS NOT NULL""",
            (article_id,),
        )
        return SnapshotJob(rows[0][0], rows[0][1], rows[0][2], bool(rows[0][3])) if rows else None

    def save_snapshot(self, article_id: int, markdown: str) -> None:
        with self._write() as tx:
            tx.execute(
                "UPDATE articles SET fulltext=?, snapshot='ok', snapshot_tries=snapshot_tries+1 "
                "WHERE id=?",
                (markdown, article_id),
            )

    def snapshot_failed(self, article_id: int, reason: str, *, final: bool = False) -> None:
        """Record why the full text could not be had; a bookmark will try again later,
        unless the failure is ``final`` (asking again cannot help).

        A snapshot saved earlier stays (and stays "ok"): a page that has since gone away
        or an offline retry must not cost the reader the copy they already have.
        """
        with self._write() as tx:
            tx.execute(
                "UPDATE articles SET snapshot=CASE WHEN fulltext IS NOT NULL AND fulltext<>'' "
                "THEN 'ok' ELSE ? END, snapshot_tries=CASE WHEN ? THEN ? "
                "ELSE snapshot_tries+1 END "
                "WHERE id=? AND (snapshot IS NULL OR snapshot<>'ok')",
                (f"full text unavailable: {reason}", final, MAX_SNAPSHOT_TRIES, article_id),
            )

    def request_snapshot(self, article_id: int) -> None:
        """Queue a full-text fetch (the user asked for it)."""
        with self._write() as tx:
            tx.execute(
                "UPDATE articles SET snapshot='pending', snapshot_tries=0 "
                "WHERE id=? AND url IS NOT NULL",
                (article_id,),
            )


def open_store(path: Path) -> Store:
    """Open (creating or migrating) the cache, with errors as one line naming the file."""
    try:
        return Store(path)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
