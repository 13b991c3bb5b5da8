"""Small and plain terminals, for real: the app under a pty, what it draws read back.

The Linux console (TERM=linux) has 16 colours and shows the bright backgrounds (100-107)
as the dark ones; TERM=screen has 16 colours too; NO_COLOR=1 asks for none at all; and a
60x20 terminal cuts the key bar. Each test runs the real app on the demo data and reads
the screen it drew with :mod:`vt_screen`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, OptionList
from vt_screen import COLOUR_CODES, Screen, colour_codes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_bytes import Terminal, app_argv  # noqa: E402

from tui_reader.app import TuiReaderApp  # noqa: E402
from tui_reader.core.demo import DEMO_NOW, build_demo_home  # noqa: E402
from tui_reader.core.session import Session, open_session  # noqa: E402
from tui_reader.screens.help_screen import HelpScreen  # noqa: E402
from tui_reader.widgets import HeadlineList, KeyBar, Timeline  # noqa: E402

RED = {31, 91}
PTY = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@contextmanager
def running(width: int, height: int, **env: str) -> Iterator[tuple[Terminal, Screen, str]]:
    """The demo app at *width* x *height* with *env*, settled; yields the terminal, the
    screen it drew and everything it wrote so far."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("NO_COLOR", "COLORTERM", "TEXTUAL_COLOR_SYSTEM")}
    term = Terminal(app_argv(None), width, height, {**environ, **env})
    try:
        written = term.drain(quiet=2.0, limit=60, at_least=4.0).decode("utf-8", "replace")
        screen = Screen(width, height)
        screen.feed(written)
        yield term, screen, written
    finally:
        term.close()


def send(term: Terminal, screen: Screen, keys: str) -> str:
    term.send(keys)
    # At most 5 s: an input's blinking cursor never lets the screen go quiet.
    written = term.drain(quiet=1.0, at_least=1.5, limit=5).decode("utf-8", "replace")
    screen.feed(written)
    return written


def corner(screen: Screen, title: str) -> str:
    """The top-left corner of the pane titled *title* (its border type)."""
    y, x = screen.find(f" {title} ")
    return screen.line(y)[x - 2]


@PTY
def test_no_color_sends_no_colour_and_shows_focus_and_selection_without_it() -> None:
    """NO_COLOR=1 still sent 256-colour codes (Textual turns colours grey); the reader
    asked for none. The selected row and the focused pane must then read without colour:
    the row in reverse video, the focused pane in another border."""
    with running(80, 24, TERM="xterm-256color", NO_COLOR="1") as (term, screen, written):
        assert "Headlines" in screen.text
        assert colour_codes(written) == []
        written += send(term, screen, "j")
        y, x = screen.find("● Advisory")
        assert all(cell.reverse for cell in screen.rows[y][x:x + 8])
        assert not screen.rows[screen.find("● Halvern")[0]][x].reverse
        assert corner(screen, "Headlines") != corner(screen, "Article")
        focused = corner(screen, "Headlines")
        written += send(term, screen, "\t")  # focus moves to the article
        assert corner(screen, "Article") == focused != corner(screen, "Headlines")
        for keys in ("?", "\x1b", "F", "\x1b", "f", "\x1b"):  # help, feeds, filter picker
            written += send(term, screen, keys)
        assert "Feeds · 4 subscriptions" in written
        assert colour_codes(written) == []


@PTY
def test_linux_console_selection_focus_and_help_key_at_60x20() -> None:
    """TERM=linux at 60x20: the selected row was marked only by a bright background
    (SGR 100), which the Linux console shows as black; the focused pane's border was
    bright red; and the key bar was cut before "? help"."""
    with running(60, 20, TERM="linux") as (term, screen, written):
        assert "? help" in screen.line(19)
        codes = set(colour_codes(written))
        assert codes <= COLOUR_CODES and not codes & {38, 48}  # 16 colours only
        y, x = screen.find("● Halvern")
        assert all(cell.reverse for cell in screen.rows[y][x:x + 10])
        top = screen.find(" Headlines ")[0]
        border = [cell for cell in screen.rows[top] if cell.char in "╭╮─╔╗═┌┐┏┓━"]
        assert border and not any(set(cell.codes) & RED for cell in border)
        send(term, screen, "j")
        y, x = screen.find("● Advisory")
        assert all(cell.reverse for cell in screen.rows[y][x:x + 8])
        assert not screen.rows[screen.find("● Halvern")[0]][x + 2].reverse
        send(term, screen, "?")  # the help key opens the keys
        assert "Navigate" in screen.text


