"""RSS and Atom: fastfeedparser first, feedparser for what it rejects or reads as empty.

fastfeedparser drops slash:comments and thr:total, so :func:`_counts_for` reads those in
a second, cheap lxml pass. feedparser is imported only when it is needed (0.1 s).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import fastfeedparser
from lxml import etree

from tui_reader.core.models import ParsedFeed
from tui_reader.core.parse_dates import _ffp_date, _struct_epoch, _undated_items
from tui_reader.core.parse_item import (
    MAX_ITEMS,
    _build_item,
    _count,
    _http_url,
    _Raw,
    _str,
    _title_text,
)
from tui_reader.core.parse_sniff import _hardened_parser, _local
from tui_reader.core.sanitize import clean_optional

_SLASH_NS = "http://purl.org/rss/1.0/modules/slash/"
_THREAD_NS = "http://purl.org/syndication/thread/1.0"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_HTML_TYPES = ("html", "text/html", "xhtml", "application/xhtml+xml")


def _comment_counts(data: bytes) -> list[tuple[set[str], int | None]]:
    """Per item, in order: its identifying strings and its slash:comments / thr:total.

    fastfeedparser drops these extensions, so a second, cheap pass reads them, only when
    the document mentions their namespaces.
    """
    if _SLASH_NS.encode() not in data and _THREAD_NS.encode() not in data:
        return []
    try:
        root = etree.fromstring(data, _hardened_parser(recover=True))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    result: list[tuple[set[str], int | None]] = []
    for el in root.iter("{*}item", "{*}entry"):
        keys: set[str] = set()
        count: int | None = None
        about = el.get(_RDF_ABOUT)
        if about:
            keys.add(about.strip())
        for child in el:
            name = _local(child.tag)
            ns = child.tag[1:].split("}", 1)[0] if str(child.tag).startswith("{") else ""
            if name in ("guid", "id", "link"):
                text = (child.text or child.get("href") or "").strip()
                if text:
                    keys.add(text)
            if name == "comments" and ns == _SLASH_NS and count is None:
                count = _count(child.text)
            elif name == "total" and ns == _THREAD_NS:
                count = _count(child.text)
            elif name == "link" and child.get("rel") == "replies" and count is None:
                count = _count(child.get(f"{{{_THREAD_NS}}}count"))
        result.append((keys, count))
    return result


def _counts_for(entries: list[Any], data: bytes) -> list[int | None]:
    """Each entry's comment count, matched by position or, failing that, by id or link."""
    scanned = _comment_counts(data)
    if not scanned:
        return [None] * len(entries)
    if len(scanned) == len(entries):
        return [count for _keys, count in scanned]
    by_key = {key: count for keys, count in scanned for key in keys}
    result: list[int | None] = []
    for entry in entries:
        found = None
        for key in (_str(entry.get("id")), _str(entry.get("link"))):
            if key and key.strip() in by_key:
                found = by_key[key.strip()]
                break
        result.append(found)
    return result


