"""The reader's own state: read flags, bookmarks, and the queue of full-text snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..models import Article, HeadlineFilter
from .connection import StoreBase
from .queries import filter_sql
from .rows import ARTICLE_COLUMNS, MAX_SNAPSHOT_TRIES, SnapshotJob, article_row, now_ts
from .sync_state import enqueue


class UserStatePart(StoreBase):
    """Read flags, bookmarks, snapshots.

    A change to a story from a sync server is queued for the server in the same
    transaction (see ``sync_state.enqueue``), so a crash cannot keep one without the other.
    """

    def set_read(self, article_ids: Iterable[int], read: bool = True) -> int:
        ids = list(article_ids)
        with self._write() as tx:
            changed = 0
            for start in range(0, len(ids), 400):
                chunk = ids[start : start + 400]
                marks = ",".join("?" * len(chunk))
                enqueue(tx, "read" if read else "unread",
                        f"id IN ({marks}) AND read<>?", (*chunk, int(read)))
                changed += tx.execute(
                    f"UPDATE articles SET read=? WHERE id IN ({marks}) AND read<>?",
                    (int(read), *chunk, int(read)),
                ).rowcount
            return changed

    def mark_all_read(self, filt: HeadlineFilter | None = None) -> int:
        """Mark every unread headline in the filter read; returns how many changed."""
        clauses, params = filter_sql(filt or HeadlineFilter(), self.has_fts)
        clauses.append("a.read=0")
        with self._write() as tx:
            enqueue(tx, "read", f"id IN (SELECT a.id FROM articles a "
                    f"WHERE {' AND '.join(clauses)})", params)
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
            enqueue(tx, "saved" if on else "unsaved", "id=? AND bookmarked<>?",
                    (article_id, int(on)))
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
                # A fetch queued only for the bookmark, or its failure ("full text
                # unavailable: …" under a story no longer bookmarked), goes with it (a
                # full-text feed's stories keep theirs); a saved snapshot stays for an undo.
                tx.execute(
                    """UPDATE articles SET bookmarked=0, bookmarked_at=NULL,
                           snapshot=CASE WHEN snapshot<>'ok' AND NOT EXISTS (
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
            f"""SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.bookmarked=1 {clause}
                ORDER BY a.bookmarked_at DESC, a.id DESC LIMIT ?""",
            (*params, limit),
        )
        return [article_row(r) for r in rows]

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
