"""The "Read next" timeline over a real Store: a tiny App holding one Timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import (
    Headline,
    HeadlineFilter,
    ParsedFeed,
    ParsedItem,
    Related,
    RelatedStory,
    StoryFlags,
)
from tui_reader.core.session import Session, session_for_home
from tui_reader.messages import StoryChanged
from tui_reader.text import timeline_time
from tui_reader.widgets import Timeline
from tui_reader.widgets.timeline import READ_NEXT_LIMIT, entry_heading

pytestmark = pytest.mark.timeout(60)

NOW = int(datetime(2026, 11, 27, 14, 30).timestamp())
HOSTILE = "[b]x[/b] [@click=app.quit]quit[/] \x1b[31mred"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = session_for_home(tmp_path / "home")
    yield session
    session.close()


def seed(session: Session, count: int, *, titles: dict[int, str] | None = None,
         url: str = "http://127.0.0.1:9/feed.xml", title: str = "World Desk",
         categories: tuple[str, ...] = ("politics",)) -> list[int]:
    """*count* stories in one feed, story 0 newest, ten minutes apart; their ids in order."""
    session.save_subscriptions([*session.subscriptions(), Subscription(url, title, ())])
    feed = session.store.feed_by_url(url)
    assert feed is not None
    items = [
        ParsedItem(f"{url}#{n}", f"{url}/{n}", (titles or {}).get(n, f"Story {n}"),
                   published=NOW - 600 * (n + 1), summary=f"What happened in story {n}.",
                   categories=categories)
        for n in range(count)
    ]
    session.store.save_feed(feed.id, ParsedFeed(title, None, items), {"last_status": "ok"},
                            now=NOW)
    rows = session.store.headlines(HeadlineFilter(feed_id=feed.id), limit=count)
    return [h.id for h in sorted(rows, key=lambda h: -h.timestamp)]


class Sidebar(App[None]):
    """One Timeline, and the stories it opened."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.opened: list[Headline] = []

    def compose(self) -> ComposeResult:
        yield Timeline(self.session.store, clock=lambda: NOW)

    def on_timeline_opened(self, message: Timeline.Opened) -> None:
        self.opened.append(message.headline)


def titles(timeline: Timeline) -> list[str]:
    return [e.headline.title for e in timeline.entries if e.headline is not None]


def style_at(content: Content, text: str) -> list[str]:
    """The styles of the spans that start where *text* starts."""
    start = content.plain.index(text)
    return [str(span.style) for span in content.spans if span.start == start]


def hint(timeline: Timeline) -> str:
    widget = timeline.query_one(".timeline-empty", Static)
    return str(widget.render()) if widget.display else ""


# -- what it lists ---------------------------------------------------------------------------


async def test_show_for_lists_the_related_stories_newest_first(session: Session) -> None:
    ids = seed(session, 5)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[2])
        await pilot.pause()
        assert titles(timeline) == ["Story 0", "Story 1", "Story 3", "Story 4"]
        assert [h.id for h in timeline.headlines] == [
            s.headline.id for s in session.store.read_next(ids[2], limit=READ_NEXT_LIMIT)
        ]
        assert hint(timeline) == ""


async def test_at_most_eight_entries_unread_ones_first(session: Session) -> None:
    ids = seed(session, 14)
    session.store.set_read([ids[1], ids[2]])
    app = Sidebar(session)
    async with app.run_test(size=(60, 80)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        await pilot.pause()
        assert len(timeline.entries) == READ_NEXT_LIMIT == 8
        assert titles(timeline) == [f"Story {n}" for n in range(3, 11)]


async def test_nothing_to_show_says_why(session: Session) -> None:
    ids = seed(session, 3)
    lonely = seed(session, 1, url="http://127.0.0.1:9/other.xml", title="Other", categories=(),
                  titles={0: "Lighthouse keeper retires"})
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        assert hint(timeline) == "Open a story to see related ones."
        await timeline.show_for(ids[0])
        await pilot.pause()
        assert titles(timeline) == ["Story 1", "Story 2"] and hint(timeline) == ""
        await timeline.show_for(lonely[0])
        await pilot.pause()
        assert titles(timeline) == [] and hint(timeline) == "Nothing related yet."
        await timeline.show_for(None)
        await pilot.pause()
        assert titles(timeline) == [] and timeline.headlines == []
        assert hint(timeline) == "Open a story to see related ones."


# -- moving and opening ------------------------------------------------------------------------


async def test_j_k_move_the_highlight_and_enter_opens_that_story(session: Session) -> None:
    ids = seed(session, 5)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        timeline.focus()
        await pilot.pause()
        highlighted = [e.has_class("-highlight") for e in timeline.entries]
        assert highlighted == [True, False, False, False]
        await pilot.press("j", "j", "k")
        assert timeline.cursor == 1
        assert [e.has_class("-highlight") for e in timeline.entries] == [
            False, True, False, False]
        await pilot.press("enter")
        await pilot.pause()
        assert [h.title for h in app.opened] == ["Story 2"]
        await pilot.press("down", "down", "down", "down", "enter")  # stops at the last one
        await pilot.press("up", "up", "up", "up", "up", "enter")  # and at the first
        await pilot.pause()
        assert [h.title for h in app.opened] == ["Story 2", "Story 4", "Story 1"]


async def test_clicking_an_entry_opens_it(session: Session) -> None:
    ids = seed(session, 5)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        await pilot.pause()
        await pilot.click(timeline.entries[2])
        await pilot.pause()
        assert timeline.cursor == 2
        assert [h.title for h in app.opened] == ["Story 3"]


async def test_another_story_puts_the_highlight_back_at_the_top(session: Session) -> None:
    ids = seed(session, 6)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)):
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        timeline.move_to(3)
        await timeline.reload()  # the same story: the reader's place stays
        assert timeline.cursor == 3
        await timeline.show_for(ids[1])
        assert timeline.cursor == 0


