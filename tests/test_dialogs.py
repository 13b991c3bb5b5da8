"""The dialogs, the Feeds screen, the command palette and link opening, driven by Pilot.

Each test mounts the screen on a tiny host App over a real Store under tmp_path; the
Feeds screen talks to a loopback FeedServer only.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer
from palette_driver import palette_prompts
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.worker import WorkerFailed

from tui_reader import links
from tui_reader.app import TuiReaderApp
from tui_reader.background import Background
from tui_reader.commands import TuiReaderCommands
from tui_reader.core.demo import DEMO_NOW, build_demo_home
from tui_reader.core.demo_mode import DEMO_REFUSAL
from tui_reader.core.feed_status import due_words, status_words
from tui_reader.core.feeds_file import load_subscriptions
from tui_reader.core.models import FeedInfo, HeadlineFilter, ParsedFeed, ParsedItem
from tui_reader.core.paths import Paths
from tui_reader.core.session import Session, open_session, session_for_home
from tui_reader.core.subscribe import add_subscription
from tui_reader.guard import store_guard
from tui_reader.keymap import UNBOUND, Action, Keymap
from tui_reader.screens.confirm import ConfirmDialog
from tui_reader.screens.feeds_screen import FeedsScreen
from tui_reader.screens.filter_picker import FilterPicker
from tui_reader.screens.help_screen import HelpScreen, KeyGroup
from tui_reader.screens.search_dialog import SearchDialog

pytestmark = pytest.mark.timeout(30)

HOSTILE = "[b]Evil[/b] [@click=app.quit]Desk[/]"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Loopback Desk</title><link>http://127.0.0.1/</link>
  <item><title>Story one</title><link>http://127.0.0.1/s/1</link><guid>s1</guid>
    <pubDate>Fri, 27 Nov 2026 11:20:00 GMT</pubDate></item>
  <item><title>Story two</title><link>http://127.0.0.1/s/2</link><guid>s2</guid>
    <pubDate>Fri, 27 Nov 2026 10:20:00 GMT</pubDate></item>
</channel></rss>
"""


class Host(App[None]):
    """Stands in for the real app: a session, an empty screen, recorded actions."""

    COMMANDS = App.COMMANDS | {TuiReaderCommands}

    def __init__(self, session: Session | None = None) -> None:
        super().__init__()
        self.session = session
        self.results: list[Any] = []
        self.actions: list[Any] = []
        self.notes: list[tuple[str, str, bool]] = []
        self.keymap = Keymap()
        self.services = Background(self, session, demo=False, clock=time.time) if session else None

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append((message, kwargs.get("severity", ""), kwargs.get("markup", True)))
        super().notify(message, *args, **kwargs)

    def compose(self) -> ComposeResult:
        yield Static("host")

    def record(self, result: Any) -> None:
        self.results.append(result)

    def action_refresh(self) -> None:
        self.actions.append("refresh")

    def action_show_feed(self, feed_id: int) -> None:
        self.actions.append(("feed", feed_id))

    def show_tag(self, tag: str) -> None:
        self.actions.append(("tag", tag))

    async def run_command(self, action: Action) -> None:
        self.actions.append(action.id)

    def feeds_screen(self) -> FeedsScreen:
        assert self.services is not None
        return FeedsScreen(self.services)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    s = session_for_home(tmp_path)
    yield s
    s.close()


def items(prefix: str, n: int) -> list[ParsedItem]:
    return [
        ParsedItem(f"{prefix}-{i}", f"http://127.0.0.1/{prefix}/{i}", f"{prefix} story {i}",
                   published=1_790_000_000 + i)
        for i in range(n)
    ]


def populate(session: Session) -> dict[str, int]:
    """Three feeds: fetched fine, failing, dead; returns their ids by name."""
    now = int(time.time())
    add_subscription(session, "http://127.0.0.1:9/world.xml", tags=["news"])
    add_subscription(session, "http://127.0.0.1:9/tech.xml", tags=["tech", "news"])
    add_subscription(session, "http://127.0.0.1:9/gone.xml")
    store = session.store
    ids = {}
    for name in ("world", "tech", "gone"):
        info = store.feed_by_url(f"http://127.0.0.1:9/{name}.xml")
        assert info is not None
        ids[name] = info.id
    store.save_feed(
        ids["world"], ParsedFeed("World Desk", None, items("w", 3)),
        {"last_status": "ok", "last_fetched": now - 60, "next_due": now + 1500},
    )
    store.save_feed(ids["tech"], ParsedFeed(HOSTILE, None, items("t", 2)), {})
    store.update_feed_state(
        ids["tech"], last_status="error", last_error="connection refused",
        last_fetched=now, fail_count=1, next_due=now + 3 * 3600,
    )
    store.update_feed_state(
        ids["gone"], last_status="dead", last_error="HTTP 410 Gone: the feed was removed",
        dead=1,
    )
    return ids


