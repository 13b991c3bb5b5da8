"""What the status line and the empty list say, as pure functions of the reader's state.

Each right-half message is a list of (long, short) parts: a wide terminal shows the long
forms joined with " · ", a narrow one the short forms (see widgets/status_line.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .core.models import HeadlineFilter
from .text import clock_time, count, plural, short_date

if TYPE_CHECKING:
    from .core.refresh import RefreshProgress, RefreshReport

Part = tuple[str, str]
"""(long form, short form) of one piece of the status line's right half."""


def joined(parts: list[Part]) -> tuple[str, str]:
    """The long and the short line."""
    return " · ".join(long for long, _ in parts), " · ".join(s for _, s in parts if s)


def failing_part(failing: int, feeds_key: str = "F") -> Part:
    """"2 feeds failing — F for details", and its short form for narrow terminals."""
    long = f"{plural(failing, 'feed')} failing — {feeds_key} for details"
    return long, f"{failing} failing — {feeds_key}"


def last_update_parts(failing: int, last_refreshed: int | None, now: float,
                      feeds_key: str = "F") -> list[Part]:
    """Before any refresh: which feeds are failing and when the cache was last filled, so
    the status is never blank and a broken feed is not a secret."""
    parts: list[Part] = []
    if failing:
        parts.append(failing_part(failing, feeds_key))
    if last_refreshed:
        day = datetime.fromtimestamp(last_refreshed).date()
        today = day == datetime.fromtimestamp(now).date()
        stamp = clock_time(last_refreshed) if today else short_date(last_refreshed, now)
        parts.append((f"updated {stamp}", stamp))
    return parts


def progress_parts(progress: RefreshProgress) -> list[Part]:
    if progress.total == 0:
        return [("Checking feeds…", "⟳")]
    parts = [(f"Refreshing {progress.done}/{progress.total} feeds",
              f"⟳ {progress.done}/{progress.total}")]
    if progress.new_articles:
        parts.append((f"{progress.new_articles} new", f"{progress.new_articles} new"))
    return parts


def finished_parts(report: RefreshReport, failing: int, now: float,
                   feeds_key: str = "F") -> tuple[list[Part], bool]:
    """The line after a refresh, and whether it reports a problem. *failing* counts the
    feeds still broken from earlier fetches (not due this time)."""
    parts: list[Part] = []
    failed = len(report.failed)
    if report.offline:
        parts.append(("no feed could be reached (offline?)", "offline?"))
    elif failed:
        parts.append((f"{plural(failed, 'feed')} failed — {feeds_key} for details",
                      f"{failed} failed — {feeds_key}"))
    elif failing:
        parts.append(failing_part(failing, feeds_key))
        failed = failing
    if report.new_articles:
        parts.append((f"{report.new_articles} new", f"{report.new_articles} new"))
    if report.outcomes and not report.offline:
        stamp = clock_time(now)
        parts.append((f"updated {stamp}", stamp))
    elif not report.outcomes and not failed:
        # Not with feeds failing: "2 feeds failing · up to date" contradicted itself.
        parts.append(("up to date", "up to date"))
    return parts, bool(failed) or report.offline


def sync_part(new: int, error: str | None) -> Part:
    """What the last sync with the feed server did, for the line after a refresh."""
    if error:
        return f"sync failed: {error}", "sync failed"
    return (f"synced, {new} new", f"synced +{new}") if new else ("synced", "synced")


def context_text(label: str, unread: int) -> str:
    """The left half: where the reader is and how much is unread."""
    return f" tui-reader — {label} · {count(unread)} unread"


def empty_text(filt: HeadlineFilter, demo: bool, key: Callable[[str], str] = str) -> str:
    """What an empty headline list says, with the key that gets out of it (*key* names
    an action's key as the user has it, see Keymap.hint)."""
    if filt.query:
        return f"Nothing matches — {key('clear_filter')} clears the search"
    if filt != HeadlineFilter():
        return f"Nothing here — {key('clear_filter')} shows all feeds"
    if demo:
        return "No stories"
    return f"No stories yet — {key('refresh')} refreshes, {key('feeds')} manages feeds"
