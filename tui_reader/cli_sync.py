"""``tui-reader sync``: one sync with the feed server in ``[sync]`` of config.toml.

For cron: one summary line on stdout (or ``--json``); a failure is one line on stderr
and a non-zero exit, and changes nothing here. ``tui-reader refresh`` syncs first too.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .cli_commands import _session
from .cli_format import _print_json
from .core.errors import UserError
from .core.session import Session

if TYPE_CHECKING:
    from .core.sync.engine import SyncReport

NO_ACCOUNT = ("there is no [sync] table in config.toml: add protocol = \"fever\", url, user "
              "and password_command (see README, Sync)")


def sync_session(session: Session, *, quiet: bool = False) -> SyncReport:
    """Sync *session*'s account, with progress on a terminal's stderr."""
    from .core.sync.engine import sync_account

    account = session.settings.sync
    if account is None:
        raise UserError(NO_ACCOUNT)
    show = sys.stderr.isatty() and not quiet

    def progress(line: str) -> None:
        if show:
            print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)

    try:
        return sync_account(session.store, account,
                            timeout=session.settings.timeout_seconds, progress=progress)
    finally:
        if show:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync once; exits 1 with one line when the server cannot be used."""
    from .cli_commands import _paths
    from .core.config import load_settings

    config_file = _paths(args).config_file
    if load_settings(config_file).sync is None:  # before anything is made on disk
        raise UserError(f"{config_file}: no [sync] table: add protocol = \"fever\", url, "
                        "user and password_command (see README, Sync)")
    with _session(args) as session:
        report = sync_session(session, quiet=args.json)
        if args.json:
            c = report.changed_here
            _print_json({
                "server": report.server, "feeds": report.feeds,
                "feeds_added": report.feeds_added, "feeds_removed": report.feeds_removed,
                "new_articles": report.new_items, "pushed": report.pushed,
                "from_server": {"read": c.read, "unread": c.unread, "saved": c.saved,
                                "unsaved": c.unsaved},
                "requests": report.requests, "seconds": round(report.seconds, 3),
                "more": report.more, "dropped": report.dropped,
            })
        else:
            print(report.summary())
    return 0
