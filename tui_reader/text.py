"""Small text helpers for the UI: times, counts and fitting text into cells.

Every time helper takes ``now`` explicitly (the app passes its injectable clock), so
snapshot tests and tests with a fixed clock see the same words every run.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size

from .core.words import plural as plural  # the core's: the UI and core messages count alike

ELLIPSIS = "…"


def _local(ts: float) -> datetime:
    return datetime.fromtimestamp(ts)


def relative_time(ts: float, now: float) -> str:
    """Age as a few cells: "now", "12m", "3h", "2d", "5w"; older ones as a short date."""
    age = max(0, int(now - ts))
    if age < 60:
        return "now"
    if age < 3600:
        return f"{age // 60}m"
    if age < 86400:
        return f"{age // 3600}h"
    if age < 14 * 86400:
        return f"{age // 86400}d"
    if age < 60 * 86400:
        return f"{age // (7 * 86400)}w"
    return short_date(ts, now)


def short_date(ts: float, now: float) -> str:
    """"27 Nov" this year, "27 Nov 2025" otherwise."""
    when, today = _local(ts), _local(now)
    text = f"{when.day} {when:%b}"
    return text if when.year == today.year else f"{text} {when.year}"


def timeline_time(ts: float, now: float) -> str:
    """"11:41" for today, "Yesterday", "Mon 27 Nov" this year, else "27 Nov 2025"."""
    when, today = _local(ts), _local(now)
    if when.date() == today.date():
        return f"{when:%H:%M}"
    if (today.date() - when.date()).days == 1:
        return "Yesterday"
    if when.year == today.year:
        return f"{when:%a} {when.day} {when:%b}"
    return f"{when.day} {when:%b} {when.year}"


def clock_time(ts: float) -> str:
    """"09:57": when something last happened today."""
    return f"{_local(ts):%H:%M}"


def long_date(ts: float, now: float | None = None) -> str:
    """"Mon 27 Nov 2026, 10:02" for the article header; the year is left out for this year."""
    when = _local(ts)
    year = "" if now is not None and _local(now).year == when.year else f" {when.year}"
    return f"{when:%a} {when.day} {when:%b}{year}, {when:%H:%M}"


def count(n: int) -> str:
    """1204 -> "1,204"."""
    return f"{n:,}"


def fit(text: str, width: int) -> str:
    """Cut *text* to *width* cells, ending with an ellipsis when something was cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return ELLIPSIS
    return set_cell_size(text, width - 1).rstrip() + ELLIPSIS


def split_line(text: str, width: int) -> tuple[str, str]:
    """The first *width* cells of *text*, broken after a word where one fits, and the rest.

    Counted in cells, so wide (CJK) characters wrap where they really end; a text with no
    space to break at (Chinese, a long URL) is broken mid-word.
    """
    text = " ".join(text.split())
    if width <= 0:
        return "", text
    if cell_len(text) <= width:
        return text, ""
    used = end = 0
    for end, char in enumerate(text):  # noqa: B007 - end is used after the loop
        used += cell_len(char)
        if used > width:
            break
    if text[end] == " ":
        return text[:end], text[end + 1 :]
    space = text.rfind(" ", 0, end)
    if space > 0:
        return text[:space], text[space + 1 :]
    return text[:end], text[end:]