async def settle(app: App[Any], pilot: Any) -> None:
    await pilot.pause()
    with contextlib.suppress(WorkerFailed):  # the screen reports a failed worker itself
        await app.workers.wait_for_complete()
    await pilot.pause()


# -- confirm and search --------------------------------------------------------------------


@pytest.mark.parametrize(("key", "expected"), [("y", True), ("enter", False),
                                               ("n", False), ("escape", False)])
async def test_confirm_dialog(key: str, expected: bool) -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.push_screen(ConfirmDialog(HOSTILE, yes="Remove", no="Keep"), app.record)
        await pilot.pause()
        question = app.screen.query_one("#question", Static)
        assert str(question.render()) == HOSTILE  # shown literally, not as markup
        await pilot.press(key)
        await pilot.pause()
    assert app.results == [expected]


async def test_search_dialog_returns_text() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.push_screen(SearchDialog("flood"), app.record)
        await pilot.pause()
        assert app.screen.query_one(Input).value == "flood"
        await pilot.press("end", "space", *"barrier", "enter")
        await pilot.pause()
        app.push_screen(SearchDialog(), app.record)
        await pilot.pause()
        await pilot.press("x", "escape")
        await pilot.pause()
    assert app.results == ["flood barrier", None]


# -- filter picker -------------------------------------------------------------------------


async def test_filter_picker_lists_and_picks_tag(session: Session) -> None:
    ids = populate(session)
    app = Host(session)
    async with app.run_test() as pilot:
        app.push_screen(FilterPicker(session.store, HeadlineFilter(unread_only=True)), app.record)
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert prompts[:3] == ["All feeds  (5 unread)", "Unread only", "Bookmarks"]
        assert "#news  (5 unread)" in prompts
        assert "#tech  (2 unread)" in prompts
        assert f"{HOSTILE}  (2 unread) · failing" in prompts
        assert options.highlighted == 1  # the current view: unread only
        await pilot.press("n", "e", "w", "s")
        await pilot.pause()
        assert options.option_count == 1
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [HeadlineFilter(tag="news", unread_only=True)]
    assert ids


async def test_filter_picker_picks_feed_and_cancels(session: Session) -> None:
    ids = populate(session)
    app = Host(session)
    async with app.run_test() as pilot:
        app.push_screen(FilterPicker(session.store, HeadlineFilter()), app.record)
        await pilot.pause()
        await pilot.press(*"world")
        await pilot.press("enter")
        await pilot.pause()
        app.push_screen(FilterPicker(session.store, HeadlineFilter()), app.record)
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        app.push_screen(FilterPicker(session.store, HeadlineFilter()), app.record)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [
        HeadlineFilter(feed_id=ids["world"]),
        HeadlineFilter(bookmarked=True),
        None,
    ]


async def test_filter_picker_on_a_closed_cache_keeps_the_fixed_views(session: Session) -> None:
    populate(session)
    session.store.close()
    app = Host(session)
    async with app.run_test() as pilot:
        app.push_screen(FilterPicker(session.store, HeadlineFilter()), app.record)
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt)
                   for i in range(options.option_count)]
        assert [p.split("  ")[0] for p in prompts] == ["All feeds", "Unread only", "Bookmarks"]
        assert len(app.notes) == 1
        message, severity, markup = app.notes[0]
        assert "the cache is closed" in message and severity == "error" and markup is False
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.results == [HeadlineFilter(unread_only=True)]


# -- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["question_mark", "escape", "q"])
async def test_help_opens_and_closes(key: str) -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(g.plain for g in app.screen.query(KeyGroup))
        for needle in ("Navigate", "Organise", "ctrl+p", "undo unbookmark", "back / quit"):
            assert needle in text
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_too_long_for_80x24_scrolls_with_the_list_keys() -> None:
    """At 80x24 the keys run past the dialog; j, k, g, G and space scroll it as they move
    through the headlines (only the arrows and page keys did)."""
    from textual.containers import VerticalScroll

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        assert body.scroll_y == min(body.max_scroll_y, body.scrollable_content_region.height)
        assert isinstance(app.screen, HelpScreen)


