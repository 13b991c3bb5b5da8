"""The local SQLite cache: feeds, articles, read state and bookmarks.

One :class:`Store` front over parts with one job each: ``connection`` (connections,
transactions, migrations), ``feeds`` (subscriptions and fetch state), ``articles``
(writing refreshes, purging), ``queries`` (paging, search, one story), ``bookmarks``
(read flags, bookmarks, snapshots), ``matching`` (stories found by guid or link for
imports), ``salvage`` (a damaged cache's rows copied into a fresh one); ``rows`` holds
the values passed in and out and
``schema`` the migrations. Every list query is paged by key ``(ts, id)``, newest first.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .articles import ArticlesPart
from .bookmarks import UserStatePart
from .connection import BUSY_TIMEOUT, StoreError, describe
from .feeds import FeedsPart
from .matching import ArticleKey, MatchingPart
from .queries import QueriesPart
from .related import RelatedPart
from .rows import (
    CATEGORY_SEP,
    FUTURE_SLACK,
    MAX_SNAPSHOT_TRIES,
    SNAPSHOT_OK,
    SNAPSHOT_PENDING,
    Cursor,
    FeedWrite,
    SaveResult,
    SnapshotJob,
    article_uid,
    now_ts,
)
from .salvage import Rescue, SalvagePart
from .search_terms import fts_query
from .sync_state import QueuedChange, Reconciled, SyncStatePart

__all__ = [
    "BUSY_TIMEOUT",
    "ArticleKey",
    "CATEGORY_SEP",
    "FUTURE_SLACK",
    "MAX_SNAPSHOT_TRIES",
    "SNAPSHOT_OK",
    "SNAPSHOT_PENDING",
    "Cursor",
    "FeedWrite",
    "QueuedChange",
    "Reconciled",
    "Rescue",
    "SaveResult",
    "SnapshotJob",
    "Store",
    "StoreError",
    "article_uid",
    "fts_query",
    "now_ts",
    "open_store",
]


class Store(SyncStatePart, FeedsPart, ArticlesPart, QueriesPart, RelatedPart, UserStatePart,
            MatchingPart, SalvagePart):
    """One open cache file. Safe to share between threads; each thread has a connection."""

    def __enter__(self) -> Store:
        return self


def open_store(path: Path) -> Store:
    """Open (creating or migrating) the cache, with errors as one line naming the file."""
    try:
        return Store(path)
    except sqlite3.Error as exc:
        raise StoreError(describe(path, exc)) from None
    except OSError as exc:
        raise StoreError(f"{path}: {exc.strerror or exc}") from None