# -- in a headless app: layout at small sizes --------------------------------------------


@pytest.fixture
def demo_session(tmp_path: Path) -> Iterator[Session]:
    session = open_session(build_demo_home(tmp_path / "home", now=DEMO_NOW))
    yield session
    session.close()


def demo_app(session: Session) -> TuiReaderApp:
    return TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)


def cursor_shown(headlines: HeadlineList) -> bool:
    top = headlines.scroll_offset.y
    bottom = top + headlines.scrollable_content_region.height
    return top <= headlines.cursor * 2 and headlines.cursor * 2 + 2 <= bottom


async def test_the_cursor_row_stays_in_view_through_resizes(demo_session: Session) -> None:
    """At 80x24 with the cursor on the last row shown, going to 60x20 left it below the
    pane: the list kept its scroll offset and the selected story was off screen."""
    app = demo_app(demo_session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        headlines = app.query_one(HeadlineList)
        rows = headlines.scrollable_content_region.height // 2
        await pilot.press(*["j"] * (rows - 1))
        assert headlines.cursor == rows - 1 and cursor_shown(headlines)
        for width, height in ((60, 20), (120, 40), (80, 24), (60, 20), (80, 24)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            await pilot.pause()
            assert cursor_shown(headlines), (width, height)


def beside(a: Widget, b: Widget) -> bool:
    """Whether *a* and *b* share a screen row."""
    return a.region.y < b.region.bottom and b.region.y < a.region.bottom


def ink_right(widget: Widget) -> int:
    """The screen column just after the last character *widget* draws."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return widget.region.x + max((cell_len(strip.text.rstrip()) for strip in strips), default=0)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (100, 30)])
async def test_help_rows_never_run_into_the_other_column(
    demo_session: Session, size: tuple[int, int],
) -> None:
    """At 60x20 a description filled its column to the last cell and the other column's
    heading followed with no space between ("headline listApp")."""
    app = demo_app(demo_session)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        left, right = sorted(help_screen.query(".help-column"), key=lambda c: c.region.x)
        texts = ".help-description, .help-heading"
        drawn = [(text, neighbour) for text in left.query(texts)
                 for neighbour in right.query(texts) if beside(text, neighbour)]
        for text, neighbour in drawn:
            assert ink_right(text) < neighbour.region.x, (str(text.render()),
                                                          str(neighbour.render()))
        assert drawn or size < (80, 24)  # side by side from 80 columns


async def test_the_help_key_leads_the_key_bar(demo_session: Session) -> None:
    """Cut from the right at 60 columns, the bar lost "? help" first."""
    app = demo_app(demo_session)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        for _screen in ("main", "feeds"):
            keys = [getattr(w, "action", None) for w in app.screen.query_one(KeyBar).children]
            assert keys and keys[0] == "help"
            await pilot.press("F")
            await pilot.pause()


async def test_every_selection_is_in_reverse_video_with_few_colours(
    demo_session: Session,
) -> None:
    """With 16 colours or none a selection shown by a shade alone can vanish: the
    headline cursor, the Read next entry, the feeds table's row and the filter's choice
    are in reverse video; in full colour they keep their shades."""
    for few in (True, False):
        app = TuiReaderApp(demo_session, demo=True, clock=lambda: DEMO_NOW,
                           refresh_on_start=False, few_colors=few)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            headlines = app.query_one(HeadlineList)
            assert bool(headlines.get_component_rich_style("headline-list--cursor").reverse) is few
            timeline = app.query_one(Timeline)
            timeline.focus()
            await pilot.pause()
            entry = timeline.query_one(".timeline-entry.-highlight")
            assert bool(entry.rich_style.reverse) is few
            await pilot.press("F")
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            assert bool(table.get_component_rich_style("datatable--cursor").reverse) is few
            await pilot.press("escape", "f")
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            row = options.render_line(options.highlighted or 0)
            assert all(seg.style and seg.style.reverse for seg in row) is few
