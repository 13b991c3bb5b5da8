"""Proven on the terminal: the real app, under a pseudo-terminal, on feeds whose titles,
summaries, bodies, authors and links carry ESC/CSI sequences, OSC 0 (window title), OSC 8
(hyperlinks), OSC 52 (clipboard), C1 controls, bidi overrides, NUL and Textual markup.
The test opens every story and then reads every raw byte the app wrote: none of the
injected sequences may be there, while the stories' (cleaned) text and the markup, shown
as written, are.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from feedserver import FeedServer
from homes import cli, cli_env

from tui_reader.core.feeds_file import Subscription, save_subscriptions
from tui_reader.core.paths import Paths

pytestmark = pytest.mark.timeout(120)

NOW = int(time.time())
PAYLOADS = {
    # name: (what a feed carries, the raw bytes that must never reach the terminal)
    "csi": ("\x1b[2JZAPCSI", b"\x1b[2JZAPCSI"),
    "sgr": ("\x1b[5;7mZAPSGR", b"\x1b[5;7mZAPSGR"),
    "osc0": ("\x1b]0;ZAPTITLE\x07", b"\x1b]0;"),
    "osc8": ("\x1b]8;;file:///etc/passwd\x1b\\ZAPLINK\x1b]8;;\x1b\\", b"\x1b]8;;file:"),
    "osc52": ("\x1b]52;c;WkFQ\x07", b"\x1b]52;"),
    "c1 csi": ("\u009b2JZAPC1", b"\xc2\x9b"),
    "c1 osc": ("\u009d0;ZAPC1T\u009c", b"\xc2\x9d"),
    "nel": ("a\u0085b", b"\xc2\x85"),
    "rlo": ("\u202eZAPBIDI\u202c", b"\xe2\x80\xae"),
    "isolate": ("\u2066ZAPISO\u2069", b"\xe2\x81\xa6"),
    "rlm": ("\u200fZAPRLM", b"\xe2\x80\x8f"),
    "nul": ("ZAP\x00NUL", b"\x00"),
    "bell": ("ZAP\x07BEL", b"ZAP\x07BEL"),
}
ALL = "".join(text for text, _ in PAYLOADS.values())
MARKUP = "[bold red]ZAPMARKUP[/] [@click=app.quit]ZAPCLICK[/]"
C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")
BIDI = [c.encode() for c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069"]


def json_feed(base: str) -> str:
    """Every payload in every field of every item (JSON Feed carries any character)."""
    items = []
    for k, (name, (payload, _)) in enumerate(PAYLOADS.items()):
        items.append({
            "id": f"i{k}",
            "url": f"{base}/story/{k}" if k % 3 else f"javascript:alert({k}){payload}",
            "external_url": f"{base}/x{payload}",
            "title": f"ITEM{k} {name} {payload} {MARKUP}",
            "summary": f"{payload} {MARKUP}",
            "content_html": f"<p>BODY{k} {payload} {MARKUP}</p><p>{ALL}</p>"
                            f'<a href="http://127.0.0.1/{payload}">a link {payload}</a>',
            "authors": [{"name": f"AUTHOR{k} {payload}"}],
            "tags": [f"tag{payload}"],
            "date_published": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                            time.gmtime(NOW - 60 * k)),
        })
    return json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "title": f"Hostile {ALL}", "home_page_url": f"{base}/",
                       "items": items})


def rss_feed(base: str) -> str:
    """The characters XML allows, as references, in an RSS feed."""
    refs = "&#x9B;2JZAPR1 &#x202E;ZAPR2 &#x85; &#x2066;ZAPR3"
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Refs {refs}</title><link>{base}/</link>"
        + "".join(
            f"<item><guid>r{k}</guid><title>ITEMR{k} {refs} {MARKUP}</title>"
            f"<link>{base}/r/{k}</link><author>x@example.org ({refs})</author>"
            f"<description>&lt;p&gt;BODYR{k} {refs} {MARKUP}&lt;/p&gt;</description>"
            f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(NOW - 3600 - k))}"
            "</pubDate></item>"
            for k in range(3)
        )
        + "</channel></rss>"
    )


class Terminal:
    """The app on a pseudo-terminal of a given size; every byte it writes is kept."""

    def __init__(self, home: Path, columns: int = 120, rows: int = 40) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = cli_env()
        env.pop("NO_COLOR", None)
        env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui_reader", "--home", str(home)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                if self.proc.poll() is not None:
                    return
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the app closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk

    def seen(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def wait_for(self, marker: bytes, seconds: float = 30) -> None:
        self.wait_until(lambda: marker in self.seen(), seconds)

    def wait_until(self, done: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            assert self.proc.poll() is None, self.seen()[-2000:]
            assert time.monotonic() < deadline, self.seen()[-2000:]
            time.sleep(0.05)

    def press(self, keys: str, pause: float = 0.25) -> None:
        os.write(self.master, keys.encode())
        time.sleep(pause)

    def close(self) -> int | None:
        deadline = time.monotonic() + 15
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.press("q", 0.5)
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        os.close(self.master)
        return code


def test_no_injected_sequence_reaches_the_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with FeedServer() as server:
        server.route("/hostile.json", json_feed(server.base_url),
                     content_type="application/feed+json")
        server.route("/refs.xml", rss_feed(server.base_url))
        paths = Paths.under(home).ensure()
        save_subscriptions(paths.feeds_file, [Subscription(server.url("/hostile.json")),
                                              Subscription(server.url("/refs.xml"))])
        fetched = cli(home, "refresh")
        assert fetched.returncode == 0 and "2 feeds" in fetched.stdout, fetched
        total = len(PAYLOADS) + 3
        term = Terminal(home)
        try:
            term.wait_for(b"ITEM0")
            for n in range(total):
                term.press("\r")  # open the story (the pane renders its Markdown)
                bodies = term.seen().count(b"BODY")
                term.press("j")
                if n < total - 1:  # each story is on screen before the next key
                    term.wait_until(lambda n=bodies: term.seen().count(b"BODY") > n)
            term.wait_for(b"BODYR2")
        finally:
            code = term.close()
    out = term.seen()
    assert code == 0, out[-2000:]

    # The stories were all on the terminal, their text cleaned and markup shown as written.
    missing = [k for k in range(len(PAYLOADS)) if f"BODY{k} ".encode() not in out]
    assert not missing, missing
    for k in range(len(PAYLOADS)):
        assert f"ITEM{k} ".encode() in out and f"BODY{k} ".encode() in out, k
    for k in range(3):
        assert f"BODYR{k} ".encode() in out, k
    assert b"[bold red]ZAPMARKUP" in out
    assert b"ZAPCLICK" in out
    # Not one injected sequence.
    for name, (_, raw) in PAYLOADS.items():
        assert raw not in out, (name, out[out.find(raw) - 60: out.find(raw) + 60])
    assert not C1_BYTES.search(out), C1_BYTES.search(out)
    # The app's own hyperlinks (OSC 8) point only at web addresses, in printable ASCII.
    targets = re.findall(rb"\x1b\]8;[^;\x1b]*;([^\x1b\x07]*)\x1b\\", out)
    assert b"http://127.0.0.1/%C2%9B2JZAPC1" in targets  # a link in a body: cleaned
    for target in targets:
        assert target == b"" or re.fullmatch(rb"https?://[!-~]+", target), target
    for char in BIDI:
        assert char not in out, char
