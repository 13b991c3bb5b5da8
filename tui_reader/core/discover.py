"""Find a site's feeds in one of its pages, for "subscribe to this URL" on a home page.

Sites announce feeds with ``<link rel="alternate" type="application/rss+xml">``; when a
page has none, links whose path looks like a feed are the next best guess. Only http(s)
URLs come back, absolute and deduplicated, in document order, so the first is the one
the site lists first (usually its main feed).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from tui_reader.core.http_url import is_http_url

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)
_FEED_PATH_ENDINGS = ("/feed", "/rss", ".rss", ".xml", "atom.xml", "feed.json")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses str input that declares one
MAX_HTML_BYTES = 2 * 1024 * 1024
"""Feed links live in the head; no need to parse the tail of a huge page."""


def _parse(html: bytes | str) -> etree._Element | None:
    """Bytes let lxml honour ``<meta charset>``; text is taken as already decoded."""
    if isinstance(html, str):
        html = _XML_DECL.sub("", html[:MAX_HTML_BYTES].replace("\x00", ""), count=1)
    else:
        html = html[:MAX_HTML_BYTES].replace(b"\x00", b"")
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _base(doc: etree._Element, base_url: str) -> str:
    """The document's ``<base href>`` when it is a usable http(s) URL, else ``base_url``."""
    for el in doc.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            try:
                candidate = urljoin(base_url, href)
            except ValueError:
                return base_url
            return candidate if is_http_url(candidate) else base_url
    return base_url


def _absolute(href: str | None, base: str) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url.split("#", 1)[0] if is_http_url(url) else None


def _is_feed_link(el: etree._Element) -> bool:
    rel = {token.lower() for token in (el.get("rel") or "").split()}
    kind = (el.get("type") or "").split(";", 1)[0].strip().lower()
    return "alternate" in rel and kind in FEED_TYPES


def _is_api_json(url: str, el: etree._Element) -> bool:
    """WordPress labels every page's REST endpoint an alternate application/json."""
    kind = (el.get("type") or "").split(";", 1)[0].strip().lower()
    return kind == "application/json" and "/wp-json/" in url


def _looks_like_feed_path(url: str) -> bool:
    try:
        path = urlsplit(url).path.lower().rstrip("/")
    except ValueError:
        return False
    return path.endswith(_FEED_PATH_ENDINGS)


def discover_feed_urls(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs announced by (or, failing that, linked from) an HTML page."""
    doc = _parse(html)
    if doc is None:
        return []
    base = _base(doc, base_url)
    found: list[str] = []
    for el in doc.iter("link"):
        if not _is_feed_link(el):
            continue
        url = _absolute(el.get("href"), base)
        if url and url not in found and not _is_api_json(url, el):
            found.append(url)
    if found:
        return found
    for el in doc.iter("a"):
        url = _absolute(el.get("href"), base)
        if url and url not in found and _looks_like_feed_path(url):
            found.append(url)
    return found
