"""Find the article in a fetched web page and turn it into Markdown for offline reading.

No network here: the caller fetches and hands over the HTML and its final URL. The page is
hostile, so every failure, however odd the input, surfaces as :class:`ExtractionError`
with a one-line reason, and everything returned has been through the sanitizer.

The user's CSS selector for the feed, when set, overrides everything: exactly what they
chose, minus junk. Otherwise a chain of extractors (``extract_chain``): trafilatura on the
page, and when that finds no article, trafilatura's recall mode, readability-lxml and a
small density heuristic, the one with the most prose winning.

This module parses the page, picks the way and finishes the Markdown; junk removal is in
``extract_prune`` and the title, author and date in ``extract_meta``. Callers import from
here only (tests switch a way off by patching it in ``extract_chain``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from tui_reader.core.extract_chain import MIN_WORDS, best_body
from tui_reader.core.extract_meta import _is_locked, _metadata
from tui_reader.core.extract_prune import _prune_junk
from tui_reader.core.extract_score import main_scripts_share, plain_text, reading_words
from tui_reader.core.html_to_md import html_to_markdown
from tui_reader.core.sanitize import clean_block, clean_text

LOCKED_MIN_WORDS = 150
"""On a page that says it is for subscribers only, less prose than this is its teaser."""
MIN_MAIN_SCRIPTS_SHARE = 0.8
"""Text whose three main scripts hold fewer of its letters than this is binary data."""
MAX_HTML_CHARS = 10_000_000
"""Bigger pages are refused rather than parsed: extraction time and memory grow with them."""

# soupsieve warns (on stderr, under the TUI) about deprecated pseudo-classes in user selectors.
warnings.filterwarnings("ignore", category=FutureWarning, module="soupsieve")

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """The readable part of a web page, sanitized and ready to store."""

    title: str | None
    author: str | None
    published: int | None
    """UTC epoch seconds; midnight UTC when the page only gives a day."""
    markdown: str
    word_count: int
    """Words a reader sees, in any script (``extract_score.reading_words``)."""
    way: str = "selector"
    """Which way found the text: "selector", "trafilatura", "readability"... (for the bench)."""


class ExtractionError(Exception):
    """No article could be had from the page; the message is one line for the status bar."""


def is_html_content_type(content_type: str | None) -> bool:
    """Whether a Content-Type header promises a web page; a missing header does not."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def extract_article(html: str, url: str, selector: str | None = None) -> ExtractedArticle:
    """The article in ``html`` (fetched from ``url``) as sanitized Markdown plus metadata.

    ``selector`` is the feed's CSS selector override: every match that is not inside another
    match is taken, in page order, and nothing else. Raises only :class:`ExtractionError`.
    """
    try:
        return _extract(html, url, selector)
    except ExtractionError:
        raise
    except RecursionError:
        raise ExtractionError("the page is nested too deeply to read") from None
    except Exception as exc:  # lxml, trafilatura, bs4 and markdownify each fail their own way
        raise ExtractionError(f"could not read the page ({type(exc).__name__})") from None


