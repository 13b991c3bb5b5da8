"""The command palette (ctrl+p) of the real app on the demo home, driven with Pilot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from palette_driver import palette_prompts
from textual.widgets import OptionList

from tui_reader.app import TuiReaderApp
from tui_reader.core.demo import DEMO_NOW, build_demo_home
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.session import Session, open_session
from tui_reader.keymap import ACTIONS, Keymap
from tui_reader.screens.feeds_screen import FeedsScreen
from tui_reader.screens.help_screen import HelpScreen
from tui_reader.screens.main_screen import MainScreen
from tui_reader.widgets import HeadlineList, Timeline

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = open_session(build_demo_home(tmp_path / "demo", DEMO_NOW))
    yield session
    session.close()


def demo_app(session: Session) -> TuiReaderApp:
    return TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)


async def choose(app: TuiReaderApp, pilot: Any, query: str, expect: str) -> None:
    """Type *query* in the palette and run the entry that starts with *expect*."""
    prompts = await palette_prompts(app, pilot, query, expect)
    await pilot.pause(0.2)  # let the matches settle in their final order
    options = app.screen.query_one(OptionList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    index = next(i for i, p in enumerate(prompts) if p.startswith(expect))
    await pilot.press(*["down"] * index, "enter")
    await pilot.pause()
    await pilot.pause()


def feed_id(session: Session, title: str) -> int:
    return next(f.id for f in session.store.feeds() if f.display_title == title)


async def test_unread_filters_the_list_to_unread_stories(session: Session) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "unread", "Toggle unread only")
        assert isinstance(app.screen, MainScreen)
        assert app.main.filter == HeadlineFilter(unread_only=True)
        assert app.query_one(HeadlineList).filter.unread_only
        assert "Unread" in app.main.status.context_text


async def test_a_feed_entry_filters_by_that_feed(session: Session) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "world desk", "Feed: World Desk")
        assert app.main.filter == HeadlineFilter(feed_id=feed_id(session, "World Desk"))
        assert "World Desk" in app.main.status.context_text
        headlines = app.query_one(HeadlineList)
        assert headlines.total == session.store.count(app.main.filter) > 0


async def test_a_tag_entry_filters_by_that_tag(session: Session) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "tag community", "Tag: #community")
        assert app.main.filter == HeadlineFilter(tag="community")
        assert "#community" in app.main.status.context_text


async def test_help_feeds_bookmarks_and_timeline_entries_run_their_actions(
    session: Session,
) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await choose(app, pilot, "help", "Help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await choose(app, pilot, "feeds", "Feeds…")
        assert isinstance(app.screen, FeedsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await choose(app, pilot, "show bookmarks", "Show bookmarks")
        assert app.main.filter == HeadlineFilter(bookmarked=True)
        assert app.query_one(Timeline).display
        await choose(app, pilot, "toggle timeline", "Toggle timeline")
        assert not app.query_one(Timeline).display


async def test_every_fixed_entry_ends_with_its_key(session: Session) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        prompts = await palette_prompts(app, pilot, "", "Help")
        entries = dict(p.split("\n", 1) for p in prompts if "\n" in p)
        assert entries["Refresh all feeds"] == "Fetch every feed now · r"
        assert entries["Search…"].endswith(" · /")
        assert entries["Help"].endswith(" · ?")
        for action in ACTIONS:
            if action.palette:
                assert entries[action.palette] == (
                    f"{action.palette_help} · {Keymap().shown(action)}")
        demo_feeds = {f"Feed: {f.display_title}" for f in session.store.feeds()}
        assert demo_feeds <= set(entries) and len(demo_feeds) == 4


async def test_a_palette_on_a_closed_cache_still_offers_the_fixed_actions(
    session: Session,
) -> None:
    app = demo_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        session.store.close()  # the cache goes away mid-session
        before = len(app._notifications)
        prompts = await palette_prompts(app, pilot, "", "Toggle timeline")
        for action in ACTIONS:
            if action.palette:
                assert any(p.startswith(action.palette) for p in prompts), action.palette
        assert not any(p.startswith(("Feed: ", "Tag: ")) for p in prompts)
        said = list(app._notifications)[before:]
        assert len(said) == 1 and "the cache is closed" in said[0].message
        assert said[0].severity == "error" and not said[0].markup
        await pilot.press("escape")
        await pilot.pause()
        await choose(app, pilot, "toggle timeline", "Toggle timeline")
        assert not app.query_one(Timeline).display
        assert app.is_running
