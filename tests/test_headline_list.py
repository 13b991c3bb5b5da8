"""The headline list's paging: keyset pages from a real SQLite file, never the whole list."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_reader.app import TuiReaderApp
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.session import Session, session_for_home
from tui_reader.widgets import HeadlineList, HeadlinePager

NOW = 1_800_000_000
BIG = 50_000
DEAD_URL = "http://127.0.0.1:9/feed.xml"
"""Port 9 (discard) on loopback: nothing listens, nothing leaves the machine."""


def seed(session: Session, count: int, *, ties: bool = False) -> int:
    """Subscribe one loopback feed and write *count* stories straight into the cache."""
    session.save_subscriptions([Subscription(DEAD_URL, "Big Feed", ("news",))])
    feed = session.store.feed_by_url(DEAD_URL)
    assert feed is not None
    items = [
        ParsedItem(
            guid=f"story-{i}",
            url=f"http://127.0.0.1:9/story/{i}",
            title=f"Story {i}",
            # With ties, pairs of stories share a timestamp so the id must break the tie.
            published=NOW - (i // 2 if ties else i) * 60,
            summary=f"Summary {i}",
        )
        for i in range(count)
    ]
    session.store.save_feed(feed.id, ParsedFeed("Big Feed", None, items), {}, now=NOW)
    return feed.id


@pytest.fixture(scope="module")
def big_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache with 50,000 stories, written once for the module (it takes a few seconds)."""
    home = tmp_path_factory.mktemp("big")
    session = session_for_home(home)
    try:
        seed(session, BIG)
    finally:
        session.close()
    return home


@pytest.fixture
def big_session(big_home: Path) -> Iterator[Session]:
    session = session_for_home(big_home)
    yield session
    session.close()


@pytest.fixture
def small_session(tmp_path: Path) -> Iterator[Session]:
    session = session_for_home(tmp_path)
    seed(session, 57, ties=True)
    yield session
    session.close()


def test_pages_agree_with_one_big_query_in_any_order(small_session: Session) -> None:
    store = small_session.store
    expected = [h.id for h in store.headlines(HeadlineFilter(), limit=1000)]
    pager = HeadlinePager(store, HeadlineFilter(), page_size=5, max_pages=3)
    order = list(range(len(expected)))
    random.Random(7).shuffle(order)
    for index in order:
        row = pager.get(index)
        assert row is not None and row.id == expected[index], index
    assert pager.get(len(expected)) is None
    assert pager.get(-1) is None


def test_walking_up_from_the_end_matches_too(small_session: Session) -> None:
    store = small_session.store
    expected = [h.id for h in store.headlines(HeadlineFilter(), limit=1000)]
    pager = HeadlinePager(store, HeadlineFilter(), page_size=5, max_pages=2)
    got = [pager.get(i) for i in reversed(range(len(expected)))]
    assert [h.id for h in got if h] == list(reversed(expected))


def test_index_of_and_next_unread(small_session: Session) -> None:
    store = small_session.store
    rows = store.headlines(HeadlineFilter(), limit=10)
    store.set_read([rows[1].id, rows[2].id])
    pager = HeadlinePager(store, HeadlineFilter(), page_size=4)
    assert pager.index_of(rows[6]) == 6
    assert pager.next_unread(0, True) == (3, store.headline(rows[3].id))
    assert pager.next_unread(3, False) == (0, store.headline(rows[0].id))
    assert pager.next_unread(0, False) is None


def test_pager_reaches_both_ends_of_50k_rows_with_few_queries(big_session: Session) -> None:
    pager = HeadlinePager(big_session.store, HeadlineFilter())
    assert pager.total == BIG
    last = pager.get(BIG - 1)
    first = pager.get(0)
    assert last is not None and last.title == f"Story {BIG - 1}"
    assert first is not None and first.title == "Story 0"
    second_last = pager.get(BIG - 2)
    assert second_last is not None and second_last.title == f"Story {BIG - 2}"
    assert pager.queries <= 3  # one count, the first page, the last page


