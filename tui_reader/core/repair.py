"""``tui-reader repair``: a damaged cache set aside (never deleted), a fresh one in its place
holding what could be rescued.

The steps keep the user's data safe at every point a crash could stop them:

1. A cache from a newer tui-reader, or one another process has open, is refused.
2. SQLite's integrity check (and the search index's) decides whether anything is wrong;
   a sound cache is left alone.
3. A fresh cache is built in a temporary file next to it: the subscriptions of
   feeds.toml, then what the damaged file still holds (see :mod:`.store.salvage`). The
   damaged file is only read. A crash here leaves everything as it was.
4. The damaged file and its ``-wal``/``-shm`` are renamed to ``….damaged-<time>`` (the
   WAL first: a WAL left behind must never meet a new cache), then the fresh file takes
   the cache's name.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .feeds_file import Subscription
from .store import Rescue, Store, StoreError
from .store.connection import header_version, refuse_newer
from .store.salvage import open_read_only
from .tomlfile import sync_folder

try:
    import fcntl
except ImportError:  # Windows: no way to ask; the user is told to quit the app first
    fcntl = None  # type: ignore[assignment]

SIDE_FILES = ("-wal", "-shm", "-journal")
"""What SQLite keeps next to a database, in the order they are moved aside."""
SHM_DMS_BYTE = 128
"""Every connection to a WAL database holds a shared lock on this byte of its -shm file
(SQLite's unix VFS) for as long as it is open."""


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What repair found and did."""

    problem: str | None
    """What was wrong; None when the cache was sound (and nothing was done)."""
    aside: Path | None = None
    rescue: Rescue = field(default_factory=Rescue)


def in_use(db: Path) -> bool:
    """Whether another process has the cache open. Asked before this process opens it:
    a POSIX lock is dropped when any of the process's descriptors for the file closes."""
    if fcntl is None:
        return False
    try:
        fd = os.open(f"{db}-shm", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def diagnose(db: Path) -> str | None:
    """What is wrong with the cache, in SQLite's words; None when it is sound."""
    try:
        conn = open_read_only(db)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        refuse_newer(db, conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute("PRAGMA integrity_check(5)").fetchall()
        problems = [line.strip() for r in rows for line in str(r[0]).splitlines()]
        if problems != ["ok"]:
            found = [p for p in problems if p and not p.startswith("***")] or problems
            more = " (and more)" if len(found) > 1 else ""
            return f"SQLite's integrity check found: {found[0]}{more}"
        has_fts = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name='articles_fts'").fetchone()
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return _search_index_problem(db) if has_fts else None


def _search_index_problem(db: Path) -> str | None:
    """FTS5 checks its index only when asked, through a (non-writing) command."""
    conn = sqlite3.connect(db, timeout=15)
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    except sqlite3.Error as exc:
        return f"the search index: {exc}"
    finally:
        conn.close()
    return None


def repair_cache(db: Path, subscriptions: Sequence[Subscription],
                 *, now: float | None = None) -> RepairResult:
    """Set a damaged cache aside and put a fresh one holding what it still had in its
    place; a sound cache is left as it is."""
    refuse_newer(db, header_version(db))
    if in_use(db):
        raise StoreError(f"{db}: the cache is in use by another tui-reader (the app, or a "
                         "refresh); quit it first, then run `tui-reader repair` again")
    problem = diagnose(db)
    if problem is None:
        return RepairResult(None)
    fresh = db.with_name(f".{db.name}.repairing")
    _remove_with_side_files(fresh)  # left by a repair that was stopped
    try:
        rescue = _build(fresh, db, subscriptions)
    except BaseException:
        _remove_with_side_files(fresh)
        raise
    aside = _set_aside(db, now)
    os.replace(fresh, db)
    sync_folder(db.parent)
    return RepairResult(problem, aside, rescue)


def _build(fresh: Path, damaged: Path, subscriptions: Sequence[Subscription]) -> Rescue:
    """The fresh cache, whole in one file (its WAL checkpointed away)."""
    store = Store(fresh)
    try:
        store.sync_subscriptions(subscriptions)
        rescue = store.rescue_from(damaged)
        store.checkpoint()
    finally:
        store.close()
    wal = Path(f"{fresh}-wal")
    if wal.exists() and wal.stat().st_size:
        raise StoreError(f"{fresh}: the fresh cache could not be completed; "
                         "nothing was moved")
    _remove_with_side_files(fresh, keep_main=True)
    return rescue


def _set_aside(db: Path, now: float | None) -> Path:
    """Rename the damaged file and its side files to one free ``….damaged-<time>`` name."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    aside = db.with_name(f"{db.name}.damaged-{stamp}")
    n = 1
    while any(Path(f"{aside}{s}").exists() for s in ("", *SIDE_FILES)):
        aside = db.with_name(f"{db.name}.damaged-{stamp}-{n}")
        n += 1
    for suffix in (*SIDE_FILES, ""):
        if Path(f"{db}{suffix}").exists():
            os.replace(f"{db}{suffix}", f"{aside}{suffix}")
    sync_folder(db.parent)
    return aside


def _remove_with_side_files(path: Path, *, keep_main: bool = False) -> None:
    for suffix in SIDE_FILES if keep_main else ("", *SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
