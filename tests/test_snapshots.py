"""What the screen shows, on the demo data with a fixed clock (pytest-textual-snapshot).

Update after an intended UI change with ``uv run pytest tests/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.css.query import NoMatches
from textual.filter import LineFilter
from textual.pilot import Pilot

from tui_reader import app as app_module
from tui_reader.app import TuiReaderApp
from tui_reader.core.demo import DEMO_NOW, build_demo_home
from tui_reader.core.session import Session, open_session


@pytest.fixture
def demo_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    session = open_session(build_demo_home(tmp_path / "home", now=DEMO_NOW))
    yield session
    session.close()
    monkeypatch.undo()
    time.tzset()


def demo_app(session: Session) -> TuiReaderApp:
    return TuiReaderApp(session, demo=True, clock=lambda: DEMO_NOW, refresh_on_start=False)


class SixteenColors(LineFilter):
    """Every colour as the app sends it to a 16-colour terminal (Rich's downgrade), so the
    snapshot shows what TERM=linux or TERM=screen show rather than the theme's shades."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        def down(style: Style | None) -> Style | None:
            if style is None:
                return None
            color = style.color and style.color.downgrade(ColorSystem.STANDARD)
            bgcolor = style.bgcolor and style.bgcolor.downgrade(ColorSystem.STANDARD)
            return style + Style(color=color, bgcolor=bgcolor)

        return [Segment(text, down(style), control) for text, style, control in segments]


class SixteenColorApp(TuiReaderApp):
    """The app as a 16-colour terminal (the Linux console) shows it; headless runs draw in
    full colour unless told."""

    CSS_PATH = [str(Path(app_module.__file__).parent / path) for path in TuiReaderApp.CSS_PATH]

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), SixteenColors()]


async def story_shown(pilot: Pilot[None]) -> None:
    """The first story loads after the first frame: wait for it (bounded)."""
    app = pilot.app
    assert isinstance(app, TuiReaderApp)
    for _ in range(250):
        with contextlib.suppress(NoMatches):  # the screen may not be composed yet
            if app.main.article is not None and not app.main.article_view.has_class("-empty"):
                break
        await pilot.pause(0.02)
    await pilot.pause()


def snapshot(snap_compare, session: Session, size: tuple[int, int],  # type: ignore[no-untyped-def]
             press: tuple[str, ...] = ()) -> bool:
    return bool(snap_compare(demo_app(session), terminal_size=size, press=list(press),
                             run_before=story_shown))


def test_main_screen_wide(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (120, 40))


def test_main_screen_narrow(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (80, 24))


def test_timeline_shown_when_narrow(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (80, 24), ("t",))


def test_reading_another_story(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (120, 40), ("j", "j", "enter"))


def test_help_screen(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (80, 24), ("question_mark",))


def test_feeds_screen(snap_compare, demo_session: Session) -> None:
    assert snapshot(snap_compare, demo_session, (120, 40), ("F",))


def test_main_screen_in_16_colours(snap_compare, demo_session: Session) -> None:
    """The Linux console: the cursor row in reverse video (a bright background showed as
    black there), the focused pane's border double and white (it was bright red)."""
    app = SixteenColorApp(demo_session, demo=True, clock=lambda: DEMO_NOW,
                          refresh_on_start=False, few_colors=True)
    assert snap_compare(app, terminal_size=(80, 24), press=["j"], run_before=story_shown)


def test_main_screen_with_no_color(snap_compare, demo_session: Session,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR=1: no colour at all; selection in reverse video, focus a double border."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(demo_session)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), press=["j"], run_before=story_shown)
