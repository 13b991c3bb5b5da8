"""Which way to the article to trust: the chain of extractors and the rule that picks.

1. trafilatura on the page, less the few things the extractors are known to keep by
   mistake (``extract_prune._prune_page``, each rule proven by a page). Kept when it is
   an article (:func:`_is_article`).
2. Otherwise the other ways read the same page: trafilatura in recall mode,
   readability-lxml (an independent algorithm), and the small density heuristic.
3. Of the results that are articles, the one with the most prose wins: words in
   paragraphs that are not links. Menus, teaser lists and captions are not prose, so a
   way that grabbed the whole page does not win by being long; a way that found a
   fragment loses to one that found all of it.

Nothing is an article when no way finds one: then the page has none (a paywall stub, a
list of stories), and the caller says so. The measures are on the text a reader would
see, in any script (:func:`extract_score.reading_words`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import lxml.html

from tui_reader.core.extract_fallback import _heuristic_html
from tui_reader.core.extract_images import _restore_images
from tui_reader.core.extract_prune import _prune_page
from tui_reader.core.extract_readability import _readability_html
from tui_reader.core.extract_score import reading_words
from tui_reader.core.extract_trafilatura import _trafilatura_html

MIN_WORDS = 30
"""Less prose than this is a teaser, a paywall stub or a menu, not an article."""
MAX_LINK_SHARE = 0.5
"""Text that is more than half link text is a list of links, not an article."""
PROSE_BLOCK_WORDS = 15
"""A paragraph this long is prose; shorter ones (teaser lines, captions, labels) are not."""
_BLOCKS = ("p", "li", "blockquote", "pre", "td", "dd", "h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way's result and what the rule looks at."""

    way: str
    html: str
    words: int
    """Words a reader sees, in any script."""
    prose: int
    """Words in paragraphs of at least PROSE_BLOCK_WORDS that are mostly not links."""
    link_share: float
    """The share of the text that is link text."""


def measure(way: str, html: str) -> Candidate:
    """What the rule needs to know about one way's result."""
    if not html.strip():
        return Candidate(way, "", 0, 0, 0.0)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    text = " ".join(root.text_content().split())
    linked = sum(len(" ".join(a.text_content().split())) for a in root.iter("a"))
    prose = 0
    for block in root.iter(*_BLOCKS):
        if any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in block):
            continue  # counted at the innermost block
        block_text = " ".join(block.text_content().split())
        words = reading_words(block_text)
        block_links = sum(len(" ".join(a.text_content().split())) for a in block.iter("a"))
        if words >= PROSE_BLOCK_WORDS and block_links <= len(block_text) / 2:
            prose += words
    if prose == 0 and not any(True for _ in root.iter(*_BLOCKS)):
        prose = reading_words(text)  # text in bare <div>s and <br>s: one long block
    share = linked / len(text) if text else 0.0
    return Candidate(way, html, reading_words(text), prose, share)


def _is_article(candidate: Candidate) -> bool:
    """Enough prose, and not a list of links."""
    return candidate.prose >= MIN_WORDS and candidate.link_share <= MAX_LINK_SHARE


def best_body(page: lxml.html.HtmlElement, url: str) -> Candidate | None:
    """The article's HTML by the first way that finds one, else the best of the others.

    ``page`` loses what ``_prune_page`` removes (its metadata was read before). None when no
    way finds an article.
    """
    _prune_page(page)
    pruned = page
    first = measure("trafilatura", _restore_images(page, _trafilatura_html(pruned, url)))
    if _is_article(first):
        return first
    others: list[tuple[str, Callable[[], str]]] = [
        ("trafilatura recall", lambda: _restore_images(page, _trafilatura_html(pruned, url, True))),
        ("readability", lambda: _readability_html(pruned, url)),
        ("density", lambda: _heuristic_html(pruned)),
    ]
    candidates = [first]
    for way, run in others:
        try:
            candidates.append(measure(way, run()))
        except Exception:  # a fallback that breaks on this page is a way that found nothing
            continue
    articles = [c for c in candidates if _is_article(c)]
    if not articles:
        return None
    return max(articles, key=lambda c: c.prose)
