"""How the headless commands print: aligned tables for people, JSON for scripts, and a
refresh's outcome (failures on stderr).

Stored text is clean already, but a terminal deserves both cleanings, so every table
cell is cleaned again here on its way out.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .core.models import FeedInfo
from .core.sanitize import clean_text
from .core.words import plural

if TYPE_CHECKING:
    from .core.refresh import FeedOutcome, RefreshReport

MAX_ERROR_KINDS = 3
"""Kinds of failure the refresh summary names; the rest are counted as "other"."""


def _local(ts: int | None) -> str:
    """A timestamp in local time for tables, '-' when there is none."""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def _iso(ts: int | None) -> str | None:
    """A timestamp as UTC ISO 8601 for JSON; imported late, only --json needs it."""
    from .core.bookmarks_export import iso

    return iso(ts)


def _char_cells(char: str) -> int:
    """Terminal cells of one character: 2 for wide (CJK), 0 for combining marks."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _cells(text: str) -> int:
    return sum(_char_cells(c) for c in text)


def _fit(text: str, width: int) -> str:
    """Cut to *width* terminal cells with an ellipsis, and pad to it, so a long or wide
    title ("データベース") cannot push the columns apart."""
    if _cells(text) > width:
        kept, used = [], 0
        for char in text:
            size = _char_cells(char)
            if used + size > width - 1:
                break
            kept.append(char)
            used += size
        text = "".join(kept) + "…"
    return text + " " * max(width - _cells(text), 0)


def _table(rows: list[list[str]], headers: list[str], widths: list[int | None]) -> str:
    """A plain aligned table; ``None`` width means "as wide as it needs" (last column)."""
    lines = []
    for row in [headers, *rows]:
        cells = []
        for cell, width in zip(row, widths, strict=True):
            cell = clean_text(cell)  # stored text is clean already; a terminal deserves both
            cells.append(_fit(cell, width) if width else cell)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _print_json(data: Any) -> None:
    """JSON as scripts read it: indented, non-ASCII text kept as written."""
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _feed_status(feed: FeedInfo) -> str:
    """A feed's STATUS cell, worded as the feeds screen words it, with a full date."""
    from .core.feed_status import status_words

    return status_words(feed, time.time(), lambda ts, _now: _local(int(ts)))


_VARYING = re.compile(r" (?:at line|after) .*$")
"""What differs between two failures of one kind ("malformed XML at line 3")."""


def _error_kind(error: str) -> str:
    """A failure without what is particular to one feed: "HTTP 404", "connection refused",
    "timed out", "not a feed", so a hundred failures read as a few kinds."""
    kind = error.split(":", 1)[0].strip()
    status = re.match(r"HTTP \d{3}", kind)
    if status:
        return status.group(0)
    return _VARYING.sub("", kind) or "unknown error"


def _failures_line(failed: Sequence[FeedOutcome], total: int, verbose: bool) -> str:
    """One line for stderr: how many feeds failed, by kind, most common first; cron mails
    it, so 102 unreachable feeds are one line, not 102."""
    kinds = Counter(_error_kind(clean_text(o.error or "")) for o in failed)
    ranked = sorted(kinds.items(), key=lambda kind_n: (-kind_n[1], kind_n[0]))
    shown = [f"{n:,} {kind}" for kind, n in ranked[:MAX_ERROR_KINDS]]
    other = sum(n for _kind, n in ranked[MAX_ERROR_KINDS:])
    if other:
        shown.append(f"{other:,} other")
    hint = "see `tui-reader feeds`" + ("" if verbose else ", or run with --verbose")
    return f"{len(failed):,} of {plural(total, 'feed')} failed ({', '.join(shown)}) — {hint}"


def _failure_lines(failed: Sequence[FeedOutcome]) -> list[str]:
    """--verbose: each failed feed's title, error and URL, cleaned for the terminal."""
    lines = []
    for outcome in failed:
        error, url = clean_text(outcome.error or ""), clean_text(outcome.url)
        title = clean_text(outcome.title)
        lines.append(f"  {url}: {error}" if title == url else f"  {title}: {error} ({url})")
    return lines


def _print_refresh(report: RefreshReport, *, as_json: bool, verbose: bool) -> None:
    """A refresh's outcome: the summary (or JSON) on stdout; failures on stderr whatever
    the format, so `refresh >/dev/null` in cron still mails the one line when feeds fail,
    with a line per failed feed under it for --verbose."""
    if as_json:
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
        if report.snapshots_ok or report.snapshots_failed:
            print(f"  full-text snapshots: {report.snapshots_ok} saved, "
                  f"{report.snapshots_failed} failed")
    if report.failed:
        sys.stdout.flush()
        print(f"tui-reader: {_failures_line(report.failed, report.total, verbose)}",
              file=sys.stderr)
        for line in _failure_lines(report.failed) if verbose else ():
            print(line, file=sys.stderr)