async def test_end_and_home_in_the_app_with_50k_rows(big_session: Session) -> None:
    app = TuiReaderApp(big_session, clock=lambda: NOW, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.main.headlines
        assert headlines.total == BIG
        before = headlines.pager.queries
        await pilot.press("G")
        await pilot.pause()
        assert headlines.highlighted is not None
        assert headlines.highlighted.title == f"Story {BIG - 1}"
        assert headlines.scroll_offset.y >= (BIG - 20) * 2
        await pilot.press("k", "k", "g")
        await pilot.pause()
        assert headlines.cursor == 0
        assert headlines.highlighted is not None and headlines.highlighted.title == "Story 0"
        await pilot.press("j", "j")
        await pilot.pause()
        # Only a handful of page reads for all that: never one query per row.
        assert headlines.pager.queries - before <= 6


async def test_scrolling_page_by_page_reads_each_page_once(big_session: Session) -> None:
    app = TuiReaderApp(big_session, clock=lambda: NOW, refresh_on_start=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        headlines.pager.queries = 0
        for _ in range(60):  # about 600 rows: three 200-row pages
            headlines.action_page_down()
        await pilot.pause()
        assert 550 <= headlines.cursor <= 700
        assert headlines.pager.queries <= 4


def test_time_words_come_from_the_given_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from tui_reader.text import fit, long_date, relative_time, timeline_time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        now = 1_795_780_800  # Fri 27 Nov 2026, 12:00 UTC
        assert relative_time(now - 30, now) == "now"
        assert relative_time(now - 12 * 60, now) == "12m"
        assert relative_time(now - 3 * 3600, now) == "3h"
        assert relative_time(now - 2 * 86400, now) == "2d"
        assert timeline_time(now - 3600, now) == "11:00"
        assert timeline_time(now - 86400, now) == "Yesterday"
        assert timeline_time(now - 4 * 86400, now) == "Mon 23 Nov"
        assert timeline_time(now - 400 * 86400, now) == "23 Oct 2025"
        assert long_date(now, now) == "Fri 27 Nov, 12:00"
        assert long_date(now) == "Fri 27 Nov 2026, 12:00"
        assert fit("a long headline", 8) == "a long…"
        assert fit("short", 8) == "short"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_jump_into_the_middle_of_50k_stories_costs_two_queries(big_session: Session) -> None:
    """A scrollbar drag lands far from any loaded page: one OFFSET jump, one page read."""
    pager = HeadlinePager(big_session.store, HeadlineFilter())
    before = pager.queries
    row = pager.get(31_337)
    assert row is not None and row.title == "Story 31337"
    assert pager.queries - before == 2
    neighbour = pager.get(31_338)  # same page: no query
    assert neighbour is not None and neighbour.title == "Story 31338"
    assert pager.queries - before == 2


async def test_moving_the_cursor_redraws_both_rows_and_keeps_the_line_cache(
    small_session: Session,
) -> None:
    app = TuiReaderApp(small_session, clock=lambda: NOW, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        cursor_bg = headlines.get_component_rich_style("headline-list--cursor").bgcolor

        def backgrounds(row: int) -> set[object]:
            """The background colours of a row's two lines, as drawn now."""
            found = set()
            for part in range(2):
                strip = headlines.render_line(row * 2 + part - headlines.scroll_offset.y)
                found |= {segment.style.bgcolor for segment in strip if segment.style}
            return found

        def text(row: int) -> str:
            strip = headlines.render_line(row * 2 - headlines.scroll_offset.y)
            return "".join(segment.text for segment in strip)

        assert backgrounds(0) == {cursor_bg} and cursor_bg not in backgrounds(1)
        untouched = headlines.render_line(10)  # row 5: not the cursor before or after
        headlines.move_to(1)
        await pilot.pause()
        assert headlines.render_line(10) is untouched  # served from the cache, not redrawn
        assert cursor_bg not in backgrounds(0)
        assert backgrounds(1) == {cursor_bg}
        first, second = (headlines.pager.get(i).title for i in (0, 1))  # type: ignore[union-attr]
        assert first in text(0) and second in text(1)
        headlines.move_to(0)
        await pilot.pause()
        assert backgrounds(0) == {cursor_bg} and cursor_bg not in backgrounds(1)
        assert first in text(0) and second in text(1)
