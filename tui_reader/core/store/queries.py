"""Reading the cache for the screens and the CLI: keyset-paged headlines, counts,
search (FTS5, else LIKE), one story."""

from __future__ import annotations

from typing import Any

from ..models import Article, Headline, HeadlineFilter
from .connection import StoreBase
from .rows import ARTICLE_COLUMNS, HEADLINE_COLUMNS, Cursor, article_row, headline_row
from .search_terms import parse_terms

_ANY_COLUMN = (
    "(a.title LIKE ? ESCAPE '\\' OR a.summary LIKE ? ESCAPE '\\'"
    " OR a.content LIKE ? ESCAPE '\\' OR a.fulltext LIKE ? ESCAPE '\\')"
)
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


def filter_sql(filt: HeadlineFilter, has_fts: bool) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``articles a``) and their parameters for *filt*."""
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
        terms = parse_terms(filt.query)
        if not terms:
            clauses.append("0")  # nothing searchable (e.g. "***") matches nothing
        elif has_fts and any(term.indexed for term in terms):
            clauses.append(
                "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            )
            params.append(" ".join(term.fts() for term in terms if term.indexed))
        for term in terms:
            # With FTS5, LIKE checks only what the index cannot tell apart: the symbols.
            if term.literal or not has_fts:
                clauses.append(_ANY_COLUMN)
                params.extend([term.like()] * 4)
    return clauses, params


class QueriesPart(StoreBase):
    """What the screens and the CLI read."""

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
        clauses, params = filter_sql(filt, self.has_fts)
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
            f"""SELECT {HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                {where} ORDER BY {_order_by(filt, order)} LIMIT ?""",
            (*params, limit),
        )
        headlines = [headline_row(r) for r in rows]
        if order == "ASC":
            headlines.reverse()
        return headlines

    def count(self, filt: HeadlineFilter | None = None, *, before: Cursor | None = None) -> int:
        """How many headlines match; with ``before``, how many sort above that cursor."""
        filt = filt or HeadlineFilter()
        clauses, params = filter_sql(filt, self.has_fts)
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
        clauses, params = filter_sql(filt, self.has_fts)
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
            f"""SELECT {HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.id=?""",
            (article_id,),
        )
        return headline_row(rows[0]) if rows else None

    def article(self, article_id: int) -> Article | None:
        rows = self._read(
            f"""SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id=a.feed_id
                WHERE a.id=?""",
            (article_id,),
        )
        return article_row(rows[0]) if rows else None

    def unread_counts(self) -> dict[int, int]:
        rows = self._read(
            "SELECT feed_id, COUNT(*) FROM articles WHERE read=0 AND feed_id IS NOT NULL "
            "GROUP BY feed_id"
        )
        return {r[0]: r[1] for r in rows}

    def total_unread(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM articles WHERE read=0")[0][0])
