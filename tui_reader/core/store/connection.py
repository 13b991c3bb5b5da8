"""One cache file shared by threads and processes: connections, transactions, migrations.

Several processes share one file (the TUI, ``tui-reader refresh`` from cron, a second
TUI over another SSH session), so the database runs in WAL mode with a busy timeout and
every write is a short ``BEGIN IMMEDIATE`` transaction: a deferred transaction that
reads and then writes would fail with SQLITE_BUSY at once, whatever the timeout.

Each thread gets its own connection, so a refresh worker can write while the UI reads.

Whatever SQLite answers becomes one :class:`StoreError` line saying what is wrong and what
to do: a damaged file points at ``tui-reader repair``, a full or read-only disk says so,
and a file from a newer tui-reader is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import UserError
from .schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT = 15.0

REPAIR_HINT = "run `tui-reader repair` to set it aside and rescue what it still holds"
SQLITE_MAGIC = b"SQLite format 3\x00"

# SQLite's primary result codes (the low byte of an extended code).
_CORRUPT, _NOTADB, _FULL, _READONLY, _IOERR, _CANTOPEN, _BUSY, _LOCKED = 11, 26, 13, 8, 10, 14, 5, 6


class StoreError(UserError):
    """The cache file cannot be used; the message names the file."""


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite found the file damaged (or not a database at all)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    message = str(exc)
    return _code(exc) in (_CORRUPT, _NOTADB) or "malformed" in message or (
        "not a database" in message)


def describe(path: Path, exc: sqlite3.Error) -> str:
    """*exc* as one line naming the cache file, what went wrong and what to do."""
    message, code = str(exc), _code(exc)
    if is_damage(exc):
        return f"{path}: the cache is damaged ({message}); {REPAIR_HINT}"
    # What a full disk and the like say leads: the status bar may show only the start.
    if code == _FULL or "disk is full" in message:
        return ("cannot write the cache: the disk is full; free some space and try again "
                f"(nothing saved is lost; {path}: {message})")
    if code == _READONLY or "readonly" in message:
        return f"cannot write the cache: it is read-only ({path}: {message})"
    if code == _IOERR or "I/O error" in message:
        return ("cannot write the cache: the disk failed; if it is full, free some space "
                f"and try again ({path}: {message})")
    if code == _CANTOPEN:
        return f"{path}: cannot open the cache ({message}); is its folder writable?"
    if code in (_BUSY, _LOCKED) or "locked" in message or "busy" in message:
        return f"{path}: the cache is busy in another process ({message})"
    return f"{path}: {message}"


def header_version(path: Path) -> int | None:
    """The schema version in the file's header, read without SQLite (so without writing
    anything); None when there is no file or it is not SQLite."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return None
    return int.from_bytes(head[60:64], "big")


def refuse_newer(path: Path, version: int | None) -> None:
    """A cache from a newer tui-reader is left exactly as it is."""
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer tui-reader (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade tui-reader (the file was left as it is)"
        )


class StoreBase:
    """The connections and transactions every part of :class:`~tui_reader.core.store.Store`
    works through. Safe to share between threads; each thread has its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[tuple[sqlite3.Connection, threading.RLock]] = []
        self._lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        refuse_newer(self.path, header_version(self.path))  # before WAL mode changes it
        try:
            conn = self._conn
            self._migrate(conn)
            self._fts_table = bool(
                conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='articles_fts'"
                ).fetchone()
            )
            self.has_fts = self._fts_table
            """Whether search uses FTS5 (else LIKE); the index is kept either way."""
        except BaseException:
            self.close()  # a refused file must not stay open (and locked on Windows)
            raise

    # -- connections and transactions -------------------------------------------------

    @property
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError(f"{self.path}: the cache is closed")
            conn = None
            try:
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
                )
                self._enter_wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise self._error(exc) from None
            self._local.conn = conn
            self._local.busy = threading.RLock()
            with self._lock:
                self._connections.append((conn, self._local.busy))
        return conn

    @contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, held so that :meth:`close` (from another thread, when
        the app quits) waits for the statement under way instead of freeing it."""
        conn = self._conn
        with self._local.busy:
            if self._closed:
                raise StoreError(f"{self.path}: the cache is closed")
            try:
                yield conn
            except sqlite3.DatabaseError as exc:  # damaged, full, read-only: one line
                raise self._error(exc) from None

    @staticmethod
    def _enter_wal(conn: sqlite3.Connection) -> None:
        """Switch to WAL, retrying while another process does the same.

        Turning a new file into WAL needs an exclusive lock, and SQLite answers "database
        is locked" at once, without its busy handler, when two connections race for it
        (two processes opening a fresh cache together), so the wait is done here.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                message = str(exc)
                busy = "locked" in message or "busy" in message
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(describe(self.path, exc))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction that takes the write lock up front."""
        with self._using() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (disk full)
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # the connection's own rollback happens when it closes
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error:  # the disk filled up at the last moment
                    if conn.in_transaction:
                        try:
                            conn.execute("ROLLBACK")
                        except sqlite3.Error:
                            pass
                    raise

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        with self._using() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None

    def checkpoint(self) -> None:
        """Copy the WAL into the file and empty it, so the file alone holds everything."""
        with self._using() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close every thread's connection, each once its statement under way is done
        (bounded: a statement stuck longer is left to the process exit)."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn, busy in connections:
            if not busy.acquire(timeout=BUSY_TIMEOUT):
                continue
            try:
                conn.close()
            except sqlite3.Error:
                pass
            finally:
                busy.release()
        self._local = threading.local()

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            refuse_newer(self.path, version)
            with self._write() as tx:
                version = tx.execute("PRAGMA user_version").fetchone()[0]
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](tx)
                    tx.execute(f"PRAGMA user_version={step + 1}")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
