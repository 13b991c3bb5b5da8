"""Plain data passed between the core layers and the UI.

Everything here is immutable and Textual-free so that the store, the refresher and the
UI can hand rows to each other across threads without copying or locking. Times are
integer seconds since the epoch, UTC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import Enum, StrEnum
from typing import Any, TypeVar

from .http_url import display_url


class FeedStatus(StrEnum):
    """A feed's last fetch, as the cache keeps it (``feeds.last_status``)."""

    OK = "ok"
    NOT_MODIFIED = "not modified"
    ERROR = "error"
    DEAD = "dead"


class SnapshotState(StrEnum):
    """Where a story's full-text copy stands. The cache keeps "ok", "pending", NULL or the
    line saying why it failed in one column; :func:`snapshot_state` reads it."""

    NONE = "none"
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"


def snapshot_state(value: str | None) -> SnapshotState:
    """The state behind a stored snapshot value."""
    if value is None:
        return SnapshotState.NONE
    if value == SnapshotState.OK:
        return SnapshotState.OK
    if value == SnapshotState.PENDING:
        return SnapshotState.PENDING
    return SnapshotState.FAILED


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One entry of a feed as the parser understood it, already cleaned of control characters."""

    guid: str | None
    url: str | None
    title: str
    author: str | None = None
    published: int | None = None
    updated: int | None = None
    summary: str = ""
    """Plain text, at most a few hundred characters: what lists and the timeline show."""
    content_text: str = ""
    """The item's body (content, else description) as text: what search indexes. When
    ``body_html`` is None this is also what the article pane shows, as Markdown (a plain
    text body is escaped so that it shows as written)."""
    body_html: str | None = None
    """The body's cleaned HTML, converted to Markdown only when the story is first shown:
    converting every item of every refresh cost ten times the rest of the refresh."""
    categories: tuple[str, ...] = ()
    comments_url: str | None = None
    comments_count: int | None = None
    digest: bytes = field(init=False, default=b"")
    """A fingerprint of all of the above, made with the item (so in the parsing process:
    pickling keeps it), so a refresh can tell an unchanged story from the one in the
    cache without comparing its text."""

    def __post_init__(self) -> None:
        values = (
            self.guid, self.url, self.title, self.author, self.published, self.updated,
            self.summary, self.content_text, self.body_html, "\x1e".join(self.categories),
            self.comments_url, self.comments_count,
        )
        text = "\x1f".join("\x00" if v is None else str(v) for v in values)
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        object.__setattr__(self, "digest", digest.digest())


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document after parsing."""

    title: str | None
    site_url: str | None
    items: list[ParsedItem] = field(default_factory=list)
    wait: int | None = None
    """Seconds the feed asks readers to wait between fetches (RSS ``ttl``,
    ``sy:updatePeriod`` / ``sy:updateFrequency``), if it says."""


class Keep(Enum):
    """The value of a :class:`FeedState` field that a write leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a fetch outcome changes about a feed; fields left at :data:`KEEP` stay as they
    are in the cache. The field names are the ``feeds`` table's columns."""

    title: str | None | Keep = KEEP
    site_url: str | None | Keep = KEEP
    etag: str | None | Keep = KEEP
    last_modified: str | None | Keep = KEEP
    last_status: str | None | Keep = KEEP
    """A :class:`FeedStatus` value."""
    last_error: str | None | Keep = KEEP
    last_fetched: int | None | Keep = KEEP
    next_due: int | None | Keep = KEEP
    fail_count: int | Keep = KEEP
    dead: bool | Keep = KEEP
    post_gap: int | None | Keep = KEEP
    newest_post: int | None | Keep = KEEP
    doc_window: int | None | Keep = KEEP
    feed_wait: int | None | Keep = KEEP
    poll_seconds: int | None | Keep = KEEP
    poll_reason: str | None | Keep = KEEP

    @classmethod
    def of(cls, state: FeedState | Mapping[str, Any]) -> FeedState:
        """*state* as a FeedState; a mapping with a name that is not a column is refused."""
        return state if isinstance(state, FeedState) else cls(**state)

    def changes(self) -> dict[str, Any]:
        """Column -> value for every field that is not :data:`KEEP`."""
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in found.items() if value is not KEEP}

    def filled(self, **defaults: Any) -> FeedState:
        """These fields set where they are still KEEP (a parsed feed's title, site)."""
        return replace(self, **{k: v for k, v in defaults.items() if getattr(self, k) is KEEP})


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A subscription as the cache knows it, with its article counts."""

    id: int
    url: str
    title: str | None
    site_url: str | None = None
    tags: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    last_status: str | None = None
    """A short word for the last fetch: "ok", "not modified", "error", "dead", or None if never."""
    last_error: str | None = None
    last_fetched: int | None = None
    next_due: int | None = None
    fail_count: int = 0
    dead: bool = False
    full_text: bool = False
    selector: str | None = None
    total: int = 0
    unread: int = 0
    post_gap: int | None = None
    """Median seconds between the feed's recent posts, from its last document."""
    newest_post: int | None = None
    doc_window: int | None = None
    """Seconds between the newest and oldest dated item of its last document."""
    feed_wait: int | None = None
    """Seconds the feed itself asks to wait between fetches (ttl, sy:update*)."""
    poll_seconds: int | None = None
    """The interval chosen at the last fetch (core/schedule.py), and why."""
    poll_reason: str | None = None
    source: str = "local"
    """``"sync"`` for a feed that comes from the sync server (never fetched here)."""

    @property
    def display_title(self) -> str:
        """The title to show: the feed's own, else its URL (as URLs are shown)."""
        return self.title or display_url(self.url)