async def test_help_shows_remapped_keys() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen(Keymap({"bookmark": "ctrl+b", "undo": UNBOUND})))
        await pilot.pause()
        text = "\n".join(g.plain for g in app.screen.query(KeyGroup))
        assert "ctrl+b  bookmark (saves full text offline)" in text
        assert "—  undo unbookmark" in text  # it lost its only key
        assert "\nb  " not in text


async def test_help_lists_paging_focus_and_clearing_keys() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen())
        await pilot.pause()
        text = " ".join(g.plain for g in app.screen.query(KeyGroup))
        for needle in ("pgdn / pgup", "shift+tab", "esc  clear search / filter",
                       "C  copy comments link", "at its end, next unread"):
            assert needle in text


async def test_help_shows_one_page_of_the_table() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen(Keymap(), page="feeds", title="Feeds keys"))
        await pilot.pause()
        groups = [g.group_title for g in app.screen.query(KeyGroup)]
        assert groups == ["Feeds", "Move", "Screen"]
        assert str(app.screen.query_one("#dialog").border_title) == "Feeds keys"


# -- feeds screen --------------------------------------------------------------------------


def table_rows(screen: FeedsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_status_words(session: Session) -> None:
    ids = populate(session)
    now = time.time()
    feeds = {f.id: f for f in session.store.feeds()}
    assert status_words(feeds[ids["world"]], now).startswith("ok ")
    assert status_words(feeds[ids["tech"]], now) == "error: connection refused"
    assert status_words(feeds[ids["gone"]], now) == "dead: 410 Gone"
    assert due_words(feeds[ids["gone"]], now) == "never"
    assert due_words(feeds[ids["tech"]], now) in ("in 3h", "in 2h")


async def test_feeds_screen_lists_and_removes(session: Session) -> None:
    ids = populate(session)
    world = [h for h in session.store.headlines() if h.feed_id == ids["world"]]
    session.store.set_bookmark(world[0].id)
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen, app.record)
        await pilot.pause()
        rows = table_rows(screen)
        assert [r[0] for r in rows] == [HOSTILE, "http://127.0.0.1:9/gone.xml", "World Desk"]
        assert rows[0][1:4] == ["2/2", "#news #tech", "error: connection refused"]
        assert rows[1][3] == "dead: 410 Gone"
        assert rows[2][3].startswith("ok ")
        detail = str(screen.query_one("#feeds-detail", Static).render())
        assert "connection refused" in detail and "http://127.0.0.1:9/tech.xml" in detail

        await pilot.press("down", "down", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one("#question", Static).render())
        assert "World Desk" in question and "1 bookmarked story is kept" in question
        await pilot.press("y")
        await settle(app, pilot)
        assert [r[0] for r in table_rows(screen)] == [HOSTILE, "http://127.0.0.1:9/gone.xml"]
        urls = [s.url for s in load_subscriptions(session.paths.feeds_file)]
        assert "http://127.0.0.1:9/world.xml" not in urls and len(urls) == 2
        assert session.store.feed(ids["world"]) is None
        kept = session.store.headlines(HeadlineFilter(bookmarked=True))
        assert [h.id for h in kept] == [world[0].id]
        assert "Removed World Desk" in str(screen.query_one("#feeds-status", Static).render())

        await pilot.press("d", "n")
        await settle(app, pilot)
        assert len(table_rows(screen)) == 2
        await pilot.press("q")
        await pilot.pause()
    assert app.results == [True]


