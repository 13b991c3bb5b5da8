"""Finding a feed's stories by what another reader knows them by (guid, link), and giving
a story without any text the text that reader kept (``import --newsboat-cache``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import ParsedItem
from .connection import StoreBase


@dataclass(frozen=True, slots=True)
class ArticleKey:
    """What matching needs of one stored story."""

    id: int
    uid: str
    """The feed's guid, else the link (:func:`~tui_reader.core.store.article_uid`)."""
    url: str | None
    bookmarked: bool
    has_text: bool
    """Whether the story has a body to show (a bookmark without one is not readable)."""


class MatchingPart(StoreBase):
    """Stories looked up by identity, for imports from other readers."""

    def article_keys(self, feed_id: int) -> list[ArticleKey]:
        """Every story of one feed, oldest first, with its guid-or-link and its link."""
        rows = self._read(
            """SELECT id, uid, url, bookmarked,
                      content<>'' OR body IS NOT NULL OR COALESCE(content_md, '')<>''
               FROM articles WHERE feed_id=? ORDER BY id""",
            (feed_id,),
        )
        return [ArticleKey(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]

    def fill_missing_text(self, article_id: int, item: ParsedItem) -> bool:
        """Give a story that has no text *item*'s; a story with text is left alone.

        Its digest stays, so the next refresh (whose feed still sends no text) does not
        take the text away again. Search picks the text up through the update trigger.
        """
        with self._write() as tx:
            return tx.execute(
                """UPDATE articles SET summary=?, content=?, body=?, content_md=NULL
                   WHERE id=? AND content='' AND body IS NULL
                     AND COALESCE(content_md, '')=''""",
                (item.summary, item.content_text, item.body_html, article_id),
            ).rowcount > 0
