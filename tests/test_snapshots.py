"""What the screen shows, on the demo data with a fixed clock (pytest-textual-snapshot).

Update after an intended UI change with ``uv run pytest tests/test_snapshots.py
--snapshot-update`` and look at the report before committing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def test_main_screen_wide(snap_compare, demo_session: Session) -> None:
    assert snap_compare(demo_app(demo_session), terminal_size=(120, 40))


def test_main_screen_narrow(snap_compare, demo_session: Session) -> None:
    assert snap_compare(demo_app(demo_session), terminal_size=(80, 24))


def test_timeline_shown_when_narrow(snap_compare, demo_session: Session) -> None:
    assert snap_compare(demo_app(demo_session), terminal_size=(80, 24), press=["t"])


def test_reading_another_story(snap_compare, demo_session: Session) -> None:
    assert snap_compare(
        demo_app(demo_session), terminal_size=(120, 40), press=["j", "j", "enter"]
    )


def test_help_screen(snap_compare, demo_session: Session) -> None:
    assert snap_compare(demo_app(demo_session), terminal_size=(80, 24), press=["question_mark"])


def test_feeds_screen(snap_compare, demo_session: Session) -> None:
    assert snap_compare(demo_app(demo_session), terminal_size=(120, 40), press=["F"])
