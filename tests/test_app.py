"""The app end to end: a real cache file, a loopback feed server, Textual's Pilot."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from feedserver import FeedServer
from textual import events
from textual.pilot import Pilot
from textual.strip import Strip

from tui_reader.app import TuiReaderApp
from tui_reader.core.demo import build_demo_home
from tui_reader.core.demo_mode import DEMO_STATUS
from tui_reader.core.feeds_file import Subscription
from tui_reader.core.models import HeadlineFilter, ParsedFeed, ParsedItem, Related, RelatedStory
from tui_reader.core.refresh import RefreshProgress
from tui_reader.core.session import Session, open_session, session_for_home
from tui_reader.core.store import StoreError
from tui_reader.keymap import find
from tui_reader.messages import RefreshFinished, RefreshProgressed
from tui_reader.widgets import ArticleView, HeadlineList, Timeline
from tui_reader.widgets.article_body import ArticleBody

NOW = 1_800_000_000
DEAD = "http://127.0.0.1:9"
"""Loopback port 9: nothing listens there, so a fetch fails at once and stays local."""


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The HTTP client trusts the environment; a proxy must not catch loopback requests."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = session_for_home(tmp_path / "home")
    yield session
    session.close()


def item(n: int, *, title: str | None = None, category: str = "politics", age: int = 0,
         base: str = DEAD) -> ParsedItem:
    return ParsedItem(
        guid=f"story-{n}",
        url=f"{base}/story/{n}",
        title=title or f"Story {n}",
        published=NOW - age - n * 600,
        summary=f"What happened in story {n}.",
        content_text=(
            f"Body of story {n}.\n\n[a web link]({base}/more) and [a bad one](javascript:alert(1))"
        ),
        categories=(category,),
    )


def subscribe(session: Session, url: str, title: str = "World Desk") -> int:
    subs = [*session.subscriptions(), Subscription(url, title, ("news",))]
    session.save_subscriptions(subs)
    feed = session.store.feed_by_url(url)
    assert feed is not None
    return feed.id


def seed(session: Session, items: list[ParsedItem], url: str = f"{DEAD}/feed.xml",
         title: str = "World Desk") -> int:
    feed_id = subscribe(session, url, title)
    # Far in the future: a background refresh leaves these feeds alone unless forced.
    state = {"last_status": "ok", "next_due": NOW * 2}
    session.store.save_feed(feed_id, ParsedFeed(title, None, items), state, now=NOW)
    return feed_id


def rss(items: list[ParsedItem]) -> str:
    """A small RSS 2.0 document for the loopback server."""
    parts = []
    for it in items:
        when = format_datetime(datetime.fromtimestamp(it.published or NOW, UTC))
        parts.append(
            f"<item><guid>{escape(it.guid or '')}</guid><title>{escape(it.title)}</title>"
            f"<link>{escape(it.url or '')}</link><pubDate>{when}</pubDate>"
            f"<category>{escape(it.categories[0])}</category>"
            f"<description>{escape(it.summary)}</description></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>World Desk</title>'
        f"<link>http://127.0.0.1/</link>{''.join(parts)}</channel></rss>"
    )


def process_ended(process: object, seconds: float = 10) -> bool:
    """Whether a worker process exits within *seconds*. Polled: the executor's own thread
    may reap it at the same moment, and one racing waitpid briefly reads as "alive"."""
    import time

    deadline = time.monotonic() + seconds
    while process.is_alive():  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def busy_cache(*_args: object, **_kwargs: object) -> None:
    """A store write that fails the way a cache locked by another process does."""
    raise StoreError("cache.sqlite3: the cache is busy in another process")


def make_app(session: Session, **kwargs: object) -> TuiReaderApp:
    kwargs.setdefault("refresh_on_start", False)
    return TuiReaderApp(session, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


async def wait_until(pilot: Pilot[None], check: Callable[[], bool], tries: int = 200) -> None:
    """Let the app run until *check* holds (a bounded number of short pauses)."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    assert check(), "condition never became true"


def screen_text(app: TuiReaderApp) -> str:
    """What the terminal would show, as plain text lines."""
    update = app.screen._compositor.render_full_update(simplify=True)
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip) for line in update.strips
    )


# -- reading ---------------------------------------------------------------------------


