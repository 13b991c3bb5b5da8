"""tui-reader as the system under test: a throwaway home and the commands to run in it.

The program runs from an explicit checkout with that checkout's own interpreter
(``REPO/.venv/bin/python -m tui_reader``, cwd=REPO), so the same runner can measure the
current tree and an older worktree side by side.
"""

from __future__ import annotations

import shutil
import sqlite3
import tomllib
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path


class TuiReaderHome:
    """One ``--home`` directory: config/feeds.toml written here, the cache in data/."""

    def __init__(self, repo: Path, home: Path) -> None:
        self.repo = repo
        self.home = home
        self.python = repo / ".venv" / "bin" / "python"
        if not self.python.exists():
            raise FileNotFoundError(f"{self.python} is missing: run `uv sync` in {repo}")

    @property
    def database(self) -> Path:
        return self.home / "data" / "cache.sqlite3"

    def write_config(self, urls: list[str], settings: Mapping[str, str]) -> None:
        """feeds.toml with one [[feed]] per URL; config.toml only when settings are given,
        so by default tui-reader's own defaults are what is measured."""
        config = self.home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "feeds.toml").write_text("".join(f'[[feed]]\nurl = "{u}"\n\n' for u in urls))
        if settings:
            (config / "config.toml").write_text(
                "".join(f"{key} = {toml_value(value)}\n" for key, value in settings.items())
            )

    def command(self, *args: str) -> list[str]:
        """argv for ``tui-reader --home HOME ARGS...``; with no args, the reader itself."""
        return [str(self.python), "-m", "tui_reader", "--home", str(self.home), *args]

    def articles(self) -> int:
        """Articles in the cache (0 if there is no cache yet)."""
        if not self.database.exists():
            return 0
        return int(self._query("SELECT COUNT(*) FROM articles"))

    def newest_title(self) -> str:
        """The headline the reader shows first (newest first)."""
        return str(self._query("SELECT title FROM articles ORDER BY ts DESC, id DESC LIMIT 1"))

    def soonest_due(self) -> int:
        """When the first feed falls due: the app's start-up refresh fetches due feeds."""
        return int(self._query("SELECT MIN(COALESCE(next_due, 0)) FROM feeds"))

    def _query(self, sql: str) -> object:
        """A plain connection, not ``mode=ro``: SQLite's read-only path on a WAL database
        whose -shm is gone was seen to report "malformed" on a sound cache."""
        with closing(sqlite3.connect(self.database)) as db:
            db.execute("PRAGMA query_only = 1")
            return db.execute(sql).fetchone()[0]

    def copy_to(self, home: Path) -> TuiReaderHome:
        shutil.copytree(self.home, home, dirs_exist_ok=True)
        return TuiReaderHome(self.repo, home)


def toml_value(text: str) -> str:
    """``--config concurrency=32`` writes 32; a value that is not TOML is a string."""
    try:
        tomllib.loads(f"v = {text}")
        return text
    except tomllib.TOMLDecodeError:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
