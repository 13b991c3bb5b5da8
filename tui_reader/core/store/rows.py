"""What goes in and out of the cache: its constants, the rows of a refresh's writes, and
SQL rows turned into the models of :mod:`tui_reader.core.models`."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Article, FeedState, Headline, ParsedFeed, ParsedItem, SnapshotState

CATEGORY_SEP = "\n"
SNAPSHOT_OK = SnapshotState.OK.value
SNAPSHOT_PENDING = SnapshotState.PENDING.value
MAX_SNAPSHOT_TRIES = 8
FUTURE_SLACK = 86400
"""Dates up to a day ahead are clock skew or time zones; beyond that they are clamped."""
WORD = re.compile(r"\w+", re.UNICODE)

Cursor = tuple[int, int]




@dataclass(frozen=True, slots=True)
class SaveResult:
    """What one feed's write changed."""

    new: int
    updated: int
    new_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedWrite:
    """One feed's fetch outcome to write: its new state, and its items if it had some."""

    feed_id: int
    state: FeedState
    parsed: ParsedFeed | None = None
    now: int | None = None
    min_ts: int | None = None
    """The retention cut-off: older items are not stored."""



@dataclass(frozen=True, slots=True)
class SnapshotJob:
    """An article whose full text should be fetched."""

    article_id: int
    url: str
    selector: str | None
    bookmarked: bool


@dataclass(frozen=True, slots=True)
class Known:
    """What a refresh needs of an article already stored."""

    id: int
    ts: int
    categories: str
    digest: bytes | None


def now_ts() -> int:
    return int(time.time())


def article_uid(item: ParsedItem) -> str:
    """A stable identity: guid, else link, else a hash of title and date."""
    if item.guid:
        return item.guid
    if item.url:
        return item.url
    raw = f"{item.title}\x00{item.published or item.updated or ''}"
    return "sha1:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


HEADLINE_COLUMNS = """
    a.id, a.feed_id, COALESCE(f.user_title, f.title, NULLIF(a.feed_title, ''), f.url, ''),
    a.title, a.url, a.ts, a.read, a.bookmarked, a.summary, a.categories, a.snapshot
"""
ARTICLE_COLUMNS = """
    a.id, a.feed_id, COALESCE(f.user_title, f.title, NULLIF(a.feed_title, ''), f.url, ''),
    a.title, a.url, a.author, a.published, a.updated, a.ts, a.summary, a.content,
    a.categories, a.comments_url, a.comments_count, a.read, a.bookmarked, a.bookmarked_at,
    a.fulltext, a.snapshot, a.body, a.content_md
"""
FEED_COLUMNS = """
    f.id, f.url, COALESCE(f.user_title, f.title), f.site_url, f.etag, f.last_modified,
    f.last_status, f.last_error, f.last_fetched, f.next_due, f.fail_count, f.dead,
    f.full_text, f.selector, f.post_gap, f.newest_post, f.doc_window, f.feed_wait,
    f.poll_seconds, f.poll_reason
"""


def split_categories(categories: str) -> tuple[str, ...]:
    return tuple(c for c in categories.split(CATEGORY_SEP) if c) if categories else ()


def headline_row(row: Sequence[Any]) -> Headline:
    return Headline(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2],
        title=row[3],
        url=row[4],
        timestamp=row[5],
        read=bool(row[6]),
        bookmarked=bool(row[7]),
        summary=row[8],
        categories=split_categories(row[9]),
        snapshot=row[10],
    )


def article_row(row: Sequence[Any]) -> Article:
    body, markdown = row[19], row[20]
    if markdown is None and body is None:
        markdown = row[10]  # a plain-text body, or a row from before schema v4
    return Article(
        id=row[0],
        feed_id=row[1],
        feed_title=row[2],
        title=row[3],
        url=row[4],
        author=row[5],
        published=row[6],
        updated=row[7],
        timestamp=row[8],
        summary=row[9],
        content_md=markdown,
        categories=split_categories(row[11]),
        comments_url=row[12],
        comments_count=row[13],
        read=bool(row[14]),
        bookmarked=bool(row[15]),
        bookmarked_at=row[16],
        fulltext_md=row[17],
        snapshot=row[18],
        body_html=body if markdown is None else None,
    )