async def test_j_k_enter_opens_the_story_and_marks_it_read(session: Session) -> None:
    seed(session, [item(n) for n in range(5)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        assert headlines.has_focus
        await pilot.press("j", "j", "k")
        assert headlines.highlighted is not None and headlines.highlighted.title == "Story 1"
        await pilot.press("enter")
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.title == "Story 1"
        opened = session.store.headline(view.article.id)
        assert opened is not None and opened.read
        # The first story was only previewed on start: still unread.
        first = session.store.headlines(HeadlineFilter(), limit=1)[0]
        assert first.title == "Story 0" and not first.read
        assert "Body of story 1." in view.query_one(ArticleBody).source
        assert "4 unread" in app.main.status.context_text


async def test_u_shows_unread_only_and_escape_clears_it(session: Session) -> None:
    seed(session, [item(n) for n in range(6)])
    rows = session.store.headlines(HeadlineFilter(), limit=10)
    session.store.set_read([rows[0].id, rows[3].id])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        await pilot.press("u")
        await pilot.pause()
        assert headlines.total == 4
        assert headlines.filter.unread_only
        assert "Unread" in app.main.status.context_text
        await pilot.press("escape")
        await pilot.pause()
        assert headlines.total == 6


async def test_n_and_shift_n_walk_unread_stories(session: Session) -> None:
    seed(session, [item(n) for n in range(5)])
    rows = session.store.headlines(HeadlineFilter(), limit=10)
    session.store.set_read([rows[1].id, rows[3].id])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        await pilot.press("n")
        await pilot.pause()
        assert view.article is not None and view.article.title == "Story 2"
        await pilot.press("n")
        await pilot.pause()
        assert view.article is not None and view.article.title == "Story 4"
        await pilot.press("N")
        await pilot.pause()
        assert view.article is not None and view.article.title == "Story 0"
        assert app.query_one(HeadlineList).cursor == 0
        assert all(h.read for h in session.store.headlines(HeadlineFilter(), limit=10))


async def test_m_toggles_read_and_capital_a_asks_first(session: Session) -> None:
    seed(session, [item(n) for n in range(4)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("m")
        first = session.store.headlines(HeadlineFilter(), limit=1)[0]
        assert first.read
        await pilot.press("m")
        assert not session.store.headline(first.id).read  # type: ignore[union-attr]
        await pilot.press("A")
        await pilot.pause()
        from tui_reader.screens.confirm import ConfirmDialog

        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert session.store.total_unread() == 0
        assert "0 unread" in app.main.status.context_text


async def test_capital_a_counts_one_story_as_one(session: Session) -> None:
    seed(session, [item(1)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        from textual.widgets import Static

        from tui_reader.screens.confirm import ConfirmDialog

        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one("#question", Static).render())
        assert question.startswith("Mark 1 story in "), question
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.message == "Marked 1 story read." for n in app._notifications)


async def test_space_scrolls_then_moves_to_the_next_unread(session: Session) -> None:
    seed(session, [item(n) for n in range(3)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        await wait_until(pilot, lambda: view.article is not None)
        await pilot.press("space")  # opens the previewed story (a short one: at its end)
        await pilot.pause()
        assert session.store.headline(view.article.id).read  # type: ignore[union-attr]
        await pilot.press("space")
        await pilot.pause()
        assert view.article is not None and view.article.title == "Story 1"


# -- bookmarks -------------------------------------------------------------------------


async def test_b_bookmarks_in_the_store_and_z_undoes_a_removal(session: Session) -> None:
    seed(session, [item(n) for n in range(3)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter", "b")
        await pilot.pause()
        story = session.store.headlines(HeadlineFilter(), limit=1)[0]
        assert story.bookmarked
        # The full-text fetch goes to a dead loopback port and fails cleanly.
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.query_one("#article-status").render())
        assert status.startswith("★ full text unavailable")
        await pilot.press("B")
        await pilot.pause()
        assert app.query_one(HeadlineList).total == 1
        await pilot.press("B", "b")
        await pilot.pause()
        assert not session.store.headline(story.id).bookmarked  # type: ignore[union-attr]
        assert any("z to undo" in str(n.message) for n in app._notifications)
        await pilot.press("z")
        await pilot.pause()
        assert session.store.headline(story.id).bookmarked  # type: ignore[union-attr]
        await app.workers.wait_for_complete()


async def test_e_fetches_the_full_text_from_the_page(
    session: Session, feed_server: FeedServer
) -> None:
    page = (Path(__file__).parent / "pages" / "news_site.html").read_bytes()
    feed_server.route("/story/1", page, content_type="text/html; charset=utf-8")
    seed(session, [item(1, base=feed_server.base_url)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.press("enter", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.snapshot == "ok"
        assert "underwater turbines" in view.query_one(ArticleBody).source
        assert str(app.query_one("#article-status").render()) == "Full text"
        assert feed_server.hits("/story/1") == 1


# -- refreshing ------------------------------------------------------------------------


async def test_status_line_during_and_after_a_refresh(
    session: Session, feed_server: FeedServer
) -> None:
    gate = threading.Event()
    body = rss([item(n, base=feed_server.base_url) for n in range(3)])

    def slow(_request: object) -> tuple[int, dict[str, str], str]:
        gate.wait(10)
        return 200, {"Content-Type": "application/rss+xml"}, body

    feed_server.route_fn("/feed.xml", slow)
    subscribe(session, feed_server.url("/feed.xml"))
    app = make_app(session, refresh_on_start=True)
    try:
        async with app.run_test() as pilot:
            status = app.main.status
            await wait_until(pilot, lambda: "Refreshing 0/1 feeds" in status.refresh_text)
            gate.set()
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: "updated" in status.refresh_text)
            assert "3 new" in status.refresh_text
            assert app.query_one(HeadlineList).total == 3
            assert "3 unread" in status.context_text
    finally:
        gate.set()


async def test_new_stories_arrive_while_the_selection_stays_put(
    session: Session, feed_server: FeedServer
) -> None:
    base = feed_server.base_url
    old = [item(n, base=base, age=3600) for n in range(40)]
    url = feed_server.url("/feed.xml")
    seed(session, old, url=url)
    fresh = [item(n, base=base, title=f"Breaking {n}", age=-100_000) for n in (100, 101)]
    feed_server.route("/feed.xml", rss(fresh + old))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        headlines.move_to(25)
        await pilot.press("enter")
        await pilot.pause()
        selected = headlines.highlighted
        assert selected is not None and selected.title == "Story 25"
        line_on_screen = headlines.cursor * 2 - headlines.scroll_offset.y
        assert headlines.scroll_offset.y > 0
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert headlines.total == 42
        assert headlines.highlighted is not None and headlines.highlighted.id == selected.id
        assert headlines.cursor == 27
        assert headlines.cursor * 2 - headlines.scroll_offset.y == line_on_screen
        titles = [h.title for h in app.query_one(Timeline).headlines]
        assert "Breaking 100" in titles and "Breaking 101" in titles
        assert "2 new" in app.main.status.refresh_text
        assert app.query_one(ArticleView).article.id == selected.id  # type: ignore[union-attr]


async def test_an_unreachable_feed_is_one_line_and_the_app_keeps_working(
    session: Session, feed_server: FeedServer
) -> None:
    feed_server.route("/ok.xml", rss([item(1, base=feed_server.base_url)]))
    subscribe(session, feed_server.url("/ok.xml"), "Good Feed")
    subscribe(session, f"{DEAD}/gone.xml", "Dead Feed")
    app = make_app(session, refresh_on_start=True)
    async with app.run_test() as pilot:
        status = app.main.status
        await wait_until(pilot, lambda: "failed" in status.refresh_text)
        assert "1 feed failed — F for details" in status.refresh_text
        await pilot.press("enter")
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.title == "Story 1"


async def test_a_refresh_that_crashes_becomes_one_status_line(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire\nTraceback (most recent call last)")

    monkeypatch.setattr("tui_reader.core.refresh.RefreshService.refresh", broken)
    app = make_app(session, refresh_on_start=True)
    async with app.run_test() as pilot:
        # The refresh first starts the parse process, so wait for its outcome, not a worker.
        await wait_until(pilot, lambda: "failed" in app.main.status.refresh_text, tries=500)
        text = app.main.status.refresh_text
        assert text.startswith("refresh failed: disk on fire")
        assert "\n" not in text
        assert app.is_running


async def test_quitting_mid_refresh_cancels_it(
    session: Session, feed_server: FeedServer
) -> None:
    gate = threading.Event()

    def hang(_request: object) -> tuple[int, dict[str, str], str]:
        gate.wait(10)
        return 200, {}, rss([])

    feed_server.route_fn("/feed.xml", hang)
    subscribe(session, feed_server.url("/feed.xml"))
    app = make_app(session, refresh_on_start=True)
    try:
        async with app.run_test() as pilot:
            await wait_until(pilot, lambda: "Refreshing" in app.main.status.refresh_text)
            refresh = [w for w in app.workers if w.group == "refresh"]
            await pilot.press("q")
            await pilot.pause()
            assert refresh and all(w.is_cancelled for w in refresh)
        assert not app.is_running
    finally:
        gate.set()


# -- safety ----------------------------------------------------------------------------


async def test_hostile_titles_render_literally(session: Session) -> None:
    hostile = "[bold]x[/] \x1b[31mred [@click=app.quit]click[/]"
    seed(session, [item(1, title=hostile, category="[b]topic[/b]"),
                   item(2, category="[b]topic[/b]")])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j")  # open story 2: its timeline lists the hostile one
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text
        assert "[bold]x[/] [31mred" in text
        assert "[B]TOPIC[/B]" in text  # the timeline's topic label
        await pilot.press("k", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text
        assert str(app.query_one("#article-title").render()).startswith("[bold]x[/]")
        assert app.is_running


async def test_titles_read_as_their_feeds_wrote_them(
    session: Session, feed_server: FeedServer
) -> None:
    """Escaped markup in a title is text, and an xhtml title is a title (issue 14): the
    list, the article header and "Read next" show them as written, through a real refresh."""
    when = format_datetime(datetime.fromtimestamp(NOW - 600, UTC))
    feed_server.route("/video.xml", (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Markup Weekly</title>'
        "<item><guid>v1</guid><title>Using the &lt;video&gt; element</title>"
        f"<link>{DEAD}/video</link><pubDate>{when}</pubDate><category>html</category>"
        "<description>&lt;p&gt;Why &amp;lt;video&amp;gt; beats plugins&lt;/p&gt;</description>"
        "</item></channel></rss>"
    ))
    feed_server.route("/xhtml.atom", (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>'
        f"<id>urn:x</id><updated>{datetime.fromtimestamp(NOW - 900, UTC).isoformat()}</updated>"
        "<entry><id>urn:x:1</id>"
        '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">An <em>XHTML</em> '
        "title &amp; its tail</div></title>"
        f'<link href="{DEAD}/xhtml"/><updated>{datetime.fromtimestamp(NOW - 900, UTC).isoformat()}'
        '</updated><category term="html"/>'
        '<content type="html">&lt;p&gt;The body, not the title&lt;/p&gt;</content></entry></feed>'
    ), content_type="application/atom+xml")
    subscribe(session, feed_server.url("/video.xml"), "Markup Weekly")
    subscribe(session, feed_server.url("/xhtml.atom"), "X")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: app.query_one(HeadlineList).total == 2)
        headlines = app.query_one(HeadlineList)
        rows = " ".join(headlines.render_line(y).text for y in range(4))
        assert "Using the <video> element" in rows
        assert "An XHTML title & its tail" in rows
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.query_one("#article-title").render()) == "Using the <video> element"
        await wait_until(pilot, lambda: bool(app.query_one(Timeline).headlines))
        assert [h.title for h in app.query_one(Timeline).headlines] == [
            "An XHTML title & its tail"
        ]
        assert "Why <video> beats plugins" in screen_text(app)  # the body, as written
        await pilot.press("j", "enter")
        await pilot.pause()
        assert str(app.query_one("#article-title").render()) == "An XHTML title & its tail"
        assert "Using the <video> element" in screen_text(app)  # in "Read next"


async def test_links_in_the_body_open_only_when_they_are_web_links(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])
    opened: list[str] = []
    monkeypatch.setattr("tui_reader.links.open_in_browser", lambda url: opened.append(url))
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        markdown = app.query_one(ArticleBody)
        markdown.post_message(ArticleBody.LinkClicked("javascript:alert('[/]')"))
        markdown.post_message(ArticleBody.LinkClicked(f"{DEAD}/more"))
        await pilot.pause()
        assert opened == [f"{DEAD}/more"]
        # The refusal quotes the hostile link literally (not as markup) and nothing crashed.
        await pilot.pause()
        refusal = [n for n in app._notifications if "alert('[/]')" in n.message]
        assert refusal and not refusal[0].markup  # hostile text is never markup
        assert app.is_running


def link_cell(body: ArticleBody, href: str) -> tuple[int, int]:
    """Where *href*'s text is in the body (x, y in the widget)."""
    for y, line in enumerate(body._lines):
        x = 0
        for segment in line:
            if segment.style is not None and segment.style.link == href:
                return x, y
            x += segment.cell_length
    raise AssertionError(f"{href} is not a link in the body")


async def test_clicking_a_link_in_the_body_opens_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])
    opened: list[str] = []
    monkeypatch.setattr("tui_reader.links.open_in_browser", lambda url: opened.append(url))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        body = app.query_one(ArticleBody)
        await wait_until(pilot, lambda: body.line_count > 0)
        await pilot.pause()
        assert body.links() == [f"{DEAD}/more"]  # javascript: is left as words
        x, y = link_cell(body, f"{DEAD}/more")
        await pilot.click(ArticleBody, offset=(x + 1, y))
        await wait_until(pilot, lambda: opened == [f"{DEAD}/more"])


async def test_a_clicked_link_with_no_browser_is_copied_not_the_story_s(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH a click said "press y to copy the link", and y copied the story's own."""
    from tui_reader import links

    seed(session, [item(1)])
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.setattr("tui_reader.links.open_in_browser", lambda url: links.NO_BROWSER)
    app = make_app(session)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        body = app.query_one(ArticleBody)
        await wait_until(pilot, lambda: body.line_count > 0)
        await pilot.pause()
        x, y = link_cell(body, f"{DEAD}/more")
        await pilot.click(ArticleBody, offset=(x + 1, y))
        await wait_until(pilot, lambda: copied == [f"{DEAD}/more"])
        await wait_until(pilot, lambda: any("the link is sent to the clipboard" in n.message
                                            for n in app._notifications))


async def test_a_store_error_is_a_notification_not_a_crash(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])

    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        monkeypatch.setattr(session.store, "set_bookmark", busy_cache)
        monkeypatch.setattr(session.store, "set_read", busy_cache)
        await pilot.press("b", "enter", "m")
        await pilot.pause()
        assert app.is_running
        assert any("busy in another process" in str(n.message) for n in app._notifications)


# -- settings, layout, demo --------------------------------------------------------------


async def test_keymap_from_settings_and_theme_is_saved(tmp_path: Path) -> None:
    home = tmp_path / "home"
    session = session_for_home(home)
    keys = {"bookmark": "x", "no-such-action": "y"}
    session.settings = replace(session.settings, keys=keys, theme="nord")
    seed(session, [item(1)])
    app = make_app(session)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.theme == "nord"
            assert any("no_such_action" in str(n.message) for n in app._notifications)
            await pilot.press("x")
            assert session.store.headlines(HeadlineFilter(), limit=1)[0].bookmarked
            app.theme = "textual-light"
            await app.workers.wait_for_complete()
        config = session.paths.config_file.read_text()
        assert 'theme = "textual-light"' in config
    finally:
        session.close()


async def test_palette_actions_reach_the_main_screen(session: Session) -> None:
    feed_id = seed(session, [item(1), item(2)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.run_action(f"show_feed({feed_id})")
        assert app.main.filter == HeadlineFilter(feed_id=feed_id)
        assert "World Desk" in app.main.status.context_text
        app.show_tag("news")
        assert app.main.filter == HeadlineFilter(tag="news")
        await app.run_command(find("unread_only"))
        assert app.main.filter.unread_only
        await app.run_command(find("toggle_timeline"))
        assert not app.query_one(Timeline).display
        await pilot.press("q", "q")  # the first q clears the filter, the second quits
        await pilot.pause()
        assert app.main.filter == HeadlineFilter()
    assert not app.is_running


async def test_narrow_terminal_hides_the_timeline_until_t(session: Session) -> None:
    seed(session, [item(n) for n in range(3)])
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        assert not timeline.display
        await pilot.press("t")
        await pilot.pause()
        assert timeline.display
        assert timeline.region.width > 30 and timeline.region.height >= 6
        assert app.query_one(ArticleView).region.height >= 8
        await pilot.press("t")
        await pilot.pause()
        assert not timeline.display
        text = screen_text(app)
        assert "Headlines" in text and "Article" in text and "q quit" in text


async def test_first_run_says_where_feeds_toml_is(tmp_path: Path) -> None:
    from tui_reader.core.paths import Paths

    paths = Paths.under(tmp_path / "home")
    session = open_session(paths, starter_feeds=True)
    try:
        assert session.first_run
        app = make_app(session)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert any(str(paths.feeds_file) in str(n.message) for n in app._notifications)
    finally:
        session.close()


async def test_demo_shows_the_world_story_and_a_timeline(tmp_path: Path) -> None:
    paths = build_demo_home(tmp_path / "demo", NOW)
    session = open_session(paths)
    app = TuiReaderApp(session, demo=True, clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.main.status.refresh_text.strip() == DEMO_STATUS
            assert not [w for w in app.workers if w.group == "refresh"]
            headlines = app.query_one(HeadlineList)
            titles = [headlines.pager.get(i).title for i in range(headlines.total)]  # type: ignore[union-attr]
            world = next(i for i, t in enumerate(titles) if t.startswith("Halvern Sea"))
            headlines.move_to(world)
            await pilot.press("enter")
            await pilot.pause()
            view = app.query_one(ArticleView)
            assert view.article is not None and view.article.feed_title == "World Desk"
            timeline = app.query_one(Timeline)
            assert len(timeline.headlines) >= 3
            text = screen_text(app)
            assert "Halvern Sea" in text and "Read next" in text
    finally:
        session.close()


# -- keys act on the story under the cursor ----------------------------------------------


@pytest.fixture
def slow_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview that never lands by itself: every key must flush it first."""
    from tui_reader.widgets import preview_timer

    monkeypatch.setattr(preview_timer, "PREVIEW_DELAY", 30.0)


def story_id(session: Session, title: str) -> int:
    return next(h.id for h in session.store.headlines(HeadlineFilter(), limit=50)
                if h.title == title)


@pytest.mark.usefixtures("slow_preview")
async def test_keys_right_after_j_act_on_the_highlighted_story(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(n) for n in range(6)])
    opened: list[str] = []
    monkeypatch.setattr("tui_reader.links.open_in_browser", lambda url: opened.append(url))
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.article is not None and view.article.title == "Story 0"

        await pilot.press("j", "b")  # the preview of story 1 is still waiting
        await app.workers.wait_for_complete()
        assert session.store.headline(story_id(session, "Story 1")).bookmarked  # type: ignore[union-attr]
        assert not session.store.headline(story_id(session, "Story 0")).bookmarked  # type: ignore[union-attr]
        assert view.article is not None and view.article.title == "Story 1"

        await pilot.press("j", "m")
        await app.workers.wait_for_complete()
        assert session.store.headline(story_id(session, "Story 2")).read  # type: ignore[union-attr]
        assert not session.store.headline(story_id(session, "Story 1")).read  # type: ignore[union-attr]

        await pilot.press("j", "y")
        assert app.clipboard == f"{DEAD}/story/3"

        await pilot.press("j", "o")
        await app.workers.wait_for_complete()
        assert opened == [f"{DEAD}/story/4"]

        await pilot.press("j", "space")  # opens story 5 (and marks it read), not story 4
        await app.workers.wait_for_complete()
        assert view.article is not None and view.article.title == "Story 5"
        assert session.store.headline(story_id(session, "Story 5")).read  # type: ignore[union-attr]
        assert not session.store.headline(story_id(session, "Story 4")).read  # type: ignore[union-attr]
        assert view.scroll_y == 0  # a story not seen yet starts at its top
        assert "Body of story 5." in view.query_one(ArticleBody).source

        await pilot.press("k", "pagedown")
        await app.workers.wait_for_complete()
        assert view.article is not None and view.article.title == "Story 4"
        assert session.store.headline(story_id(session, "Story 4")).read  # type: ignore[union-attr]


@pytest.mark.usefixtures("slow_preview")
async def test_a_preview_coming_due_while_a_key_loads_the_story_does_not_steal_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """j, then b while story 1 loads: the cursor's preview comes due during that load. It
    must not load the story again (b would then act on story 0, removing its bookmark)."""
    from tui_reader.core import article_body

    seed(session, [item(n) for n in range(3)])
    first, second = story_id(session, "Story 0"), story_id(session, "Story 1")
    session.store.set_bookmark(first)
    real = article_body.with_markdown
    app = make_app(session)

    def due_while_loading(article: Any) -> Any:
        """Runs in the loading thread: the preview comes due now, as its timer would."""
        if article.id == second:
            headlines = app.query_one(HeadlineList)
            row = session.store.headline(second)
            app.call_from_thread(headlines.post_message, HeadlineList.Rested(headlines, row))
            threading.Event().wait(0.3)  # let the preview start while this load goes on
        return real(article)

    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(ArticleView)
        await wait_until(pilot, lambda: view.article is not None
                         and view.article.title == "Story 0")
        monkeypatch.setattr(article_body, "with_markdown", due_while_loading)
        await pilot.press("j", "b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert session.store.headline(first).bookmarked  # type: ignore[union-attr]
        assert session.store.headline(second).bookmarked  # type: ignore[union-attr]
        assert view.article is not None and view.article.title == "Story 1"


@pytest.mark.usefixtures("slow_preview")
async def test_e_right_after_j_fetches_the_highlighted_story(
    session: Session, feed_server: FeedServer
) -> None:
    page = (Path(__file__).parent / "pages" / "news_site.html").read_bytes()
    feed_server.route("/story/2", page, content_type="text/html; charset=utf-8")
    seed(session, [item(n, base=feed_server.base_url) for n in (1, 2)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("j", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert feed_server.hits("/story/2") == 1 and feed_server.hits("/story/1") == 0
        assert session.store.article(story_id(session, "Story 2")).snapshot == "ok"  # type: ignore[union-attr]


# -- empty views -----------------------------------------------------------------------


def article_lines(app: TuiReaderApp) -> list[str]:
    """The article pane's header lines that are on show."""
    view = app.query_one(ArticleView)
    return [
        str(widget.render())
        for widget in view.query(".article-part")
        if widget.id != "article-body" and widget.display and widget.styles.display != "none"
        and widget.region.height
    ]


async def test_empty_views_clear_the_whole_article_pane_and_keys_say_so(
    session: Session,
) -> None:
    seed(session, [item(n) for n in range(3)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.article is not None and view.border_subtitle
        cases = [
            (lambda: app.main.set_filter(HeadlineFilter(query="nothing-like-this")),
             "Nothing matches"),
            (lambda: app.main.set_filter(HeadlineFilter(bookmarked=True)), "Nothing here"),
        ]
        for choose, hint in cases:
            app.main.set_filter(HeadlineFilter())
            await pilot.pause()
            await wait_until(pilot, lambda: view.article is not None)
            await wait_until(pilot, lambda: bool(article_lines(app)))
            choose()
            await wait_until(pilot, lambda: view.article is None)
            await pilot.pause()
            text = screen_text(app)
            assert "Story 0" not in text and "story/0" not in text
            assert hint in text
            assert article_lines(app) == []
            assert view.border_subtitle == ""
            assert view.query_one(ArticleBody).source == ""
            before = len(app._notifications)
            for key in ("o", "y", "c", "C", "b", "e", "m"):
                await pilot.press(key)
            await pilot.pause()
            said = [n.message for n in list(app._notifications)[before:]]
            assert said.count("No story open") >= 1
            assert app.clipboard == ""
        # Unread only, with nothing unread.
        session.store.set_read([h.id for h in session.store.headlines(HeadlineFilter())])
        app.main.set_filter(HeadlineFilter(unread_only=True))
        await wait_until(pilot, lambda: view.article is None)
        await pilot.pause()
        assert article_lines(app) == [] and "Story 0" not in screen_text(app)


# -- comments, copying -----------------------------------------------------------------


async def test_comments_open_or_copy_and_copy_messages(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = replace(item(1), comments_url=f"{DEAD}/story/1#comments", comments_count=14)
    seed(session, [story, item(2)])
    monkeypatch.setattr("tui_reader.links.has_local_browser", lambda: False)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert str(app.query_one("#article-comments").render()) == "14 comments · c open · C copy"
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: any("comments link" in n.message
                                            for n in app._notifications))
        hint = next(n.message for n in app._notifications if "comments link" in n.message)
        assert hint == "No browser here (SSH?) — press C to copy the comments link"

        await pilot.press("C")
        assert app.clipboard == f"{DEAD}/story/1#comments"
        messages = [n.message for n in app._notifications]
        assert ("Comments link sent to the clipboard (OSC 52; in tmux needs set-clipboard on)"
                in messages)
        await pilot.press("y")
        assert app.clipboard == f"{DEAD}/story/1"
        assert "Link sent to the clipboard" in [n.message for n in app._notifications]

        await pilot.press("o")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: any(n.message.endswith("press y to copy the link")
                                            for n in app._notifications))

        await pilot.press("j")
        await wait_until(pilot, lambda: app.main.article is not None
                         and app.main.article.title == "Story 2")
        await pilot.press("C")
        assert "This story has no comments link." in [n.message for n in app._notifications]


async def test_opening_a_link_runs_in_a_thread(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])
    seen: list[str] = []
    release = threading.Event()

    def slow_browser(url: str) -> str:
        seen.append(threading.current_thread().name)
        release.wait(5)
        return "No browser here (SSH?) — press y to copy the link"

    monkeypatch.setattr("tui_reader.links.open_in_browser", slow_browser)
    app = make_app(session)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("o")
            await wait_until(pilot, lambda: bool(seen))
            assert seen != [threading.main_thread().name]
            await pilot.press("m")  # the loop is free while the browser "starts"
            await app.workers.wait_for_complete([w for w in app.workers if w.group == "store"])
            assert session.store.headlines(HeadlineFilter(), limit=1)[0].read
            release.set()
            await wait_until(pilot, lambda: any("press y" in n.message
                                                for n in app._notifications))
    finally:
        release.set()


# -- the reader's writes ---------------------------------------------------------------


async def test_read_and_bookmark_writes_run_in_the_writer_thread(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(n) for n in range(3)])
    threads: list[str] = []
    store = session.store
    for name in ("set_read", "set_bookmark", "mark_all_read"):
        real = getattr(store, name)

        def spy(*args: object, _real: Callable[..., object] = real, **kwargs: object) -> object:
            threads.append(threading.current_thread().name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(store, name, spy)
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter", "b", "m", "m")
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(threads) == 5  # read on open, bookmark, unread, read, mark all read
        assert all(name.startswith("tui-reader-store") for name in threads), threads
        assert store.total_unread() == 0
        assert store.headlines(HeadlineFilter(), limit=1)[0].bookmarked


async def test_a_failed_write_puts_the_real_flags_back(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(1)])

    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        monkeypatch.setattr(session.store, "set_bookmark", busy_cache)
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        problems = [n for n in app._notifications if "busy in another process" in n.message]
        assert len(problems) == 1 and "\n" not in problems[0].message
        headlines = app.query_one(HeadlineList)
        assert headlines.highlighted is not None and not headlines.highlighted.bookmarked
        assert app.main.article is not None and not app.main.article.bookmarked
        assert "★" not in str(app.query_one("#article-status").render())


async def test_z_takes_the_undo_toast_away(session: Session) -> None:
    seed(session, [item(1)])
    session.store.set_bookmark(story_id(session, "Story 1"), True, now=NOW)
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert any("z to undo" in n.message for n in app._notifications)
        await pilot.press("z")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Bookmark restored." in messages
        assert not any("z to undo" in m for m in messages)
        assert session.store.headline(story_id(session, "Story 1")).bookmarked  # type: ignore[union-attr]
        await pilot.press("z")  # again: nothing left to undo, and it says so
        await pilot.pause()
        assert "Nothing to undo." in [n.message for n in app._notifications]


# -- status line -----------------------------------------------------------------------


async def test_failing_feeds_are_named_at_start_up(session: Session) -> None:
    feed_id = seed(session, [item(1)])
    seed(session, [item(2)], url=f"{DEAD}/other.xml", title="Other")
    session.store.update_feed_state(feed_id, last_error="HTTP 500 Internal Server Error",
                                    last_status="error", last_fetched=NOW - 60)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.main.status.refresh_text
        assert text.startswith("1 feed failing — F for details · updated ")


async def test_every_feed_unreachable_says_offline_in_words(session: Session) -> None:
    subscribe(session, f"{DEAD}/a.xml", "A")
    subscribe(session, f"{DEAD}/b.xml", "B")
    app = make_app(session, refresh_on_start=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "reached" in app.main.status.refresh_text)
        assert app.main.status.refresh_text == "no feed could be reached (offline?)"


async def test_narrow_status_line_keeps_the_context_whole(session: Session) -> None:
    from tui_reader.core.refresh import FeedOutcome, RefreshReport

    seed(session, [item(n) for n in range(5)])
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        outcomes = [
            FeedOutcome(1, f"{DEAD}/a", "A", "error", error="HTTP 500"),
            FeedOutcome(2, f"{DEAD}/b", "B", "error", error="HTTP 404"),
            FeedOutcome(3, f"{DEAD}/c", "C", "ok", new=3),
        ]
        app.main.post_message(RefreshFinished(RefreshReport(outcomes)))
        await pilot.pause()
        status = app.main.status
        assert status.refresh_text.startswith("2 feeds failed — F for details · 3 new · updated")
        top = screen_text(app).splitlines()[0]
        assert status.context_text.strip() in top  # "tui-reader — All feeds · 5 unread"
        assert "…" not in top
        assert top.rstrip().endswith("2 failed — F · 3 new · " + status.refresh_short[-5:])

        app.main.post_message(RefreshProgressed(RefreshProgress(12, 48, 140, 0)))
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert status.context_text.strip() in top
        assert "Refreshing 12/48 feeds · 140 new" in top  # it fits: the long form

        app.main.set_filter(HeadlineFilter(query="a search for long words here"))
        app.main.post_message(RefreshProgressed(RefreshProgress(12, 48, 140, 0)))
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert status.context_text.strip() in top
        assert top.rstrip().endswith("⟳ 12/48 · 140 new")


# -- demo, keys ------------------------------------------------------------------------


async def test_r_in_demo_mode_says_nothing_is_fetched(tmp_path: Path) -> None:
    paths = build_demo_home(tmp_path / "demo", NOW)
    session = open_session(paths)
    app = TuiReaderApp(session, demo=True, clock=lambda: NOW, refresh_on_start=False)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("r")
            await pilot.pause()
            assert ("Demo mode: the feeds are bundled, nothing to fetch"
                    in [n.message for n in app._notifications])
            assert not [w for w in app.workers if w.group == "refresh"]
    finally:
        session.close()


async def test_a_key_given_twice_is_named_once_and_the_keys_entry_wins(tmp_path: Path) -> None:
    session = session_for_home(tmp_path / "home")
    session.settings = replace(session.settings, keys={"bookmark": "n", "toggle_read": "g"})
    seed(session, [item(n) for n in range(3)])
    app = make_app(session)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            clashes = [n.message for n in app._notifications if "bound to both" in n.message]
            assert clashes == [
                "config.toml [keys]: key n is bound to both bookmark and next_unread; "
                "bookmark wins (next_unread has no key now); key g is bound to both "
                "toggle_read and first; toggle_read wins; key g is bound to both toggle_read "
                "and article_top; toggle_read wins (article_top has no key now)"
            ]
            await pilot.press("n")  # bookmarks; does not move to the next unread story
            await app.workers.wait_for_complete()
            top = session.store.headlines(HeadlineFilter(), limit=1)[0]
            assert top.bookmarked
            assert app.query_one(HeadlineList).cursor == 0
            await pilot.press("g")  # the list has focus, and still g marks read
            await app.workers.wait_for_complete()
            assert session.store.headline(top.id).read  # type: ignore[union-attr]
            await pilot.press("end", "home")  # first keeps its other key
            assert app.query_one(HeadlineList).cursor == 0
            assert app.keymap.shown(find("first", "list")) == "home"
            rows = [row for rows in app.keymap.help_groups("main").values() for row in rows]
            keys = {d: k for k, d in reversed(rows)}  # a description's first row
            assert keys["first / last story"] == "home / G"
            assert keys["toggle read"] == "g"  # [keys] replaces the default m
            assert keys["next / previous unread"] == "— / N"
            assert keys["bookmark (saves full text offline)"] == "n"
            assert keys["scroll article; at its end, next unread"] == "space"
            assert keys["copy comments link"] == "C"
    finally:
        session.close()


def test_key_clashes_resolve_to_the_keys_entry() -> None:
    from tui_reader.keymap import UNBOUND, resolve_key_clashes

    resolved, clashes = resolve_key_clashes({"bookmark": "enter"})
    assert ("enter", "bookmark", "open") in clashes
    assert resolved["open"] == UNBOUND
    resolved, clashes = resolve_key_clashes({"bookmark": "x", "refresh": "x"})
    assert clashes == [("x", "bookmark", "refresh")]
    assert resolved["refresh"] == UNBOUND and resolved["bookmark"] == "x"
    resolved, clashes = resolve_key_clashes({"bookmark": "n", "next_unread": "b"})
    assert clashes == [] and resolved == {"bookmark": "n", "next_unread": "b"}


# -- drawing ---------------------------------------------------------------------------


async def test_a_new_story_shows_header_and_body_together(
    session: Session, slow_preview: None
) -> None:
    seed(session, [item(n) for n in range(2)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        markdown = app.query_one(ArticleBody)
        real_draw = markdown.draw
        titles: list[str] = []

        def title() -> str:
            return str(app.query_one("#article-title").render())

        async def watched(text: str, width: int) -> list[Strip]:
            titles.append(title())
            return await real_draw(text, width)

        markdown.draw = watched  # type: ignore[method-assign]
        await pilot.press("j", "m")  # m flushes the preview
        await pilot.pause()
        assert titles == ["Story 0"]  # the old header stayed while the body was drawn
        assert title() == "Story 1"


async def test_timeline_enter_brings_the_highlighted_entry_into_view(session: Session) -> None:
    seed(session, [item(n, category="politics") for n in range(9)])
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        timeline = app.query_one(Timeline)
        await pilot.pause()
        timeline.focus()
        await pilot.press("j", "j", "j", "j", "enter")
        await wait_until(pilot, lambda: app.main.article is not None
                         and app.main.article.title != "Story 0")
        await app.workers.wait_for_complete()
        await pilot.pause()

        def fully_visible() -> bool:

            entries = timeline.entries
            entry = entries[timeline.cursor]
            return timeline.scrollable_content_region.contains_region(entry.region)

        assert timeline.cursor == 0
        assert fully_visible()
        for _ in range(4):
            await pilot.press("j")
            await pilot.pause()
            assert fully_visible(), timeline.cursor


async def test_same_read_next_list_for_another_story_repaints_the_cursor(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session, [item(n) for n in range(5)])
    rows = session.store.headlines(HeadlineFilter(), limit=10)
    related = [RelatedStory(h, Related.FEED) for h in rows[2:5]]
    monkeypatch.setattr(session.store, "read_next", lambda _id, limit=8: related)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        await timeline.show_for(rows[0].id)
        timeline.move_to(2)
        await timeline.show_for(rows[1].id)  # the same three entries

        painted = [e.has_class("-highlight") for e in timeline.entries]
        assert timeline.cursor == 0 and painted == [True, False, False]


async def test_a_huge_body_is_cut_in_the_pane(session: Session) -> None:
    paragraph = "A long paragraph of the huge story, with words. " * 20
    huge = "\n\n".join(f"{n}. {paragraph}" for n in range(600))  # about 600 KB
    seed(session, [replace(item(1), content_text=huge)])
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        # The first story loads after the first frame: wait for its whole body.
        await wait_until(pilot, lambda: str(app.query_one("#article-cut").render()) != "")
        source = view.query_one(ArticleBody).source
        assert 150_000 < len(source) <= 200_000
        assert source.endswith(paragraph.strip())  # cut between paragraphs
        cut = str(app.query_one("#article-cut").render())
        rest = len(huge.encode()) - len(source.encode())
        assert cut == f"(cut: {round(rest / 1024):,} KB more — o opens the page)"


# -- quitting --------------------------------------------------------------------------


async def test_quitting_terminates_a_busy_parse_process(session: Session) -> None:
    import time

    from tui_reader.core.parse_pool import start_parse_pool

    seed(session, [item(1)])
    app = make_app(session)
    # Started here so the test holds the pool and can make its worker busy.
    pool = start_parse_pool()
    app.background._pool = pool
    async with app.run_test() as pilot:
        await pilot.pause()
        busy = pool.submit(time.sleep, 60)
        processes = list(pool._processes.values())  # type: ignore[attr-defined]
        assert processes and all(p.is_alive() for p in processes)
        await pilot.pause(0.2)
        started = time.monotonic()
        await pilot.press("q")
    for process in processes:
        assert process_ended(process)
    assert time.monotonic() - started < 5
    from concurrent.futures import wait

    wait([busy], timeout=5)  # the executor notices its dead worker and fails the job
    assert busy.done()


async def test_a_refresh_parses_in_the_app_s_own_worker_process(
    session: Session, feed_server: FeedServer
) -> None:
    """Parsing must leave the UI's process: the app spawns its parse worker itself, from
    inside Textual's redirected std streams, and the refresh's stories arrive through it."""
    feed_server.route("/feed.xml", rss([item(n, base=feed_server.base_url) for n in range(3)]))
    subscribe(session, feed_server.url("/feed.xml"))
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.background._pool is not None and not app.background._pool_failed
        workers = list(app.background._pool._processes.values())  # type: ignore[attr-defined]
        assert workers and all(p.is_alive() for p in workers)
        assert app.query_one(HeadlineList).total == 3
    for process in workers:
        assert process_ended(process)  # and it is gone after quitting


async def test_a_burst_of_page_keys_scrolls_a_page_per_press(session: Session) -> None:
    long_body = "\n\n".join(f"Paragraph {n} of a long read." for n in range(200))
    seed(session, [replace(item(1), content_text=long_body)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        view = app.query_one(ArticleView)
        page = view.scrollable_content_region.height
        assert view.scroll_y == 0
        # One burst, as keys arrive over SSH: queued together, with no refresh between.
        for _ in range(3):
            app.post_message(events.Key("pagedown", None))
        await pilot.pause()
        assert view.scroll_y == 3 * page
        for _ in range(2):
            app.post_message(events.Key("pageup", None))
        await pilot.pause()
        assert view.scroll_y == page


async def test_clearing_a_search_or_filter_keeps_the_reader_s_place(session: Session) -> None:
    seed(session, [item(n) for n in range(30)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        await pilot.press("slash", *"story 17", "enter")
        await pilot.pause()
        assert headlines.total == 1 and headlines.highlighted is not None
        assert headlines.highlighted.title == "Story 17"
        await pilot.press("escape")
        await pilot.pause()
        assert headlines.total == 30
        assert headlines.highlighted is not None and headlines.highlighted.title == "Story 17"
        assert headlines.cursor == 17
        await pilot.press("u", "j")  # unread only, move on, then back to all
        await pilot.pause()
        kept = headlines.highlighted
        await pilot.press("escape")
        await pilot.pause()
        assert headlines.highlighted is not None and kept is not None
        assert headlines.highlighted.id == kept.id


@pytest.mark.parametrize("keys", [("slash", *"strandline", "enter"), ("B", "G")])
async def test_clearing_a_filter_keeps_the_story_highlighted_and_on_screen(
    tmp_path: Path, keys: tuple[str, ...]
) -> None:
    """A search (or the bookmarks view) narrowed to an old story; esc widens the list and
    the story stays under the cursor, scrolled into view (it was left off screen, and
    the next n searched from there)."""
    session = open_session(build_demo_home(tmp_path / "home"))
    store = session.store
    oldest = store.headlines(HeadlineFilter(), limit=100)[-1]
    store.set_bookmark(oldest.id)
    app = TuiReaderApp(session, demo=True, refresh_on_start=False)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            headlines = app.query_one(HeadlineList)
            assert headlines.highlighted is not None
            assert headlines.highlighted.id == oldest.id
            await pilot.press("escape")
            await pilot.pause()
            assert headlines.total > 40 and headlines.highlighted is not None
            assert headlines.highlighted.id == oldest.id
            top = headlines.scroll_offset.y
            height = headlines.scrollable_content_region.height
            assert top <= headlines.cursor * 2 < top + height  # its row is on screen
    finally:
        session.close()


async def test_a_changed_story_is_one_message_to_every_widget_that_shows_it(
    session: Session,
) -> None:
    """b sends one StoryChanged (recorded with message_hook) to the list, the timeline and
    the article pane, each of which then shows the bookmark; no widget is patched by hand."""
    from tui_reader.messages import StoryChanged

    seed(session, [item(n) for n in range(3)])
    messages: list[object] = []
    app = make_app(session)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        view = app.query_one(ArticleView)
        await wait_until(pilot, lambda: view.article is not None)
        assert view.article is not None
        story = view.article.id
        messages.clear()
        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        changed = [m for m in messages if isinstance(m, StoryChanged)]
        assert {m.article_id for m in changed} == {story}
        assert all(m.flags.bookmarked for m in changed)
        # One per widget that may show the story, each time it changes (the bookmark, then
        # the cache's copy once the full-text fetch has said how it went).
        assert len(changed) >= 3 and len(changed) % 3 == 0
        headline = app.query_one(HeadlineList).pager.find_cached(story)
        assert headline is not None and headline.bookmarked
        assert view.article.bookmarked


async def test_opening_a_story_keeps_a_bookmark_whose_write_is_still_queued(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """b then enter at once: the story is read back from the cache before the bookmark's
    write lands, and opening it must not show (and spread) that stale copy's flags."""
    seed(session, [item(n) for n in range(2)])
    store = session.store
    real = store.set_bookmark
    landed, release = threading.Event(), threading.Event()

    def slow(*args: Any, **kwargs: Any) -> None:
        release.wait(10)  # in the writer thread, until the test has looked
        real(*args, **kwargs)
        landed.set()

    monkeypatch.setattr(store, "set_bookmark", slow)
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(ArticleView)
        await wait_until(pilot, lambda: view.article is not None)
        assert view.article is not None
        story = view.article.id
        await pilot.press("b", "enter")
        await pilot.pause()
        assert not landed.is_set()  # the write is still on its way
        assert view.article is not None and view.article.read and view.article.bookmarked
        row = app.query_one(HeadlineList).pager.find_cached(story)
        assert row is not None and row.bookmarked and row.read
        release.set()
        await app.workers.wait_for_complete()
        assert landed.wait(10) and store.headline(story).bookmarked  # type: ignore[union-attr]


async def test_an_empty_list_has_no_highlighted_row_and_says_its_message_whole(
    session: Session,
) -> None:
    """A search that matches nothing: the list shows its whole message (wrapped, not cut
    at the pane's width) and no highlighted blank row under it."""
    seed(session, [item(1)])
    app = make_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.main.set_filter(HeadlineFilter(query="nothing-like-this"))
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        assert headlines.total == 0
        strips = [headlines.render_line(y) for y in range(4)]
        words = " ".join(strip.text for strip in strips).split()
        assert " ".join(words) == headlines.empty_text == "Nothing matches — esc clears the search"
        cursor = headlines.painter.style("", True).bgcolor
        assert all(seg.style is None or seg.style.bgcolor != cursor
                   for strip in strips for seg in strip)


async def test_an_unknown_theme_is_named_with_the_themes_there_are(session: Session) -> None:
    session.settings = replace(session.settings, theme="no-such-theme")
    app = make_app(session)
    async with app.run_test() as pilot:
        await pilot.pause()
        said = [n.message for n in app._notifications if "unknown theme" in n.message]
        assert len(said) == 1
        assert said[0].startswith("config.toml: unknown theme 'no-such-theme'; the themes are ")
        assert "nord" in said[0] and "textual-dark" in said[0]
        assert app.theme == "textual-dark"


async def test_the_status_line_is_read_again_after_the_feeds_screen_changed_feeds(
    session: Session,
) -> None:
    """A refresh said nothing could be reached; the feeds screen then fetched the feed
    fine. Back on the main screen the line must not still say "offline?"."""
    from tui_reader.core.refresh import FeedOutcome, RefreshReport
    from tui_reader.screens.feeds_screen import FeedsScreen
    from tui_reader.text import clock_time

    feed_id = seed(session, [item(1)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        offline = RefreshReport([FeedOutcome(feed_id, "u", "World Desk", "error",
                                             error="connection refused",
                                             network_error=True)])
        app.main.post_message(RefreshFinished(offline))
        await wait_until(pilot, lambda: "offline" in app.main.status.refresh_text)
        session.store.update_feed_state(feed_id, last_status="ok", last_error=None,
                                        last_fetched=NOW)  # as the feeds screen's r does
        app.action_feeds()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        screen.changed = True
        await pilot.press("escape")
        await wait_until(pilot, lambda: "offline" not in app.main.status.refresh_text)
        assert app.main.status.refresh_text == f"updated {clock_time(NOW)}"


async def test_unbookmarking_drops_the_bookmark_s_full_text_failure(tmp_path: Path) -> None:
    """The demo cannot fetch a bookmark's page and says so under the title; after b again
    the story is no longer a bookmark and the line still said "full text unavailable"."""
    session = open_session(build_demo_home(tmp_path / "home"))
    app = TuiReaderApp(session, demo=True, refresh_on_start=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(ArticleView)
            await wait_until(pilot, lambda: view.article is not None)
            status = app.query_one("#article-status")
            await pilot.press("b")
            await wait_until(pilot, lambda: "demo mode" in str(status.render()))
            assert str(status.render()).startswith("★ full text unavailable")
            await pilot.press("b")
            await app.workers.wait_for_complete()
            await wait_until(pilot, lambda: str(status.render()) == "")
            assert view.article is not None
            stored = session.store.article(view.article.id)
            assert stored is not None and stored.snapshot is None
    finally:
        session.close()
