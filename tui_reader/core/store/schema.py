"""The cache's schema as numbered forward migrations, tracked in ``PRAGMA user_version``.

Each entry upgrades the database from version *i* to *i + 1*. Never edit a shipped
entry; append a new one. FTS5 is optional: some Python builds lack it, and then search
falls back to LIKE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

V1 = """
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,
    user_title    TEXT,
    site_url      TEXT,
    etag          TEXT,
    last_modified TEXT,
    last_status   TEXT,
    last_error    TEXT,
    last_fetched  INTEGER,
    next_due      INTEGER NOT NULL DEFAULT 0,
    fail_count    INTEGER NOT NULL DEFAULT 0,
    dead          INTEGER NOT NULL DEFAULT 0,
    full_text     INTEGER NOT NULL DEFAULT 0,
    selector      TEXT
);
CREATE TABLE feed_tags (
    tag     TEXT NOT NULL,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    PRIMARY KEY (tag, feed_id)
) WITHOUT ROWID;
CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    feed_id        INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
    feed_title     TEXT NOT NULL DEFAULT '',
    uid            TEXT NOT NULL,
    url            TEXT,
    title          TEXT NOT NULL,
    author         TEXT,
    published      INTEGER,
    updated        INTEGER,
    first_seen     INTEGER NOT NULL,
    ts             INTEGER NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    content        TEXT NOT NULL DEFAULT '',
    categories     TEXT NOT NULL DEFAULT '',
    comments_url   TEXT,
    comments_count INTEGER,
    read           INTEGER NOT NULL DEFAULT 0,
    bookmarked     INTEGER NOT NULL DEFAULT 0,
    bookmarked_at  INTEGER,
    fulltext       TEXT,
    snapshot       TEXT,
    snapshot_tries INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed_id, uid)
);
CREATE INDEX articles_by_time ON articles (ts DESC, id DESC);
CREATE INDEX articles_by_feed ON articles (feed_id, ts DESC, id DESC);
CREATE INDEX articles_unread ON articles (ts DESC, id DESC) WHERE read = 0;
CREATE INDEX articles_bookmarked ON articles (ts DESC, id DESC) WHERE bookmarked = 1;
CREATE INDEX articles_snapshot ON articles (snapshot) WHERE snapshot IS NOT NULL;
CREATE TABLE article_categories (
    category   TEXT NOT NULL COLLATE NOCASE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (category, article_id)
) WITHOUT ROWID;
CREATE INDEX article_categories_by_article ON article_categories (article_id);
"""

FTS = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, content, content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.id, new.title, new.summary, new.content);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary, old.content);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, content ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content)
    VALUES ('delete', old.id, old.title, old.summary, old.content);
    INSERT INTO articles_fts(rowid, title, summary, content)
    VALUES (new.id, new.title, new.summary, new.content);
END;
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
"""


def fts5_available() -> bool:
    """Whether this Python's SQLite was built with FTS5."""
    try:
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        finally:
            probe.close()
    except sqlite3.Error:
        return False
    return True


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _statements(V1):
        conn.execute(statement)
    if fts5_available():
        for statement in _statements(FTS):
            conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    out: list[str] = []
    buffer = ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    return out


def _v2(conn: sqlite3.Connection) -> None:
    """Unread counts per feed (the feeds screen, the filter picker) without a table scan."""
    conn.execute("CREATE INDEX articles_unread_by_feed ON articles (feed_id) WHERE read = 0")


FTS_WITH_FULLTEXT = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, content, fulltext, content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, summary, content, fulltext)
    VALUES (new.id, new.title, new.summary, new.content, new.fulltext);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content, fulltext)
    VALUES ('delete', old.id, old.title, old.summary, old.content, old.fulltext);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, content, fulltext
ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, summary, content, fulltext)
    VALUES ('delete', old.id, old.title, old.summary, old.content, old.fulltext);
    INSERT INTO articles_fts(rowid, title, summary, content, fulltext)
    VALUES (new.id, new.title, new.summary, new.content, new.fulltext);
END;
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
"""


def _v3(conn: sqlite3.Connection) -> None:
    """Search saved full text too: a bookmark's snapshot is often most of the story."""
    if not fts5_available():
        return
    for name in ("articles_fts_insert", "articles_fts_delete", "articles_fts_update"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DROP TABLE IF EXISTS articles_fts")
    for statement in _statements(FTS_WITH_FULLTEXT):
        conn.execute(statement)


def _v4(conn: sqlite3.Connection) -> None:
    """Markdown made when a story is first shown, not at every refresh; per-feed polling.

    ``content`` now holds the body's plain text (what search indexes), ``body`` its
    cleaned HTML and ``content_md`` the Markdown once converted. A row with neither
    ``body`` nor ``content_md`` shows ``content`` as Markdown: that is every row written
    before v4 (whose ``content`` was Markdown) and every plain-text body, so old caches
    need no rewrite. ``digest`` fingerprints what the feed said, so a refresh can tell an
    unchanged item without reading its body back.
    """
    for column in ("body TEXT", "content_md TEXT", "digest BLOB"):
        conn.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    # New stories are indexed by the store's own INSERT, in the same transaction: the
    # trigger cost twice as much per row (the update and delete triggers stay).
    conn.execute("DROP TRIGGER IF EXISTS articles_fts_insert")
    # Each feed's own fetch interval (core/schedule.py) and what it was chosen from; a
    # 304 brings no document, so the feed's pattern is kept from its last one.
    for column in ("post_gap INTEGER", "newest_post INTEGER", "doc_window INTEGER",
                   "feed_wait INTEGER", "poll_seconds INTEGER", "poll_reason TEXT"):
        conn.execute(f"ALTER TABLE feeds ADD COLUMN {column}")


SYNC = """
CREATE TABLE sync_queue (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('read', 'unread', 'saved', 'unsaved')),
    queued_at INTEGER NOT NULL
);
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""


def _v5(conn: sqlite3.Connection) -> None:
    """A feed server's account (core/sync/): which feeds and stories came from it.

    ``feeds.source`` is NULL for feeds.toml's feeds and ``'sync'`` for the server's, which
    feeds.toml never mirrors and a refresh never fetches; ``server_id`` is the id the
    server gave the feed or story. ``sync_queue`` holds the read and saved changes made
    here and not yet confirmed by the server, in the order they were made; ``sync_state``
    the high-water mark of the items pulled and the account they came from.
    """
    conn.execute("ALTER TABLE feeds ADD COLUMN source TEXT")
    conn.execute("ALTER TABLE feeds ADD COLUMN server_id INTEGER")
    conn.execute("ALTER TABLE articles ADD COLUMN server_id INTEGER")
    conn.execute("CREATE UNIQUE INDEX feeds_by_server_id ON feeds (server_id) "
                 "WHERE server_id IS NOT NULL")
    conn.execute("CREATE UNIQUE INDEX articles_by_server_id ON articles (server_id) "
                 "WHERE server_id IS NOT NULL")
    for statement in _statements(SYNC):
        conn.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)