def _links(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An entry's link dicts, whatever else the parser left in the list."""
    links = entry.get("links")
    return [ln for ln in links if isinstance(ln, Mapping)] if isinstance(links, list) else []


def _alternate_link(entry: Mapping[str, Any]) -> object:
    """The story's own page: the plain link, else the first alternate one."""
    link = entry.get("link")
    if _str(link):
        return link
    for candidate in _links(entry):
        if candidate.get("rel") in (None, "alternate") and candidate.get("href"):
            return candidate.get("href")
    return None


def _replies_link(entry: Mapping[str, Any]) -> object:
    """Where the comments are: RSS <comments>, else Atom's rel=replies (HTML only)."""
    if _str(entry.get("comments")):
        return entry.get("comments")
    for candidate in _links(entry):
        if candidate.get("rel") == "replies" and "html" in str(candidate.get("type") or "html"):
            return candidate.get("href")
    return None


def _content(entry: Mapping[str, Any]) -> tuple[str, bool]:
    """The first non-empty content block and whether it is HTML."""
    blocks = entry.get("content")
    if isinstance(blocks, list):
        for block in blocks:
            if isinstance(block, Mapping) and _str(block.get("value")):
                kind = str(block.get("type") or "html").lower()
                return str(block["value"]), kind in _HTML_TYPES or "html" in kind
    return "", True


def _tags(entry: Mapping[str, Any]) -> list[object]:
    """Category terms (Atom's label when there is no term)."""
    tags = entry.get("tags")
    if not isinstance(tags, list):
        return []
    return [t.get("term") or t.get("label") for t in tags if isinstance(t, Mapping)]


def _read_fastfeedparser(data: bytes, url: str, *, atom: bool = False) -> ParsedFeed | None:
    """RSS or Atom through fastfeedparser; None when it rejects the document or finds nothing."""
    try:
        doc = fastfeedparser.parse(data, include_media=False, include_enclosures=False)
    except Exception:  # it raises ValueError mostly, but the input is hostile
        return None
    info = doc.get("feed") if isinstance(doc.get("feed"), Mapping) else {}
    entries = [e for e in doc.get("entries") or [] if isinstance(e, Mapping)]
    if not entries and not _str(info.get("title")) and not _str(info.get("link")):
        return None
    counts = _counts_for(entries, data)
    # An Atom feed's author is every entry's author unless the entry names its own;
    # RSS's managingEditor is an address, not a byline.
    feed_author = info.get("author") if atom else None
    # Atom entries have no guid to guess from; RSS items with a date element keep it.
    undated = [False] * len(entries) if atom else _undated_items(data, len(entries))
    if undated is None:
        undated = [True] * len(entries)
    items = []
    for entry, count, guessable in zip(entries[:MAX_ITEMS], counts, undated, strict=False):
        content, content_html = _content(entry)
        raw = _Raw(
            guid=entry.get("id"),
            link=_alternate_link(entry),
            title=entry.get("title"),
            author=entry.get("author") or feed_author,
            published=_ffp_date(entry, "published", guessable),
            updated=_ffp_date(entry, "updated", guessable),
            content=content,
            content_is_html=content_html,
            description=_str(entry.get("description")) or "",
            tags=_tags(entry),
            comments_url=_replies_link(entry),
            comments_count=count,
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_title_text(info.get("title"), 200)),
        site_url=_http_url(info.get("link"), url),
        items=items,
    )


def _read_feedparser(data: bytes, url: str) -> ParsedFeed | None:
    """The slow fallback for what fastfeedparser cannot read; None when this fails too."""
    import feedparser  # the fallback: 0.1 s to import, needed for few feeds

    try:
        # A file object, never bytes: feedparser opens bytes that name a local path.
        doc = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    except Exception:
        return None
    info = doc.get("feed") or {}
    entries = list(doc.get("entries") or [])[:MAX_ITEMS]
    if not entries and not _str(info.get("title")) and not _str(info.get("link")):
        return None
    items = []
    for entry in entries:
        content, content_html = _content(entry)
        detail = entry.get("summary_detail") or {}
        raw = _Raw(
            guid=entry.get("id"),
            link=_alternate_link(entry),
            title=entry.get("title"),
            author=entry.get("author"),
            published=_struct_epoch(entry.get("published_parsed")),
            updated=_struct_epoch(entry.get("updated_parsed")),
            content=content,
            content_is_html=content_html,
            description=_str(entry.get("summary")) or "",
            description_is_html="html" in str(detail.get("type") or "html"),
            tags=_tags(entry),
            comments_url=_replies_link(entry),
            comments_count=_count(entry.get("slash_comments"))
            if entry.get("slash_comments") is not None
            else _count(entry.get("thr_total")),
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_title_text(info.get("title"), 200)),
        site_url=_http_url(info.get("link"), url),
        items=items,
    )