async def test_feeds_screen_adds_by_discovery_and_refreshes(
    session: Session, feed_server: FeedServer
) -> None:
    feed_server.route(
        "/site",
        '<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
        'href="/feed.xml"></head><body>hi</body></html>',
        content_type="text/html",
    )
    feed_server.route("/feed.xml", RSS)
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen, app.record)
        await pilot.pause()
        assert table_rows(screen) == []
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = feed_server.url("/site")
        await pilot.press("enter")
        await settle(app, pilot)
        feed_url = feed_server.url("/feed.xml")
        assert [s.url for s in load_subscriptions(session.paths.feeds_file)] == [feed_url]
        rows = table_rows(screen)
        assert rows[0][0] == "Loopback Desk" and rows[0][1] == "2/2"
        assert rows[0][3].startswith("ok ")
        status = str(screen.query_one("#feeds-status", Static).render())
        assert status == "Loopback Desk: 2 new, 0 updated"

        feed_server.route("/feed.xml", "", status=404)
        await pilot.press("r")
        await settle(app, pilot)
        assert table_rows(screen)[0][3] == "error: HTTP 404 Not Found"
        status = str(screen.query_one("#feeds-status", Static).render())
        assert status == "Loopback Desk: error: HTTP 404 Not Found"
        assert feed_server.hits("/feed.xml") == 3  # discovery, first fetch, r

        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = feed_server.url("/nothing-here")
        await pilot.press("enter")
        await settle(app, pilot)
        status = str(screen.query_one("#feeds-status", Static).render())
        assert status == f"HTTP 404 Not Found at {feed_server.url('/nothing-here')}"
        assert len(table_rows(screen)) == 1
        # a again starts from the address that failed (it had to be typed all over).
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one(Input).value == feed_server.url("/nothing-here")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [True]


async def test_feeds_screen_worker_failure_is_one_line(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(session)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom [b]not markup[/b]")

    monkeypatch.setattr("tui_reader.core.refresh.RefreshService.refresh", broken)
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("r")
        await settle(app, pilot)
        status = str(screen.query_one("#feeds-status", Static).render())
        assert status == "Failed: RuntimeError: boom [b]not markup[/b]"
        assert screen.is_current and app.is_running
        await pilot.press("r")  # the feed is not stuck as "already fetching"
        await settle(app, pilot)
        assert str(screen.query_one("#feeds-status", Static).render()).startswith("Failed")


async def test_feeds_screen_refuses_duplicates_and_bad_urls(
    session: Session, feed_server: FeedServer
) -> None:
    add_subscription(session, feed_server.url("/feed.xml"))
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        for url, expected in [
            (feed_server.url("/feed.xml"), "Already subscribed to "),
            ("javascript:alert(1)", "Not an http(s) URL: javascript:alert(1)"),
        ]:
            await pilot.press("a")
            await pilot.pause()
            app.screen.query_one(Input).value = url
            await pilot.press("enter")
            await settle(app, pilot)
            assert str(screen.query_one("#feeds-status", Static).render()).startswith(expected)
        assert feed_server.requests == []
        assert len(session.subscriptions()) == 1


def test_due_words_far_future_is_short_and_whole() -> None:
    now = 1_790_000_000.0
    feed = FeedInfo(1, "http://127.0.0.1/f.xml", "F")

    def due(seconds: float) -> str:
        return due_words(FeedInfo(1, feed.url, "F", next_due=int(now + seconds)), now)

    assert due(29 * 86400 + 5) == "in 29d"
    far = due(10 * 365 * 86400)
    assert not far.startswith("in ") and len(far) <= 8 and far[-4:].isdigit()
    assert due(40 * 86400)[-4:].isdigit()
    assert due(10**13) == "later"  # past what a date can hold: still a word, never a crash
    assert due_words(feed, now) == "now"


def cell_fits(screen: FeedsScreen) -> list[str]:
    """Every cell that is wider than its column (the table would cut it)."""
    table = screen.query_one(DataTable)
    cut = []
    for row in table_rows(screen):
        for column, text in zip(table.ordered_columns, row, strict=True):
            if len(text) > column.width:
                cut.append(f"{column.key.value}: {text}")
    return cut


def demo_app(tmp_path: Path) -> TuiReaderApp:
    session = open_session(build_demo_home(tmp_path / "home", now=DEMO_NOW))
    return TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_feeds_screen_in_demo_mode_fetches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    fetched: list[Any] = []

    async def refresh(*args: Any, **kwargs: Any) -> None:
        fetched.append(("refresh", args, kwargs))

    async def resolve(*args: Any, **kwargs: Any) -> None:
        fetched.append(("resolve", args, kwargs))

    monkeypatch.setattr("tui_reader.core.refresh.RefreshService.refresh", refresh)
    monkeypatch.setattr("tui_reader.core.subscribe.resolve_with_settings", resolve)
    app = demo_app(tmp_path)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.press("F")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FeedsScreen) and screen.demo
            rows = table_rows(screen)
            assert len(rows) == 4
            assert [row[4] for row in rows] == ["never"] * 4  # not "Nov 2036": never fetched
            cut = cell_fits(screen)
            if size[0] >= 120:
                assert cut == []
            else:  # narrow: only a long title or tag list may end in "…"
                assert [c for c in cut if not c.startswith(("title:", "tags:"))] == []
            status = screen.query_one("#feeds-status", Static)
            for key in ("r", "a"):
                await pilot.press(key)
                await settle(app, pilot)
                assert app.screen is screen  # no URL prompt in demo mode
                assert str(status.render()) == DEMO_REFUSAL
            screen.add_feed("http://127.0.0.1:9/x.xml")
            screen.refresh_feed(screen.feeds[0])
            await settle(app, pilot)
            await pilot.press("d")  # removing is local, and allowed
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")
            await pilot.pause()
            assert len(table_rows(screen)) == 4
    finally:
        app.session.close()
    assert fetched == []


