"""How the headless commands print: aligned tables for people, JSON for scripts.

Stored text is clean already, but a terminal deserves both cleanings, so every table
cell is cleaned again here on its way out.
"""

from __future__ import annotations

import json
import time
import unicodedata
from datetime import datetime
from typing import Any

from .core.models import FeedInfo
from .core.sanitize import clean_text


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
