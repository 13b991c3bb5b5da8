"""One sync with the account's server: feeds, then the queue, then new items, then state.

1. The server's feeds and groups (this also proves the password: a wrong one, a server
   that is down or one that answers garbage stops here, before anything local changes).
2. The changes queued here are pushed, oldest first; each leaves the queue once the
   server has confirmed it, so a sync cut off halfway pushes the rest next time and
   nothing twice. Of several changes to one story's read (or saved) state only the last
   is sent: it is the one that stands.
3. New items, in pages above the high-water mark (Fever's ``since_id``); each page is
   stored with the new mark in one transaction.
4. The server's unread and saved ids become the read flags and bookmarks of its stories,
   except those with a change still queued (made during this sync): those win, and go
   out at the next sync. So a change made here wins over the server until it is pushed;
   after that the server's state (a change from another client) wins.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import ParsedItem
from ..parse_item import imported_item
from ..store import Reconciled, Store
from ..store.sync_state import PAIRS, QueuedChange
from ..words import plural
from .account import SyncAccount, resolve_password
from .protocol import IDS_PER_CALL, ServerFeed, ServerItem, SyncClient

MAX_PAGES = 2000
"""Item pages pulled in one sync at most (100,000 items at Fever's 50): a bigger
account's first sync goes on at the next one."""

Progress = Callable[[str], None]
"""Told one line about each step (the status line, the CLI's progress)."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did."""

    server: str
    feeds: int = 0
    feeds_added: int = 0
    feeds_removed: int = 0
    new_items: int = 0
    pages: int = 0
    pushed: int = 0
    changed_here: Reconciled = field(default_factory=Reconciled)
    requests: int = 0
    seconds: float = 0.0
    more: bool = False
    """The page limit was reached: the next sync pulls on."""
    dropped: int = 0
    """Changes queued for the account synced before (another server or user), dropped."""

    def summary(self) -> str:
        """One line for the CLI and the status line."""
        c = self.changed_here
        there = c.read + c.unread + c.saved + c.unsaved
        line = (f"Synced with {self.server}: {plural(self.feeds, 'feed')}, "
                f"{self.new_items} new, {plural(self.pushed, 'change')} sent, "
                f"{there} from the server")
        line += " (more to pull at the next sync)" if self.more else ""
        if self.dropped:
            line += (f"; {plural(self.dropped, 'change')} queued for the previous account "
                     f"were dropped" if self.dropped > 1 else
                     "; 1 change queued for the previous account was dropped")
        return line


SYNC_SECONDS = 900.0
"""One sync's time at most: a request that would start later fails (each page is its own
transaction, so the next sync goes on from there). Pulling pages stops at two thirds of
it, leaving the rest for the read state."""


def connect(account: SyncAccount, *, timeout: float = 20.0,
            until: float | None = None) -> SyncClient:
    """A client for the account, with its secret looked up now (SyncError if it cannot be);
    no request goes on past ``until`` (a ``time.monotonic()``)."""
    from .fever import FeverClient

    return FeverClient(account, resolve_password(account), timeout=timeout, until=until)


class SyncStopped(Exception):
    """The app is quitting: the sync stopped between two requests (nothing half-done)."""


def _never() -> bool:
    return False


def push(store: Store, client: SyncClient, stop: Callable[[], bool] = _never) -> int:
    """Send the queued changes, oldest first; returns how many the server took. A story
    the server no longer has becomes a local one, with its bookmark and read flag: the
    server's saved ids would otherwise turn the bookmark off."""
    latest: dict[tuple[int, tuple[str, str]], QueuedChange] = {}
    for change in store.queued_changes():
        latest[(change.server_id, PAIRS[change.action])] = change
    sent = 0
    for change in sorted(latest.values(), key=lambda c: c.seq):
        if stop():
            raise SyncStopped()
        if client.mark(change.server_id, change.action):
            store.confirm_change(change)
            sent += 1
        else:
            store.detach_server_item(change.server_id)
    return sent


def _parsed(feeds: dict[int, ServerFeed], item: ServerItem) -> tuple[ServerItem, ParsedItem]:
    feed = feeds.get(item.feed_id)
    return item, imported_item(
        guid=f"sync:{item.id}", link=item.url, title=item.title, author=item.author,
        published=item.published, html=item.html, feed_url=feed.url if feed else "",
    )


def _pull_by_id(store: Store, client: SyncClient, by_id: dict[int, ServerFeed],
                ids: set[int], max_pages: int, stop: Callable[[], bool]) -> int:
    """The unread and saved items not here: a feed that (re)appeared after the first sync
    has its older items below the high-water mark, where paging never looks again."""
    missing = store.unknown_server_ids(ids)
    new = 0
    for start in range(0, min(len(missing), max_pages * IDS_PER_CALL), IDS_PER_CALL):
        if stop():
            raise SyncStopped()
        items = client.items_with_ids(missing[start:start + IDS_PER_CALL])
        new += store.save_server_items([_parsed(by_id, item) for item in items])
    return new


def run_sync(store: Store, client: SyncClient, account: SyncAccount, *,
             progress: Progress | None = None, max_pages: int = MAX_PAGES,
             stop: Callable[[], bool] = _never,
             pull_until: float | None = None) -> SyncReport:
    """One sync (see the module's docstring for the order and the conflict rule); ``stop``
    is asked between requests (the app quitting); no page is pulled after ``pull_until``
    (a ``time.monotonic()``): the next sync pulls on."""
    started = time.monotonic()
    tell = progress or (lambda _line: None)
    report = SyncReport(server=account.url)
    tell("Sync: feeds…")
    feeds = client.feeds()
    report.dropped = store.use_sync_account(account.key) or 0
    report.feeds = len(feeds)
    report.feeds_added, report.feeds_removed = store.apply_server_feeds(feeds)
    first = store.since_id() == 0
    if store.queued_changes():
        tell("Sync: sending changes…")
        report.pushed = push(store, client, stop)
    by_id = {f.id: f for f in feeds}
    since = store.since_id()
    asked: set[int] = set()
    while report.pages < max_pages:
        if stop():
            raise SyncStopped()
        if pull_until is not None and time.monotonic() > pull_until:
            report.more = True
            break
        items = client.items_since(since)
        if not items:
            break
        report.pages += 1
        unknown = {item.feed_id for item in items} - by_id.keys() - asked
        if unknown:
            # A feed added on the server since the feeds were read: read them again, or
            # its items would be passed over for good (the high-water mark moves on).
            asked |= unknown
            feeds = client.feeds()
            report.feeds_added += store.apply_server_feeds(feeds, remove=False)[0]
            by_id |= {f.id: f for f in feeds}
        pairs = [_parsed(by_id, item) for item in items]
        report.new_items += store.save_server_items(pairs)
        since = max(since, items[-1].id)
        tell(f"Sync: {report.new_items} new stories…")
    else:
        report.more = True
    tell("Sync: read state…")
    unread, saved = client.unread_ids(), client.saved_ids()
    if report.feeds_added and not first:
        report.new_items += _pull_by_id(store, client, by_id, unread | saved, max_pages, stop)
    report.changed_here = store.reconcile(unread, saved)
    report.requests = client.requests_made
    report.seconds = time.monotonic() - started
    return report


def sync_account(store: Store, account: SyncAccount, *, timeout: float = 20.0,
                 progress: Progress | None = None, stop: Callable[[], bool] = _never,
                 seconds: float = SYNC_SECONDS) -> SyncReport:
    """Connect (looking the secret up), sync once, close: what ``tui-reader sync``, a
    refresh and the app's background worker run; all in ``seconds`` at most."""
    started = time.monotonic()
    client = connect(account, timeout=timeout, until=started + seconds)
    try:
        return run_sync(store, client, account, progress=progress, stop=stop,
                        pull_until=started + seconds * 2 / 3)
    finally:
        client.close()
