"""Real homes for the robustness tests: a populated cache, the CLI as a subprocess, checks.

The crash, damage, full-disk and many-process tests all need the same things: a home
whose cache holds feeds, stories, read flags and bookmarks with their full text; the
``tui-reader`` command run for real; and a way to ask SQLite itself whether the file is
sound afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tui_reader.core.feeds_file import Subscription, save_subscriptions
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session

T0 = 1_700_000_000


@dataclass(frozen=True)
class Population:
    """What :func:`populate` put in the cache, to compare a rescue against."""

    feeds: list[str]
    titles: set[str]
    """Every story's title (each is unique)."""
    bookmarks: dict[str, str]
    """Bookmarked stories' full text by title."""
    read: set[str]
    """Titles of the stories marked read (bookmarks included)."""


def populate(home: Path, *, feeds: int = 3, stories: int = 150, summary: int = 1500,
             bookmarks: int = 4, read: int = 20) -> Population:
    """A home with *feeds* subscriptions in feeds.toml and the cache. The first stories
    saved are bookmarked with a short full text (in the file's first pages) and read."""
    paths = Paths.under(home).ensure()
    urls = [f"http://127.0.0.1:9/feed{n}.xml" for n in range(feeds)]  # loopback, closed
    save_subscriptions(paths.feeds_file, [Subscription(u, tags=("t",)) for u in urls])
    session = open_session(paths)
    titles: set[str] = set()
    try:
        store = session.store
        for n, url in enumerate(urls):
            feed = store.feed_by_url(url)
            assert feed is not None
            items = [
                ParsedItem(guid=f"f{n}-{i}", url=f"http://127.0.0.1:9/story/{n}/{i}",
                           title=f"Story {n}-{i}", published=T0 + n * 10_000 + i,
                           summary=f"{i} " + "words " * (summary // 6), categories=("news",))
                for i in range(stories)
            ]
            store.save_feed(feed.id, ParsedFeed(f"Feed {n}", None, items), {"last_status": "ok"})
            titles.update(item.title for item in items)
        first = store.headlines(HeadlineFilter(), limit=100_000)
        oldest = sorted(first, key=lambda h: h.id)
        marked: dict[str, str] = {}
        for h in oldest[:bookmarks]:
            store.set_bookmark(h.id)
            store.save_snapshot(h.id, f"Full text of {h.title}")
            marked[h.title] = f"Full text of {h.title}"
        readers = oldest[: max(read, bookmarks)]
        store.set_read([h.id for h in readers])
        read_titles = {h.title for h in readers}
    finally:
        session.close()
    return Population(urls, titles, marked, read_titles)


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    env["NO_COLOR"] = "1"
    return env


def cli(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``tui-reader --home HOME ARGS`` for real; never a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--home", str(home), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=cli_env(),
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def cli_many(home: Path, *calls: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
    """Several commands on one home at once (read-only ones: the suite stays fast)."""
    procs = [
        (call, subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "--home", str(home), *call],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            text=True, encoding="utf-8", env=cli_env(),
        ))
        for call in calls
    ]
    results = []
    for call, proc in procs:
        out, err = proc.communicate(timeout=90)
        assert "Traceback" not in out + err, (call, err)
        results.append(subprocess.CompletedProcess(list(call), proc.returncode, out, err))
    return results


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The command failed with exactly one line on stderr holding every fragment."""
    assert result.returncode != 0, (result.args, result.stdout)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, (result.args, result.stderr)
    assert lines[0].startswith("tui-reader: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (result.args, fragment, lines[0])
    return lines[0]


def integrity(db: Path) -> str:
    """SQLite's own verdict on the file ("ok" when sound)."""
    conn = sqlite3.connect(db, timeout=15)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)
