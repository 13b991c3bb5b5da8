"""RSS and Atom: fastfeedparser first, feedparser for what it rejects or reads as empty.

What fastfeedparser drops or reads wrong (comment counts, Atom text constructs, xml:base,
titles) is read again from lxml's tree by :mod:`parse_tree`, only when a document needs
it. feedparser is imported only when it is needed (0.1 s).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import fastfeedparser

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
from tui_reader.core.parse_text import TextKind
from tui_reader.core.parse_tree import EntryTree, match_entries, needs_tree, read_tree
from tui_reader.core.sanitize import clean_optional

_HTML_TYPES = ("html", "text/html", "xhtml", "application/xhtml+xml")


def _kind(detail: object, default: TextKind, plain: TextKind = "text") -> TextKind:
    """A parser's ``*_detail`` type as the way to read the text (*plain* for text/plain)."""
    kind = str(detail.get("type") or "") if isinstance(detail, Mapping) else ""
    if not kind:
        return default
    return "html" if kind.lower() in _HTML_TYPES else plain


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


def _raw_fastfeedparser(entry: Mapping[str, Any], tree: EntryTree | None, *, atom: bool,
                       constructs: bool) -> _Raw:
    """One fastfeedparser entry, corrected by the tree's reading of it where there is one."""
    content, content_html = _content(entry)
    description, description_html = _str(entry.get("description")) or "", True
    title: object = entry.get("title")
    title_kind: TextKind = "text" if atom and tree is None else "guess"
    base = body_base = None
    count = None
    if tree is not None:
        count, base, body_base = tree.comments, tree.base, tree.body_base
        if tree.title is not None:
            title, title_kind = tree.title.value, tree.title.kind
        if constructs:  # Atom: the tree's text constructs replace fastfeedparser's
            summary, body = tree.summary, tree.content
            description = summary.value if summary else ""
            description_html = summary.is_html if summary else True
            content = body.value if body else ""
            content_html = body.is_html if body else True
    return _Raw(
        guid=entry.get("id"),
        link=_alternate_link(entry),
        title=title,
        title_kind=title_kind,
        author=entry.get("author"),
        content=content,
        content_is_html=content_html,
        description=description,
        description_is_html=description_html,
        tags=_tags(entry),
        comments_url=_replies_link(entry),
        comments_count=count,
        base=base,
        body_base=body_base,
    )


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
    tree = read_tree(data, url, atom=atom) if needs_tree(data, entries, atom=atom) else None
    # An Atom feed's author is every entry's author unless the entry names its own;
    # RSS's managingEditor is an address, not a byline.
    feed_author = info.get("author") if atom else None
    # Atom entries have no guid to guess from; RSS items with a date element keep it.
    undated = [False] * len(entries) if atom else _undated_items(data, len(entries))
    if undated is None:
        undated = [True] * len(entries)
    items = []
    for entry, found, guessable in zip(
        entries[:MAX_ITEMS], match_entries(entries, tree), undated, strict=False
    ):
        raw = _raw_fastfeedparser(entry, found, atom=atom,
                                  constructs=tree is not None and tree.text_constructs)
        raw.author = raw.author or feed_author
        raw.published = _ffp_date(entry, "published", guessable)
        raw.updated = _ffp_date(entry, "updated", guessable)
        items.append(_build_item(raw, url))
    title, kind = info.get("title"), _kind(info.get("title_detail"), "guess")
    if tree is not None and tree.title is not None:
        title, kind = tree.title.value, tree.title.kind
    return ParsedFeed(
        title=clean_optional(_title_text(title, 200, kind if atom else "guess")),
        site_url=_http_url(info.get("link"), tree.base if tree and tree.base else url),
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
    # feedparser calls an RSS title text/plain when it guessed so; ours is the guess that
    # counts. Atom's text/plain is the feed's word.
    plain: TextKind = "text" if str(doc.get("version") or "").startswith("atom") else "guess"
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
            title_kind=_kind(entry.get("title_detail"), "guess", plain),
            author=entry.get("author"),
            published=_struct_epoch(entry.get("published_parsed")),
            updated=_struct_epoch(entry.get("updated_parsed")),
            content=content,
            content_is_html=content_html,
            description=_str(entry.get("summary")) or "",
            description_is_html=_kind(detail, "html") == "html",
            tags=_tags(entry),
            comments_url=_replies_link(entry),
            comments_count=_count(entry.get("slash_comments"))
            if entry.get("slash_comments") is not None
            else _count(entry.get("thr_total")),
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_title_text(info.get("title"), 200,
                                         _kind(info.get("title_detail"), "guess", plain))),
        site_url=_http_url(info.get("link"), url),
        items=items,
    )