def _extract(html: str, url: str, selector: str | None) -> ExtractedArticle:
    """extract_article's work; any exception here is turned into an ExtractionError there."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        raise ExtractionError("the page is empty")
    if len(html) > MAX_HTML_CHARS:
        raise ExtractionError(f"the page is too large to read ({len(html) // 1_000_000} MB)")
    url = url if isinstance(url, str) else ""
    tree = _parse(clean_block(html))
    base = _base_url(tree, url)
    tree.make_links_absolute(base, resolve_base_href=False, handle_failures="discard")
    title, author, published = _metadata(tree, base)

    way = "selector"
    if selector and selector.strip():
        markdown = _markdown(_selected_html(tree, selector.strip()), base, title)
    else:
        found = best_body(tree, base)
        if found is None:
            raise ExtractionError("no article text found on the page")
        if found.prose < LOCKED_MIN_WORDS and _is_locked(tree):
            raise ExtractionError("no article text found on the page (for subscribers only)")
        markdown, way = _markdown(found.html, base, title), found.way

    word_count = _count_words(markdown)
    if word_count < MIN_WORDS:
        raise ExtractionError("no article text found on the page")
    if main_scripts_share(plain_text(markdown)) < MIN_MAIN_SCRIPTS_SHARE:
        raise ExtractionError("the page is not text (letters from dozens of scripts)")
    return ExtractedArticle(title, author, published, markdown, word_count, way)


# --- parsing -------------------------------------------------------------------------------


def _parser() -> lxml.html.HTMLParser:
    """A fresh parser per call: lxml parser objects must not be shared between threads."""
    return lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
    )


def _parse(html: str) -> lxml.html.HtmlElement:
    """The page as an lxml tree; lxml refuses an XML declaration in a str, so it goes first."""
    html = _XML_DECL.sub("", html, count=1)
    try:
        tree = lxml.html.document_fromstring(html, parser=_parser())
    except (etree.ParserError, ValueError):
        raise ExtractionError("the page is not readable HTML") from None
    if tree is None or not len(tree):
        raise ExtractionError("the page is not readable HTML")
    return tree


def _is_web_url(url: str) -> bool:
    """Whether a <base href> may be used: only http(s) pages are fetched later."""
    try:
        return urlsplit(url).scheme.lower() in ("http", "https")
    except ValueError:
        return False


def _base_url(tree: lxml.html.HtmlElement, url: str) -> str:
    """The page's own ``<base href>`` when it is a web URL, else the page URL."""
    for base in tree.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                candidate = urljoin(url, href)
            except ValueError:
                continue
            if _is_web_url(candidate):
                return candidate
    return url


# --- the selector's way to the body ----------------------------------------------------------


def _selected_html(tree: lxml.html.HtmlElement, selector: str) -> str:
    """HTML of the elements the user's selector picks (soupsieve, as css_selector checks them)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(lxml.html.tostring(tree, encoding="unicode"), "lxml")
    try:
        matches = soup.select(selector)
    except Exception:  # soupsieve's SelectorSyntaxError and unsupported pseudo-classes
        raise ExtractionError(f"invalid CSS selector: {clean_text(selector, 80)}") from None
    chosen = set(map(id, matches))
    outer = [m for m in matches if not any(id(p) in chosen for p in m.parents)]
    if not outer:
        raise ExtractionError(f"the selector {clean_text(selector, 80)} matched nothing")
    parts = []
    for match in outer:
        root = lxml.html.fragment_fromstring(str(match), create_parent="div", parser=_parser())
        _prune_junk(root[0] if len(root) else root, furniture=True)  # never the choice itself
        parts.append(lxml.html.tostring(root, encoding="unicode"))
    return "\n".join(parts)


# --- Markdown ----------------------------------------------------------------------------


def _markdown(body_html: str, base_url: str, title: str | None) -> str:
    """Body HTML to clean Markdown, links absolute, without a heading repeating the title."""
    if not body_html.strip():
        return ""
    markdown = html_to_markdown(body_html, base_url or None)
    return clean_block(_drop_title_heading(markdown, title))


def _drop_title_heading(markdown: str, title: str | None) -> str:
    """The reader shows the title already; a heading near the top repeating it is noise."""
    if not title:
        return markdown
    lines = markdown.split("\n")
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("#") and _same_text(line.lstrip("#"), title):
            return "\n".join(lines[:index] + lines[index + 1 :])
        seen += 1
        if seen >= 3:
            break
    return markdown


def _same_text(a: str, b: str) -> bool:
    """Whether a heading and the title say the same, ignoring markup, case and spacing."""

    def norm(s: str) -> str:
        return " ".join(plain_text(s).lower().split())

    return norm(a) == norm(b)


def _count_words(markdown: str) -> int:
    """Words a reader sees, in any script: what MIN_WORDS is measured in."""
    return reading_words(plain_text(markdown))
