"""Feed HTML to Markdown (for the article pane) and to plain text (for summaries).

A refresh only takes each body's words for the search index (:func:`search_text`, one
lxml pass); cleaning and the Markdown conversion, which costs ten times more (markdownify
builds a BeautifulSoup tree), run when a story is first shown.

Feed HTML is hostile and often broken. lxml cleans the tree first, because markdownify
converts whatever it is given: scripts and forms would surface as text, relative links
would point nowhere, and ``javascript:`` links would become clickable Markdown. Both
functions fall back to crude tag stripping rather than raise: one bad item must never
cost the rest of its feed.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from tui_reader.core.sanitize import clean_block, clean_text

if TYPE_CHECKING:
    from markdownify import MarkdownConverter

MAX_HTML_CHARS = 500_000
"""Longer bodies are cut before conversion: markdownify's time grows with the tree."""

_PLUGIN_TAGS = ("embed", "object", "applet", "param")
"""Plugins we never show: their tags go and what they hold stays, as a browser without the
plugin shows the fallback (and libxml2 nests all that follows an unclosed one in it)."""
_PLUGIN = re.compile(r"<(?:embed|object|applet|param)\b", re.IGNORECASE)
"""Whether there is a plugin tag to strip at all (a search costs less than the strip)."""
_DROP_TAGS = (
    "script", "style", "iframe", "frame", "frameset", "form",
    "input", "button", "select", "textarea", "noscript", "template", "svg", "math",
    "canvas", "head", "meta", "link", "base",
)  # fmt: skip
_BLOCK_TAGS = (
    "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
    "h5", "h6", "blockquote", "pre", "table", "tr", "td", "th", "section", "article",
    "header", "footer", "aside", "figure", "figcaption", "main", "nav", "address",
)  # fmt: skip
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_ABSOLUTE = ("http://", "https://")
_NOISY_ATTRS = ("title", "srcset", "poster", "style", "onclick")
_MEDIA_SCHEMES = frozenset({"http", "https"})
_TEXT_NODES = "//text()"
_LEADING_BASE = re.compile(r'<base href="([^"<>]{1,2000})">')
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: a run of "<" must not go quadratic
# Characters that would end or break a Markdown link destination.
_URL_BREAKERS = str.maketrans(
    {" ": "%20", "\t": "%20", "\n": "", "\r": "", "(": "%28", ")": "%29", "<": "%3C",
     ">": "%3E", '"': "%22"}
)  # fmt: skip



_LOOKS_LIKE_MARKUP = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]{1,32};)")
"""Text the Markdown parser would take for HTML (``<video>``, which the article pane then
drops) or for an entity (``&hellip;``, which it decodes): escaped, it shows as written."""


@functools.cache
def _converter() -> MarkdownConverter:
    """Made on first use: markdownify and BeautifulSoup take a quarter of a second to
    import, and a refresh never converts anything."""
    from markdownify import ATX, MarkdownConverter

    class Converter(MarkdownConverter):
        """markdownify's, but text that reads as markup in Markdown is escaped too: the
        feed's ``&lt;video&gt;`` is text and must not vanish as an HTML tag."""

        def escape(self, text: str, parent_tags: set[str]) -> str:
            # markdownify's stubs leave escape() out; it is there since 0.12.
            escaped: str = super().escape(text, parent_tags)  # type: ignore[misc]
            if "<" in escaped or "&" in escaped:
                escaped = _LOOKS_LIKE_MARKUP.sub(r"\\\g<0>", escaped)
            return escaped

    # bs4 on lxml: ~15% faster than html.parser, same output on lxml-serialised input.
    return Converter(heading_style=ATX, bullets="-", bs4_options="lxml")


def _safe_url(value: str | None, base_url: str | None, schemes: frozenset[str]) -> str | None:
    """``value`` made absolute against ``base_url``, or None if its scheme isn't allowed."""
    if not value:
        return None
    value = value.strip()
    if not value:
        return None
    if value.startswith(_ABSOLUTE) and "[" not in value and "]" not in value:
        # Most links: nothing to join and nothing urlsplit could refuse (a bad IPv6
        # host); skipping them halves the cost of a refresh's HTML pass.
        return value.translate(_URL_BREAKERS)
    try:
        absolute = urljoin(base_url, value) if base_url else value
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    if scheme not in schemes:
        return None
    return absolute.translate(_URL_BREAKERS)


