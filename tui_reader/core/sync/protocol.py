"""What a sync server is to tui-reader: its feeds, its items, their read and saved state.

The engine (``engine.py``) speaks only to :class:`SyncClient`; the Fever client
(``fever.py``) is one, and a Google Reader API client (FreshRSS, Miniflux, Inoreader)
can be another: both have numeric item ids, feeds in groups (labels), item pages
newer than an id, the sets of unread and starred ids, and per-item marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from ..errors import UserError

Action = Literal["read", "unread", "saved", "unsaved"]
"""A change to one item, as queued here and pushed to the server."""

ACTIONS: tuple[Action, ...] = ("read", "unread", "saved", "unsaved")

IDS_PER_CALL = 50
"""Items asked for by id in one request (Fever's ``with_ids`` takes 50)."""


class SyncError(UserError):
    """The server could not be used (wrong password, down, garbage): one line, no secret."""


@dataclass(frozen=True, slots=True)
class ServerFeed:
    """A feed the account is subscribed to, with the groups (tags) it is in."""

    id: int
    title: str
    url: str
    site_url: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerItem:
    """One story as the server has it (its HTML body is cleaned here like a feed's)."""

    id: int
    feed_id: int
    title: str
    url: str | None
    html: str
    author: str | None = None
    published: int | None = None
    read: bool = False
    saved: bool = False


class SyncClient(Protocol):
    """One account on one server. Every method raises :class:`SyncError` and nothing else."""

    @property
    def requests_made(self) -> int:
        """Requests sent so far (the benchmark counts them)."""
        ...

    def feeds(self) -> list[ServerFeed]:
        """Every subscribed feed, with its groups' names."""
        ...

    def items_since(self, since_id: int) -> list[ServerItem]:
        """One page of items with ids above ``since_id``, lowest first; empty at the end."""
        ...

    def items_with_ids(self, ids: Sequence[int]) -> list[ServerItem]:
        """The items with these ids (at most :data:`IDS_PER_CALL`) the server still has."""
        ...

    def unread_ids(self) -> set[int]:
        """The ids of every unread item."""
        ...

    def saved_ids(self) -> set[int]:
        """The ids of every saved (starred) item."""
        ...

    def mark(self, item_id: int, action: Action) -> bool:
        """Change one item's state once the server has confirmed it; False when the server
        no longer has the item (the change has nowhere to go)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
