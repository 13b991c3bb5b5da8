"""First-hour findings in the reader (issue 12): headline titles get two lines and the
list can be widened (titles were cut at about 29 characters at 120x40 and 27 at 80x24);
a new filter gives its list the keys."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_app import NOW, item, make_app, seed, wait_until

from tui_reader.core.config import load_settings
from tui_reader.core.errors import ConfigError
from tui_reader.core.models import Headline
from tui_reader.core.session import Session, session_for_home
from tui_reader.widgets import HeadlineList
from tui_reader.widgets.headline_row import layout

LONG = "Halvern Sea nations agree €14bn flood barrier fund after all-night talks"


def headline(title: str, *, bookmarked: bool = False) -> Headline:
    return Headline(1, 1, "World Desk", title, None, NOW - 2400, False, bookmarked)


@pytest.mark.parametrize("width", [30, 32])
def test_a_long_title_runs_onto_the_second_line_before_the_feed_and_time(width: int) -> None:
    row = layout(headline(LONG), width, NOW, False)
    assert row.first == "Halvern Sea nations agree"
    assert row.rest.startswith("€14bn") and row.rest.endswith("…")
    shown = f"{row.first} {row.rest.removesuffix('…')}"
    assert len(shown) > 29 and LONG.startswith(shown.rstrip())
    assert row.meta == "World Desk · 40m"


def test_a_short_title_keeps_one_line_and_wide_characters_wrap_by_cells() -> None:
    short = layout(headline("Frost on the marsh"), 32, NOW, False)
    assert (short.first, short.rest) == ("Frost on the marsh", "")
    cjk = layout(headline("データベースの新しい版が公開されました。性能が二倍に"), 30, NOW, False)
    assert cjk.first == "データベースの新しい版が公開"  # 28 cells: no space to break at
    assert cjk.rest == "されまし…"


def test_with_too_little_room_the_first_line_is_cut_instead() -> None:
    row = layout(headline(LONG, bookmarked=True), 22, NOW, True)
    assert row.rest == "" and row.first.endswith("…")


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    session = session_for_home(tmp_path / "home")
    yield session
    session.close()


async def test_greater_and_less_than_widen_and_narrow_the_list_and_remember_it(
    session: Session,
) -> None:
    seed(session, [item(n, title=LONG) for n in range(3)])
    config = session.paths.config_file
    config.write_text("# my settings\nrefresh_minutes = 45\n", encoding="utf-8")
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        before = headlines.outer_size.width
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert headlines.outer_size.width >= before + 10
        await app.workers.wait_for_complete()
        saved = tomllib.loads(config.read_text(encoding="utf-8"))
        assert config.read_text(encoding="utf-8").startswith("# my settings\n")
        assert saved["refresh_minutes"] == 45
        assert saved["list_width"] == app.main.list_width
        assert abs(headlines.outer_size.width - 120 * saved["list_width"] / 100) <= 1
        await pilot.press(*["less_than_sign"] * 12)
        await pilot.pause()
        assert app.main.list_width == 20
    assert load_settings(config).list_width == 20


async def test_the_setting_gives_the_list_its_share_at_any_size(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("list_width = 50\n", encoding="utf-8")
    session = session_for_home(home)
    try:
        seed(session, [item(n, title=LONG) for n in range(3)])
        app = make_app(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.query_one(HeadlineList).outer_size.width > 0)
            assert app.query_one(HeadlineList).outer_size.width == 40
            await pilot.press("t")  # the timeline goes under the article: same share
            await pilot.pause()
            assert app.query_one(HeadlineList).outer_size.width == 40
    finally:
        session.close()


@pytest.mark.parametrize(("value", "ok"), [(0, True), (20, True), (70, True), (10, False),
                                           (71, False), ("wide", False)])
def test_list_width_is_automatic_or_a_sane_share(tmp_path: Path, value: object,
                                                 ok: bool) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"theme = \"nord\"\nlist_width = {value!r}\n".replace("'", '"'),
                    encoding="utf-8")
    if ok:
        assert load_settings(path).list_width == value
    else:
        with pytest.raises(ConfigError, match=r"config.toml:2: list_width"):
            load_settings(path)


async def test_choosing_a_filter_gives_the_new_list_the_keys(session: Session) -> None:
    """Focus stayed in Read next after f → a feed, so j moved that column, not the list."""
    from tui_reader.widgets import Timeline

    seed(session, [item(n) for n in range(6)])
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        timeline = app.query_one(Timeline)
        timeline.focus()
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        assert headlines.has_focus
        await pilot.press("j")
        await pilot.pause()
        assert headlines.cursor == 1 and timeline.cursor == 0


def test_a_bookmark_keeps_its_second_title_line_and_the_bookmarks_view_its_time() -> None:
    """The star took the room: a bookmarked row lost its second line at 80x24, and the
    bookmarks view ("summary only ★") cut the time to a lone "…"."""
    marked = Headline(1, 1, "Open Forum", "Ask OF: Why does [31m in a feed title turn my "
                      "whole terminal red?", None, NOW - 7200, False, True)
    row = layout(marked, 28, NOW, False)
    assert row.rest.startswith("feed") and row.meta.endswith(" · 2h") and row.star == " ★ "
    in_view = layout(replace(marked, title="Alpha story", feed_title="Alpha Renamed"), 30,
                     NOW, True)
    assert in_view.meta.endswith(" · 2h") and "summary only" in in_view.star


async def test_the_demo_keeps_saying_it_is_the_demo_after_the_feeds_screen(
    tmp_path: Path,
) -> None:
    """After F and back, the status line said "updated 11:38" instead of the demo's line."""
    from tui_reader.app import TuiReaderApp
    from tui_reader.core.demo import build_demo_home
    from tui_reader.core.demo_mode import DEMO_STATUS
    from tui_reader.core.session import open_session

    session = open_session(build_demo_home(tmp_path / "demo"))
    app = TuiReaderApp(session, demo=True)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.main.status.refresh_text == DEMO_STATUS)
            await pilot.press("F")
            await pilot.pause()
            await pilot.press("d", "y")  # removing a feed changes the feeds
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert app.main.status.refresh_text == DEMO_STATUS
    finally:
        session.close()


@pytest.mark.parametrize("bookmarks_view", [False, True])
def test_a_row_never_runs_past_the_list_at_any_width(bookmarks_view: bool) -> None:
    """The meta line was built before line two gave up the title: in the bookmarks view
    the star and "summary only" were cut off at the widths of an 80-column list."""
    from rich.cells import cell_len

    for snapshot in (None, "pending", "ok"):
        for bookmarked in (False, True):
            row = replace(headline(LONG * 2, bookmarked=bookmarked), snapshot=snapshot)
            for width in range(4, 70):
                text = layout(row, width, NOW, bookmarks_view)
                line_two = (2 + cell_len(text.rest) + (1 if text.rest else 0)
                            + cell_len(text.meta) + cell_len(text.star))
                assert 2 + cell_len(text.first) <= width and line_two <= width, (
                    width, text)
