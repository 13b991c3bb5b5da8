"""``tui-reader serve``: the real command in a subprocess, its page, its sessions, and the
reader in a real headless Chromium driven over the DevTools protocol.

Everything listens on 127.0.0.1 (one test briefly on 0.0.0.0, for its warning); the only
feeds are the bundled demo feeds and a loopback :class:`FeedServer`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx
import pytest
from feedserver import FeedServer

from tui_reader.cli_serve import served_command

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "screenshots" / "serve-browser.png"
CSI = re.compile(r"\x1b\[[0-9;?<>=$ ]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Weekly</title>
<link>http://127.0.0.1/</link><item><guid>g1</guid><title>Quoted homes stay whole</title>
<link>http://127.0.0.1/g1</link><description>One</description></item></channel></rss>"""


def tui_reader(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
               ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "tui_reader", *args], capture_output=True,
                            text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tui-reader: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def read_line(stream: Any, seconds: float) -> str:
    """The next line of the pipe *stream*, waiting at most *seconds* (read byte by byte,
    unbuffered, so select never misses a line already read into a buffer)."""
    deadline = time.monotonic() + seconds
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        byte = os.read(stream.fileno(), 1)
        if not byte:
            break
        line += byte
    return line.decode("utf-8", "replace")


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, Any]]:
    """`tui-reader serve --port 0 ARGS` running: its URL and its process."""
    proc = subprocess.Popen([sys.executable, "-m", "tui_reader", *args, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                            env=env, stdin=subprocess.DEVNULL)
    try:
        line = read_line(proc.stdout, 30)
        match = re.search(r"(http://\S+?)/? ", line)
        assert match, (line, proc.poll(), read_line(proc.stderr, 1))
        yield match.group(1), proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def screen_text(chunks: list[bytes]) -> str:
    """What the reader wrote, without escape sequences (a word's letters stay together)."""
    return CSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


# -- the command line -----------------------------------------------------------------------


def test_serve_is_in_help_and_readme() -> None:
    assert re.search(r"^\s+serve\s+serve the reader to a web browser",
                     tui_reader("--help").stdout, re.M)
    own = tui_reader("serve", "--help").stdout
    for option in ("--host", "--port", "--demo", "--home"):
        assert option in own
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `tui-reader serve [--host ADDRESS] [--port N] [--demo]` |" in readme
    assert "## In a browser" in readme
    assert "(screenshots/serve-browser.png)" in readme
    assert "`cli_serve.py`" in readme and "`serve_server.py`" in readme


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = tui_reader("--home", str(tmp_path), "serve", "--port", port)
    one_line(done, f"127.0.0.1:{port}", "already in use", "--port")


def test_bad_host_or_port_is_one_line(tmp_path: Path) -> None:
    home = str(tmp_path)
    # 192.0.2.1 (TEST-NET-1) is nobody's address here: bind fails, nothing is sent.
    one_line(tui_reader("--home", home, "serve", "--host", "192.0.2.1"),
             "192.0.2.1:8000", "not an address of this machine")
    one_line(tui_reader("--home", home, "serve", "--host", "256.1.1.1.1", "--port", "1"),
             "256.1.1.1.1")
    bad_port = tui_reader("--home", home, "serve", "--port", "70000")
    assert bad_port.returncode == 2 and "'70000' is not a port" in bad_port.stderr


def test_broken_config_is_one_line_before_anything_listens(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('theme = "x\n', encoding="utf-8")
    one_line(tui_reader("--home", str(tmp_path), "serve", "--port", "0", timeout=30),
             "config.toml:1")


def test_demo_goes_with_serve_and_still_not_with_other_commands(tmp_path: Path) -> None:
    refused = tui_reader("--home", str(tmp_path), "--demo", "feeds")
    assert refused.returncode == 2
    assert "--demo opens the reader on sample feeds and goes with no command, or with " \
           "serve" in refused.stderr
    for args in (("--demo", "serve"), ("serve", "--demo")):
        with serving("--home", str(tmp_path), *args) as (url, _):
            assert "tui-reader (demo)" in httpx.get(url + "/").text
    assert not (tmp_path / "config").exists()  # the demo never touched the home


def test_a_non_loopback_host_warns_in_one_line(tmp_path: Path) -> None:
    with serving("--home", str(tmp_path), "serve", "--demo", "--host", "0.0.0.0") as (_, proc):
        warning = read_line(proc.stderr, 10)
    assert warning.startswith("tui-reader: warning: serving on 0.0.0.0 port "), warning
    assert "anyone who can reach this port can read and change your feeds" in warning
    with serving("--home", str(tmp_path), "serve", "--demo") as (_, proc):
        assert read_line(proc.stderr, 2) == ""  # loopback: no warning


def test_the_page_names_no_other_host_and_its_files_are_served(tmp_path: Path) -> None:
    """textual-serve's own page loads a web font from fonts.googleapis.com: offline that
    is a stalled request; here everything the page needs comes from the server."""
    with serving("--home", str(tmp_path), "serve", "--demo") as (url, _):
        page = httpx.get(url + "/")
        assert page.status_code == 200
        hosts = re.findall(r"(?:https?:|wss?:)?//([^/\"'\s)]+)", page.text)
        assert hosts == [], hosts
        assets = re.findall(r"""(?:href|src)=["'](/[^"']+)|url\(["']?(/[^"')]+)""", page.text)
        paths = {a or b for a, b in assets}
        assert {"/static/js/textual.js", "/static/css/xterm.css",
                "/static/fonts/RobotoMono-VariableFont_wght.ttf"} <= paths
        for path in paths:
            assert httpx.get(url + path).status_code == 200, path


# -- sessions over the websocket, as the page opens them --------------------------------------


async def session_text(url: str, *words: str, headers: dict[str, str] | None = None,
                       seconds: float = 40) -> str:
    """Open a session as the page does and read until *words* are on its screen."""
    ws_url = url.replace("http:", "ws:") + "/ws?width=120&height=40"
    chunks: list[bytes] = []
    async with aiohttp.ClientSession() as client, client.ws_connect(
            ws_url, headers=headers or {"Origin": url}) as ws:
        try:
            # One deadline for the whole read: receive(timeout=) starts again at each of
            # the server's heartbeat pings, so it alone could wait for ever.
            async with asyncio.timeout(seconds):
                while not all(word in screen_text(chunks) for word in words):
                    msg = await ws.receive()
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        chunks.append(msg.data)
                    elif msg.type != aiohttp.WSMsgType.TEXT:
                        break
        except TimeoutError:
            pass
    return screen_text(chunks)


@pytest.mark.parametrize("how", ["--home", "TUI_READER_HOME"])
async def test_a_session_reads_the_home_it_was_given_whatever_its_name(
    how: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    """textual-serve runs its command through a shell: a home named like a command line
    must reach the reader as one argument and run nothing."""
    monkey = tmp_path / "cwd"
    monkey.mkdir()
    home = monkey / "my feeds; touch pwned1 $(touch pwned2) `touch pwned3` 'q"
    feed_server.route("/feed.xml", RSS)
    env = {k: v for k, v in os.environ.items() if k != "TUI_READER_HOME"}
    assert tui_reader("--home", str(home), "add", feed_server.url("/feed.xml"),
                      env=env).returncode == 0
    args: tuple[str, ...] = ("serve",)
    if how == "--home":
        args = ("--home", str(home), "serve")
    else:
        env["TUI_READER_HOME"] = str(home)
    cwd = os.getcwd()
    os.chdir(monkey)  # where a `touch` run by the shell would write
    try:
        with serving(*args, env=env) as (url, _):
            text = await session_text(url, "Quoted homes stay whole", "Loopback Weekly")
    finally:
        os.chdir(cwd)
    assert "Quoted homes stay whole" in text and "Loopback Weekly" in text, text[-2000:]
    assert sorted(p.name for p in monkey.iterdir()) == [home.name]


def test_served_command_is_quoted_word_by_word() -> None:
    class Args:
        demo = False
        home = "/tmp/a b; rm -rf ~ $(id) `id` 'x\"y"

    words = shlex.split(served_command(Args()))  # type: ignore[arg-type]
    assert words == [sys.executable, "-m", "tui_reader", "--home", Args.home]
    Args.demo = True
    assert shlex.split(served_command(Args())) == [  # type: ignore[arg-type]
        sys.executable, "-m", "tui_reader", "--demo"]


async def test_another_sites_page_cannot_open_a_session(tmp_path: Path) -> None:
    """Browsers let any page open a websocket to 127.0.0.1: the server answers only its
    own page (same Origin) through a loopback name (no DNS rebinding)."""
    with serving("--home", str(tmp_path), "serve", "--demo") as (url, proc):
        port = urlsplit(url).port
        refused = [
            {"Origin": "http://evil.example"},
            {"Origin": f"http://evil.example:{port}"},
            {"Origin": "null"},
            {"Origin": f"http://evil.example:{port}", "Host": f"evil.example:{port}"},
            {"Host": f"rebound.example:{port}"},
        ]
        for headers in refused:
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                await session_text(url, "never", headers=headers, seconds=5)
            assert caught.value.status == 403, headers
        assert children(proc.pid) == []  # nothing was started for them
        for origin in (url, url.replace("127.0.0.1", "localhost")):
            host = urlsplit(origin).netloc
            text = await session_text(url, "Headlines", headers={"Origin": origin,
                                                                 "Host": host})
            assert "Headlines" in text


# -- the real thing: headless Chromium ------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-default-apps", "--metrics-recording-only",
    "--disable-domain-reliability", "--disable-breakpad", "--disable-extensions",
    "--disable-client-side-phishing-detection", "--no-pings", "--no-proxy-server",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--remote-debugging-port=0", "--window-size=1200,760",
]


class Cdp:
    """A Chrome DevTools Protocol session on one page: calls, and the events it sent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.calls = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data:
                self.pending.pop(data["id"]).set_result(data)
            else:
                self.events.append(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.calls += 1
        future = self.pending[self.calls] = asyncio.get_running_loop().create_future()
        await self.ws.send_json({"id": self.calls, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 30)
        assert "error" not in answer, (method, answer)
        return dict(answer["result"])

    def frames(self, since: int = 0) -> list[bytes]:
        """What the page's websocket received from the reader, from event *since* on."""
        return [base64.b64decode(e["params"]["response"]["payloadData"])
                for e in self.events[since:]
                if e["method"] == "Network.webSocketFrameReceived"
                and e["params"]["response"]["opcode"] == 2]

    async def wait_for_screen(self, *words: str, since: int = 0, seconds: float = 40) -> str:
        for _ in range(int(seconds / 0.1)):
            text = screen_text(self.frames(since))
            if all(word in text for word in words):
                return text
            await asyncio.sleep(0.1)
        raise AssertionError(f"{words} never reached the page; it got: "
                             f"{screen_text(self.frames(since))[-1500:]!r}")

    async def wait_for_quiet(self, seconds: float = 1.0, at_most: float = 15) -> None:
        """Until the reader has sent nothing for *seconds* (its screen settled)."""
        for _ in range(int(at_most / 0.1)):
            count = len(self.events)
            await asyncio.sleep(seconds)
            if len(self.events) == count:
                return

    async def screenshot(self) -> bytes:
        return base64.b64decode((await self.call("Page.captureScreenshot",
                                                 format="png"))["data"])

    async def key(self, text: str, key: str = "", code: int = 0) -> None:
        """A key press as a user's: down (with the text it types), then up."""
        down = {"key": key or text, "text": text}
        if code:
            down |= {"windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        await self.call("Input.dispatchKeyEvent", type="keyDown", **down)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key or text)


@contextmanager
def chromium(profile: Path) -> Iterator[int]:
    """Headless Chromium with nothing running in the background: its DevTools port."""
    assert CHROMIUM
    proc = subprocess.Popen([CHROMIUM, *QUIET_FLAGS, f"--user-data-dir={profile}",
                             "about:blank"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and "\n" in port_file.read_text():
                break
            assert proc.poll() is None, "Chromium ended at start"
            time.sleep(0.1)
        yield int(port_file.read_text().split()[0])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def demo_titles() -> list[str]:
    """The demo's headlines, newest first, as the headline list shows them."""
    from tui_reader.core.demo import build_demo_home
    from tui_reader.core.models import HeadlineFilter
    from tui_reader.core.session import open_session

    with tempfile.TemporaryDirectory() as tmp:
        session = open_session(build_demo_home(Path(tmp)))
        try:
            return [h.title for h in session.store.headlines(HeadlineFilter(), limit=5)]
        finally:
            session.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get "
                    "install chromium; .ci/run installs it when it runs as root)")
async def test_the_reader_in_headless_chromium(tmp_path: Path) -> None:
    first, second = (" ".join(t.split()[:2]) for t in demo_titles()[:2])
    with serving("--home", str(tmp_path / "home"), "serve", "--demo") as (url, server), \
            chromium(tmp_path / "profile") as devtools:
        targets = httpx.get(f"http://127.0.0.1:{devtools}/json/list").json()
        page = next(t for t in targets if t["type"] == "page")
        async with aiohttp.ClientSession() as client, client.ws_connect(
                page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = Cdp(ws)
            for domain in ("Network", "Page", "Runtime"):
                await cdp.call(f"{domain}.enable")
            await cdp.call("Emulation.setDeviceMetricsOverride", width=1200, height=760,
                           deviceScaleFactor=1, mobile=False)
            await cdp.call("Page.navigate", url=url + "/")
            await cdp.wait_for_screen("Headlines", first, second)
            # The browser's focus reaches the app as it does for a user's first click.
            await cdp.call("Runtime.evaluate", expression="document.querySelector("
                           "'.xterm-helper-textarea').focus()")
            await cdp.wait_for_quiet()
            before, mark = await cdp.screenshot(), len(cdp.events)
            await cdp.key("j")  # the second story is selected
            await cdp.wait_for_screen(second, since=mark)
            await cdp.wait_for_quiet()
            after, mark = await cdp.screenshot(), len(cdp.events)
            await cdp.key("\r", key="Enter", code=13)  # and opened in the article pane
            await cdp.wait_for_screen(second, since=mark)
            await cdp.wait_for_quiet()
            reading = await cdp.screenshot()
            await cdp.key("o")  # the story's link opens in a new tab of this browser
            opened: list[str] = []
            for _ in range(100):
                pages = httpx.get(f"http://127.0.0.1:{devtools}/json/list").json()
                opened = [t["url"] for t in pages if t["type"] == "page"
                          and "demo.tui-reader.invalid" in t["url"]]
                if opened:
                    break
                await asyncio.sleep(0.1)
            assert opened, "o opened no tab"
            sessions = children(server.pid)
            assert len(sessions) == 1 and all(alive(pid) for pid in sessions)
            shown = await cdp.call("Runtime.evaluate", expression="document.body.className")
            requested = [e["params"]["request"]["url"] for e in cdp.events
                         if e["method"] == "Network.requestWillBeSent"]
        stop(server)
        assert server.returncode == 0
    assert "-first-byte" in shown["result"]["value"]  # the terminal is shown, not the intro
    assert len({before, after, reading}) == 3 and len(reading) > 20_000
    assert requested and all(urlsplit(u).hostname == "127.0.0.1" for u in requested), requested
    for _ in range(50):  # the session's reader ends with the server
        if not any(alive(pid) for pid in sessions):
            break
        time.sleep(0.1)
    assert not any(alive(pid) for pid in sessions)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.write_bytes(reading)

