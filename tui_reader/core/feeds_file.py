"""``feeds.toml``: the user's subscriptions, hand-editable and rewritten on every change.

It is the source of truth for *what* the user follows; the SQLite cache mirrors it and
holds what was fetched. Example::

    [[feed]]
    url = "https://example.org/feed.xml"
    title = "Example"
    tags = ["news"]
    full_text = true          # fetch each new article's page for offline reading
    selector = "article .body" # CSS selector when automatic extraction picks wrong
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

try:
    import fcntl
except ImportError:  # Windows: the in-process lock still applies
    fcntl = None  # type: ignore[assignment]
from .http_url import is_http_url, normalise_url
from .sanitize import clean_optional, clean_text
from .tomlfile import read_toml, write_toml

HEADER = (
    "# tui-reader subscriptions. Edit by hand or with `tui-reader add/remove/import`.\n"
    "# Each [[feed]] has url, and optionally title, tags, full_text and selector.\n\n"
)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed the user follows."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    full_text: bool = False
    selector: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    """Unknown keys, kept so a hand edit is not lost on the next rewrite."""

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url}
        if self.title:
            out["title"] = self.title
        if self.tags:
            out["tags"] = list(self.tags)
        if self.full_text:
            out["full_text"] = True
        if self.selector:
            out["selector"] = self.selector
        out.update({k: v for k, v in self.extra.items() if k not in out})
        return out


def clean_tags(tags: object) -> tuple[str, ...]:
    """Tags as a tidy tuple: strings only, trimmed, deduplicated, order kept."""
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple):
        return ()
    seen: dict[str, None] = {}
    for tag in tags:
        text = clean_text(tag, 40)
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def load_subscriptions(path: Path) -> list[Subscription]:
    """Subscriptions in file order; a missing file is an empty list."""
    data = read_toml(path)
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'feed' must be an array of tables ([[feed]])")
    subs: list[Subscription] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: feed #{number} is not a table")
        url = entry.get("url")
        if not isinstance(url, str) or not is_http_url(url):
            raise ConfigError(f"{path}: feed #{number} needs an http(s) url, got {url!r}")
        url = normalise_url(url)
        if url in seen:
            continue
        seen.add(url)
        known = {"url", "title", "tags", "full_text", "selector"}
        subs.append(
            Subscription(
                url=url,
                title=clean_optional(entry.get("title"), 200),
                tags=clean_tags(entry.get("tags", ())),
                full_text=entry.get("full_text") is True,
                selector=clean_optional(entry.get("selector"), 300),
                extra={k: v for k, v in entry.items() if k not in known},
            )
        )
    return subs


_LOCK = threading.Lock()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold feeds.toml for a read-modify-write against this process's threads and other
    processes (the app, cron's refresh, a second app over SSH)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(path.with_name(f".{path.name}.lock"), "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def update_subscriptions(
    path: Path, change: Callable[[list[Subscription]], list[Subscription] | None]
) -> list[Subscription]:
    """Apply *change* to the current file under a lock; it returns the new list, or None
    to leave the file alone. Returns the list now in effect."""
    with _locked(path):
        subs = load_subscriptions(path)
        changed = change(list(subs))
        if changed is None:
            return subs
        save_subscriptions(path, changed)
        return changed


def save_subscriptions(path: Path, subs: list[Subscription]) -> None:
    """Rewrite the whole file (atomically), keeping any top-level keys besides ``feed``."""
    try:
        data = {k: v for k, v in read_toml(path).items() if k != "feed"}
    except ConfigError:
        data = {}  # unreadable: callers only get here after loading it, or to replace it
    data["feed"] = [s.to_toml() for s in subs]
    write_toml(path, data, header=HEADER, tables=("feed",))
