"""JSON Feed 1.0 and 1.1, read with :mod:`json`.

Not fastfeedparser's reader: it trusts the shape of every field, so a hostile document
could raise from deep inside it. Here every field is checked before it is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tui_reader.core.models import ParsedFeed
from tui_reader.core.parse_dates import parse_date
from tui_reader.core.parse_item import MAX_ITEMS, _build_item, _http_url, _Raw, _str
from tui_reader.core.parse_sniff import FeedParseError
from tui_reader.core.sanitize import clean_optional


def _json_author(item: Mapping[str, Any]) -> object:
    """The first named author (1.1 ``authors``, 1.0 ``author``); feeds pass it down."""
    authors = item.get("authors")
    if isinstance(authors, list):
        for author in authors:
            if isinstance(author, Mapping) and _str(author.get("name")):
                return author["name"]
    author = item.get("author")
    if isinstance(author, Mapping):
        return author.get("name")
    return None


def _read_json_feed(data: bytes, url: str) -> ParsedFeed:
    """A JSON Feed; anything else that parses as JSON is refused with the reason."""
    try:
        doc = json.loads(data.decode("utf-8-sig", "replace"))
    except json.JSONDecodeError as exc:
        raise FeedParseError(f"malformed JSON at line {exc.lineno}") from None
    except RecursionError:
        raise FeedParseError("malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedParseError("not a feed: JSON without a list of items")
    feed_author = _json_author(doc)
    items = []
    for item in doc["items"][:MAX_ITEMS]:
        if not isinstance(item, Mapping):
            continue
        tags = item.get("tags")
        html_body = _str(item.get("content_html")) or ""
        text_body = _str(item.get("content_text")) or ""
        raw = _Raw(
            guid=item.get("id"),
            link=_str(item.get("url")) or item.get("external_url"),
            title=item.get("title"),
            title_kind="text",  # JSON Feed: "title (optional, string) is plain text"
            author=_json_author(item) or feed_author,
            published=parse_date(item.get("date_published")),
            updated=parse_date(item.get("date_modified")),
            content=html_body or text_body,
            content_is_html=bool(html_body),
            description=_str(item.get("summary")) or "",
            description_is_html=False,
            tags=list(tags) if isinstance(tags, list) else [],
        )
        items.append(_build_item(raw, url))
    return ParsedFeed(
        title=clean_optional(_str(doc.get("title")), 200),
        site_url=_http_url(doc.get("home_page_url"), url),
        items=items,
    )
