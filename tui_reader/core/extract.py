"""Find the article in a fetched web page and turn it into Markdown for offline reading.

No network here: the caller fetches and hands over the HTML and its final URL. The page is
hostile, so every failure, however odd the input, surfaces as :class:`ExtractionError`
with a one-line reason, and everything returned has been through the sanitizer.

Three ways to the article body, in order:

1. the user's CSS selector for the feed, when set (exactly what they chose, minus junk);
2. trafilatura, which is good at telling the article from the page furniture;
3. a small paragraph-density heuristic, for pages trafilatura gives up on.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

from tui_reader.core.extract_score import plain_text
from tui_reader.core.html_to_md import html_to_markdown
from tui_reader.core.sanitize import clean_block, clean_optional, clean_text

MIN_WORDS = 30
"""Fewer words than this is a teaser, a paywall stub or a menu, not an article."""

MAX_HTML_CHARS = 10_000_000
"""Bigger pages are refused rather than parsed: extraction time and memory grow with them."""

# soupsieve warns (on stderr, under the TUI) about deprecated pseudo-classes in user selectors.
warnings.filterwarnings("ignore", category=FutureWarning, module="soupsieve")

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

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
# Readability's "unlikely candidates", used only by the fallback heuristic.
_UNLIKELY = re.compile(
    r"-ad-|banner|breadcrumbs|combx|comment|community|disqus|extra|foot|header|menu|related|"
    r"remark|rss|share|shoutbox|sidebar|skyscraper|sponsor|pagination|pager|popup|widget",
    re.IGNORECASE,
)
_MAYBE = re.compile(r"and|article|body|column|main|shadow|content|story|post|entry", re.I)
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
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "ul", "ol", "dl", "table", "tr", "td",
    "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "header", "footer",
    "aside", "nav", "form",
})  # fmt: skip
_DATE_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_MAX_JSON_LD_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """The readable part of a web page, sanitized and ready to store."""

    title: str | None
    author: str | None
    published: int | None
    """UTC epoch seconds; midnight UTC when the page only gives a day."""
    markdown: str
    word_count: int


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

    if selector and selector.strip():
        body_html = _selected_html(tree, selector.strip())
        markdown = _markdown(body_html, base, title)
    else:
        _prune_junk(tree)
        markdown = _markdown(_trafilatura_html(tree, base), base, title)
        if _count_words(markdown) < MIN_WORDS:
            fallback = _markdown(_heuristic_html(tree), base, title)
            if _count_words(fallback) > _count_words(markdown):
                markdown = fallback

    word_count = _count_words(markdown)
    if word_count < MIN_WORDS:
        raise ExtractionError("no article text found on the page")
    return ExtractedArticle(title, author, published, markdown, word_count)


# --- parsing -------------------------------------------------------------------------------


def _parser() -> lxml.html.HTMLParser:
    """A fresh parser per call: lxml parser objects must not be shared between threads."""
    return lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
    )


def _parse(html: str) -> lxml.html.HtmlElement:
    html = _XML_DECL.sub("", html, count=1)
    try:
        tree = lxml.html.document_fromstring(html, parser=_parser())
    except (etree.ParserError, ValueError):
        raise ExtractionError("the page is not readable HTML") from None
    if tree is None or not len(tree):
        raise ExtractionError("the page is not readable HTML")
    return tree


def _is_web_url(url: str) -> bool:
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


def _words(value: str | None) -> set[str]:
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
    for el in list(root.iter("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "b", "strong")):
        container = el.getparent()
        if len(el) > 3 or container is None or container is root or container.getparent() is None:
            continue  # a label has at most a count or an icon inside
        text = el.text_content().strip()
        if len(text) > 40 or not _COMMENT_LABEL.fullmatch(text):
            continue
        first = next(container.iterchildren(etree.Element), None)
        if first is el and not _holds_article(container):
            _drop(container)
    for el in list(root.iter("p", "li")):
        text = " ".join(el.text_content().split())
        if el.getparent() is not None and _TEASER.match(text) and _link_share(el, text) > 0.5:
            _drop(el)


def _link_share(el: lxml.html.HtmlElement, text: str) -> float:
    """How much of ``text`` (the element's text) is link text."""
    linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return linked / len(text) if text else 0.0


# --- metadata --------------------------------------------------------------------------------


def _metadata(tree: lxml.html.HtmlElement, url: str) -> tuple[str | None, str | None, int | None]:
    """Title, author and publication time, each None when the page does not say."""
    try:
        meta = trafilatura.extract_metadata(deepcopy(tree), default_url=url or None)
    except Exception:  # metadata is a nicety; the article text is what matters
        meta = None
    title = clean_optional(getattr(meta, "title", None), 300) or _fallback_title(tree)
    author = clean_optional(getattr(meta, "author", None), 200)
    published = _published(tree)
    if published is None and meta is not None and isinstance(meta.date, str):
        published = _parse_time(meta.date)
    return title, author, published


def _meta_content(tree: lxml.html.HtmlElement, *names: str) -> Iterator[str]:
    wanted = set(names)
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        content = el.get("content")
        if key in wanted and content:
            yield content


def _fallback_title(tree: lxml.html.HtmlElement) -> str | None:
    for value in _meta_content(tree, "og:title", "twitter:title"):
        if title := clean_optional(value, 300):
            return title
    node = tree.find(".//title")
    return clean_optional(node.text_content() if node is not None else None, 300)


def _published(tree: lxml.html.HtmlElement) -> int | None:
    """The publication time the page states precisely (meta, JSON-LD, marked-up <time>)."""
    candidates: list[str] = list(_meta_content(tree, *_DATE_META))
    candidates.extend(_json_ld_dates(tree))
    for el in tree.iter("time"):
        if el.get("itemprop") == "datePublished" or el.get("pubdate") is not None:
            candidates.append(el.get("datetime") or "")
    for value in candidates:
        if (stamp := _parse_time(value)) is not None:
            return stamp
    return None


def _json_ld_dates(tree: lxml.html.HtmlElement) -> Iterator[str]:
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        text = script.text or ""
        if len(text) > _MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        yield from _find_key(data, "datePublished", depth=0)


def _find_key(data: Any, key: str, depth: int) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            yield value
        for child in data.values():
            if isinstance(child, (dict, list)):
                yield from _find_key(child, key, depth + 1)
    elif isinstance(data, list):
        for child in data[:50]:
            yield from _find_key(child, key, depth + 1)


def _parse_time(value: str) -> int | None:
    """Epoch seconds from ISO 8601 or RFC 2822; a time without zone is taken as UTC."""
    value = clean_text(value, 64)
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        try:
            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    if not 1990 <= stamp.year <= datetime.now(UTC).year + 1:
        return None
    return int(stamp.timestamp())


# --- finding the body ------------------------------------------------------------------------


def _selected_html(tree: lxml.html.HtmlElement, selector: str) -> str:
    """HTML of the elements the user's selector picks (soupsieve: cssselect is not installed)."""
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


def _trafilatura_html(tree: lxml.html.HtmlElement, url: str) -> str:
    """The main content as HTML, or "" when trafilatura finds nothing."""
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_formatting=True,
        include_links=True,
        deduplicate=False,
    )
    body = getattr(document, "body", None)
    if body is None:
        return ""
    return lxml.html.tostring(_tei_to_html(body), encoding="unicode")


