"""newsboat's ``cache.db``, opened read-only: its items, with read state and flags.

The file is the user's newsboat data, so it is never changed: it is opened through an
SQLite ``file:…?mode=ro`` URI with ``query_only`` on. When that cannot read it (newsboat
holds a lock in the middle of a write, a crash left a journal to roll back, or the file
is in WAL mode, whose read-only opening may need to create files next to it) it is
copied, with its WAL or journal, to a private temporary folder and the copy is read.

newsboat's tables (``rss_item``: guid, title, author, url, feedurl, pubDate, content,
unread, flags, deleted) are read by column name, and columns older versions lack get
defaults, so any cache from the last decade reads.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

_MAGIC = b"SQLite format 3\x00"
_REQUIRED = ("guid", "url", "feedurl", "unread")
_OPTIONAL = {"title": "''", "author": "''", "pubDate": "NULL", "content": "''",
             "flags": "NULL", "deleted": "0"}
_LOCK_WAIT = 1.0
"""Seconds to wait for a lock before reading a copy instead."""


class NewsboatCacheError(UserError):
    """A file that cannot be read as a newsboat cache; the message names it."""


@dataclass(frozen=True, slots=True)
class NewsboatItem:
    """One item of newsboat's cache, as tui-reader needs it."""

    guid: str | None
    """The feed's guid; None when newsboat made one up from the link (and date)."""
    url: str | None
    title: str
    author: str
    published: int | None
    content: str
    """The body's HTML, as newsboat keeps it."""
    read: bool
    flagged: bool
    """Any of newsboat's flags (letters set with Ctrl-E): a bookmark in tui-reader."""
    deleted: bool


def _own_guid(guid: str, url: str) -> str | None:
    """newsboat gives an item without a guid its link followed by its date (else its link,
    else its title): such a made-up one is no guid, and the item is known by its link."""
    if not guid or (url and guid != url and guid.startswith(url)):
        return None
    return guid


class NewsboatCache:
    """A newsboat cache open for reading; ``close`` (or ``with``) also drops any copy."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.note: str | None = None
        """Said to the user when the file was read from a copy, and why."""
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        self._db = self._open()
        try:
            self._columns = self._check()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> NewsboatCache:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None

    # -- opening ------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            with self.path.open("rb") as file:
                header = file.read(100)
        except OSError as exc:
            raise NewsboatCacheError(f"{self.path}: {exc.strerror or exc}") from None
        if not header.startswith(_MAGIC):
            raise NewsboatCacheError(f"{self.path}: not a newsboat cache (not an SQLite "
                                     "database; newsboat's is ~/.newsboat/cache.db)")
        if len(header) > 18 and header[18] == 2:  # WAL: its latest pages are in cache.db-wal
            return self._open_copy()
        try:
            db = _connect(self.path.resolve().as_uri() + "?mode=ro")
        except sqlite3.Error as exc:
            raise NewsboatCacheError(f"{self.path}: cannot be opened ({exc})") from None
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            # Locked by a newsboat that is writing, or left with a journal to roll back
            # (which a read-only connection may not do): a copy can be read either way.
            db.close()
            why = ("is locked (is newsboat running?)" if "locked" in str(exc)
                   or "busy" in str(exc) else f"cannot be read in place ({exc})")
            self.note = f"{self.path} {why}: read from a copy of it as it is on disk"
            return self._open_copy()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise NewsboatCacheError(f"{self.path}: not a newsboat cache ({exc})") from None
        return db

    def _open_copy(self) -> sqlite3.Connection:
        """A private copy of the file (and its WAL) to read: the original stays untouched."""
        self._copy = tempfile.TemporaryDirectory(prefix="tui-reader-newsboat-")
        copy = Path(self._copy.name) / "cache.db"
        try:
            shutil.copyfile(self.path, copy)
            for suffix in ("-wal", "-journal"):  # what SQLite reads or rolls back with it
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    shutil.copyfile(extra, copy.with_name(copy.name + suffix))
        except OSError as exc:
            self._copy.cleanup()
            raise NewsboatCacheError(f"{self.path}: {exc.strerror or exc}") from None
        return _connect(copy.as_uri())

    def _check(self) -> dict[str, str]:
        """The SQL for each field read from ``rss_item``; refuses what is not newsboat's."""
        try:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(rss_item)")}
        except sqlite3.DatabaseError as exc:
            raise NewsboatCacheError(f"{self.path}: not a newsboat cache ({exc})") from None
        if not have:
            raise NewsboatCacheError(f"{self.path}: not a newsboat cache (it has no rss_item "
                                     "table; newsboat's is ~/.newsboat/cache.db)")
        missing = [c for c in _REQUIRED if c not in have]
        if missing:
            raise NewsboatCacheError(f"{self.path}: not a newsboat cache (rss_item has no "
                                     f"{', '.join(missing)} column)")
        columns = {c: c for c in _REQUIRED}
        columns.update({c: (c if c in have else default) for c, default in _OPTIONAL.items()})
        return columns

    # -- reading --------------------------------------------------------------------------

    def feeds(self) -> dict[str, int]:
        """Each feed URL (as in newsboat's urls file) with its number of items."""
        rows = self._db.execute(
            "SELECT feedurl, COUNT(*) FROM rss_item GROUP BY feedurl ORDER BY feedurl")
        return {str(url): int(count) for url, count in rows}

    def items(self, feed_url: str) -> Iterator[NewsboatItem]:
        """One feed's items, oldest first (as newsboat stored them)."""
        c = self._columns
        rows = self._db.execute(
            f"""SELECT guid, url, {c['title']}, {c['author']}, {c['pubDate']},
                       {c['content']}, unread, {c['flags']}, {c['deleted']}
                FROM rss_item WHERE feedurl=? ORDER BY id""",
            (feed_url,),
        )
        for guid, url, title, author, published, content, unread, flags, deleted in rows:
            url = str(url or "")
            yield NewsboatItem(
                guid=_own_guid(str(guid or ""), url), url=url or None, title=str(title or ""),
                author=str(author or ""),
                published=published if isinstance(published, int) and published > 0 else None,
                content=str(content or ""), read=not _true(unread),
                flagged=bool(str(flags or "").strip()), deleted=_true(deleted),
            )


def _true(value: object) -> bool:
    """newsboat writes its booleans as 0/1, sometimes as the strings '0'/'1'."""
    return str(value).strip() not in ("", "0", "None")


def _connect(uri: str) -> sqlite3.Connection:
    db = sqlite3.connect(uri, uri=True, timeout=_LOCK_WAIT, isolation_level=None)
    db.execute("PRAGMA query_only=1")
    return db
