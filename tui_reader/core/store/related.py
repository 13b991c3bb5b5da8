""""Read next": stories related to the open one, unread first, each with its reason.

A story is related when it shares a category with the open one, when its title shares an
uncommon word with the open one's (found with the search index: many feeds have no
categories), or, failing both, when it comes from the same feed. Unread stories are
chosen before read ones, the stronger reason before the weaker, then the newest.
"""

from __future__ import annotations

from ..models import Headline, Related, RelatedStory
from .connection import StoreBase
from .rows import HEADLINE_COLUMNS, WORD, headline_row

COMMON = 1000
"""A title word found in this many stories is too common to relate two of them."""
PER_WORD = 30
"""The newest stories taken for each shared word."""
MAX_TITLE_WORDS = 6
"""Words of the open title searched for: the longest, which are the rarest as a rule."""
STOPWORDS = frozenset("""
    about above after again against also among amid because been before being below
    between both could does doing down during each even every first from have having
    here into just last like made make many more most much must next only other over
    same says said should since some still such than that their them then there these
    they this those three through under until upon very want week were what when where
    which while will with within without would year years your news today report update
    updates live video watch photos first
""".split())


def title_words(title: str) -> list[str]:
    """The open title's words worth searching for, longest first, lower-cased."""
    seen: dict[str, None] = {}
    for word in WORD.findall(title.lower()):
        if len(word) >= 4 and not word.isdigit() and word not in STOPWORDS:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)[:MAX_TITLE_WORDS]


class RelatedPart(StoreBase):
    """The "Read next" query."""

    def read_next(self, article_id: int, *, limit: int = 8) -> list[RelatedStory]:
        """Up to *limit* related stories: the unread ones first, each group newest first."""
        base = self._read(
            "SELECT feed_id, title FROM articles WHERE id=?", (article_id,)
        )
        if not base:
            return []
        feed_id, title = base[0][0], base[0][1] or ""
        picked: dict[int, RelatedStory] = {}
        for story in (
            *self._by_topic(article_id, limit),
            *self._by_words(article_id, title, limit),
            *self._by_feed(article_id, feed_id, limit),
        ):
            picked.setdefault(story.headline.id, story)
        strength = list(Related)

        def rank(s: RelatedStory) -> tuple[bool, int, int, int]:
            h = s.headline
            return (h.read, strength.index(s.why), -h.timestamp, -h.id)

        chosen = sorted(picked.values(), key=rank)[:limit]
        return sorted(chosen, key=lambda s: (s.headline.read, -s.headline.timestamp,
                                             -s.headline.id))

    def _headlines(self, where: str, params: tuple[object, ...], limit: int) -> list[Headline]:
        rows = self._read(
            f"""SELECT {HEADLINE_COLUMNS} FROM articles a LEFT JOIN feeds f
                ON f.id=a.feed_id WHERE {where}
                ORDER BY a.read ASC, a.ts DESC, a.id DESC LIMIT ?""",
            (*params, limit),
        )
        return [headline_row(row) for row in rows]

    def _by_topic(self, article_id: int, limit: int) -> list[RelatedStory]:
        shares = """SELECT c2.article_id FROM article_categories c1
                    JOIN article_categories c2 ON c2.category=c1.category
                    WHERE c1.article_id=?"""
        found = self._headlines(f"a.id IN ({shares}) AND a.id<>?", (article_id, article_id),
                                limit)
        if not found:
            return []
        marks = ",".join("?" * len(found))
        topics: dict[int, str] = {}
        for other, category in self._read(
            f"""SELECT c2.article_id, c1.category FROM article_categories c1
                JOIN article_categories c2 ON c2.category=c1.category
                WHERE c1.article_id=? AND c2.article_id IN ({marks})""",
            (article_id, *(h.id for h in found)),
        ):
            topics.setdefault(other, category)
        return [RelatedStory(h, Related.TOPIC, topics.get(h.id, "")) for h in found]

    def _by_words(self, article_id: int, title: str, limit: int) -> list[RelatedStory]:
        """Stories whose titles share the open title's rarest words.

        Ranking every match with bm25 took 160 ms on 50,000 stories; instead each word's
        frequency is counted up to COMMON (cheap, and a word that common says nothing),
        the most recently stored titles with each word are taken, and those that share
        the rarest words win.
        """
        words = title_words(title) if self.has_fts else []
        rarity: dict[str, float] = {}
        candidates: set[int] = set()
        for word in words:
            match = f'title : "{word}"'
            seen = self._read(
                """SELECT count(*) FROM (SELECT 1 FROM articles_fts
                   WHERE articles_fts MATCH ? LIMIT ?)""",
                (match, COMMON),
            )[0][0]
            if seen < 2 or seen >= COMMON:
                continue  # only the open story has it, or nearly every story does
            rarity[word] = 1 / seen
            candidates.update(row[0] for row in self._read(
                """SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?
                   ORDER BY rowid DESC LIMIT ?""",
                (match, PER_WORD),
            ))
        candidates.discard(article_id)
        if not candidates:
            return []
        marks = ",".join("?" * len(candidates))
        scored = []
        for headline in self._headlines(f"a.id IN ({marks})", tuple(candidates),
                                        len(candidates)):
            theirs = {w.lower() for w in WORD.findall(headline.title)}
            shared = [w for w in rarity if w in theirs]
            if shared:  # the index folds accents and word forms; name a word really shared
                rarest = max(shared, key=lambda w: rarity[w])
                score = sum(rarity[w] for w in shared)
                scored.append((score, RelatedStory(headline, Related.WORDS, rarest)))
        scored.sort(key=lambda pair: (pair[1].headline.read, -pair[0],
                                      -pair[1].headline.timestamp))
        return [story for _score, story in scored[:limit]]

    def _by_feed(self, article_id: int, feed_id: int | None, limit: int) -> list[RelatedStory]:
        if feed_id is None:
            return []
        found = self._headlines("a.feed_id=? AND a.id<>?", (feed_id, article_id), limit)
        return [RelatedStory(h, Related.FEED) for h in found]
