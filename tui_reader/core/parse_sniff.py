"""What a document is, before a parser sees it and after none could read it.

Sniffing tells feeds from web pages by their first element; :func:`_prepare_xml` fixes
what trips XML parsers but not browsers; :func:`_diagnose` says in one line why a document
gave nothing, which is what :class:`FeedParseError` carries to the status bar.
"""

from __future__ import annotations

import re
from html.entities import html5 as _HTML5_ENTITIES

from lxml import etree

from tui_reader.core.parse_encoding import C1_AS_CP1252, is_wide, to_utf8
from tui_reader.core.sanitize import clean_text

_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf", b"rdf", b"channel"})
_HTML_ROOTS = frozenset({b"html", b"head", b"body", b"div", b"p", b"title", b"meta", b"script"})
_NOT_XML_REFERENCE = rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)"
_SUSPECT_AMPERSAND = re.compile(_NOT_XML_REFERENCE)
"""An ``&`` that starts none of XML's own references (escaped HTML is full of those)."""
_FIXABLE_AMPERSAND = re.compile(_NOT_XML_REFERENCE + rb"(?:([A-Za-z][A-Za-z0-9]{1,31});)?")
_C1_REFERENCE = re.compile(rb"&#(?:0*(12[89]|1[34][0-9]|15[0-9])|[xX]0*([89][0-9A-Fa-f]));")
"""``&#146;``: a reference to a C1 control, meaning the Windows-1252 character."""
_RAW_C1 = re.compile(b"\xc2[\x80-\x9f]")
"""A C1 control written as such (a Windows-1252 byte read as Latin-1 on its way here)."""


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
    """Fix what trips XML parsers but not browsers: labels that browsers read otherwise
    (:mod:`parse_encoding`), HTML's entities, bare ampersands, and C1 controls where
    Windows-1252 characters were meant."""
    data = to_utf8(data, content_type)
    if is_wide(data):
        return data
    if b"\xc2" in data and _RAW_C1.search(data):
        data = _RAW_C1.sub(_raw_c1, data)
    if b"&" not in data:
        return data
    bad_ampersand, c1 = _SUSPECT_AMPERSAND.search(data), _C1_REFERENCE.search(data)
    if not (bad_ampersand or c1):
        return data
    pieces: list[bytes] = []
    pos = 0
    while pos < len(data):
        start = data.find(b"<![CDATA[", pos)
        if start < 0:
            start = len(data)
        piece = data[pos:start]
        if bad_ampersand:
            piece = _FIXABLE_AMPERSAND.sub(_reference, piece)
        pieces.append(_C1_REFERENCE.sub(_c1_reference, piece) if c1 else piece)
        end = data.find(b"]]>", start)
        end = len(data) if end < 0 else end + 3
        pieces.append(data[start:end])  # an & in CDATA is already just a character
        pos = end
    return b"".join(pieces)


def _reference(match: re.Match[bytes]) -> bytes:
    """An ``&`` that XML would not read as the author meant it, made into one it will.

    HTML's named entities are undefined in XML and make fastfeedparser drop the text
    around them: they become numeric references. A bare ``&`` (``?a=1&b=2`` in a link:
    ill-formed, but common) makes libxml2 drop ``&b``: it becomes ``&amp;``.
    """
    name = match.group(1)
    if name is None:
        return b"&amp;"
    chars = _HTML5_ENTITIES.get(name.decode("ascii") + ";")
    if chars is None:
        return b"&amp;" + name + b";"  # unknown: show it as written
    return b"".join(b"&#%d;" % ord(ch) for ch in chars)


def _c1_char(code: int) -> bytes:
    """The Windows-1252 character for C1 control *code*, as a numeric reference; a code
    cp1252 leaves undefined stays a reference to itself (it is cleaned away later)."""
    char = C1_AS_CP1252.get(code)
    return b"&#%d;" % (ord(char) if char else code)


def _c1_reference(match: re.Match[bytes]) -> bytes:
    decimal, hexadecimal = match.group(1), match.group(2)
    return _c1_char(int(decimal) if decimal else int(hexadecimal, 16))


def _raw_c1(match: re.Match[bytes]) -> bytes:
    char = C1_AS_CP1252.get(match.group()[1])
    return char.encode("utf-8") if char else match.group()


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
