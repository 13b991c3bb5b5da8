"""The article pane on its own: a tiny App holding one ArticleView, driven with Pilot."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import Static

from tui_reader.core.models import Article, StoryFlags
from tui_reader.messages import StoryChanged
from tui_reader.text import long_date
from tui_reader.widgets import ArticleView
from tui_reader.widgets.article_body import ArticleBody
from tui_reader.widgets.article_view import (
    MAX_BODY_CHARS,
    cap_body,
    comments_line,
    meta_line,
    snapshot_line,
)

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 11, 27, 14, 30).timestamp()
HOSTILE = "[b]x[/b] [@click=app.quit]quit[/] \x1b[31mred\x07"
HEADER_LINES = ("article-title", "article-meta", "article-tags", "article-status",
                "article-link", "article-comments", "article-cut")


def article(n: int = 1, **changes: object) -> Article:
    story = Article(
        id=n, feed_id=1, feed_title="World Desk", title=f"Story {n}",
        url=f"http://127.0.0.1:9/story/{n}", author="Ann Author", published=int(NOW - 3600),
        updated=None, timestamp=int(NOW - 3600), summary=f"Summary {n}.",
        content_md=f"Body of story {n}.", categories=("politics", "world"),
        comments_url=None, comments_count=None, read=False, bookmarked=False,
    )
    return replace(story, **changes)


class Pane(App[None]):
    """One ArticleView, and the links it asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(clock=lambda: NOW)

    def on_article_view_link_requested(self, message: ArticleView.LinkRequested) -> None:
        self.links.append(message.href)


def line(view: ArticleView, widget_id: str) -> str:
    """A header line as shown ("" when hidden)."""
    widget = view.query_one(f"#{widget_id}", Static)
    return str(widget.render()) if widget.display else ""


def screen_text(app: App[None]) -> str:
    update = app.screen._compositor.render_full_update(simplify=True)
    return "\n".join(
        "".join(segment.text for strip in row for segment in strip) for row in update.strips
    )


# -- the header lines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bookmarked", "snapshot", "expected"),
    [
        (False, None, ""),
        (True, None, "★ Bookmarked"),
        (False, "pending", "Fetching full text…"),
        (True, "pending", "★ Saving full text…"),
        (False, "ok", "Full text"),
        (True, "ok", "★ Saved offline"),
        (True, "full text unavailable: HTTP 404", "★ full text unavailable: HTTP 404"),
        (False, "HTTP 500\x1b[2J", "HTTP 500[2J"),
    ],
)
def test_snapshot_line(bookmarked: bool, snapshot: str | None, expected: str) -> None:
    assert snapshot_line(article(bookmarked=bookmarked, snapshot=snapshot)) == expected


def test_meta_line_is_feed_author_and_date_without_this_year() -> None:
    story = article()
    assert meta_line(story, NOW) == f"World Desk · Ann Author · {long_date(story.timestamp, NOW)}"
    assert "2026" not in meta_line(story, NOW)
    last_year = datetime(2025, 3, 1, 9, 0).timestamp()
    old = article(published=int(last_year), author=None, feed_title="World\x1b Desk")
    assert meta_line(old, NOW) == "World Desk · Sat 1 Mar 2025, 09:00"


def test_meta_line_falls_back_to_updated_then_first_seen() -> None:
    updated = datetime(2026, 11, 20, 8, 5).timestamp()
    assert meta_line(article(published=None, updated=int(updated)), NOW).endswith(
        "Fri 20 Nov, 08:05")
    seen = datetime(2026, 11, 21, 7, 0).timestamp()
    assert meta_line(article(published=None, timestamp=int(seen)), NOW).endswith(
        "Sat 21 Nov, 07:00")


def test_comments_line_counts_comments_when_known() -> None:
    url = "http://127.0.0.1:9/c"
    assert comments_line(article()) == ""
    assert comments_line(article(comments_url=url)) == "Comments · c open · C copy"
    assert comments_line(article(comments_url=url, comments_count=1)) == (
        "1 comment · c open · C copy")
    assert comments_line(article(comments_url=url, comments_count=1204)) == (
        "1,204 comments · c open · C copy")


def test_cap_body_leaves_a_short_body_alone() -> None:
    assert cap_body("short", limit=100) == ("short", "")
    assert cap_body("x" * 100, limit=100) == ("x" * 100, "")


def test_cap_body_cuts_at_a_paragraph_and_counts_the_rest_in_utf8_kb() -> None:
    body = "a" * 60 + "\n\n" + "b" * 30 + "\n\n" + "é" * 3000
    kept, cut = cap_body(body, limit=100)
    assert kept == "a" * 60 + "\n\n" + "b" * 30
    assert cut == "(cut: 6 KB more — o opens the page)"  # 2 + 6,000 bytes


