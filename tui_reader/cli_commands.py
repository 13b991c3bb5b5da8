"""The ``tui-reader`` subcommands, one function each, taking the parsed arguments.

Each opens what it needs (settings, the cache) and closes it again, imports the heavy
parts (the app, the refresher, the HTTP client) only when it runs, and reports failure
by raising :class:`UserError`, which :func:`tui_reader.cli.main` prints as one line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from .cli_format import _feed_status, _iso, _local, _print_json, _print_refresh, _table
from .core.errors import UserError
from .core.http_url import display_url
from .core.models import HeadlineFilter
from .core.paths import Paths, resolve_paths
from .core.sanitize import clean_text
from .core.session import Session, open_session
from .core.words import plural


def cmd_tui(args: argparse.Namespace) -> int:
    """The reader itself; --demo runs it on a throwaway copy of the sample feeds."""
    from .core.demo import build_demo_home

    if args.demo:
        with tempfile.TemporaryDirectory(prefix="tui-reader-demo-") as tmp:
            _run_reader(open_session(build_demo_home(Path(tmp))), args, demo=True)
        return 0
    _run_reader(open_session(_paths(args), starter_feeds=True), args, demo=False)
    return 0


def _run_reader(session: Session, args: argparse.Namespace, *, demo: bool) -> None:
    if args.low_bandwidth:
        session.settings = replace(session.settings, low_bandwidth=True)
    if session.settings.low_bandwidth:
        # Read by Textual when it is imported: 256-colour codes are about half as long.
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "256")
    from .app import TuiReaderApp

    try:
        TuiReaderApp(session, demo=demo).run()
    finally:
        session.close()


def cmd_add(args: argparse.Namespace) -> int:
    """Subscribe; unless --no-check, the URL is fetched first so a page's feed is found,
    and what was fetched is kept (the feed's title and stories), as a refresh keeps it."""
    from .core.http import client_for
    from .core.subscribe import (
        FoundFeed,
        add_subscription,
        find_feed,
        find_subscription,
        keep_found,
    )

    with _session(args) as session:
        url, found = args.url, None
        known = find_subscription(session, url)  # with or without a password: no fetch
        if not args.no_check and known is None:

            async def resolve() -> FoundFeed:
                async with client_for(session.settings) as client:
                    return await find_feed(client, args.url)

            found = asyncio.run(resolve())
            url = found.url
            if found.title and not args.title:
                print(f"Found feed: {clean_text(found.title, 200)}")
        known = known or find_subscription(session, url)
        sub = add_subscription(session, url, title=args.title or None,
                               tags=tuple(args.tag or ()))
        stories = keep_found(session, found).new if found is not None and not known else None
        cached = session.store.feed_by_url(sub.url)  # the feed's own title, once fetched
        name = clean_text(sub.title or (found and found.title) or (cached and cached.title)
                          or display_url(sub.url), 200)
        if known is not None:  # as the app says it; --title and --tag still apply
            changed = " (title and tags updated)" if args.title or args.tag else ""
            changed += " (password updated)" if sub.credentials != known.credentials else ""
            print(f"Already subscribed to {name}{changed}")
            return 0
        if stories is None:
            shown = display_url(sub.url)
            print(f"Added {name}" + ("" if name == shown else f"\n  {shown}"))
            print("Run `tui-reader refresh` (or press r in the app) to fetch it.")
        else:
            print(f"Added {name} with {plural(stories, 'story')}\n  {display_url(sub.url)}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Unsubscribe; the feed's bookmarked stories are kept."""
    from .core.subscribe import remove_subscription

    with _session(args) as session:
        if not remove_subscription(session, args.url):
            raise UserError(f"not subscribed to {display_url(args.url)} (see `tui-reader feeds`)")
        print(f"Removed {display_url(args.url)} (bookmarked stories from it are kept)")
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    """Subscriptions with their counts and how the last fetch went."""
    with _session(args) as session:
        feeds = session.store.feeds()
        if args.json:
            _print_json([
                {
                    "title": f.display_title, "url": display_url(f.url), "site_url": f.site_url,
                    "tags": list(f.tags), "articles": f.total, "unread": f.unread,
                    "last_status": f.last_status, "last_error": f.last_error,
                    "last_fetched": _iso(f.last_fetched), "next_due": _iso(f.next_due),
                    "poll_every_seconds": f.poll_seconds, "poll_reason": f.poll_reason,
                    "dead": f.dead, "source": "sync" if f.source == "sync" else "local",
                }
                for f in feeds
            ])
            return 0
        if not feeds:
            print("No feeds yet. Add one with `tui-reader add URL` or `tui-reader import FILE`.")
            return 0
        rows = [
            [f.display_title, display_url(f.url), str(f.total), str(f.unread), _feed_status(f)]
            for f in feeds
        ]
        print(_table(rows, ["TITLE", "URL", "ARTICLES", "UNREAD", "STATUS"],
                     [28, 44, 8, 6, None]))
    return 0


def cmd_headlines(args: argparse.Namespace) -> int:
    """Headlines newest first, narrowed by feed, tag, state or search words."""
    with _session(args) as session:
        feed_id = None
        if args.feed:
            from .core.http_url import is_http_url, normalise_url

            if not is_http_url(args.feed):
                raise UserError(f"not an http(s) URL: {display_url(args.feed, 100)}")
            feed = session.store.feed_by_url(normalise_url(args.feed))
            if feed is None:
                shown = display_url(args.feed)
                raise UserError(f"not subscribed to {shown} (see `tui-reader feeds`)")
            feed_id = feed.id
        if args.tag and args.tag not in (tags := session.store.tags()):
            # As an unknown --feed is: "No headlines match." hid a typo in the tag.
            known = ", ".join(tags) if tags else "none yet"
            raise UserError(f"no feed has the tag {clean_text(args.tag, 40)} (tags: {known})")
        filt = HeadlineFilter(
            feed_id=feed_id, tag=args.tag, unread_only=args.unread,
            bookmarked=args.bookmarked, query=args.search,
        )
        rows = session.store.headlines(filt, limit=args.limit)
        if args.json:
            _print_json([
                {
                    "id": h.id, "time": _iso(h.timestamp), "feed": h.feed_title,
                    "title": h.title, "url": h.url, "read": h.read, "bookmarked": h.bookmarked,
                    "categories": list(h.categories), "summary": h.summary,
                }
                for h in rows
            ])
            return 0
        table = [
            [_local(h.timestamp), ("" if h.read else "N") + ("*" if h.bookmarked else ""),
             h.feed_title, h.title, h.url or ""]
            for h in rows
        ]
        if table:
            print(_table(table, ["TIME", "FL", "FEED", "TITLE", "URL"], [16, 2, 18, 60, None]))
            if len(rows) == args.limit and (total := session.store.count(filt)) > len(rows):
                # On stderr: the table stays clean for a pipe, and the cut is not silent.
                print(f"{len(rows)} of {total:,} shown; --limit N shows more", file=sys.stderr)
        else:
            print("No headlines match.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """One story: title, feed, author, date, link, categories and its body as Markdown."""
    from .cli_show import show

    with _session(args) as session:
        show(session, args.id, as_json=args.json)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Sync with the feed server when [sync] is set, then fetch what is due (or
    everything); exits 1 when nothing could be fetched, or the sync failed."""
    from .core.parse_pool import start_parse_pool
    from .core.refresh import RefreshProgress, RefreshService

    with _session(args) as session:
        synced = _sync_before_refresh(session, quiet=args.json)
        # Parsing in a second process: a big refresh then uses a second core.
        service = RefreshService(session.store, session.settings,
                                 feeds_file=session.paths.feeds_file,
                                 parse_pool_factory=start_parse_pool)
        show = sys.stderr.isatty() and not args.json

        def progress(p: RefreshProgress) -> None:
            if show:
                print(f"\rRefreshing {p.done}/{p.total} feeds, {p.new_articles} new",
                      end="", file=sys.stderr, flush=True)

        try:
            report = asyncio.run(service.refresh(force=args.all, progress=progress))
        finally:
            service.close()
        if show:
            print(file=sys.stderr)
        _print_refresh(report, as_json=args.json, verbose=args.verbose)
        return 1 if report.nothing_done or not synced else 0


def _sync_before_refresh(session: Session, *, quiet: bool) -> bool:
    """The account's sync, first (so the refresh's full-text pass takes the server's new
    bookmarks too); its summary or its one error line on stderr. False if it failed."""
    account = session.settings.sync
    if account is None:
        return True
    from .core.sync.engine import sync_account

    try:
        report = sync_account(session.store, account, timeout=session.settings.timeout_seconds)
    except UserError as exc:
        print(f"tui-reader: sync: {exc}", file=sys.stderr)
        return False
    except Exception as exc:  # noqa: BLE001 - one line; feeds.toml's feeds come anyway
        print(f"tui-reader: sync: {type(exc).__name__}: {clean_text(exc, 160)}",
              file=sys.stderr)
        return False
    if not quiet:
        print(report.summary())
    return True


def cmd_unread(args: argparse.Namespace) -> int:
    """The unread count for status lines: opens no session and never creates a cache."""
    from .core.config import load_settings
    from .core.store import open_store

    paths = _paths(args)
    load_settings(paths.config_file)  # a broken config is reported here too, not ignored
    if not paths.database.exists():
        total, per_feed = 0, {}
    else:
        with open_store(paths.database) as store:
            total = store.total_unread()
            per_feed = {f.url: f.unread for f in store.feeds()} if args.json else {}
    if args.json:
        _print_json({"unread": total, "feeds": per_feed})
    else:
        print(total)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """Every action config.toml's [keys] can remap, with the keys in force after it (and
    what in [keys] was left out, on stderr, as the app says it)."""
    from .core.config import load_settings
    from .keymap import action_rows, from_config

    config = from_config(load_settings(_paths(args).config_file).keys)
    rows = action_rows(config.keymap)
    if args.json:
        _print_json([
            {"action": i, "keys": names.split(",") if names else [], "shown": shown,
             "where": where, "does": does}
            for i, shown, names, where, does in rows
        ])
    else:
        # The id and the [keys] spelling are what a user copies: never cut them.
        widest = [max(len(r[n]) for r in [("ACTION", "", "IN [keys]"), *rows]) for n in (0, 2)]
        print(_table([list(r) for r in rows], ["ACTION", "KEYS", "IN [keys]", "WHERE", "DOES"],
                     [widest[0], 10, widest[1], 22, None]))
    for line in config.problems():
        print(f"config.toml [keys]: {line}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """feeds.toml as OPML 2.0, to a file or to stdout; a feed with no title of the user's
    is named by its own title from the cache (a reader shows the URL otherwise)."""
    from dataclasses import replace

    from .core.feeds_file import load_subscriptions
    from .core.opml import build_opml
    from .core.store import open_store

    paths = _paths(args)
    subs = load_subscriptions(paths.feeds_file)
    if paths.database.exists():  # never create a cache just to export
        with open_store(paths.database) as store:
            own = {f.url: f.title for f in store.feeds() if f.title}
        subs = [replace(s, title=s.title or own.get(s.url)) for s in subs]
    text = build_opml(subs)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if private := sum(1 for s in subs if s.credentials):
        # Left out on purpose, but said: an import elsewhere would meet 401s unexplained.
        which = ("The password of 1 feed was" if private == 1
                 else f"The passwords of {private} feeds were")
        print(f"{which} left out (an export never carries one); give it again where you "
              "import", file=sys.stderr)
    return 0


def cmd_article(args: argparse.Namespace) -> int:
    """One page's article as Markdown, as a snapshot would save it; the cache is not used."""
    from .core.config import load_settings
    from .core.fulltext import FullTextError, fetch_article
    from .core.http import client_for

    settings = load_settings(_paths(args).config_file)

    async def run() -> Any:
        async with client_for(settings) as client:
            return await fetch_article(client, args.url, args.selector)

    try:
        article = asyncio.run(run())
    except FullTextError as exc:
        raise UserError(f"{display_url(args.url)}: full text unavailable: {exc}") from None
    if article.title:
        print(f"# {article.title}\n")
    meta = " · ".join(x for x in (article.author, _local(article.published)
                                  if article.published else None) if x)
    if meta:
        print(f"_{meta}_\n")
    print(article.markdown)
    return 0


def cmd_bookmarks(args: argparse.Namespace) -> int:
    """List bookmarks, or write each as a Markdown file."""
    from .core.bookmarks_export import (
        all_bookmarks,
        bookmark_record,
        export_bookmarks,
        snapshot_status,
    )

    if args.action == "list" and args.dir:
        raise UserError(f"bookmarks list takes no folder; to write files there: "
                        f"tui-reader bookmarks export {clean_text(args.dir, 100)}")
    with _session(args) as session:
        if args.action == "export":
            if not args.dir:
                raise UserError("bookmarks export needs a folder: tui-reader bookmarks export DIR")
            written = export_bookmarks(session.store, Path(args.dir))
            print(f"Wrote {plural(len(written), 'bookmark')} to {args.dir}")
            return 0
        marks = all_bookmarks(session.store)
        if args.json:
            _print_json([bookmark_record(a) for a in marks])
            return 0
        if not marks:
            print("No bookmarks yet. Press b on a story in the app.")
            return 0
        rows = [
            [_local(a.bookmarked_at), snapshot_status(a.snapshot), a.feed_title, a.title,
             a.url or ""]
            for a in marks
        ]
        print(_table(rows, ["BOOKMARKED", "OFFLINE", "FEED", "TITLE", "URL"],
                     [16, 44, 18, 44, None]))
    return 0


# -- plumbing -----------------------------------------------------------------------------


def _paths(args: argparse.Namespace) -> Paths:
    """The dirs to use: --home when given, else the environment or platform defaults."""
    return resolve_paths(getattr(args, "home", None))


class _session:
    """``with _session(args) as session`` opens and always closes the cache."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.session: Session | None = None

    def __enter__(self) -> Session:
        self.session = open_session(_paths(self.args))
        return self.session

    def __exit__(self, *_: object) -> None:
        if self.session is not None:
            self.session.close()
