"""Fewer colour codes for the same screen: what a terminal shows must not change."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui_reader.lean_driver import RAW_OUTPUT_ENV
from tui_reader.sgr_diet import SgrDiet, change, parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_bytes import Terminal, app_argv  # noqa: E402

WIDTH, HEIGHT = 40, 6
CONSOLE = Console(color_system="truecolor", force_terminal=True, width=WIDTH)

colours = st.one_of(
    st.none(),
    st.builds(lambda r, g, b: Color.from_rgb(r, g, b), *[st.integers(0, 255)] * 3),
    st.builds(Color.from_ansi, st.integers(0, 255)),
)
styles = st.builds(
    lambda fg, bg, bold, dim, italic, underline, reverse, strike: Style(
        color=fg, bgcolor=bg, bold=bold, dim=dim, italic=italic, underline=underline,
        reverse=reverse, strike=strike),
    colours, colours, *[st.booleans()] * 6,
)
segments = st.lists(st.tuples(st.sampled_from(["ab", " ", "   ", "x y", "│", "é"]), styles),
                    min_size=1, max_size=8)


def visible(screen: pyte.Screen) -> list[tuple[object, ...]]:
    """Every cell as it looks: a blank's foreground shows only under a line or reversed."""
    cells = []
    for y in range(screen.lines):
        for x in range(screen.columns):
            c = screen.buffer[y][x]
            inked = c.underscore or c.strikethrough or c.reverse
            fg = c.fg if c.data.strip() or inked else None
            cells.append((c.data, fg, c.bg, c.bold, c.italics, c.underscore,
                          c.strikethrough, c.reverse))
    return cells


def shown(data: str) -> list[tuple[object, ...]]:
    screen = pyte.Screen(WIDTH, HEIGHT)
    pyte.Stream(screen).feed(data)
    return visible(screen)


def textual_output(lines: list[list[tuple[str, Style]]]) -> str:
    """What Textual writes for these lines: a cursor move, then each run of text."""
    out = []
    for y, line in enumerate(lines[:HEIGHT]):
        strip = Strip([Segment(text, style) for text, style in line]).crop(0, WIDTH)
        out.append(f"\x1b[{y + 1};1H{strip.render(CONSOLE)}")
    return "\r\n".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(segments, min_size=1, max_size=HEIGHT))
def test_the_screen_is_the_same_and_never_costs_more(lines: list[list[tuple[str, Style]]]) -> None:
    raw = textual_output(lines)
    lean = SgrDiet().rewrite(raw)
    assert shown(lean) == shown(raw)
    assert len(lean) <= len(raw) + len("\x1b[0m")
    after = shown(lean + f"\x1b[{HEIGHT};{WIDTH}HZ")[-1]  # the next write starts plain
    assert after == ("Z", "default", "default", False, False, False, False, False)


def test_a_change_sends_only_what_changes() -> None:
    grey_on_dark = parse("38;2;69;69;69;48;2;30;30;30")
    white_on_dark = parse("38;2;224;224;224;48;2;30;30;30")
    bold_white = parse("1;38;2;224;224;224;48;2;30;30;30")
    assert grey_on_dark and white_on_dark and bold_white
    assert change(grey_on_dark, white_on_dark) == "\x1b[38;2;224;224;224m"
    assert change(white_on_dark, bold_white) == "\x1b[1m"
    assert change(bold_white, white_on_dark) == "\x1b[0;38;2;224;224;224;48;2;30;30;30m"
    assert change(None, white_on_dark) == "\x1b[0;38;2;224;224;224;48;2;30;30;30m"
    assert parse("38;5") is None and parse("58;2;1;2;3") is None  # passed on as written


def test_what_it_does_not_know_passes_as_written() -> None:
    data = "\x1b[?1049h\x1b[2J\x1b[1;1H\x1b[4:3mcurly\x1b[0m\x1b]8;id=1;https://x/\x1b\\a\x1b]8;;\x1b\\"
    assert shown(SgrDiet().rewrite(data)) == shown(data)
    assert "\x1b]8;id=1;https://x/\x1b\\" in SgrDiet().rewrite(data)


def screens(raw: bool) -> list[tuple[list[tuple[object, ...]], int]]:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", TZ="UTC")
    env.pop("NO_COLOR", None)
    env.pop(RAW_OUTPUT_ENV, None)
    if raw:
        env[RAW_OUTPUT_ENV] = "1"
    term = Terminal(app_argv(None), 100, 30, env)
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    found = []
    try:
        stream.feed(term.drain(quiet=2.0, limit=60, at_least=3.0))
        for key in ("j", "\r", "t", "?"):
            term.send(key)
            data = term.drain(quiet=1.5, limit=20)
            stream.feed(data)
            found.append((visible(screen), len(data)))
    finally:
        term.close()
    return found


@pytest.mark.timeout(180)
def test_the_app_shows_the_same_screens_for_fewer_bytes() -> None:
    """The real app under a terminal, with and without the rewriting."""
    raw, lean = screens(raw=True), screens(raw=False)
    for (raw_cells, raw_bytes), (lean_cells, lean_bytes) in zip(raw, lean, strict=True):
        differ = [i for i, (a, b) in enumerate(zip(raw_cells, lean_cells, strict=True)) if a != b]
        # Relative times ("12m") may tick between the two runs; nothing else may differ.
        assert all(str(raw_cells[i][0]).isdigit() for i in differ), differ[:5]
        assert len(differ) < 10
        assert lean_bytes < raw_bytes


def test_a_style_left_behind_by_another_program_does_not_bleed_in() -> None:
    """A browser killed mid-line may leave an underline set; the next frame resets it."""
    leftover = "\x1b[4;31m"
    frame = "\x1b[1;1Hplain \x1b[1mbold\x1b[0m"
    assert shown(leftover + SgrDiet().rewrite(frame))[:5] == shown(frame)[:5]
    assert shown(leftover + SgrDiet().rewrite(frame))[6][3] is True  # "b" is bold
