"""Writing what a refresh fetched (new and changed stories, in batches) and purging."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from ..models import FeedState, ParsedFeed, ParsedItem
from .connection import StoreBase
from .feeds import set_feed_state
from .rows import (
    CATEGORY_SEP,
    FUTURE_SLACK,
    SNAPSHOT_PENDING,
    FeedWrite,
    Known,
    SaveResult,
    article_uid,
    now_ts,
)


class ArticlesPart(StoreBase):
    """Stories written from feeds; what is kept of their Markdown; retention."""

    def save_feed(
        self,
        feed_id: int,
        parsed: ParsedFeed,
        state: FeedState | dict[str, Any],
        *,
        now: int | None = None,
        min_ts: int | None = None,
    ) -> SaveResult:
        """Write one fetched feed in one transaction: its state, new and changed items."""
        write = FeedWrite(feed_id, FeedState.of(state), parsed, now=now, min_ts=min_ts)
        return self.write_feeds([write])[0]

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
            set_feed_state(tx, feed_id, state)
            return SaveResult(0, 0)
        now = write.now or now_ts()
        if parsed.title:
            state = state.filled(title=parsed.title)
        if parsed.site_url:
            state = state.filled(site_url=parsed.site_url)
        items: dict[str, ParsedItem] = {}
        for item in parsed.items:
            items.setdefault(article_uid(item), item)
        new_ids: list[int] = []
        updated = 0
        set_feed_state(tx, feed_id, state)
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
    ) -> dict[str, Known]:
        found: dict[str, Known] = {}
        for start in range(0, len(uids), 400):
            chunk = uids[start : start + 400]
            marks = ",".join("?" * len(chunk))
            for row in tx.execute(
                f"""SELECT uid, id, ts, categories, digest
                    FROM articles WHERE feed_id=? AND uid IN ({marks})""",
                (feed_id, *chunk),
            ):
                found[row[0]] = Known(row[1], row[2], row[3], row[4])
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
