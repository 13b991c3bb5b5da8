"""One feed entry, as any of the three readers saw it, to a clean :class:`ParsedItem`.

Every reader fills the same loose :class:`_Raw` and leaves the cleaning to
:func:`_build_item`, so bodies, summaries, titles and links are judged the same way
whichever parser read the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from tui_reader.core.html_to_md import (
    MAX_HTML_CHARS,
    html_to_text,
    search_text,
    text_to_markdown,
    with_base,
)
from tui_reader.core.http_url import is_http_url
from tui_reader.core.models import ParsedItem
from tui_reader.core.parse_text import TextKind, title_text
from tui_reader.core.sanitize import clean_block, clean_optional, clean_text

MAX_ITEMS = 1000
"""Items kept from one document (the first ones: feeds list newest first)."""
MAX_CATEGORIES = 8
SUMMARY_CHARS = 300
SUMMARY_SOURCE_CHARS = 4000
"""A summary is cut from the start of a body: this much HTML is read for it."""
TITLE_CHARS = 500

_DIGITS = re.compile(r"\s*(\d{1,9})\s*")
_ABSOLUTE = ("http://", "https://")


def _str(value: object) -> str | None:
    """A string field from a parser dict or JSON, or None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _http_url(value: object, base: str | None) -> str | None:
    """``value`` made absolute against ``base``, kept only if it is http(s)."""
    text = clean_text(_str(value))
    if not text:
        return None
    try:
        absolute = urljoin(base, text) if base and not text.startswith(_ABSOLUTE) else text
    except ValueError:
        return None
    return absolute if is_http_url(absolute) else None


def _title_text(value: object, limit: int = TITLE_CHARS, kind: TextKind = "guess") -> str:
    """A title (or a name) that may be text, escaped text or HTML, as one clean line."""
    return title_text(_str(value), kind, limit)


def _count(value: object) -> int | None:
    """A comment count as feeds write it (digits, maybe padded), else None."""
    text = _str(value)
    if text is None:
        return None
    match = _DIGITS.fullmatch(text)
    return int(match.group(1)) if match else None


def _categories(terms: Iterable[object]) -> tuple[str, ...]:
    """Up to MAX_CATEGORIES distinct tags, first spelling kept: feeds repeat them."""
    seen: set[str] = set()
    result: list[str] = []
    for term in terms:
        text = clean_text(_str(term), 60)
        key = text.casefold()
        if text and key not in seen:
            seen.add(key)
            result.append(text)
            if len(result) >= MAX_CATEGORIES:
                break
    return tuple(result)


@dataclass
class _Raw:
    """An entry as any of the three readers saw it, before cleaning."""

    guid: object = None
    link: object = None
    title: object = None
    title_kind: TextKind = "guess"
    author: object = None
    published: int | None = None
    updated: int | None = None
    content: str = ""
    content_is_html: bool = True
    description: str = ""
    description_is_html: bool = True
    tags: list[object] = field(default_factory=list)
    comments_url: object = None
    comments_count: int | None = None
    base: str | None = None
    """The ``xml:base`` in force for the entry's links, when one is (else the feed's URL)."""
    body_base: str | None = None
    """The ``xml:base`` in force for its body's links (else the story's own URL)."""


def _build_item(raw: _Raw, feed_url: str) -> ParsedItem:
    """The one place entries are cleaned, so every reader's items look alike."""
    url = _http_url(raw.link, raw.base or feed_url)
    base = raw.base or url or feed_url
    content, description = raw.content or "", raw.description or ""
    # The body is the content, else the description; the summary the other way round.
    body, body_is_html = (
        (content, raw.content_is_html) if content else (description, raw.description_is_html)
    )
    body_html: str | None = None
    if not body:
        content_text = ""
    elif body_is_html:
        # Kept as the feed sent it (cut to what conversion reads): cleaning it now would
        # be done again when it is shown, and most stories never are.
        if raw.body_base or not url:
            body_html = with_base(body, raw.body_base or feed_url)
        else:
            body_html = body[:MAX_HTML_CHARS]
        content_text = search_text(body)
    else:
        content_text = text_to_markdown(clean_block(body))  # shown as written
    if description and description is not body:
        summary = (
            html_to_text(description, SUMMARY_CHARS)
            if raw.description_is_html
            else clean_text(description, SUMMARY_CHARS)
        )
    elif body_is_html:
        summary = html_to_text(body[:SUMMARY_SOURCE_CHARS], SUMMARY_CHARS)
        if len(summary) < SUMMARY_CHARS and len(body) > SUMMARY_SOURCE_CHARS:
            summary = html_to_text(body, SUMMARY_CHARS)  # words start late in this one
    else:
        summary = clean_text(body, SUMMARY_CHARS)
    title = _title_text(raw.title, TITLE_CHARS, raw.title_kind)
    if not title:
        title = clean_text(summary, 80) or "(untitled)"
    count = raw.comments_count
    return ParsedItem(
        guid=clean_optional(_str(raw.guid)),
        url=url,
        title=title,
        author=clean_optional(_title_text(raw.author, 200)),
        published=raw.published,
        updated=raw.updated,
        summary=summary,
        content_text=content_text,
        body_html=body_html,
        categories=_categories(raw.tags),
        comments_url=_http_url(raw.comments_url, base),
        comments_count=count if count is not None and 0 <= count < 10**9 else None,
    )


def imported_item(
    *,
    guid: str | None,
    link: str | None,
    title: str,
    author: str | None,
    published: int | None,
    html: str,
    feed_url: str,
) -> ParsedItem:
    """An entry another reader kept (newsboat's cache: its HTML body and fields), cleaned
    exactly as a feed's entries are, so it is stored and shown like one."""
    return _build_item(
        _Raw(guid=guid, link=link, title=title, author=author or None, published=published,
             content=html),
        feed_url,
    )
