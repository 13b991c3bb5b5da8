"""The ``tui-reader`` command: the TUI by default, plus headless commands for scripts and cron.

Every failure prints one line (``tui-reader: <what and where>``) and exits non-zero;
tracebacks are never shown. Output that scripts read has a ``--json`` form.

This module builds the parser and runs the chosen command; the commands live in
``cli_commands`` and their output helpers in ``cli_format``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from .cli_commands import (
    cmd_add,
    cmd_article,
    cmd_bookmarks,
    cmd_export,
    cmd_feeds,
    cmd_headlines,
    cmd_keys,
    cmd_refresh,
    cmd_remove,
    cmd_show,
    cmd_tui,
    cmd_unread,
)
from .cli_import import cmd_import
from .cli_repair import cmd_repair
from .cli_serve import cmd_serve, port_number
from .cli_sync import cmd_sync
from .core.errors import UserError
from .core.paths import HOME_ENV


class _Version(argparse.Action):
    """--version, with the version looked up only when asked (it costs 60 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from . import __version__

        print(f"tui-reader {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; builds without heavy imports so --help and --version stay fast."""
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
    parser.add_argument("--low-bandwidth", action="store_true",
                        help="spare a slow link: 256 colours, the article waits for enter "
                             "(also low_bandwidth = true in config.toml)")
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
    p.add_argument("--limit", type=int, default=30, metavar="N",
                   help="show at most N (default 30; stderr says when there are more)")
    p.add_argument("--json", action="store_true")
    p = command("show", cmd_show,
                "print one story (an id from `headlines --json`) with its body as Markdown")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true")
    p = command("refresh", cmd_refresh, "fetch the feeds that are due")
    p.add_argument("--all", action="store_true", help="fetch every feed, due or not")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="list each feed that failed (on stderr), not only how many")
    p.add_argument("--json", action="store_true")
    p = command("sync", cmd_sync, "sync read state and bookmarks with the feed server in "
                "[sync] of config.toml (for cron)")
    p.add_argument("--json", action="store_true")
    p = command("unread", cmd_unread, "print the unread count (for status lines)")
    p.add_argument("--json", action="store_true")
    p = command("keys", cmd_keys, "list the actions [keys] in config.toml can remap")
    p.add_argument("--json", action="store_true")
    p = command("import", cmd_import,
                "import subscriptions from OPML or newsboat's urls file, and newsboat's "
                "read state and flagged items from its cache")
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="OPML, or newsboat's urls file (told apart by content)")
    p.add_argument("--newsboat-cache", metavar="CACHE.DB",
                   help="newsboat's cache.db (read only): read state, flagged items as "
                        "bookmarks")
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
    command("repair", cmd_repair, "set a damaged cache aside and rescue what it holds "
            "(bookmarks first) into a fresh one")
    p = command("serve", cmd_serve,
                "serve the reader to a web browser (http://127.0.0.1:8000/ unless told "
                "otherwise)")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this machine only; "
                        "any other lets anyone who can reach it read and change your feeds)")
    p.add_argument("--port", type=port_number, default=8000,
                   help="the port (default 8000; 0 picks a free one)")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                   help="serve the reader on built-in sample feeds (a throwaway copy for "
                        "each browser tab)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and a non-zero exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "limit", 1) < 1:
        parser.error("--limit must be at least 1")
    refusal = ""
    if args.low_bandwidth and args.func is not cmd_tui:
        refusal = "--low-bandwidth is for the reader and goes with no command"
    if args.demo and args.func not in (cmd_tui, cmd_serve):
        # It once ran the command on the user's real home, without a word.
        refusal = ("--demo opens the reader on sample feeds and goes with no command, "
                   "or with serve (the other commands work on your own feeds)")
    if refusal:  # one line, as every other error (argparse adds its usage lines)
        print(f"tui-reader: {refusal}", file=sys.stderr)
        return 2
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