async def test_feeds_screen_moves_with_j_k_g_G(session: Session) -> None:
    populate(session)
    app = Host(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(DataTable)
        detail = screen.query_one("#feeds-detail", Static)
        assert table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 1
        assert "gone.xml" in str(detail.render())
        await pilot.press("j", "j")  # stops at the last row
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == 2
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 2
        assert screen.highlighted is not None and screen.highlighted.title == "World Desk"


async def test_feeds_screen_help_shows_its_own_keys(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text('[keys]\n"feeds.add" = "ctrl+n"\n', encoding="utf-8")
    session = session_for_home(tmp_path)
    try:
        app = TuiReaderApp(session, refresh_on_start=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("F")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FeedsScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            text = " ".join(g.plain for g in app.screen.query(KeyGroup))
            for needle in ("add a feed or a web page", "d  remove; bookmarks stay",
                           "r  fetch this feed now", "j / k  move down / up",
                           "g / G  first / last feed", "esc / q  back to the headlines",
                           "?  this help"):
                assert needle in text
            assert "ctrl+n  add a feed" in text or "^n  add a feed" in text
            for main_only in ("undo unbookmark", "timeline", "mark all read"):
                assert main_only not in text
            assert str(app.screen.query_one("#dialog").border_title) == "Feeds keys"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
    finally:
        session.close()


async def test_feeds_screen_detail_shows_the_whole_error(session: Session) -> None:
    ids = populate(session)
    long_error = "HTTP 503 Service Unavailable: " + " ".join(f"word{i}" for i in range(60))
    session.store.update_feed_state(ids["tech"], last_status="error", last_error=long_error)
    app = Host(session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        detail = screen.query_one("#feeds-detail", Static)
        assert long_error in " ".join(str(detail.render()).split())
        width = detail.content_region.width
        needed = detail.get_content_height(screen.size, app.size, width)
        assert needed >= 6  # the URL and an error wrapped over several lines…
        assert detail.content_region.height >= needed  # …all of them on screen


async def test_feeds_screen_cache_failures_are_one_line(session: Session) -> None:
    populate(session)
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        status = screen.query_one("#feeds-status", Static)
        session.store.close()  # the cache goes away mid-session
        await pilot.press("d")
        await pilot.pause()
        assert screen.is_current  # no confirm dialog for a count that failed
        assert str(status.render()).startswith("Cache problem: ")
        assert "the cache is closed" in str(status.render())
        assert status.has_class("-error")
        status.update("")
        await pilot.press("r")
        await settle(app, pilot)
        assert "the cache is closed" in str(status.render())
        screen.remove_feed(screen.feeds[0])
        await settle(app, pilot)
        assert "the cache is closed" in str(status.render())
        assert len(table_rows(screen)) == 3  # the last good list stays on screen

        app.push_screen(app.feeds_screen())  # opened on a closed cache
        await pilot.pause()
        again = app.screen
        assert isinstance(again, FeedsScreen) and table_rows(again) == []
        text = str(again.query_one("#feeds-status", Static).render())
        assert text.startswith("Cache problem: ") and "the cache is closed" in text
        assert "could not be read" in str(again.query_one("#feeds-detail", Static).render())
        assert app.is_running


async def test_store_guard_turns_a_cache_error_into_one_notification(session: Session) -> None:
    class Counting(Screen[None]):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        @store_guard
        def unread(self) -> int:
            self.calls += 1
            return session.store.total_unread()

    populate(session)
    app = Host(session)
    async with app.run_test() as pilot:
        screen = Counting()
        app.push_screen(screen)
        await pilot.pause()
        assert screen.unread() == 5
        session.store.close()
        assert screen.unread() is None and screen.calls == 2
        await pilot.pause()
        assert len(app.notes) == 1
        message, severity, markup = app.notes[0]
        assert "the cache is closed" in message and severity == "error" and markup is False


def test_feeds_screen_import_leaves_fetching_code_out() -> None:
    code = (
        "import sys\n"
        "import tui_reader.app, tui_reader.commands\n"
        "import tui_reader.screens.feeds_screen, tui_reader.screens.help_screen\n"
        "import tui_reader.screens.filter_picker, tui_reader.screens.search_dialog\n"
        "heavy = ('feedparser', 'lxml', 'httpx', 'tui_reader.core.refresh',\n"
        "         'tui_reader.core.subscribe', 'tui_reader.core.http')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == ""


# -- command palette -----------------------------------------------------------------------


async def test_palette_lists_actions_feeds_and_tags(session: Session) -> None:
    ids = populate(session)
    app = Host(session)
    async with app.run_test() as pilot:
        prompts = await palette_prompts(app, pilot, "", "Refresh all feeds")
        for title in ("Toggle unread only", "Show bookmarks", "Feeds…", "Search…", "Help"):
            assert any(p.startswith(title) for p in prompts)
        assert any(p.startswith("Feed: World Desk") for p in prompts)
        await pilot.press("escape")
        await pilot.pause()

        prompts = await palette_prompts(app, pilot, "refresh", "Refresh all feeds")
        assert prompts[0].startswith("Refresh all feeds")
        await pilot.press("enter")
        await pilot.pause()
        assert app.actions == ["refresh"]

        prompts = await palette_prompts(app, pilot, "evil desk", "Feed: ")
        assert prompts[0] == f"Feed: {HOSTILE}\n2 unread"  # literal, markup not parsed
        await pilot.press("enter")
        await pilot.pause()
        assert app.actions[-1] == ("feed", ids["tech"])

        prompts = await palette_prompts(app, pilot, "tag tech", "Tag: #tech")
        assert prompts[0].startswith("Tag: #tech")
        await pilot.press("enter")
        await pilot.pause()
        assert app.actions[-1] == ("tag", "tech")


async def test_palette_on_a_closed_cache_still_offers_actions(session: Session) -> None:
    populate(session)
    session.store.close()
    app = Host(session)
    async with app.run_test() as pilot:
        prompts = await palette_prompts(app, pilot, "", "Refresh all feeds")
        assert any(p.startswith("Refresh all feeds") for p in prompts)
        assert not any(p.startswith(("Feed: ", "Tag: ")) for p in prompts)
        assert [(sev, markup) for _, sev, markup in app.notes] == [("error", False)]
        assert "the cache is closed" in app.notes[0][0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


# -- links ---------------------------------------------------------------------------------


@pytest.fixture
def browser_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    class Fake(webbrowser.BackgroundBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            calls.append(url)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda using=None: Fake(["fake"]))
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    return calls


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "", "http://",
     "https://example.org/\x1b[2Jx", "ftp://example.org/"],
)
def test_open_refuses_non_http(url: str, browser_calls: list[str]) -> None:
    assert links.open_in_browser(url) == links.NOT_HTTP
    assert links.safe_link(url) is None
    assert browser_calls == []


def test_open_over_ssh_says_so(browser_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5555 10.0.0.2 22")
    assert links.open_in_browser("https://example.org/") == links.NO_BROWSER
    assert browser_calls == []


def test_open_without_display_or_with_console_browser(
    browser_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert links.open_in_browser("https://example.org/") == links.NO_BROWSER
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: webbrowser.GenericBrowser("w3m"))
    assert links.open_in_browser("https://example.org/") == links.NO_BROWSER
    assert browser_calls == []


def test_open_with_browser(browser_calls: list[str]) -> None:
    assert links.open_in_browser(" https://example.org/a?b=1 ") is None
    assert browser_calls == ["https://example.org/a?b=1"]


async def test_feeds_screen_detail_says_when_and_why_the_feed_is_fetched_next(
    session: Session,
) -> None:
    ids = populate(session)
    now = int(time.time())
    session.store.update_feed_state(
        ids["world"], next_due=now + 6 * 3600 + 60, poll_seconds=6 * 3600,
        poll_reason="posts every 24 h or so",
    )
    app = Host(session)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.feeds_screen()
        app.push_screen(screen)
        await pilot.pause()
        await pilot.press("G")  # World Desk sorts last
        await pilot.pause()
        detail = " ".join(str(screen.query_one("#feeds-detail", Static).render()).split())
        assert "next in 6h: posts every 24 h or so" in detail
