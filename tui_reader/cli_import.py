"""``tui-reader import``: subscriptions from OPML or newsboat's urls file, and newsboat's
read state and flagged items from its cache (``--newsboat-cache``).

Both files are read and checked before tui-reader's own files are opened, so a file that
cannot be imported changes nothing. The work is done in the core (``core/feed_list.py``,
``core/newsboat_state.py``); this module says what it did.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .core.errors import UserError
from .core.feed_list import FeedList, read_feed_list
from .core.feeds_file import Subscription
from .core.newsboat_cache import NewsboatCache
from .core.newsboat_state import StateReport, import_newsboat_state
from .core.paths import resolve_paths
from .core.session import Session, open_session
from .core.words import plural


def cmd_import(args: argparse.Namespace) -> int:
    """Add a file's feeds to feeds.toml (those already there are left as they are), then
    bring in newsboat's read state and flags if its cache is given."""
    if not args.file and not args.newsboat_cache:
        raise UserError("import needs a file: tui-reader import FILE (OPML, or newsboat's "
                        "urls), and/or --newsboat-cache ~/.newsboat/cache.db")
    feeds = read_feed_list(Path(args.file)) if args.file else None
    cache = NewsboatCache(Path(args.newsboat_cache)) if args.newsboat_cache else None
    try:
        session = open_session(resolve_paths(getattr(args, "home", None)))
        try:
            if feeds is not None:
                _add_feeds(session, feeds, args.file)
            if cache is not None:
                if cache.note:
                    print(f"Note: {cache.note}.")
                report = import_newsboat_state(
                    session.store, cache, retention_days=session.settings.retention_days)
                _print_state(report, cache.path, session.settings.retention_days)
        finally:
            session.close()
    finally:
        if cache is not None:
            cache.close()
    return 0


def _add_feeds(session: Session, feeds: FeedList, source: str) -> None:
    added: list[Subscription] = []

    def merge(subs: list[Subscription]) -> list[Subscription]:
        known = {s.url for s in subs}
        added.extend(s for s in feeds.subscriptions if s.url not in known)
        return subs + added

    session.update_subscriptions(merge)
    counts = f"{len(feeds.subscriptions) - len(added):,} already subscribed"
    if feeds.skipped:
        noun = "outline" if feeds.kind == "OPML" else "line"
        counts += f", {plural(len(feeds.skipped), noun)} skipped"
    print(f"Imported {plural(len(added), 'feed')} from {source} ({counts}).")
    for skipped in feeds.skipped:
        print(f"  skipped: {skipped}")
    for note in feeds.notes:
        print(f"  note: {note}")
    if feeds.hidden:
        print(f"  note: {plural(len(feeds.hidden), 'feed was', 'feeds were')} hidden in "
              "newsboat (!); tui-reader has no hidden feeds and shows them with the others")


def _print_state(report: StateReport, path: Path, retention_days: int) -> None:
    print(f"Read {plural(report.items, 'item')} in {plural(report.feeds, 'feed')} "
          f"from {path} (opened read-only).")
    print(f"Matched {plural(report.matched, 'item')} ({report.by_guid:,} by guid, "
          f"{report.by_link:,} by link); {report.marked_read:,} marked read.")
    if report.bookmarks:
        print(f"{plural(report.bookmarks, 'bookmark')} from flagged items "
              f"({report.new_bookmarks:,} new); their full text is fetched at the next "
              "refresh, as for a bookmark made with b.")
    else:
        print("0 bookmarks: no flagged items in the feeds found.")
    parts = [f"{report.added:,} added as stories of their feeds"]
    if report.too_old:
        parts.append(f"{report.too_old:,} older than {retention_days} days left out "
                     "(retention_days)")
    if report.deleted:
        parts.append(f"{report.deleted:,} deleted in newsboat left out")
    if report.elsewhere:
        parts.append(f"{report.elsewhere:,} in {plural(report.elsewhere_feeds, 'feed')} "
                     "not in tui-reader (import newsboat's urls file to add them)")
    print(f"Not matched: {plural(report.not_matched, 'item')}: {', '.join(parts)}.")