def test_cap_body_without_a_paragraph_cuts_at_a_line_else_anywhere() -> None:
    kept, _ = cap_body("a" * 70 + "\n" + "b" * 200, limit=100)
    assert kept == "a" * 70
    kept, cut = cap_body("c" * 500, limit=100)
    assert kept == "c" * 100 and cut == "(cut: 1 KB more — o opens the page)"


# -- showing a story -----------------------------------------------------------------------


async def test_show_fills_every_line_from_the_article() -> None:
    app = Pane()
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.query_one(ArticleView)
        story = article(comments_url="http://127.0.0.1:9/c", comments_count=3,
                        bookmarked=True, snapshot="ok")
        await view.show(story)
        await pilot.pause()
        assert view.article == story and not view.has_class("-empty")
        assert line(view, "article-title") == "Story 1"
        assert line(view, "article-meta") == meta_line(story, NOW)
        assert line(view, "article-tags") == "politics · world"
        assert line(view, "article-status") == "★ Saved offline"
        assert line(view, "article-link") == "http://127.0.0.1:9/story/1"
        assert line(view, "article-comments") == "3 comments · c open · C copy"
        assert line(view, "article-cut") == ""
        assert view.border_subtitle == "o open · y copy link"
        assert view.query_one(ArticleBody).source == "Body of story 1."


async def test_hostile_title_and_body_render_literally_without_control_characters() -> None:
    app = Pane()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        body = f"Before {HOSTILE} after.\n\n\x1b]0;title\x07Second paragraph."
        tags = ("[b]topic[/b]", "\x1b[1mtag")
        await view.show(article(title=HOSTILE, content_md=body, categories=tags,
                                author="[red]Mallory[/red]"))
        await pilot.pause()
        literal = "[b]x[/b] [@click=app.quit]quit[/] [31mred"
        assert line(view, "article-title") == literal
        assert line(view, "article-tags") == "[b]topic[/b] · [1mtag"
        assert "[red]Mallory[/red]" in line(view, "article-meta")
        source = view.query_one(ArticleBody).source
        assert "\x1b" not in source and "\x07" not in source
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert literal in text  # the title, as written
        assert "Before [b]x[/b] [@click=app.quit]quit[/] [31mred after." in text
        assert app.is_running


async def test_a_story_with_no_title_or_link_says_so() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(title=" \x1b ", url=None, categories=()))
        await pilot.pause()
        assert line(view, "article-title") == "(untitled)"
        assert line(view, "article-link") == "" and line(view, "article-tags") == ""
        assert not view.border_subtitle


async def test_a_body_over_the_limit_is_cut_with_a_line_saying_how_much() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        paragraph = "Words of a very long story. " * 40  # about 1,100 characters
        body = "\n\n".join(f"{n}. {paragraph}".strip() for n in range(200))
        assert len(body) > MAX_BODY_CHARS
        await view.show(article(content_md=body))
        await pilot.pause()
        source = view.query_one(ArticleBody).source
        assert MAX_BODY_CHARS // 2 < len(source) <= MAX_BODY_CHARS
        assert body.startswith(source) and body[len(source):].startswith("\n\n")
        rest = len(body.encode()) - len(source.encode())
        assert line(view, "article-cut") == (
            f"(cut: {round(rest / 1024):,} KB more — o opens the page)")


async def test_show_empty_leaves_nothing_of_the_last_story() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(comments_url="http://127.0.0.1:9/c", bookmarked=True))
        await pilot.pause()
        view.show_empty("Nothing here — esc shows all feeds")
        await pilot.pause()
        assert view.article is None and view.has_class("-empty")
        assert all(line(view, widget_id) == "" for widget_id in HEADER_LINES)
        assert view.border_subtitle == ""
        assert view.query_one(ArticleBody).source == ""
        assert str(view.query_one("#article-empty", Static).render()) == (
            "Nothing here — esc shows all feeds")
        assert "Story 1" not in screen_text(app)
        view.show_empty()
        assert str(view.query_one("#article-empty", Static).render()) == (
            "Choose a headline and press enter to read it.")


async def test_show_update_refreshes_the_story_on_show_only() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(1))
        await view.show_update(article(2, title="Another story"))
        await pilot.pause()
        assert view.article is not None and view.article.id == 1
        assert line(view, "article-title") == "Story 1"
        assert view.query_one(ArticleBody).source == "Body of story 1."
        await view.show_update(article(1, fulltext_md="The whole page.", snapshot="ok"))
        await pilot.pause()
        assert view.query_one(ArticleBody).source == "The whole page."
        assert line(view, "article-status") == "Full text"
        view.show_empty()
        await view.show_update(article(1))
        assert view.article is None and view.query_one(ArticleBody).source == ""


async def test_another_story_starts_at_the_top_and_the_same_one_keeps_its_place() -> None:
    app = Pane()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        long_body = "\n\n".join(f"Paragraph {n}." for n in range(100))
        await view.show(article(1, content_md=long_body))
        await pilot.pause()
        view.page(1)
        assert view.scroll_y > 0
        await view.show(article(1, content_md=long_body, read=True))
        await pilot.pause()
        assert view.scroll_y > 0
        await view.show(article(2, content_md=long_body))
        await pilot.pause()
        assert view.scroll_y == 0


