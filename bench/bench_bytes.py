"""Bytes the app writes to the terminal per action, as an SSH link would carry them.

Runs the real app under a pseudo-terminal of the given size on the demo data (or a home),
waits until the screen settles, then counts what each action writes: start-up, one `j`,
`enter` on the story already previewed, pointer motion over the article, and idle time
(relative times tick once a minute, so idle is measured over `--idle` seconds).

    uv run python bench/bench_bytes.py [--size 120x40] [--idle 130] [--home DIR]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

QUIET = 0.6
"""Seconds without output that count as "settled"."""


class Terminal:
    """The app on a pty: ``send`` keys, ``drain`` what it writes until it is quiet."""

    def __init__(self, argv: list[str], width: int, height: int, env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the app, on a terminal of that size from the start
            # (as an SSH session's is: a resize after start-up would draw it all again)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
            os.execvpe(argv[0], argv, env)

    def drain(self, quiet: float = QUIET, limit: float = 30.0, at_least: float = 1.5) -> bytes:
        """Everything written until nothing came for *quiet* seconds (at most *limit*, at
        least *at_least*: a preview follows a key after a short pause)."""
        out = bytearray()
        start = time.monotonic()
        deadline = start + limit
        last = start
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                last = time.monotonic()
            elif time.monotonic() - last >= quiet and time.monotonic() - start >= at_least:
                break
        return bytes(out)

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


def app_argv(home: Path | None, low_bandwidth: bool = False) -> list[str]:
    base = [sys.executable, "-m", "tui_reader", *(["--low-bandwidth"] if low_bandwidth else [])]
    return [*base, "--home", str(home)] if home else [*base, "--demo"]


def measure(width: int, height: int, idle: float, home: Path | None,
            low_bandwidth: bool = False) -> dict[str, int]:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    env.pop("NO_COLOR", None)
    term = Terminal(app_argv(home, low_bandwidth), width, height, env)
    figures: dict[str, int] = {}
    try:
        start = term.drain(quiet=2.0, limit=60, at_least=4.0)
        figures["start-up"] = len(start)
        motion = start.rfind(b"\x1b[?1003h") > start.rfind(b"\x1b[?1003l")
        print(f"  pointer motion reported by the terminal: {'yes' if motion else 'no'}")
        js = []
        for _ in range(5):
            term.send("j")
            js.append(len(term.drain()))
        figures["j (median of 5)"] = sorted(js)[2]
        figures["j (largest of 5)"] = max(js)
        term.send("\r")  # the story j previewed: only its read mark changes
        figures["enter (previewed)"] = len(term.drain())
        if motion:
            moves = "".join(f"\x1b[<35;{60 + n};{12 + n % 3}M" for n in range(10))
            term.send(moves)  # pointer motion over the article (SGR mode 1003 reports)
            figures["10 pointer moves"] = len(term.drain())
        if idle:
            figures[f"idle {idle:g}s"] = len(term.drain(quiet=idle + 1, limit=idle,
                                                        at_least=idle))
    finally:
        term.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--idle", type=float, default=130.0,
                        help="seconds of idle to count (0 skips it)")
    parser.add_argument("--home", type=Path, help="a home to open (default: --demo)")
    parser.add_argument("--low-bandwidth", action="store_true")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    figures = measure(width, height, args.idle, args.home, args.low_bandwidth)
    screen = width * height
    for name, count in figures.items():
        print(f"  {name:22} {count / 1024:8.1f} KB  ({count / screen:.1f} bytes per cell)")


if __name__ == "__main__":
    main()
