"""A real Fever API server for the sync tests: coldsweat, on loopback, with its own database.

coldsweat (on PyPI) is kept out of tui-reader's dependencies: it is installed once into a
venv of its own (``~/.cache/tui-reader-tests/coldsweat-venv``, or
``$TUI_READER_COLDSWEAT_VENV``) by uv, or by ``python -m venv`` and pip without uv. Only
the package registry is reached for that; the tests skip only when it cannot be reached.

Every feed coldsweat is given lives on a loopback :class:`FeedServer`, and it runs with
a proxy that goes nowhere for any other host (``NO_PROXY`` is loopback), so a favicon
lookup it would make on the internet fails at once instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

PACKAGE = "coldsweat==0.10.2"
EMAIL = "reader@example.org"
PASSWORD = "correct horse battery"
"""coldsweat wants 12 characters at least."""

_UNREACHABLE = ("dns error", "failed to lookup", "connection refused", "timed out",
                "network is unreachable", "temporary failure in name resolution",
                "failed to fetch", "error sending request", "name or service not known")


def venv_dir() -> Path:
    default = Path.home() / ".cache" / "tui-reader-tests" / "coldsweat-venv"
    return Path(os.environ.get("TUI_READER_COLDSWEAT_VENV", default))


def coldsweat_command() -> Path:
    """coldsweat's command, installing it first if needed (once, under a lock)."""
    venv = venv_dir()
    command = venv / "bin" / "coldsweat"
    marker = venv / ".installed"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "coldsweat.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and command.exists():
            return command
        shutil.rmtree(venv, ignore_errors=True)
        uv = shutil.which("uv")
        if uv:
            steps = [[uv, "venv", "-q", "--python", sys.executable, str(venv)],
                     [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                      PACKAGE]]
        else:
            steps = [[sys.executable, "-m", "venv", str(venv)],
                     [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", PACKAGE]]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600,
                                  check=False)
            if done.returncode != 0:
                said = (done.stdout + done.stderr).strip()
                if any(words in said.lower() for words in _UNREACHABLE):
                    pytest.skip(f"coldsweat could not be installed: the package registry "
                                f"is unreachable ({said.splitlines()[-1][:200]})")
                raise RuntimeError(f"installing coldsweat failed: {' '.join(step)}\n{said}")
        marker.write_text(PACKAGE)
        return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Coldsweat:
    """One coldsweat instance: its database in *root*, served on a fixed loopback port."""

    def __init__(self, root: Path, *, port: int | None = None) -> None:
        self.root = root
        self.command = coldsweat_command()
        self.port = port or free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def database(self) -> Path:
        return self.root / "coldsweat.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fever/"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(
            FLASK_DATABASE_URL=f"sqlite:///{self.database}",
            FLASK_SECRET_KEY="tests only",
            # Anything not on loopback (coldsweat looks favicons up on duckduckgo.com)
            # goes to a proxy that is not there, and fails at once.
            HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
            NO_PROXY="127.0.0.1,localhost",
        )
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run([str(self.command), *args], cwd=self.root, env=self.env(),
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"coldsweat {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout + done.stderr

    def create(self, opml: Path) -> None:
        """A fresh database with the user, subscribed to *opml*'s feeds, fetched."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.manage("setup", EMAIL, "-p", PASSWORD)
        self.manage("import", str(opml), EMAIL, "--fetch")

    def copy_to(self, root: Path) -> Coldsweat:
        """Another instance on a copy of this one's database (the server must be stopped)."""
        root.mkdir(parents=True, exist_ok=True)
        for path in self.root.glob("coldsweat.db*"):
            shutil.copy2(path, root / path.name)
        return Coldsweat(root)

    def start(self) -> Coldsweat:
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 - the process keeps it
        self._proc = subprocess.Popen(
            [str(self.command), "run", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.root, env=self.env(), stdout=log, stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.api("links")  # told apart from marks in the server's log
                return self
            except OSError:
                if self._proc.poll() is not None:
                    raise RuntimeError("coldsweat stopped: " + (
                        self.root / "server.log").read_text(errors="replace")) from None
                time.sleep(0.1)
        raise RuntimeError("coldsweat did not start in 30 s")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    # -- a second client of the server, through its own Fever API ----------------------------

    def api(self, command: str = "", *, password: str = PASSWORD,
            **form: str) -> dict[str, Any]:
        key = hashlib.md5(f"{EMAIL}:{password}".encode()).hexdigest()
        data = urllib.parse.urlencode({"api_key": key, **form}).encode()
        url = self.url + "?api" + (f"&{command}" if command else "")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, data=data, timeout=10) as response:
            answer: dict[str, Any] = json.loads(response.read())
        return answer

    def ids(self, which: str) -> set[int]:
        """``unread`` or ``saved`` item ids, as the server has them now."""
        raw = self.api(f"{which}_item_ids")[f"{which}_item_ids"]
        return {int(i) for i in str(raw).split(",") if i}

    def mark(self, item_id: int, action: str) -> None:
        self.api(mark="item", **{"as": action}, id=str(item_id))

    def items(self) -> list[dict[str, Any]]:
        """Every item, paged as a client pages them."""
        found: list[dict[str, Any]] = []
        since = 0
        while True:
            page = self.api(f"items&since_id={since}")["items"]
            if not page:
                return found
            found.extend(page)
            since = max(int(i["id"]) for i in page)
