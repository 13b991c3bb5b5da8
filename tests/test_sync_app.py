"""The app's sync (background.py) against a Fever server on loopback: `r` during a sync,
and quitting during one."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from feedserver import FeedServer
from fever_loopback import FeverState, serve_fever
from textual.pilot import Pilot

from tui_reader.app import TuiReaderApp
from tui_reader.core.session import Session, session_for_home
from tui_reader.widgets import HeadlineList


def home_with_sync(tmp_path: Path, url: str) -> Path:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[sync]\nprotocol = "fever"\nurl = "{url}"\nuser = "me"\n'
        'password_command = "echo pw"\n')
    (home / "config" / "feeds.toml").write_text("")
    return home


async def settle(pilot: Pilot[None], check, seconds: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never happened"
        await pilot.pause(0.05)


async def test_r_during_a_sync_waits_for_it_and_shows_its_stories(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """`r` cancelled the refresh awaiting the sync's thread, which ran on: its end was never
    told, the status line stayed on "⟳ Sync: …" and its stories were not shown."""
    gate = threading.Event()
    state, account = serve_fever(feed_server, FeverState(gate=gate))
    session: Session = session_for_home(home_with_sync(tmp_path, account.url))
    app = TuiReaderApp(session, refresh_on_start=True)
    try:
        async with app.run_test() as pilot:
            await settle(pilot, state.started.is_set)  # the sync waits for its feeds
            await pilot.press("r")
            await pilot.pause(0.5)
            gate.set()
            status = app.main.status
            await settle(pilot, lambda: app.query_one(HeadlineList).total == 10)
            await settle(pilot, lambda: "synced, 10 new" in status.refresh_text)
            await app.workers.wait_for_complete()
            await pilot.pause(0.5)
            assert "Sync:" not in status.refresh_text, status.refresh_text
            assert "synced, 10 new" in status.refresh_text
    finally:
        gate.set()
        session.close()


QUIT_SOON = """
import asyncio, sys
from pathlib import Path
from tui_reader.app import TuiReaderApp
from tui_reader.core.session import session_for_home

async def main() -> None:
    app = TuiReaderApp(session_for_home(Path(sys.argv[1])), refresh_on_start=True)
    async with app.run_test() as pilot:
        await pilot.pause(1.5)
        print("quitting", flush=True)
        await app.action_quit()

asyncio.run(main())
"""


def test_quitting_during_a_stalled_request_waits_two_seconds_at_most(
        tmp_path: Path, feed_server: FeedServer) -> None:
    """The sync's thread was joined at exit: quitting waited for the server's answer."""
    gate = threading.Event()
    state, account = serve_fever(feed_server, FeverState(gate=gate))
    home = home_with_sync(tmp_path, account.url)
    try:
        proc = subprocess.Popen([sys.executable, "-c", QUIT_SOON, str(home)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "quitting\n"
        said = time.monotonic()
        assert state.started.is_set()
        proc.wait(timeout=30)
        assert time.monotonic() - said < 3.5, proc.stderr.read() if proc.stderr else ""
    finally:
        gate.set()
