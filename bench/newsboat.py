"""newsboat as the reference: a throwaway directory with its urls, config and cache.

Only what a user would set: ``reload-threads 8`` (tui-reader fetches 8 feeds at once by
default). newsboat stores an ETag / Last-Modified only from a feed's second download, so
its first conditional (warm) reload is its *third* one.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import feedgen

CONFIG = "reload-threads 8\n"
FORMATS = ("rss", "atom")
"""newsboat 2.21 has no JSON Feed parser: it downloads those feeds and stores nothing."""


def version() -> str | None:
    """``newsboat 2.21.0``, or None when newsboat is not on PATH."""
    exe = shutil.which("newsboat")
    if exe is None:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    first = out.stdout.splitlines()[0] if out.stdout else "newsboat"
    return first.split(" - ")[0].strip()


def expected_articles(fs: feedgen.FeedSet, generation: int) -> int:
    """What newsboat's cache should hold after fetching generations 0..generation."""
    readable = sum(1 for f in range(fs.feeds) if feedgen.feed_format(fs, f) in FORMATS)
    return readable * (fs.items + generation * fs.new_per_generation)


class NewsboatDir:
    """urls, config and cache.db in one folder, which is also the HOME newsboat sees."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.urls = root / "urls"
        self.config = root / "config"
        self.cache = root / "cache.db"

    def write_config(self, urls: list[str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.urls.write_text("".join(f"{u}\n" for u in urls))
        self.config.write_text(CONFIG)

    def command(self, *args: str) -> list[str]:
        """argv for newsboat on this directory; with no args, the reader itself."""
        exe = shutil.which("newsboat") or "newsboat"
        return [exe, "-u", str(self.urls), "-c", str(self.cache), "-C", str(self.config), *args]

    def reload(self) -> list[str]:
        return self.command("-x", "reload")

    def print_unread(self) -> list[str]:
        return self.command("-x", "print-unread")

    def articles(self) -> int:
        if not self.cache.exists():
            return 0
        with closing(sqlite3.connect(self.cache)) as db:
            db.execute("PRAGMA query_only = 1")
            return int(db.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0])

    def copy_to(self, root: Path) -> NewsboatDir:
        root.mkdir(parents=True, exist_ok=True)
        for path in (self.urls, self.config, self.cache):
            shutil.copy2(path, root / path.name)
        return NewsboatDir(root)
