"""What the screen shows, on the demo data with a fixed clock (pytest-textual-snapshot).

Update after an intended UI change with ``uv run pytest tests/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot

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