# -- flags, paging, links ------------------------------------------------------------------


async def test_story_changed_updates_the_status_line_and_leaves_the_body() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(1, content_md="\n\n".join(f"Part {n}." for n in range(5))))
        await pilot.pause()
        blocks = list(view.query_one(ArticleBody).children)
        view.post_message(StoryChanged(1, StoryFlags(read=True, bookmarked=True,
                                                     snapshot="pending")))
        await pilot.pause()
        assert line(view, "article-status") == "★ Saving full text…"
        assert view.article is not None and view.article.bookmarked and view.article.read
        after = list(view.query_one(ArticleBody).children)
        assert len(after) == len(blocks) and all(a is b for a, b in zip(after, blocks,
                                                                          strict=True))
        view.post_message(StoryChanged(1, StoryFlags(True, True, "ok")))
        await pilot.pause()
        assert line(view, "article-status") == "★ Saved offline"


async def test_story_changed_for_another_story_is_ignored() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(1))
        view.post_message(StoryChanged(2, StoryFlags(True, True, "ok")))
        await pilot.pause()
        assert line(view, "article-status") == ""
        assert view.article is not None and not view.article.bookmarked


async def test_page_scrolls_by_one_page_each_way() -> None:
    app = Pane()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(content_md="\n\n".join(f"Paragraph {n}." for n in range(150))))
        await pilot.pause()
        page = view.scrollable_content_region.height
        assert page > 0 and view.scroll_y == 0 and not view.at_end
        view.page(1)
        view.page(1)  # at once, not animated: two calls are two pages
        assert view.scroll_y == 2 * page
        view.page(-1)
        assert view.scroll_y == page
        view.page(-1)
        view.page(-1)
        assert view.scroll_y == 0
        view.scroll_end(animate=False, immediate=True)
        assert view.at_end


async def test_a_clicked_link_is_only_requested_never_opened() -> None:
    app = Pane()
    async with app.run_test() as pilot:
        view = app.query_one(ArticleView)
        await view.show(article(content_md="[a link](http://127.0.0.1:9/more)"))
        markdown = view.query_one(ArticleBody)
        markdown.post_message(ArticleBody.LinkClicked("javascript:alert(1)"))
        markdown.post_message(ArticleBody.LinkClicked("http://127.0.0.1:9/more"))
        await pilot.pause()
        assert app.links == ["javascript:alert(1)", "http://127.0.0.1:9/more"]
        assert app.is_running


LONG = " ".join(f"word{n}" for n in range(300))


async def test_a_resize_draws_the_body_again_for_the_new_width() -> None:
    app = Pane()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        body = view.query_one(ArticleBody)
        await view.show(article(content_md=LONG))
        await pilot.pause()
        assert body.drawn_width == body.size.width > 60
        await pilot.resize_terminal(50, 30)
        for _ in range(100):
            await pilot.pause(0.02)
            if body.drawn_width == body.size.width:
                break
        assert body.drawn_width == body.size.width <= 50
        assert all(len(line) <= body.size.width for line in body.text.splitlines())
        assert "word299" in body.text


ONE_LINE = "One line at the old width, so its height is the old story's: " + "ends-here"
"""Drawn for 98 columns it is one line, as "First." is at 48: no height change follows."""


class ScrolledPane(Pane):
    """The pane as the app styles it: its scrollbar always there (so a story's length
    never changes its width, and nothing but a resize draws it again)."""

    CSS = "ArticleView { overflow-y: scroll; }"


async def test_a_story_drawn_while_the_pane_was_resized_is_drawn_again() -> None:
    """The next story was drawn for the old width while the terminal shrank: it must not
    stay cut at the pane's right edge."""
    app = ScrolledPane()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        body = view.query_one(ArticleBody)
        await view.show(article(1, content_md="First."))
        await pilot.pause()
        real_draw = body.draw
        release = asyncio.Event()

        async def slow_draw(source: str, width: int) -> list[Strip]:
            lines = await real_draw(source, width)
            if source == ONE_LINE:
                await release.wait()
            return lines

        body.draw = slow_draw  # type: ignore[method-assign]
        showing = asyncio.create_task(view.show(article(2, content_md=ONE_LINE)))
        await pilot.pause()
        await pilot.resize_terminal(50, 30)
        for _ in range(100):  # the old story is drawn again for the new width first
            await pilot.pause(0.02)
            if body.drawn_width == body.size.width < 50:
                break
        assert body.source == "First." and body.drawn_width < 50
        release.set()
        await showing
        for _ in range(100):
            await pilot.pause(0.02)
            if body.drawn_width == body.size.width and body.source == ONE_LINE:
                break
        assert body.drawn_width == body.size.width <= 50
        assert all(len(line) <= body.size.width for line in body.text.splitlines())
