"""What the status line and the empty headline list say: pure functions of the state."""

from __future__ import annotations

from datetime import datetime

from tui_reader.core.models import HeadlineFilter
from tui_reader.core.refresh import FeedOutcome, RefreshProgress, RefreshReport
from tui_reader.keymap import Keymap
from tui_reader.status_text import (
    context_text,
    empty_text,
    failing_part,
    finished_parts,
    joined,
    last_update_parts,
    progress_parts,
)
from tui_reader.text import clock_time, short_date

NOW = datetime(2026, 11, 27, 14, 30).timestamp()
"""A local afternoon, so "today" and "this year" do not depend on the time zone."""


def ok(n: int, new: int = 0) -> FeedOutcome:
    return FeedOutcome(n, f"http://127.0.0.1:9/{n}.xml", f"Feed {n}", "ok", new=new)


def broken(n: int, *, network: bool = False) -> FeedOutcome:
    return FeedOutcome(n, f"http://127.0.0.1:9/{n}.xml", f"Feed {n}", "error",
                       error="HTTP 500", network_error=network)


# -- joining and failing feeds -----------------------------------------------------------


def test_joined_gives_the_long_line_and_the_short_one_without_empty_parts() -> None:
    parts = [("Refreshing 3/9 feeds", "⟳ 3/9"), ("long only", ""), ("2 new", "2 new")]
    assert joined(parts) == ("Refreshing 3/9 feeds · long only · 2 new", "⟳ 3/9 · 2 new")
    assert joined([]) == ("", "")


def test_failing_part_says_feed_or_feeds() -> None:
    assert failing_part(1) == ("1 feed failing — F for details", "1 failing — F")
    assert failing_part(3) == ("3 feeds failing — F for details", "3 failing — F")


# -- before any refresh ------------------------------------------------------------------


def test_last_update_today_is_a_clock_time() -> None:
    earlier = NOW - 3 * 3600
    stamp = clock_time(earlier)
    assert last_update_parts(0, int(earlier), NOW) == [(f"updated {stamp}", stamp)]


def test_last_update_days_ago_is_a_short_date() -> None:
    days_ago = NOW - 3 * 86400
    stamp = short_date(days_ago, NOW)
    assert stamp == "24 Nov"
    assert last_update_parts(0, int(days_ago), NOW) == [("updated 24 Nov", "24 Nov")]


def test_last_update_yesterday_evening_is_not_shown_as_a_time_today() -> None:
    morning = datetime(2026, 11, 27, 9, 0).timestamp()
    last_night = datetime(2026, 11, 26, 23, 0).timestamp()
    assert last_update_parts(0, int(last_night), morning) == [("updated 26 Nov", "26 Nov")]


def test_last_update_names_failing_feeds_first_and_says_nothing_without_a_refresh() -> None:
    assert last_update_parts(0, None, NOW) == []
    parts = last_update_parts(2, int(NOW - 60), NOW)
    assert parts[0] == failing_part(2)
    assert parts[1][0].startswith("updated ")


# -- during and after a refresh ----------------------------------------------------------


def test_progress_before_the_feeds_are_counted_says_checking() -> None:
    assert progress_parts(RefreshProgress(0, 0, 0, 0)) == [("Checking feeds…", "⟳")]


def test_progress_counts_feeds_and_new_stories() -> None:
    assert progress_parts(RefreshProgress(3, 10, 0, 0)) == [
        ("Refreshing 3/10 feeds", "⟳ 3/10")
    ]
    assert progress_parts(RefreshProgress(3, 10, 7, 1)) == [
        ("Refreshing 3/10 feeds", "⟳ 3/10"), ("7 new", "7 new")
    ]


def test_finished_offline_is_one_problem_part() -> None:
    report = RefreshReport([broken(1, network=True), broken(2, network=True)])
    assert finished_parts(report, 0, NOW) == (
        [("no feed could be reached (offline?)", "offline?")], True
    )


def test_finished_with_failures_counts_them_and_the_new_stories() -> None:
    stamp = clock_time(NOW)
    report = RefreshReport([broken(1), broken(2), ok(3, new=4)])
    assert finished_parts(report, 0, NOW) == (
        [("2 feeds failed — F for details", "2 failed — F"), ("4 new", "4 new"),
         (f"updated {stamp}", stamp)],
        True,
    )
    parts, problem = finished_parts(RefreshReport([broken(1), ok(2)]), 5, NOW)
    assert parts[0] == ("1 feed failed — F for details", "1 failed — F") and problem


def test_finished_names_feeds_still_failing_from_before() -> None:
    stamp = clock_time(NOW)
    assert finished_parts(RefreshReport([ok(1)]), 2, NOW) == (
        [failing_part(2), (f"updated {stamp}", stamp)], True
    )


def test_finished_cleanly_is_no_problem() -> None:
    stamp = clock_time(NOW)
    assert finished_parts(RefreshReport([ok(1, new=2), ok(2, new=1)]), 0, NOW) == (
        [("3 new", "3 new"), (f"updated {stamp}", stamp)], False
    )


def test_finished_with_nothing_due_says_up_to_date_unless_feeds_are_failing() -> None:
    assert finished_parts(RefreshReport([]), 0, NOW) == ([("up to date", "up to date")], False)
    parts, problem = finished_parts(RefreshReport([]), 1, NOW)
    assert parts == [failing_part(1)] and problem  # not "failing · up to date"


# -- the empty list and the left half ----------------------------------------------------


def test_empty_text_names_the_way_out_with_the_default_keys() -> None:
    hint = Keymap().hint
    assert (empty_text(HeadlineFilter(query="zzz"), False, hint)
            == "Nothing matches — esc clears the search")
    assert (empty_text(HeadlineFilter(bookmarked=True), False, hint)
            == "Nothing here — esc shows all feeds")
    assert empty_text(HeadlineFilter(), False, hint) == (
        "No stories yet — r refreshes, F manages feeds"
    )
    assert empty_text(HeadlineFilter(), True, hint) == "No stories"


def test_empty_text_uses_the_remapped_keys() -> None:
    keys = Keymap({"clear_filter": "ctrl+g", "refresh": "ctrl+r", "feeds": "ctrl+f"}).hint
    assert (empty_text(HeadlineFilter(query="zzz"), False, keys)
            == "Nothing matches — ctrl+g clears the search")
    assert (empty_text(HeadlineFilter(tag="news"), False, keys)
            == "Nothing here — ctrl+g shows all feeds")
    assert empty_text(HeadlineFilter(), False, keys) == (
        "No stories yet — ctrl+r refreshes, ctrl+f manages feeds"
    )


def test_empty_text_asks_the_key_function_for_action_names() -> None:
    asked: list[str] = []

    def key(action: str) -> str:
        asked.append(action)
        return f"<{action}>"

    assert empty_text(HeadlineFilter(), False, key) == (
        "No stories yet — <refresh> refreshes, <feeds> manages feeds"
    )
    assert asked == ["refresh", "feeds"]


def test_context_text_says_where_and_how_much_is_unread() -> None:
    assert context_text("All feeds", 1204) == " tui-reader — All feeds · 1,204 unread"
    assert context_text("Unread · #news", 0) == " tui-reader — Unread · #news · 0 unread"
