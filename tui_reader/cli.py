"""The ``tui-reader`` command: the TUI by default, plus headless commands for scripts and cron.

Every failure prints one line (``tui-reader: <what and where>``) and exits non-zero;
tracebacks are never shown. Output that scripts read has a ``--json`` form.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .core.errors import UserError
from .core.feeds_file import Subscription
from .core.models import HeadlineFilter
from .core.paths import HOME_ENV, Paths, resolve_paths
from .core.sanitize import clean_text
from .core.session import Session, open_session


def _local(ts: int | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def _iso(ts: int | None) -> str | None:
    from .core.bookmarks_export import iso

    return iso(ts)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _table(rows: list[list[str]], headers: list[str], widths: list[int | None]) -> str:
    """A plain aligned table; ``None`` width means "as wide as it needs" (last column)."""
    lines = []
    for row in [headers, *rows]:
        cells = []
        for cell, width in zip(row, widths, strict=True):
            cell = clean_text(cell)  # stored text is clean already; a terminal deserves both
            cells.append(_fit(cell, width).ljust(width) if width else cell)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# -- commands -----------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from .app import TuiReaderApp
    from .core.demo import build_demo_home

    if args.demo:
        with tempfile.TemporaryDirectory(prefix="tui-reader-demo-") as tmp:
            paths = build_demo_home(Path(tmp))
            session = open_session(paths)
            try:
                TuiReaderApp(session, demo=True).run()
            finally:
                session.close()
        return 0
    session = open_session(_paths(args), starter_feeds=True)
    try:
        TuiReaderApp(session).run()
    finally:
        session.close()
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from .core.http import client_for
    from .core.subscribe import add_subscription, resolve_feed

    with _session(args) as session:
        url, title = args.url, args.title
        if not args.no_check:

            async def resolve() -> tuple[str, str | None]:
                async with client_for(session.settings) as client:
                    return await resolve_feed(client, args.url)

            url, found_title = asyncio.run(resolve())
            title = title or None
            if found_title and not args.title:
                print(f"Found feed: {found_title}")
        sub = add_subscription(session, url, title=title, tags=tuple(args.tag or ()))
        print(f"Added {sub.title}\n  {sub.url}" if sub.title else f"Added {sub.url}")
        print("Run `tui-reader refresh` (or press r in the app) to fetch it.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from .core.subscribe import remove_subscription

    with _session(args) as session:
        if not remove_subscription(session, args.url):
            raise UserError(f"not subscribed to {args.url} (see `tui-reader feeds`)")
        print(f"Removed {args.url} (bookmarked stories from it are kept)")
    return 0


def _feed_status(feed: Any) -> str:
    if feed.dead:
        return f"dead: {feed.last_error or 'gone'}"
    if feed.last_error:
        return f"error: {feed.last_error}"
    if feed.last_status:
        return f"{feed.last_status} {_local(feed.last_fetched)}"
    return "never fetched"


def cmd_feeds(args: argparse.Namespace) -> int:
    with _session(args) as session:
        feeds = session.store.feeds()
        if args.json:
            _print_json([
                {
                    "title": f.display_title, "url": f.url, "site_url": f.site_url,
                    "tags": list(f.tags), "articles": f.total, "unread": f.unread,
                    "last_status": f.last_status, "last_error": f.last_error,
                    "last_fetched": _iso(f.last_fetched), "next_due": _iso(f.next_due),
                    "poll_every_seconds": f.poll_seconds, "poll_reason": f.poll_reason,
                    "dead": f.dead,
                }
                for f in feeds
            ])
            return 0
        if not feeds:
            print("No feeds yet. Add one with `tui-reader add URL` or `tui-reader import FILE`.")
            return 0
        rows = [
            [f.display_title, f.url, str(f.total), str(f.unread), _feed_status(f)] for f in feeds
        ]
        print(_table(rows, ["TITLE", "URL", "ARTICLES", "UNREAD", "STATUS"],
                     [28, 44, 8, 6, None]))
    return 0


def cmd_headlines(args: argparse.Namespace) -> int:
    with _session(args) as session:
        feed_id = None
        if args.feed:
            from .core.http_url import is_http_url, normalise_url

            if not is_http_url(args.feed):
                raise UserError(f"not an http(s) URL: {clean_text(args.feed, 100)}")
            feed = session.store.feed_by_url(normalise_url(args.feed))
            if feed is None:
                raise UserError(f"not subscribed to {args.feed} (see `tui-reader feeds`)")
            feed_id = feed.id
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
                    "categories": list(h.categories),
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
        else:
            print("No headlines match.")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from .core.parse_pool import start_parse_pool
    from .core.refresh import RefreshProgress, RefreshService

    with _session(args) as session:
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
        if args.json:
            _print_json({
                "feeds": report.total, "new_articles": report.new_articles,
                "failed": len(report.failed), "offline": report.offline,
                "purged": report.purged, "snapshots": report.snapshots_ok,
                "results": [
                    {"title": o.title, "url": o.url, "status": o.status, "new": o.new,
                     "updated": o.updated, "error": o.error}
                    for o in report.outcomes
                ],
            })
        else:
            print(f"Refreshed: {report.summary()}")
            for outcome in report.failed:
                where = "" if outcome.title == outcome.url else f"  ({outcome.url})"
                print(f"  {outcome.title}: {outcome.error}{where}")
            if report.snapshots_ok or report.snapshots_failed:
                print(f"  full-text snapshots: {report.snapshots_ok} saved, "
                      f"{report.snapshots_failed} failed")
        return 1 if report.nothing_done else 0


def cmd_unread(args: argparse.Namespace) -> int:
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


def cmd_import(args: argparse.Namespace) -> int:
    from .core.opml import OpmlError, parse_opml

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: {exc.strerror or exc}") from None
    try:
        imported = parse_opml(data, str(path))
    except OpmlError as exc:
        raise UserError(str(exc)) from None
    with _session(args) as session:
        added: list[Subscription] = []

        def merge(subs: list[Subscription]) -> list[Subscription]:
            known = {s.url for s in subs}
            added.extend(s for s in imported.subscriptions if s.url not in known)
            return subs + added

        session.update_subscriptions(merge)
        print(f"Imported {len(added)} feeds from {path} "
              f"({len(imported.subscriptions) - len(added)} already subscribed).")
        for skipped in imported.skipped:
            print(f"  skipped: {skipped}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .core.feeds_file import load_subscriptions
    from .core.opml import build_opml

    paths = _paths(args)
    text = build_opml(load_subscriptions(paths.feeds_file))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_article(args: argparse.Namespace) -> int:
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
        raise UserError(f"{args.url}: full text unavailable: {exc}") from None
    if article.title:
        print(f"# {article.title}\n")
    meta = " · ".join(x for x in (article.author, _local(article.published)
                                  if article.published else None) if x)
    if meta:
        print(f"_{meta}_\n")
    print(article.markdown)
    return 0


def cmd_bookmarks(args: argparse.Namespace) -> int:
    from .core.bookmarks_export import (
        all_bookmarks,
        bookmark_record,
        export_bookmarks,
        snapshot_status,
    )

    with _session(args) as session:
        if args.action == "export":
            if not args.dir:
                raise UserError("bookmarks export needs a folder: tui-reader bookmarks export DIR")
            written = export_bookmarks(session.store, Path(args.dir))
            noun = "bookmark" if len(written) == 1 else "bookmarks"
            print(f"Wrote {len(written)} {noun} to {args.dir}")
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


class _Version(argparse.Action):
    """--version, with the version looked up only when asked (it costs 60 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from . import __version__

        print(f"tui-reader {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home", metavar="DIR", default=argparse.SUPPRESS,
        help=f"keep config, data and cache under DIR (also ${HOME_ENV})",
    )
    parser = argparse.ArgumentParser(
        prog="tui-reader", parents=[common],
        description="A keyboard-driven terminal news reader. With no command, opens the reader.",
        epilog="Files: config.toml and feeds.toml in the config dir, the cache in the data dir.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument("--demo", action="store_true",
                        help="open the reader on built-in sample feeds (no network, throwaway)")
    parser.set_defaults(func=cmd_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = command("add", cmd_add, "subscribe to a feed (a web page's feed is discovered)")
    p.add_argument("url")
    p.add_argument("--title", help="a title to show instead of the feed's own")
    p.add_argument("--tag", action="append", help="a tag (repeatable)")
    p.add_argument("--no-check", action="store_true", help="add without fetching the URL first")
    p = command("remove", cmd_remove, "unsubscribe (bookmarks are kept)")
    p.add_argument("url")
    p = command("feeds", cmd_feeds, "list subscriptions with counts and last status")
    p.add_argument("--json", action="store_true")
    p = command("headlines", cmd_headlines, "list headlines, newest first")
    p.add_argument("--feed", metavar="URL")
    p.add_argument("--tag")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--bookmarked", action="store_true")
    p.add_argument("--search", metavar="WORDS", help="full-text search")
    p.add_argument("--limit", type=int, default=30, metavar="N")
    p.add_argument("--json", action="store_true")
    p = command("refresh", cmd_refresh, "fetch the feeds that are due")
    p.add_argument("--all", action="store_true", help="fetch every feed, due or not")
    p.add_argument("--json", action="store_true")
    p = command("unread", cmd_unread, "print the unread count (for status lines)")
    p.add_argument("--json", action="store_true")
    p = command("import", cmd_import, "import subscriptions from an OPML file")
    p.add_argument("file", metavar="FILE.opml")
    p = command("export", cmd_export, "export subscriptions as OPML 2.0")
    p.add_argument("-o", "--output", metavar="FILE")
    p = command("article", cmd_article, "fetch a web page and print its article as Markdown")
    p.add_argument("url")
    p.add_argument("--selector", help="CSS selector of the article body")
    p = command("bookmarks", cmd_bookmarks,
                "list bookmarks, or `bookmarks export DIR` to write Markdown files")
    p.add_argument("action", nargs="?", choices=["list", "export"], default="list")
    p.add_argument("dir", nargs="?")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "limit", 1) < 1:
        parser.error("--limit must be at least 1")
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"tui-reader: {exc}", file=sys.stderr)
        return 2 if type(exc).__name__ == "ConfigError" else 1
    except KeyboardInterrupt:
        if sys.stderr.isatty():
            print(file=sys.stderr)  # end a progress line cleanly
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file we were asked to write or read (export -o, export DIR)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tui-reader: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # the cache failed mid-command (disk full, I/O error)
        print(f"tui-reader: the cache failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, unless asked for the details
        if os.environ.get("TUI_READER_DEBUG"):
            raise
        print(f"tui-reader: unexpected error: {type(exc).__name__}: {exc} "
              "(TUI_READER_DEBUG=1 shows details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
