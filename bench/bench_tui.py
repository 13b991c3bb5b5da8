"""Key latency and event-loop stalls of the real app, idle and during a background refresh.

Run by bench_refresh.py (section ``tui``) under the measured checkout's interpreter, or by
hand: ``uv run python bench/bench_tui.py HOME URL...`` on a home whose feeds are served.

The app runs headless (``App.run_test``) at 120x40 in this process. Keys are sent the way
a terminal driver sends them, and a key's latency is the time from sending it to the
first frame the app renders that shows its effect (the hook is ``App._display``, which a
real terminal would write out next; writing itself is not included). A task sleeping 5 ms
at a time measures how late the event loop wakes it: the longest delay is the longest
stall. Phases: idle (keys only), a background refresh with no keys (the stalls the
refresh itself causes), and a refresh with keys throughout. Figures whose names end in
``_ms`` are milliseconds. bench_sync_tui.py measures syncs with the same classes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRESSES = 40
"""Keys of each kind measured per phase."""
GAP = 0.12
"""Seconds between measured keys: longer than the preview delay, as a reader reads."""
TICK = 0.005
REFRESH_LIMIT = 300.0
"""Seconds a background refresh may take before the benchmark gives up on it."""


def _p(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Frames:
    """Every frame the app renders, with what a probe saw on screen at that moment."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[float, Any]] = []
        self.probe: Callable[[], Any] = lambda: None
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.seen.append((time.perf_counter(), self.probe()))

        app._display = display

    async def wait_for(self, since: float, wanted: Callable[[Any], bool], limit: float = 5.0
                       ) -> float | None:
        """Seconds from *since* to the first frame after it whose probe passes."""
        deadline = time.perf_counter() + limit
        start = len(self.seen)
        while time.perf_counter() < deadline:
            for when, value in self.seen[start:]:
                if when >= since and wanted(value):
                    return when - since
            await asyncio.sleep(0.001)
        return None


class Stalls:
    """How late the event loop wakes a task that sleeps TICK at a time."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            self.worst = max(self.worst, time.perf_counter() - start - TICK)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.create_task(self._watch())

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.worst


def send_key(app: Any, key: str) -> None:
    from textual import events

    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


async def measure_keys(app: Any, frames: Frames, stop: Callable[[], bool] | None = None
                        ) -> tuple[list[float], list[float]]:
    """Latencies of ``j`` (cursor moved on screen) and of ``j`` + ``enter`` with no pause
    (a story never shown before, opened and converted to Markdown, on screen)."""
    main = app.main
    moves: list[float] = []
    opens: list[float] = []
    for n in range(PRESSES * 2):
        if stop is not None and stop():
            break
        before = main.headlines.highlighted
        if before is None:
            break
        if n % 2 == 0:
            frames.probe = lambda: (h.id if (h := main.headlines.highlighted) else None)
            start = time.perf_counter()
            send_key(app, "j")
            took = await frames.wait_for(start, lambda seen, b=before.id: seen not in (None, b))
            if took is not None:
                moves.append(took)
        else:
            frames.probe = lambda: (
                (a.id, a.content_md is not None) if (a := main.article) else None
            )
            start = time.perf_counter()
            send_key(app, "j")
            send_key(app, "enter")
            took = await frames.wait_for(
                start, lambda seen, b=before.id: seen is not None and seen[0] != b and seen[1]
            )
            if took is not None:
                opens.append(took)
        await asyncio.sleep(GAP)
    return moves, opens


async def _run(home: Path) -> dict[str, float]:
    from tui_reader.app import TuiReaderApp
    from tui_reader.core.session import session_for_home

    session = session_for_home(home)
    figures: dict[str, float] = {}
    try:
        app = TuiReaderApp(session, refresh_on_start=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            frames = Frames(app)
            stalls = Stalls()

            stalls.start()
            moves, opens = await measure_keys(app, frames)
            figures["idle_stall_max_ms"] = stalls.stop() * 1000
            figures |= summary("idle", moves, opens)

            def refreshing() -> bool:
                return any(w.group == "refresh" and w.is_running for w in app.workers)

            # A refresh with nobody typing: the stalls it causes itself.
            stalls.start()
            started = time.perf_counter()
            getattr(app, "background", app).start_refresh(force=True)  # older: on the app
            await asyncio.sleep(0.05)
            deadline = time.monotonic() + REFRESH_LIMIT
            while refreshing() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            figures["quiet_refresh_stall_max_ms"] = stalls.stop() * 1000
            figures["quiet_refresh_seconds"] = time.perf_counter() - started

            # Again with keys pressed throughout. Forgetting the validators makes every
            # feed send its whole document again, so there is as much to parse.
            with sqlite3.connect(session.paths.database) as conn:
                conn.execute("UPDATE feeds SET etag=NULL, last_modified=NULL")
            started = time.perf_counter()
            getattr(app, "background", app).start_refresh(force=True)  # older: on the app
            await asyncio.sleep(0.05)

            stalls.start()
            moves, opens = await measure_keys(app, frames, stop=lambda: not refreshing())
            deadline = time.monotonic() + REFRESH_LIMIT
            while refreshing() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            figures["refresh_stall_max_ms"] = stalls.stop() * 1000
            figures["refresh_seconds"] = time.perf_counter() - started
            figures |= summary("refresh", moves, opens)
    finally:
        session.close()
    return figures


def summary(phase: str, moves: list[float], opens: list[float]) -> dict[str, float]:
    return {
        f"{phase}_j_p50_ms": _p(moves, 50) * 1000,
        f"{phase}_j_p95_ms": _p(moves, 95) * 1000,
        f"{phase}_open_p50_ms": _p(opens, 50) * 1000,
        f"{phase}_open_p95_ms": _p(opens, 95) * 1000,
        f"{phase}_keys": float(len(moves) + len(opens)),
    }


def run(repo: Path, home: Path, urls: list[str]) -> dict[str, float]:
    """The hook bench_refresh.py calls: the app on *home*, whose feeds are being served."""
    del repo, urls  # the checkout is already first on sys.path; feeds.toml has the URLs
    return asyncio.run(_run(home))


if __name__ == "__main__":
    for name, value in run(Path.cwd(), Path(sys.argv[1]), sys.argv[2:]).items():
        print(f"{name:>24}: {value:9.1f}")
