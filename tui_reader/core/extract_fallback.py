"""The third way to the article: a paragraph-density heuristic, for pages trafilatura gives up on.

Readability's idea, kept small: drop what is unlikely to be content, score the parents of
text-rich paragraphs, take the best and prune its furniture.
"""

from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
from lxml import etree

from tui_reader.core.extract_prune import (
    _FURNITURE_TAGS,
    _drop,
    _holds_article,
    _link_share,
    _prune_junk,
)

# Readability's "unlikely candidates", used only by the fallback heuristic.
_UNLIKELY = re.compile(
    r"-ad-|banner|breadcrumbs|combx|comment|community|disqus|extra|foot|header|menu|related|"
    r"remark|rss|share|shoutbox|sidebar|skyscraper|sponsor|pagination|pager|popup|widget",
    re.IGNORECASE,
)
_MAYBE = re.compile(r"and|article|body|column|main|shadow|content|story|post|entry", re.I)
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "ul", "ol", "dl", "table", "tr", "td",
    "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "header", "footer",
    "aside", "nav", "form",
})  # fmt: skip


def _heuristic_html(tree: lxml.html.HtmlElement) -> str:
    """The element holding the most paragraph text, for pages trafilatura gives up on."""
    body = tree.find("body")
    if body is None:
        return ""
    work = deepcopy(body)
    for el in list(work.iterdescendants(*_FURNITURE_TAGS, "header")):
        if not _holds_article(el):
            _drop(el)
    for el in list(work.iterdescendants(etree.Element)):
        if el.getparent() is None or not isinstance(el.tag, str):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if _UNLIKELY.search(marks) and not _MAYBE.search(marks) and not _holds_article(el):
            _drop(el)
    scores: dict[etree._Element, float] = {}
    for para in work.iter("p", "pre", "blockquote", "div", "td", "li"):
        if para.tag in ("div", "td", "li") and any(
            isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in para
        ):
            continue
        text = " ".join(para.text_content().split())
        if len(text) < 25:
            continue
        score = (1 + text.count(",") + min(len(text) / 100, 3)) * (1 - _link_share(para, text))
        parent = para.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + score / 2
    if not scores:
        return ""
    best = max(scores, key=scores.__getitem__)
    _prune_junk(best, furniture=True)
    return lxml.html.tostring(best, encoding="unicode")