def _drop(el: etree._Element) -> None:
    """Remove ``el`` but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _replace_with_text(el: etree._Element, text: str) -> None:
    el.tail = text + (el.tail or "") if text else el.tail
    _drop(el)


def _without_xml_decl(html: str) -> str:
    """What lxml will parse: no NULs, no XML declaration (lxml refuses one in a str)."""
    return _XML_DECL.sub("", html.replace("\x00", ""), count=1)[:MAX_HTML_CHARS]


def _parse(html: str) -> etree._Element:
    doc = lxml.html.document_fromstring(_without_xml_decl(html))
    if _PLUGIN.search(html):
        etree.strip_tags(doc, *_PLUGIN_TAGS)
    for el in list(doc.iter(etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS)):
        _drop(el)
    return doc


def _body(doc: etree._Element) -> etree._Element:
    body = doc.find("body")
    return body if body is not None else doc


def _fix_links(doc: etree._Element, base_url: str | None) -> None:
    for el in list(doc.iter("a", "img", "video", "audio", "source")):
        attrib = el.attrib
        for attr in _NOISY_ATTRS:
            if attr in attrib:
                del attrib[attr]
        if el.tag == "a":
            href = _safe_url(el.get("href"), base_url, _LINK_SCHEMES)
            if href:
                el.set("href", href)
            else:
                el.attrib.pop("href", None)  # keep the text, lose the link
            continue
        src = _safe_url(el.get("src") or el.get("data-src"), base_url, _MEDIA_SCHEMES)
        if src:
            el.set("src", src)
        elif el.tag == "img":
            alt = clean_text(el.get("alt"))
            _replace_with_text(el, f" {alt} " if alt else "")
        else:
            el.attrib.pop("src", None)


def _without_code(html: str) -> str:
    """``html`` minus script and style elements, found in one linear pass (no regex
    backtracking on hostile input). An unclosed one swallows the rest, as in a browser."""
    low = html.lower()
    out: list[str] = []
    pos = 0
    nxt = {"script": low.find("<script"), "style": low.find("<style")}
    while True:
        for tag, at in nxt.items():
            if 0 <= at < pos:
                nxt[tag] = low.find("<" + tag, pos)
        found = [(at, tag) for tag, at in nxt.items() if at >= 0]
        if not found:
            out.append(html[pos:])
            break
        start, tag = min(found)
        out.append(html[pos:start])
        close = low.find("</" + tag, start)
        end = low.find(">", close) if close >= 0 else -1
        if end < 0:
            break
        pos = end + 1
    return "".join(out)


def _crude_text(html: str) -> str:
    """Last resort when the parsers give up: strip code and anything tag-shaped."""
    return html_lib.unescape(_TAG.sub(" ", _without_code(html)))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def text_to_markdown(text: str) -> str:
    """Plain text (a JSON Feed ``content_text``, a text/plain description) as Markdown that
    shows it literally: ``*this*`` stays asterisks and ``[a](b)`` never becomes a link;
    its line breaks stay line breaks and blank lines separate paragraphs."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [_MARKDOWN_SPECIAL.sub(r"\\\1", line.strip()) for line in paragraph.split("\n")]
        paragraphs.append("\\\n".join(line for line in lines if line))
    return "\n\n".join(p for p in paragraphs if p)


def with_base(html: str, base_url: str) -> str:
    """*html* that carries the URL its relative links resolve against (a story with no
    link of its own resolves them against its feed's), for :func:`html_to_markdown`."""
    return f'<base href="{html_lib.escape(base_url)}">' + html[:MAX_HTML_CHARS]


def html_to_markdown(html: str, base_url: str | None = None) -> str:
    """Markdown for the article pane; safe to show and never raises.

    Relative links resolve against a :func:`with_base` prefix (the feed's ``xml:base``,
    or its URL for a story without one), else against *base_url*.
    """
    if not html or not isinstance(html, str):
        return ""
    if leading := _LEADING_BASE.match(html):
        base_url = html_lib.unescape(leading.group(1))
    try:
        doc = _parse(html)
        _fix_links(doc, base_url)
        cleaned = lxml.html.tostring(_body(doc), encoding="unicode")
        markdown = clean_block(_converter().convert(cleaned))
    except Exception:  # lxml, bs4 and markdownify all have their own ways to fail
        markdown = ""
    # libxml2 gives up silently on some input (e.g. nesting deeper than 256)
    return markdown or clean_block(_crude_text(html[:MAX_HTML_CHARS]))


def search_text(html: str) -> str:
    """The words of an HTML body for the search index, and nothing else: they are never
    shown, so one lxml pass with no per-element Python work is enough (a refresh does
    this for every body; spacing is loose, e.g. "w or d" for ``w<b>or</b>d``)."""
    if not html or not isinstance(html, str):
        return ""
    if "<" not in html:  # no markup: text, perhaps with entities ("AT&amp;T")
        return html_lib.unescape(html) if "&" in html else html
    try:
        # lxml.etree's parser, not lxml.html's: no Python object per element.
        doc = etree.HTML(_without_xml_decl(html))
        if doc is None:
            return ""
        if _PLUGIN.search(html):
            etree.strip_tags(doc, *_PLUGIN_TAGS)
        etree.strip_elements(
            doc, etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS, with_tail=False
        )
        # doc.xpath, not a shared compiled XPath: those must not be used by two threads.
        text = " ".join(doc.xpath(_TEXT_NODES, smart_strings=False))
    except Exception:  # lxml has its own ways to fail on hostile input
        text = ""
    # libxml2 gives up silently on some input (e.g. nesting deeper than 256)
    return text if text.strip() else _crude_text(html[:MAX_HTML_CHARS])


def _text_of(doc: etree._Element) -> str:
    """The words of a parsed tree, with adjacent blocks kept apart (mutates the tree)."""
    for el in doc.iter(*_BLOCK_TAGS):
        el.tail = " " + (el.tail or "")
        if el.tag not in ("br", "hr"):
            el.text = " " + (el.text or "")
    return _body(doc).text_content()


def html_to_text(html: str, limit: int | None = None) -> str:
    """One line of plain text (for summaries and titles); never raises."""
    if not html or not isinstance(html, str):
        return ""
    if "<" not in html:  # no markup: most summaries; lxml would only decode entities
        return clean_text(html_lib.unescape(html) if "&" in html else html, limit)
    try:
        text = clean_text(_text_of(_parse(html)), limit)
    except Exception:
        text = ""
    return text or clean_text(_crude_text(html[:MAX_HTML_CHARS]), limit)
