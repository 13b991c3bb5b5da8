"""Key latency and event-loop stalls of the real app while it syncs (bench_sync.py --tui).

Run by bench_sync.py in a child process, away from its Fever server's threads (in one
process they would take the GIL from the app and be counted as the app's stalls):

    python bench/bench_sync_tui.py HOME CONTROL_URL ROUNDS NEW keys|quiet

HOME has feeds.toml's stories already and a ``[sync]`` table pointing at the bench's
server (password in $TUI_READER_SYNC_PASSWORD). The app runs headless at 120x40, as in
bench_tui.py, whose measuring code this reuses: a key's latency is the time to the first
frame showing its effect, a stall is how late a task sleeping 5 ms at a time wakes.

Each sync starts the way the user starts one, with ``r`` (the background service syncs,
then refreshes feeds.toml's feeds, which answer 304). In ``keys`` mode ``j`` and
``j``+``enter`` are pressed while the sync runs, and once with no sync (the same home,
idle); in ``quiet`` mode nothing is pressed, so the stalls are the sync's own. Phases:
the first sync, then ROUNDS later syncs, each after 500 stories were marked read and 20
bookmarked here and NEW items were added on the server (CONTROL_URL?count=NEW). Prints
one line ``BENCH_SYNC_TUI_JSON [...]``: one object per phase.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench_tui import Frames, Stalls, measure_keys, send_key, summary

START_LIMIT = 10.0
"""Seconds ``r`` may take to start the sync."""
SYNC_LIMIT = 600.0
"""Seconds a sync (and the refresh after it) may take before the bench gives up."""


def _local_changes(store: Any, database: Path) -> None:
    """500 of the server's unread stories read here, 20 bookmarked: queued for the sync."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE server_id IS NOT NULL AND read=0 AND bookmarked=0 "
            "ORDER BY id LIMIT 520")]
    store.set_read(ids[:500])
    for article_id in ids[500:]:
        store.set_bookmark(article_id)


def _add_on_server(control: str, count: int) -> None:
    with urllib.request.urlopen(f"{control}?count={count}", timeout=30) as answer:
        answer.read()


async def _sync_phase(app: Any, frames: Frames, stalls: Stalls, keys: bool
                      ) -> dict[str, float]:
    """Press ``r``, measure until the sync ends, then until its stories are in the list."""
    background = app.background
    before = background._sync_done
    started = time.perf_counter()
    stalls.start()
    send_key(app, "r")
    deadline = time.monotonic() + START_LIMIT
    while background._sync_done is before:
        if time.monotonic() > deadline:
            raise SystemExit("r started no sync")
        await asyncio.sleep(0.005)
    done = background._sync_done
    ended: list[tuple[float, float]] = []
    # Run by the sync's thread as it ends: the time, and the worst stall until then.
    done.add_done_callback(lambda _: ended.append((time.perf_counter(), stalls.worst)))
    moves: list[float] = []
    opens: list[float] = []
    if keys:
        moves, opens = await measure_keys(app, frames, stop=done.done)
    deadline = time.monotonic() + SYNC_LIMIT
    while not ended and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    if not ended:
        raise SystemExit(f"the sync took more than {SYNC_LIMIT:.0f} s")
    figures = {"sync_seconds": ended[0][0] - started, "sync_stall_max_ms": ended[0][1] * 1000}

    def refreshing() -> bool:
        return any(w.group == "refresh" and w.is_running for w in app.workers)

    while refreshing() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    figures["shown_stall_max_ms"] = stalls.stop() * 1000
    figures["shown_seconds"] = time.perf_counter() - started
    return figures | _keys(moves, opens)


def _keys(moves: list[float], opens: list[float]) -> dict[str, Any]:
    figures: dict[str, Any] = summary("keys", moves, opens)
    figures["moves"], figures["opens"] = moves, opens  # so rounds can be pooled
    return figures


async def _run(home: Path, control: str, rounds: int, new: int, keys: bool
               ) -> list[dict[str, Any]]:
    from tui_reader.app import TuiReaderApp
    from tui_reader.core.session import session_for_home

    session = session_for_home(home)
    phases: list[dict[str, Any]] = []
    try:
        app = TuiReaderApp(session, refresh_on_start=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            frames, stalls = Frames(app), Stalls()
            phases.append({"phase": "first"} | await _sync_phase(app, frames, stalls, keys))
            if keys:
                await pilot.pause(0.5)
                stalls.start()
                moves, opens = await measure_keys(app, frames)
                phases.append({"phase": "idle", "sync_stall_max_ms": stalls.stop() * 1000}
                              | _keys(moves, opens))
            for _ in range(rounds):
                await asyncio.to_thread(_local_changes, session.store, session.paths.database)
                await asyncio.to_thread(_add_on_server, control, new)
                await pilot.pause(0.5)
                phases.append({"phase": "later"} | await _sync_phase(app, frames, stalls, keys))
    finally:
        session.close()
    return phases


def main() -> None:
    home, control, rounds, new, mode = sys.argv[1:6]
    phases = asyncio.run(_run(Path(home), control, int(rounds), int(new), mode == "keys"))
    print("BENCH_SYNC_TUI_JSON " + json.dumps(phases))


if __name__ == "__main__":
    main()
