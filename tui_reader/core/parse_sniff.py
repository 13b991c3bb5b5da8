"""What a document is, before a parser sees it and after none could read it.

Sniffing tells feeds from web pages by their first element; :func:`_prepare_xml` fixes
what trips XML parsers but not browsers; :func:`_diagnose` says in one line why a document
gave nothing, which is what :class:`FeedParseError` carries to the status bar.
"""

from __future__ import annotations

import re
from html.entities import html5 as _HTML5_ENTITIES

from lxml import etree

from tui_reader.core.sanitize import clean_text

_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf", b"channel"})
_HTML_ROOTS = frozenset({b"html", b"head", b"body", b"div", b"p", b"title", b"meta", b"script"})
_NAMED_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
"""HTML's named entities, not XML's own five (escaped HTML is full of those)."""
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


class FeedParseError(Exception):
    """The document is not a feed we can read; the message is one line for the status bar."""


def _head(data: bytes, size: int = 4096) -> bytes:
    """The start of the document as ASCII-ish bytes, without BOM or leading space."""
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _first_element(head: bytes) -> tuple[bytes, bool]:
    """The first element's lower-cased name, and whether an HTML doctype came first."""
    pos, html_doctype = 0, False
    while True:
        start = head.find(b"<", pos)
        if start < 0 or start + 1 >= len(head):
            return b"", html_doctype
        if head.startswith(b"<?", start):
            end = head.find(b"?>", start)
            pos = end + 2 if end >= 0 else len(head)
        elif head.startswith(b"<!--", start):
            end = head.find(b"-->", start)
            pos = end + 3 if end >= 0 else len(head)
        elif head.startswith(b"<!", start):
            html_doctype = html_doctype or head[start : start + 14].lower().startswith(
                b"<!doctype html"
            )
            end = head.find(b">", start)
            pos = end + 1 if end >= 0 else len(head)
        else:
            match = re.match(rb"<([A-Za-z][\w:.-]{0,40})", head[start:])
            return (match.group(1).lower() if match else b""), html_doctype


def looks_like_html(data: bytes, content_type: str | None) -> bool:
    """True when ``data`` is a web page rather than a feed: time to try feed discovery."""
    head = _head(data)
    if not head or head.startswith((b"{", b"[")):
        return False
    name, html_doctype = _first_element(head)
    if name in _FEED_ROOTS:
        return False
    if html_doctype or name in _HTML_ROOTS:
        return True
    return bool(content_type) and "html" in (content_type or "").lower()


def _prepare_xml(data: bytes, content_type: str | None) -> bytes:
    """Fix what trips XML parsers but not browsers: a wrong charset and HTML entities."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16 with a BOM: the parsers cope, and our byte tweaks would not
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    declared = _XML_ENCODING.match(data)
    label = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if label.replace("_", "-") in ("utf-8", "utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            # Undeclared legacy encoding: trust the HTTP charset, else guess cp1252 as
            # browsers do, and hand the parsers UTF-8.
            match = _CHARSET.search(content_type or "")
            charset = match.group(1) if match else "windows-1252"
            try:
                text = data.decode(charset, "replace")
            except LookupError:
                text = data.decode("windows-1252", "replace")
            data = text.encode("utf-8")
    if b"&" in data and _NAMED_ENTITY.search(data):
        data = _NAMED_ENTITY.sub(_entity_to_reference, data)
    return data


def _entity_to_reference(match: re.Match[bytes]) -> bytes:
    """HTML's named entities are undefined in XML and make fastfeedparser drop text."""
    name = match.group(1)
    chars = _HTML5_ENTITIES.get(name.decode("ascii") + ";")
    if chars is None:
        return b"&amp;" + name + b";"  # unknown: show it as written
    return b"".join(b"&#%d;" % ord(ch) for ch in chars)


def _hardened_parser(*, recover: bool) -> etree.XMLParser:
    """An lxml parser that never fetches, expands entities or grows huge trees."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


def _local(tag: object) -> str:
    """An element's name without its namespace, lower-cased."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _diagnose(data: bytes) -> str:
    """Why nothing usable came out: a line for the user, not a parser dump."""
    head = _head(data)
    if not head.startswith(b"<"):
        return "not a feed: neither XML nor JSON"
    try:
        root = etree.fromstring(data, _hardened_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        return f"malformed XML at line {line}" if line else "malformed XML"
    except ValueError:
        return "malformed XML"
    name = _local(root.tag)
    if name == "html":
        return "not a feed: looks like an HTML page"
    if name == "opml":
        return "not a feed: an OPML subscription list (import it instead)"
    if name in ("urlset", "sitemapindex"):
        return "not a feed: an XML sitemap"
    if name in ("rss", "feed", "rdf", "channel"):
        return "feed has no title and no items"
    return f"not a feed: an XML document of type <{clean_text(name, 30)}>"
