"""One cache file shared by threads and processes: connections, transactions, migrations.

Several processes share one file (the TUI, ``tui-reader refresh`` from cron, a second
TUI over another SSH session), so the database runs in WAL mode with a busy timeout and
every write is a short ``BEGIN IMMEDIATE`` transaction: a deferred transaction that
reads and then writes would fail with SQLITE_BUSY at once, whatever the timeout.

Each thread gets its own connection, so a refresh worker can write while the UI reads.
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

class StoreError(UserError):
    """The cache file cannot be used; the message names the file."""


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
            yield conn

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
        message = str(exc)
        if "not a database" in message or "malformed" in message:
            return StoreError(f"{self.path}: not a usable tui-reader cache ({message})")
        if "locked" in message or "busy" in message:
            return StoreError(f"{self.path}: the cache is busy in another process ({message})")
        return StoreError(f"{self.path}: {message}")

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
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        with self._using() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._error(exc) from None

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
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer tui-reader (schema {version}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade tui-reader"
                )
            with self._write() as tx:
                version = tx.execute("PRAGMA user_version").fetchone()[0]
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](tx)
                    tx.execute(f"PRAGMA user_version={step + 1}")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
