"""Removing what is never the article.

Two strengths. On the whole page, before the extractors, only what they are known to keep
by mistake, each rule proven by a page of the evaluation set where it helps
(tests/test_extract_eval.py): comment threads marked as such, threads headed by a
"2 comments" label and "Read more: <another story>" teasers (:func:`_prune_page`). A
wider net (any class saying "share", "related", "ad"...) took whole articles with it, so
it is cast only on an element already known to hold the article: the user's selector's
match, the density heuristic's pick (:func:`_prune_junk`). The helpers that tell an article
container from junk are shared with the heuristic.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

# Never text: removed from every candidate body before conversion.
_NON_CONTENT_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "object", "embed",
    "applet", "form", "input", "button", "select", "textarea", "svg", "canvas", "dialog",
    "link", "meta", "base",
)  # fmt: skip
# Page furniture inside a chosen element (selector or heuristic).
_FURNITURE_TAGS = ("nav", "aside", "footer")
# class/id words that mark page furniture wherever it sits (compared word by word, so
# "comment-list" and "ad-slot" match but "shareholder" and "widget-text" do not).
_JUNK_WORDS = frozenset({
    "comment", "comments", "disqus", "cookie", "cookies", "consent", "gdpr", "share",
    "sharing", "sharebar", "social", "newsletter", "subscribe", "signup", "ad", "ads",
    "advert", "adverts", "advertisement", "adslot", "sponsored", "sponsor", "promoted",
    "outbrain", "taboola", "related", "recommended", "recirculation", "popup", "modal",
    "breadcrumb", "breadcrumbs",
})  # fmt: skip
_WORD_SPLIT = re.compile(r"[\s_\-]+")
# A short label that heads a comment thread even when the markup gives no hint. Bare
# "Discussion" or "Reactions" are left alone: articles use them as section headings.
_COMMENT_LABEL = re.compile(
    r"(?:\d+\s+|reader\s+)?comments?(?:\s*\(\d+\))?:?|\d+\s+(?:responses|replies|reactions)|"
    r"reader\s+(?:discussion|responses)(?:\s*\(\d+\))?|(?:leave|post|add|write)\s+a\s+"
    r"(?:comment|reply)|join\s+the\s+(?:discussion|conversation)",
    re.IGNORECASE,
)
# An in-body teaser for another story: "Read more: <link>".
_TEASER = re.compile(
    r"(?:read\s+(?:more|next|also)|also\s+read|related|see\s+also|more\s+on\s+this(?:\s+story)?|"
    r"recommended|you\s+may\s+also\s+like)\s*[:\-–—|»›]",
    re.IGNORECASE,
)
_PROTECTED_TAGS = frozenset({"html", "body", "article", "main"})
# class/id words of a comment thread: trafilatura keeps threads it does not recognise
# (real/spanish_article's "sf_comment_list" is longer than the article).
_COMMENT_WORDS = frozenset({"comment", "comments", "disqus"})


def _words(value: str | None) -> set[str]:
    """The words of a class/id value, so junk markers match whole words only."""
    return {w for w in _WORD_SPLIT.split((value or "").lower()) if w}


def _drop(el: lxml.html.HtmlElement) -> None:
    """Remove ``el`` but keep its tail text, which belongs to the parent."""
    if el.getparent() is not None:
        el.drop_tree()


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    """Hidden from readers, or a tracking pixel."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.tag == "img" and (el.get("width") or "").strip() in ("0", "1", "2"):
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _holds_article(el: lxml.html.HtmlElement) -> bool:
    """Whether removing ``el`` could take the article with it."""
    if el.tag in _PROTECTED_TAGS or el.get("itemprop") == "articleBody":
        return True
    return any(True for _ in el.iterdescendants("article", "main", "h1"))


def _prune_page(root: lxml.html.HtmlElement) -> None:
    """Remove from a whole page what trafilatura is known to mishandle, nothing more.

    Every rule spares an element that holds an ``<article>``, ``<main>`` or the ``<h1>``.
    """
    _drop_comment_blocks(root)
    _drop_labelled_threads(root)
    _drop_teaser_links(root)


def _drop_comment_blocks(root: lxml.html.HtmlElement) -> None:
    """Comment threads marked by class or id."""
    _drop_marked(root, _COMMENT_WORDS)


def _drop_marked(root: lxml.html.HtmlElement, words: frozenset[str]) -> None:
    """Elements with one of ``words`` in their class or id, unless they hold the article."""
    stack = list(root.iterchildren(etree.Element))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if _words(f"{el.get('class', '')} {el.get('id', '')}") & words and not _holds_article(el):
            _drop(el)
        else:
            stack.extend(el.iterchildren(etree.Element))


def _prune_junk(root: lxml.html.HtmlElement, furniture: bool = False) -> None:
    """Remove scripts, hidden elements, ads, share bars, cookie banners and comment threads.

    With ``furniture`` also nav, aside and footer, for a root that is known to be the article.
    The root itself is never removed.
    """
    for el in list(root.iterdescendants(*_NON_CONTENT_TAGS)):
        _drop(el)
    if furniture:
        for el in list(root.iterdescendants(*_FURNITURE_TAGS)):
            _drop(el)
    stack = list(root.iterchildren(etree.Element))
    while stack:  # walked by hand so nothing inside a removed element is looked at again
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue
        if _is_hidden(el) or (
            _words(f"{el.get('class', '')} {el.get('id', '')}") & _JUNK_WORDS
            and not _holds_article(el)
        ):
            _drop(el)
        else:
            stack.extend(el.iterchildren(etree.Element))
    _drop_labelled_threads(root)
    _drop_teaser_links(root)


def _drop_labelled_threads(root: lxml.html.HtmlElement) -> None:
    """A block that opens with a short "2 comments" / "Leave a reply" label is a thread."""
    _drop_labelled(root, _COMMENT_LABEL)


def _drop_labelled(root: lxml.html.HtmlElement, label: re.Pattern[str]) -> None:
    """Every block whose first element is a short text ``label`` matches in full."""
    for el in list(root.iter("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "b", "strong")):
        container = el.getparent()
        if len(el) > 3 or container is None or container is root or container.getparent() is None:
            continue  # a label has at most a count or an icon inside
        text = " ".join(el.text_content().split())
        if len(text) > 40 or not label.fullmatch(text):
            continue
        first = next(container.iterchildren(etree.Element), None)
        if first is el and not _holds_article(container):
            _drop(container)


def _drop_teaser_links(root: lxml.html.HtmlElement) -> None:
    """A paragraph that is "Read more: <link to another story>" and little else."""
    for el in list(root.iter("p", "li")):
        text = " ".join(el.text_content().split())
        if el.getparent() is not None and _TEASER.match(text) and _link_share(el, text) > 0.5:
            _drop(el)


def _link_share(el: lxml.html.HtmlElement, text: str) -> float:
    """How much of ``text`` (the element's text) is link text."""
    linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return linked / len(text) if text else 0.0