_TEI_TAGS = {
    "list": "ul", "item": "li", "quote": "blockquote", "lb": "br", "ref": "a",
    "graphic": "img", "row": "tr", "del": "del", "doc": "div", "main": "div",
}  # fmt: skip
_HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_KEEP_ATTRS = {"a": ("href",), "img": ("src", "alt", "width", "height"), "ol": ("start",)}
# Parents (already converted to HTML) in which a one-line <code> is inline code.
_INLINE_PARENTS = frozenset({
    "p", "li", "a", "em", "strong", "u", "sub", "sup", "del", "span", "td", "th", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6",
})  # fmt: skip


def _tei_to_html(body: etree._Element) -> etree._Element:
    """Turn trafilatura's TEI-like tree (heads, hi, ref, graphic...) back into plain HTML.

    trafilatura's own HTML output pretty-prints into <pre> and turns inline code into
    blocks, so the conversion is done here.
    """
    for el in list(body.iter(etree.Element)):
        if not isinstance(el.tag, str):
            continue
        tag, attrs = el.tag, dict(el.attrib)
        parent = el.getparent()
        if tag == "head":
            level = (attrs.get("rend") or "h3")[1:]
            el.tag = f"h{level}" if level in ("1", "2", "3", "4", "5", "6") else "h3"
        elif tag == "list":
            el.tag = "ol" if attrs.get("rend") == "ol" else "ul"
        elif tag == "hi":
            el.tag = _HI_TAGS.get(attrs.get("rend") or "", "em")
        elif tag == "ref":
            el.tag = "a"
            attrs["href"] = attrs.get("target", "")
        elif tag == "cell":
            el.tag = "th" if attrs.get("role") == "head" else "td"
        elif tag == "code":
            _code_to_html(el, parent)
            continue
        else:
            el.tag = _TEI_TAGS.get(tag, tag)
        keep = _KEEP_ATTRS.get(el.tag, ())
        el.attrib.clear()
        for name in keep:
            if attrs.get(name):
                el.set(name, attrs[name])
    for table in body.iter("table"):
        _lift_caption(table)
    body.tag = "div"
    return body


def _lift_caption(table: etree._Element) -> None:
    """trafilatura pads a table caption into a first row; put it back above the table."""
    rows = [row for row in table if row.tag == "tr"]
    if len(rows) < 2:
        return
    cells = [cell for cell in rows[0] if "".join(cell.itertext()).strip()]
    if len(cells) != 1 or len(rows[0]) < 2:
        return
    caption = etree.Element("p")
    caption.text = " ".join("".join(cells[0].itertext()).split())
    table.addprevious(caption)
    table.remove(rows[0])


def _code_to_html(el: etree._Element, parent: etree._Element | None) -> None:
    """Block code becomes <pre><code>, inline code stays <code>; nested code is flattened."""
    if parent is not None and parent.tag in ("code", "pre"):
        el.tag = "span"
        el.attrib.clear()
        return
    text = "".join(el.itertext())
    if "\n" not in text.strip() and parent is not None and parent.tag in _INLINE_PARENTS:
        el.tag = "code"
        el.attrib.clear()
        return
    language = ""
    for node in el.iter():
        for word in (node.get("class") or "").split():
            if word.startswith(("language-", "lang-")):
                language = word.split("-", 1)[1]
                break
    tail = el.tail
    el.clear()  # also clears the tail, which is text of the parent
    el.tag, el.tail = "pre", tail
    code = etree.SubElement(el, "code")
    code.text = text
    if language:
        code.set("class", f"language-{language}")


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


# --- Markdown ----------------------------------------------------------------------------


def _markdown(body_html: str, base_url: str, title: str | None) -> str:
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
    def norm(s: str) -> str:
        return " ".join(plain_text(s).lower().split())

    return norm(a) == norm(b)


def _count_words(markdown: str) -> int:
    return len(plain_text(markdown).split())
