"""A page's title, author and publication time, each None when the page does not say.

trafilatura reads most of it; the page's own meta tags, JSON-LD and marked-up ``<time>``
elements come first for the date, because they state it precisely.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from copy import deepcopy
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html
import trafilatura

from tui_reader.core.sanitize import clean_optional, clean_text

_DATE_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_MAX_JSON_LD_CHARS = 200_000


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


def _is_locked(tree: lxml.html.HtmlElement) -> bool:
    """Whether the page says its article is for subscribers only.

    Paywalled news sites say so to search engines: ``article:content_tier`` "locked", or
    schema.org's ``isAccessibleForFree`` false in JSON-LD. What such a page shows without a
    login is a teaser.
    """
    if any(v.strip().lower() == "locked" for v in _meta_content(tree, "article:content_tier")):
        return True
    for data in _json_ld(tree):
        for value in _find_any(data, "isAccessibleForFree", depth=0):
            if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
                return True
    return False


def _meta_content(tree: lxml.html.HtmlElement, *names: str) -> Iterator[str]:
    """The content of every <meta> named one of ``names`` (property, name or itemprop)."""
    wanted = set(names)
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        content = el.get("content")
        if key in wanted and content:
            yield content


def _fallback_title(tree: lxml.html.HtmlElement) -> str | None:
    """og:title, twitter:title, else <title>: for when trafilatura finds no title."""
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


def _json_ld(tree: lxml.html.HtmlElement) -> Iterator[Any]:
    """The page's parsed JSON-LD blocks (too big or broken ones skipped)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        text = script.text or ""
        if len(text) > _MAX_JSON_LD_CHARS:
            continue
        try:
            yield json.loads(text)
        except ValueError:
            continue


def _json_ld_dates(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """datePublished values from the page's JSON-LD blocks."""
    for data in _json_ld(tree):
        yield from (v for v in _find_any(data, "datePublished", depth=0) if isinstance(v, str))


def _find_any(data: Any, key: str, depth: int) -> Iterator[Any]:
    """Every value under ``key`` in parsed JSON, bounded in depth and breadth: it is hostile."""
    if depth > 8:
        return
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for child in data.values():
            if isinstance(child, (dict, list)):
                yield from _find_any(child, key, depth + 1)
    elif isinstance(data, list):
        for child in data[:50]:
            yield from _find_any(child, key, depth + 1)


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
