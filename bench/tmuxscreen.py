"""Time to first screen: start a program in a detached 120x40 tmux session and poll the
pane until an expected text shows, as a person would see it.

One tmux server per :class:`TmuxScreen` on its own socket (``-L``), kept alive by an idle
session, so its start-up is not in any figure and no other tmux session is touched.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

POLL_SECONDS = 0.01
WAIT_SECONDS = 30.0
EXIT_SECONDS = 10.0


class ScreenTimeout(RuntimeError):
    """The expected text never showed: the benchmark fails rather than report a time."""


class TmuxScreen:
    """``with TmuxScreen(env) as tmux: seconds = tmux.time_to_text(argv, cwd, text)``."""

    def __init__(self, env: Mapping[str, str], width: int = 120, height: int = 40) -> None:
        self.socket = f"bench-{os.getpid()}"
        self.env = dict(env)
        self.size = (str(width), str(height))
        self._count = 0
        self._socket_path = ""

    def _tmux(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], env=self.env, capture_output=True, text=True,
            timeout=WAIT_SECONDS, check=check,
        )
        return out.stdout

    def __enter__(self) -> TmuxScreen:
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "idle", "sleep 86400")
        self._socket_path = self._tmux("display-message", "-p", "#{socket_path}").strip()
        return self

    def __exit__(self, *_: object) -> None:
        self._tmux("kill-server", check=False)
        if self._socket_path:  # tmux leaves the socket file behind
            Path(self._socket_path).unlink(missing_ok=True)

    def time_to_text(self, argv: Sequence[str], cwd: Path, text: str) -> float:
        """Seconds from spawning *argv* until *text* is in the pane; the program is then
        ended and reaped before this returns, so the next run starts clean."""
        self._count += 1
        name = f"run{self._count}"
        command = "exec " + shlex.join(argv)
        pid: int | None = None
        start = time.monotonic()
        self._tmux("new-session", "-d", "-x", self.size[0], "-y", self.size[1], "-s", name,
                   "-c", str(cwd), command)
        try:
            pid = int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())
            deadline = start + WAIT_SECONDS
            while True:
                screen = self._tmux("capture-pane", "-p", "-t", name, check=False)
                if text in screen:
                    return time.monotonic() - start
                if time.monotonic() > deadline:
                    raise ScreenTimeout(
                        f"{text!r} not on screen after {WAIT_SECONDS:g}s; screen was:\n{screen}"
                    )
                time.sleep(POLL_SECONDS)
        finally:
            self._tmux("kill-session", "-t", name, check=False)
            if pid is not None:
                _wait_gone(pid)


def _wait_gone(pid: int) -> None:
    """Wait for the program to exit after its session was killed (SIGHUP); SIGKILL it if
    it lingers. newsboat refuses to start while another instance holds its cache lock."""
    deadline = time.monotonic() + EXIT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(POLL_SECONDS)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