@dataclass(frozen=True, slots=True)
class Headline:
    """One row of the headline list or of the "Read next" timeline."""

    id: int
    feed_id: int | None
    feed_title: str
    title: str
    url: str | None
    timestamp: int
    """published, else updated, else first seen: the sort key with ``id``."""
    read: bool
    bookmarked: bool
    summary: str = ""
    categories: tuple[str, ...] = ()
    snapshot: str | None = None
    """Full-text snapshot status: None (never asked), "pending", "ok", or an error line."""

    @property
    def cursor(self) -> tuple[int, int]:
        """The keyset position of this row in newest-first order."""
        return (self.timestamp, self.id)


class Related(StrEnum):
    """Why a story is offered to read next, strongest first."""

    TOPIC = "topic"
    """It shares a category with the open story."""
    WORDS = "words"
    """Its title shares an uncommon word with the open story's."""
    FEED = "feed"
    """It comes from the same feed."""


@dataclass(frozen=True, slots=True)
class RelatedStory:
    """One "Read next" entry: the story and why it is there."""

    headline: Headline
    why: Related
    topic: str = ""
    """The shared category as the open story writes it, or the shared title word (lower
    case); "" for the same feed."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article with everything the article pane shows."""

    id: int
    feed_id: int | None
    feed_title: str
    title: str
    url: str | None
    author: str | None
    published: int | None
    updated: int | None
    timestamp: int
    summary: str
    content_md: str | None
    """The body as Markdown; None until ``body_html`` has been converted
    (:func:`tui_reader.core.article_body.with_markdown`)."""
    categories: tuple[str, ...]
    comments_url: str | None
    comments_count: int | None
    read: bool
    bookmarked: bool
    bookmarked_at: int | None = None
    fulltext_md: str | None = None
    snapshot: str | None = None
    """Full-text snapshot status: None (never asked), "pending", "ok", or an error line."""
    body_html: str | None = None
    """The cleaned feed HTML waiting to be converted, when ``content_md`` is None."""

    @property
    def body_md(self) -> str:
        """The best body we have: the full-text snapshot when present, else the feed's content."""
        return self.fulltext_md or self.content_md or self.summary


@dataclass(frozen=True, slots=True)
class HeadlineFilter:
    """Which headlines a list shows. All fields combine with AND."""

    feed_id: int | None = None
    tag: str | None = None
    unread_only: bool = False
    bookmarked: bool = False
    query: str | None = None
    """Full-text search words (FTS5 when available, else LIKE)."""

    def describe(self, feed_title: str | None = None) -> str:
        """A short human label, e.g. "Unread · World Desk"."""
        parts: list[str] = []
        if self.bookmarked:
            parts.append("Bookmarks")
        if self.unread_only:
            parts.append("Unread")
        if self.feed_id is not None:
            parts.append(feed_title or "One feed")
        if self.tag:
            parts.append(f"#{self.tag}")
        if self.query:
            parts.append(f"“{self.query}”")
        return " · ".join(parts) or "All feeds"


Row = TypeVar("Row", "Headline", "Article")


@dataclass(frozen=True, slots=True)
class StoryFlags:
    """What the reader changes about a story (read, bookmarked, its full-text copy): the
    part every widget showing it must agree on."""

    read: bool
    bookmarked: bool
    snapshot: str | None
    """As stored: None, "pending", "ok" or why it failed (see :func:`snapshot_state`)."""

    @classmethod
    def of(cls, row: Headline | Article) -> StoryFlags:
        return cls(row.read, row.bookmarked, row.snapshot)

    def applied(self, row: Row) -> Row:
        """*row* with these flags."""
        return replace(row, read=self.read, bookmarked=self.bookmarked, snapshot=self.snapshot)
