"""What the app writes to the terminal per action: over SSH every byte is latency.

The real app runs under a pseudo-terminal at 120x40 on the demo data (the same driver as
``bench/bench_bytes.py``, which prints the figures); these tests hold the budgets.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from textual.widget import Widget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_bytes import Terminal, app_argv  # noqa: E402

from tui_reader.app import TuiReaderApp  # noqa: E402
from tui_reader.core.demo import DEMO_NOW, build_demo_home  # noqa: E402
from tui_reader.core.session import open_session  # noqa: E402
from tui_reader.widgets import HeadlineList  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pytest.fixture
def terminal() -> Terminal:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("NO_COLOR", None)
    term = Terminal(app_argv(None), 120, 40, env)
    yield term
    term.close()


def test_enter_on_a_previewed_story_and_pointer_motion_cost_next_to_nothing(
    terminal: Terminal,
) -> None:
    """Enter on the story j previewed changes its unread dot and the count: it wrote
    22-27 KB (the pane's header lines, subtitles and the whole list were drawn again).
    Pointer motion was reported to the app (mode 1003) and redrew what it passed over."""
    start = terminal.drain(quiet=2.0, limit=60, at_least=4.0)
    assert b"Headlines" in start
    assert start.rfind(b"\x1b[?1003l") > start.rfind(b"\x1b[?1003h")  # no motion reports
    assert b"\x1b[?1002h" in start  # but a held button still drags a scrollbar
    terminal.send("j")
    terminal.drain(quiet=2.0, at_least=3.0)
    terminal.send("\r")
    opened = terminal.drain(quiet=1.0, at_least=1.5)
    assert 0 < len(opened) <= 2048
    terminal.send("\r")  # already open and read: nothing changes, nothing is written
    assert terminal.drain(quiet=1.0, at_least=1.0) == b""


def test_a_j_with_its_preview_stays_within_12_kb(terminal: Terminal) -> None:
    """A j moves the cursor and shows the next story and its Read next: 33-52 KB when each
    new story was laid out over several frames and every style was sent in full. The
    budget is the median of five, as bench_bytes.py prints it; none may be twice that."""
    terminal.drain(quiet=2.0, limit=60, at_least=4.0)
    sizes = []
    for _ in range(5):
        terminal.send("j")
        data = terminal.drain(quiet=1.0, at_least=1.5)
        assert b"\x1b[" in data  # the preview came
        sizes.append(len(data))
    assert sorted(sizes)[2] <= 12 * 1024, sizes
    assert max(sizes) <= 24 * 1024, sizes


def test_start_up_draws_the_first_screen_about_once(terminal: Terminal) -> None:
    """Start-up drew the screen four to five times over (168 KB at 120x40): now it is
    held until the first story is in it, then drawn once (about 25 KB). The budget leaves
    room for a slow machine, where the hold ends before the story comes."""
    start = terminal.drain(quiet=2.0, limit=60, at_least=4.0)
    assert b"Headlines" in start and b"o open" in start  # the list, and a story
    assert len(start) <= 48 * 1024, len(start)


async def test_a_minute_passing_redraws_only_the_rows_whose_age_changed(
    tmp_path: Path,
) -> None:
    """Relative times tick once a minute; redrawing the whole list then sent 8 KB a minute
    while the reader sat idle. Now only a row whose "12m" became "13m" is drawn again."""
    now = [float(DEMO_NOW)]
    session = open_session(build_demo_home(tmp_path / "home", now=DEMO_NOW))
    app = TuiReaderApp(session, demo=True, refresh_on_start=False, clock=lambda: now[0])
    redrawn: list[int] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            headlines = app.query_one(HeadlineList)
            real = Widget.refresh

            def spy(widget: Widget, *regions: object, **kwargs: object) -> Widget:
                if widget is headlines:
                    redrawn.extend(r.y for r in regions)  # type: ignore[attr-defined]
                    if not regions:
                        redrawn.append(-1)  # the whole list
                return real(widget, *regions, **kwargs)  # type: ignore[arg-type]

            Widget.refresh = spy  # type: ignore[method-assign]
            try:
                headlines._tick()  # no time passed: no age reads differently
                assert redrawn == []
                now[0] += 60  # a minute: "40m" -> "41m" for stories under an hour old
                headlines._tick()
            finally:
                Widget.refresh = real  # type: ignore[method-assign]
            young = [i for i in range(headlines.total)
                     if (row := headlines.pager.get(i)) and now[0] - row.timestamp < 3600]
            assert young and -1 not in redrawn
            assert sorted(redrawn) == [i * 2 for i in young if i * 2 < 40]
    finally:
        session.close()


def test_low_bandwidth_keeps_the_article_still_while_moving(tmp_path: Path) -> None:
    """On a slow link the article pane waits for enter: a j is its two rows only."""
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("NO_COLOR", None)
    term = Terminal(app_argv(None, low_bandwidth=True), 120, 40, env)
    try:
        term.drain(quiet=2.0, limit=60, at_least=4.0)
        for _ in range(3):
            term.send("j")
            assert 0 < len(term.drain(quiet=1.0, at_least=1.5)) <= 2048
    finally:
        term.close()


def test_low_bandwidth_is_a_setting_and_a_flag(tmp_path: Path) -> None:
    from tui_reader.cli import main
    from tui_reader.core.config import load_settings
    from tui_reader.core.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text("low_bandwidth = true\n", encoding="utf-8")
    assert load_settings(path).low_bandwidth is True
    path.write_text('low_bandwidth = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="config.toml:1: low_bandwidth must be true or false"):
        load_settings(path)
    assert main(["--home", tempfile.mkdtemp(), "--low-bandwidth", "feeds"]) == 2
