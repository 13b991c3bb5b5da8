"""``feeds.toml``: the user's subscriptions, hand-editable and rewritten on every change.

It is the source of truth for *what* the user follows; the SQLite cache mirrors it and
holds what was fetched. Example::

    [[feed]]
    url = "https://example.org/feed.xml"
    title = "Example"
    tags = ["news"]
    full_text = true          # fetch each new article's page for offline reading
    selector = "article .body" # CSS selector when automatic extraction picks wrong

A url may hold credentials (``https://user:password@host/feed``): they live here only, in
:attr:`Subscription.credentials`, never in the cache or on screen, and the file is then
written readable by its owner only.

It is checked as strictly as config.toml: an unknown key (a typo such as ``titel``), a
value of the wrong type or an invalid selector is one line naming the file and line, and
a file that does not load is never rewritten, so a hand edit gone wrong loses nothing.
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
from .css_selector import selector_problem
from .http_url import (
    credentials_of,
    display_url,
    is_http_url,
    normalise_url,
    with_credentials,
    without_credentials,
)
from .sanitize import clean_optional, clean_text
from .toml_places import Key, places
from .toml_text import did_you_mean, toml_key, toml_value
from .tomlfile import parse_toml, read_toml_text, write_toml

HEADER = (
    "# tui-reader subscriptions. Edit by hand or with `tui-reader add/remove/import`.\n"
    "# Each [[feed]] has url, and optionally title, tags, full_text and selector.\n\n"
)
FEED_KEYS = ("url", "title", "tags", "full_text", "selector")


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed the user follows."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    full_text: bool = False
    selector: str | None = None
    credentials: str | None = field(default=None, repr=False)
    """``user:password`` for HTTP Basic auth, as the url in feeds.toml has it; ``url``
    itself never holds them (they are taken out of it here), so nothing that shows or
    caches ``url`` can leak them."""

    def __post_init__(self) -> None:
        if (found := credentials_of(self.url)) is not None:
            object.__setattr__(self, "url", without_credentials(self.url))
            object.__setattr__(self, "credentials", self.credentials or found)

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": with_credentials(self.url, self.credentials)}
        if self.title:
            out["title"] = self.title
        if self.tags:
            out["tags"] = list(self.tags)
        if self.full_text:
            out["full_text"] = True
        if self.selector:
            out["selector"] = self.selector
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


class _Bad(Exception):
    """A mistake at *key* (a path such as ``("feed", 3, "url")``); the line is found later."""

    def __init__(self, key: Key, words: str, first: Key | None = None) -> None:
        super().__init__(words)
        self.key = key
        self.words = words
        self.first = first
        """Another place the words name as ``{line}``."""


def load_subscriptions(path: Path) -> list[Subscription]:
    """Subscriptions in file order; a missing file is an empty list; ConfigError naming
    file:line for anything else that is not a valid feeds.toml."""
    text = read_toml_text(path)
    if text is None:
        return []
    data = parse_toml(path, text)
    try:
        return _subscriptions(data)
    except _Bad as bad:
        found = places(text)
        line = found.line(bad.key)
        where = f"{path}:{line}" if line else str(path)
        words = bad.words
        if bad.first is not None:
            words = words.replace("{line}", str(found.line(bad.first) or "?"))
        raise ConfigError(f"{where}: {words}") from None


def _subscriptions(data: dict[str, Any]) -> list[Subscription]:
    for key in data:
        if key != "feed":
            raise _Bad((key,), f"unknown key {toml_key(key)}{did_you_mean(key, ['feed'])}; "
                               "feeds.toml has only [[feed]] tables")
    entries = data.get("feed", [])
    if isinstance(entries, dict):
        raise _Bad(("feed",), "feed must be [[feed]] tables (two brackets), not one [feed] table")
    if not isinstance(entries, list):
        raise _Bad(("feed",), f"feed must be [[feed]] tables, got {toml_value(entries)}")
    subs: dict[str, Subscription] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise _Bad(("feed", index),
                       f"each feed must be a table ([[feed]]), got {toml_value(entry)}")
        sub = _subscription(("feed", index), entry)
        if sub.url in subs:
            # Once the first one counted and the next rewrite dropped the second (and its
            # title): the user's words were lost without a word.
            first = list(subs).index(sub.url)
            raise _Bad(("feed", index), f"{display_url(sub.url)} is listed twice (first at "
                                        "line {line}); keep one", first=("feed", first))
        subs[sub.url] = sub
    return list(subs.values())


def _subscription(at: Key, entry: dict[str, Any]) -> Subscription:
    """One ``[[feed]]`` table checked key by key."""
    for key in entry:
        if key not in FEED_KEYS:
            raise _Bad((*at, key), f"unknown key {toml_key(key)} in a [[feed]]"
                                   f"{did_you_mean(key, FEED_KEYS)}; a feed has "
                                   "url, title, tags, full_text and selector")

    def bad(key: str, wanted: str) -> _Bad:
        return _Bad((*at, key), f"{key} must be {wanted}, got {toml_value(entry[key])}")

    url = entry.get("url")
    if url is None:
        raise _Bad(at, "feed has no url")
    if not isinstance(url, str) or not is_http_url(url):
        shown = toml_value(display_url(url) if isinstance(url, str) else url)  # no password
        raise _Bad((*at, "url"), f"url must be an http(s) URL, got {shown}")
    if not isinstance(entry.get("title", ""), str):
        raise bad("title", "text in quotes")
    tags = entry.get("tags", ())
    if not isinstance(tags, str | tuple) and not (
        isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
    ):
        raise bad("tags", 'a list of text like ["news", "tech"]')
    if not isinstance(entry.get("full_text", False), bool):
        raise bad("full_text", "true or false")
    selector = entry.get("selector")
    if selector is not None and not isinstance(selector, str):
        raise bad("selector", "text in quotes")
    selector = clean_optional(selector, 300)
    problem = selector_problem(selector) if selector else None
    if problem:
        raise _Bad((*at, "selector"), f"selector {toml_value(entry['selector'])} is not a "
                                      f"valid CSS selector ({problem})")
    return Subscription(
        url=normalise_url(url),
        title=clean_optional(entry.get("title"), 200),
        tags=clean_tags(tags),
        full_text=entry.get("full_text") is True,
        selector=selector,
        credentials=credentials_of(url.strip()),
    )


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
    to leave the file alone. Returns the list now in effect. A file that does not load
    raises its ConfigError and is left as it is."""
    with _locked(path):
        subs = load_subscriptions(path)
        changed = change(list(subs))
        if changed is None:
            return subs
        private = any(s.credentials for s in changed)  # passwords: for the owner's eyes only
        write_toml(path, {"feed": [s.to_toml() for s in changed]}, header=HEADER,
                   mode=0o600 if private else None, tables=("feed",))
        return changed


def save_subscriptions(path: Path, subs: list[Subscription]) -> None:
    """Replace the subscriptions with *subs* (atomically). The current file must load: one
    that does not (a hand edit gone wrong) raises its ConfigError and is never replaced."""
    update_subscriptions(path, lambda _current: subs)


def feed_credentials(path: Path) -> dict[str, str]:
    """``user:password`` by feed URL, for fetching (the cache never holds them); none when
    the file cannot be read, so a refresh goes on and those feeds fail with a 401."""
    try:
        if b"@" not in path.read_bytes():
            return {}  # the usual file: nothing to parse (a refresh reads it every time)
        subs = load_subscriptions(path)
    except (ConfigError, OSError):
        return {}
    return {s.url: s.credentials for s in subs if s.credentials}
