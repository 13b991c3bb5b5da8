"""Opening tui-reader's world: paths, settings, subscriptions and the cache, in that order.

Config is read (and rejected) before the cache is opened, so a broken config file never
touches the user's data. The CLI and the TUI both start here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, load_settings
from .feeds_file import (
    Subscription,
    load_subscriptions,
    save_subscriptions,
    update_subscriptions,
)
from .paths import Paths
from .store import Store, open_store

STARTER_FEEDS: tuple[Subscription, ...] = (
    Subscription("https://feeds.bbci.co.uk/news/world/rss.xml", "BBC News: World", ("news",)),
    Subscription("https://www.theguardian.com/world/rss", "The Guardian: World", ("news",)),
    Subscription("https://hnrss.org/frontpage", "Hacker News", ("tech",)),
    Subscription("https://lwn.net/headlines/rss", "LWN.net", ("tech",)),
)
"""Well-known public feeds written to a first run's feeds.toml (never used by tests)."""


@dataclass(slots=True)
class Session:
    """Everything a command or the app needs, opened once."""

    paths: Paths
    settings: Settings
    store: Store
    first_run: bool = False

    def subscriptions(self) -> list[Subscription]:
        return load_subscriptions(self.paths.feeds_file)

    def save_subscriptions(self, subs: list[Subscription]) -> None:
        """Write feeds.toml and mirror it into the cache."""
        self.update_subscriptions(lambda _current: subs)

    def update_subscriptions(
        self, change: Callable[[list[Subscription]], list[Subscription] | None]
    ) -> list[Subscription]:
        """Change feeds.toml under its lock (see feeds_file.update_subscriptions), then
        mirror the result into the cache."""
        subs = update_subscriptions(self.paths.feeds_file, change)
        self.store.sync_subscriptions(subs)
        return subs

    def close(self) -> None:
        self.store.close()


def open_session(paths: Paths, *, starter_feeds: bool = False) -> Session:
    """Read config.toml and feeds.toml, then open the cache and mirror the subscriptions.

    With ``starter_feeds`` (the TUI's first run), a missing feeds.toml is created with a
    few well-known news feeds so the first screen is not empty.
    """
    settings = load_settings(paths.config_file)
    first_run = starter_feeds and not paths.feeds_file.exists()
    subs = load_subscriptions(paths.feeds_file)
    paths.ensure()
    if first_run:
        subs = list(STARTER_FEEDS)
        save_subscriptions(paths.feeds_file, subs)
    store = open_store(paths.database)
    try:
        store.sync_subscriptions(subs)
    except BaseException:
        store.close()
        raise
    return Session(paths, settings, store, first_run)


def session_for_home(home: Path) -> Session:
    """A session with all files under *home* (tests, benchmarks)."""
    return open_session(Paths.under(home))