# -- flags and hostile text --------------------------------------------------------------------


async def test_story_changed_dims_an_entry_once_read(session: Session) -> None:
    ids = seed(session, 3)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        await pilot.pause()
        entry = timeline.entries[0]
        assert entry.headline is not None and entry.headline.title == "Story 1"
        assert style_at(entry.render(), "Story 1") == ["bold"]
        timeline.post_message(StoryChanged(ids[1], StoryFlags(True, False, None)))
        await pilot.pause()
        assert timeline.headlines[0].read and entry.headline.read
        assert style_at(entry.render(), "Story 1") == ["dim"]
        assert style_at(timeline.entries[1].render(), "Story 2") == ["bold"]
        timeline.post_message(StoryChanged(ids[1], StoryFlags(False, True, None)))
        await pilot.pause()
        assert style_at(entry.render(), "Story 1") == ["bold"]
        assert timeline.headlines[0].bookmarked


async def test_story_changed_for_a_story_not_listed_changes_nothing(session: Session) -> None:
    ids = seed(session, 3)
    app = Sidebar(session)
    async with app.run_test(size=(60, 60)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        before = list(timeline.headlines)
        timeline.post_message(StoryChanged(ids[0], StoryFlags(True, True, "ok")))
        await pilot.pause()
        assert timeline.headlines == before


async def test_hostile_titles_are_shown_literally(session: Session) -> None:
    ids = seed(session, 2, titles={1: HOSTILE})
    app = Sidebar(session)
    async with app.run_test(size=(80, 40)) as pilot:
        timeline = app.query_one(Timeline)
        await timeline.show_for(ids[0])
        await pilot.pause()
        plain = timeline.entries[0].render().plain
        assert "[b]x[/b] [@click=app.quit]quit[/] [31mred" in plain
        assert "\x1b" not in plain
        assert app.is_running


# -- the heading -------------------------------------------------------------------------------


def headline(categories: tuple[str, ...], feed_title: str = "World Desk",
             read: bool = False) -> Headline:
    return Headline(1, 1, feed_title, "A story", None, NOW - 3 * 3600, read, False,
                    categories=categories)


def related(why: Related, topic: str = "", read: bool = False) -> RelatedStory:
    return RelatedStory(headline(("politics",), read=read), why, topic)


def test_entry_heading_is_the_time_an_unread_dot_and_the_shared_topic() -> None:
    heading = entry_heading(related(Related.TOPIC, "politics"), NOW)
    assert heading.plain == f"{timeline_time(NOW - 3 * 3600, NOW)} ● POLITICS"
    assert heading.plain == "11:30 ● POLITICS"
    assert entry_heading(related(Related.TOPIC, "politics", read=True), NOW).plain == (
        "11:30   POLITICS"
    )


def test_entry_heading_says_why_the_story_is_related_never_the_feed_name() -> None:
    """It once showed the feed's name where a story had no category: the reader saw
    "World Desk" again and again, and no reason."""
    assert entry_heading(related(Related.WORDS, "harbour"), NOW).plain == (
        "11:30 ● “HARBOUR”"
    )
    assert entry_heading(related(Related.FEED), NOW).plain == "11:30 ● same feed"
    assert "World Desk" not in entry_heading(related(Related.FEED), NOW).plain


def test_entry_heading_shows_a_hostile_category_as_text() -> None:
    assert entry_heading(related(Related.TOPIC, "[b]topic[/b]"), NOW).plain == (
        "11:30 ● [B]TOPIC[/B]"
    )
    assert entry_heading(related(Related.TOPIC, "Evil\x1b topic"), NOW).plain == (
        "11:30 ● EVIL TOPIC"
    )
