"""Syncing a big account: the first sync of 10,000 items, then a later one of a few hundred.

Run by hand (not part of the test suite):

    uv run python bench/bench_sync.py [--items 10000] [--new 300] [--feeds 50] [--tui]

The server is a small Fever API server written here, on loopback, NOT coldsweat: coldsweat
would first have to fetch 10,000 items from feeds (and its Flask development server is
slower than most real servers). It speaks what tui-reader uses (feeds and groups, items
50 at a time above ``since_id``, the unread and saved id lists, marks), sends each item
with a 1.5 KB HTML body, and says how many requests it answered.

Each sync is the real ``tui-reader sync --json`` in a child process, timed from outside;
its peak memory is the child's maximum resident set (``wait4``). After the first sync,
the bench marks 500 stories read and 20 bookmarked locally, adds ``--new`` items on the
server, and syncs again: that sync pushes the 520 changes and pulls the new items.

``--tui [--rounds 5]`` measures the app instead: key latency and event-loop stalls while
it syncs (bench_sync_tui.py, in a child process, on a home with 1,000 stories of 20
feeds.toml feeds this server also serves), for the first sync and ``--rounds`` later ones,
once with ``j``/``enter`` pressed throughout and once with nobody typing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_reader.core.paths import Paths  # noqa: E402
from tui_reader.core.session import open_session  # noqa: E402

USER, PASSWORD = "bench@example.org", "bench password"
PAGE = 50
LOCAL_FEEDS, LOCAL_ITEMS = 20, 50
"""feeds.toml's feeds in the --tui home: 1,000 stories to move through during a first sync."""
BODY = "<p>" + " ".join(["Lorem ipsum dolor sit amet, consectetur adipiscing."] * 28) + "</p>"


class FeverBench:
    """An in-memory Fever account: ``feeds`` feeds in 5 groups, items added on demand."""

    def __init__(self, feeds: int) -> None:
        self.feeds = feeds
        self.items: list[dict[str, Any]] = []
        self.unread: set[int] = set()
        self.saved: set[int] = set()
        self.requests = 0
        self.lock = threading.Lock()
        self.key = hashlib.md5(f"{USER}:{PASSWORD}".encode()).hexdigest()

    def add(self, count: int) -> None:
        with self.lock:
            start = len(self.items) + 1
            for n in range(start, start + count):
                self.items.append({
                    "id": n, "feed_id": 1 + n % self.feeds, "title": f"Story number {n}",
                    "author": "Bench", "html": BODY, "url": f"https://example.org/s/{n}",
                    "is_saved": 0, "is_read": 0, "created_on_time": 1_790_000_000 + n * 60,
                })
                self.unread.add(n)

    def answer(self, query: dict[str, list[str]], form: dict[str, list[str]]) -> dict[str, Any]:
        result: dict[str, Any] = {"api_version": 3, "auth": 0}
        if form.get("api_key", [""])[0] != self.key:
            return result
        result["auth"] = 1
        with self.lock:
            if "groups" in query or "feeds" in query:
                result["groups"] = [{"id": g, "title": f"Group {g}"} for g in range(1, 6)]
                result["feeds"] = [{"id": f, "title": f"Feed {f}",
                                    "url": f"https://example.org/feed/{f}.xml",
                                    "site_url": "https://example.org/"}
                                   for f in range(1, self.feeds + 1)]
                result["feeds_groups"] = [
                    {"group_id": g, "feed_ids": ",".join(
                        str(f) for f in range(1, self.feeds + 1) if f % 5 + 1 == g)}
                    for g in range(1, 6)]
            if "items" in query:
                since = int(query.get("since_id", ["0"])[0])
                page = [dict(i, is_read=int(i["id"] not in self.unread),
                             is_saved=int(i["id"] in self.saved))
                        for i in self.items[since:since + PAGE]]  # ids are 1..n
                result["items"], result["total_items"] = page, len(self.items)
            if "unread_item_ids" in query:
                result["unread_item_ids"] = ",".join(map(str, sorted(self.unread)))
            if "saved_item_ids" in query:
                result["saved_item_ids"] = ",".join(map(str, sorted(self.saved)))
            if "mark" in form:
                item, action = int(form["id"][0]), form["as"][0]
                {"read": self.unread.discard, "unread": self.unread.add,
                 "saved": self.saved.add, "unsaved": self.saved.discard}[action](item)
        return result

    def serve(self) -> ThreadingHTTPServer:
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body leave in two writes: without this, Nagle's algorithm
                # and the client's delayed ACK cost 40 ms a request (a real server's do not).
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
                with bench.lock:
                    bench.requests += 1
                body = json.dumps(bench.answer(query, form)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                """feeds.toml's feeds (RSS, ETag: 304 once fetched) and, for the --tui
                child, ``/bench/add?count=N`` (N more items on the server)."""
                parts = urlsplit(self.path)
                if parts.path == "/bench/add":
                    bench.add(int(parse_qs(parts.query)["count"][0]))
                    self._reply(200, b"ok", "text/plain")
                elif self.headers.get("If-None-Match") == '"v1"':
                    self._reply(304, b"", "application/rss+xml")
                else:
                    self._reply(200, local_feed(parts.path), "application/rss+xml")

            def _reply(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd


def local_feed(path: str) -> bytes:
    """One of feeds.toml's feeds: 50 items with the same 1.5 KB body as the server's."""
    items = "".join(
        f"<item><title>Local story {n} of {escape(path)}</title>"
        f"<link>https://example.org{escape(path)}/{n}</link><guid>{escape(path)}/{n}</guid>"
        f"<pubDate>{formatdate(1_789_000_000 + n * 3600)}</pubDate>"
        f"<description>{escape(BODY)}</description></item>" for n in range(LOCAL_ITEMS))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local {escape(path)}'
            f"</title><link>https://example.org/</link>{items}</channel></rss>").encode()


def sync(home: Path) -> tuple[dict[str, Any], float, float]:
    """``tui-reader sync --json`` once: its report, wall seconds, peak RSS in MiB."""
    env = dict(os.environ, TUI_READER_SYNC_PASSWORD=PASSWORD, NO_PROXY="127.0.0.1")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tui_reader", "--home", str(home), "sync",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"sync failed: {err.decode().strip()}")
    return json.loads(out), seconds, usage.ru_maxrss / 1024


def cli_bench(args: argparse.Namespace) -> None:
    """The three ``tui-reader sync`` runs, timed from outside: requests, seconds, memory."""
    bench = FeverBench(args.feeds)
    bench.add(args.items)
    httpd = bench.serve()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/fever/"
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        home = Path(tmp)
        (home / "config").mkdir()
        (home / "config" / "config.toml").write_text(sync_table(url))
        (home / "config" / "feeds.toml").write_text("")
        rows = []
        before = bench.requests
        report, seconds, rss = sync(home)
        rows.append((f"first sync, {args.items:,} items", report, seconds, rss,
                     bench.requests - before))

        session = open_session(Paths.under(home))
        ids = [r[0] for r in sqlite3.connect(home / "data" / "cache.sqlite3").execute(
            "SELECT id FROM articles ORDER BY id LIMIT 520")]
        session.store.set_read(ids[:500])
        for article_id in ids[500:]:
            session.store.set_bookmark(article_id)
        session.close()
        bench.add(args.new)
        before = bench.requests
        report, seconds, rss = sync(home)
        rows.append((f"later sync, {args.new} new + 520 local changes", report, seconds, rss,
                     bench.requests - before))
        before = bench.requests
        report, seconds, rss = sync(home)
        rows.append(("sync with nothing new", report, seconds, rss, bench.requests - before))
        size = (home / "data" / "cache.sqlite3").stat().st_size / 2**20
    httpd.shutdown()
    print(f"{'':44} {'requests':>8} {'seconds':>8} {'peak MiB':>9} {'new':>6} {'sent':>5}")
    for name, report, seconds, rss, served in rows:
        assert served == report["requests"], (served, report["requests"])
        print(f"{name:44} {served:>8} {seconds:>8.2f} {rss:>9.0f} "
              f"{report['new_articles']:>6} {report['pushed']:>5}")
    print(f"cache after: {size:.1f} MiB; server unread now {len(bench.unread):,}, "
          f"saved {len(bench.saved)}")


def sync_table(url: str) -> str:
    return f'[sync]\nprotocol = "fever"\nurl = "{url}"\nuser = "{USER}"\n'


def tui_run(args: argparse.Namespace, mode: str) -> list[dict[str, Any]]:
    """One app, in a child (bench_sync_tui.py), on a home with feeds.toml's 1,000 stories,
    against a fresh account of ``--items`` items: the first sync, then the later ones."""
    bench = FeverBench(args.feeds)
    bench.add(args.items)
    httpd = bench.serve()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    env = dict(os.environ, TUI_READER_SYNC_PASSWORD=PASSWORD, NO_PROXY="127.0.0.1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see bench/README.md, "Surprises"
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sync-tui-") as tmp:
            home = Path(tmp)
            (home / "config").mkdir()
            (home / "config" / "feeds.toml").write_text("".join(
                f'[[feed]]\nurl = "{base}/local/{n}.xml"\n\n' for n in range(LOCAL_FEEDS)))
            subprocess.run([sys.executable, "-m", "tui_reader", "--home", str(home), "refresh"],
                           env=env, check=True, capture_output=True, timeout=300)
            (home / "config" / "config.toml").write_text(sync_table(f"{base}/fever/"))
            child = subprocess.run(
                [sys.executable, str(Path(__file__).with_name("bench_sync_tui.py")), str(home),
                 f"{base}/bench/add", str(args.rounds), str(args.new), mode],
                env=env, capture_output=True, text=True, timeout=1800,
                cwd=Path(__file__).resolve().parents[1])
    finally:
        httpd.shutdown()
    for line in reversed(child.stdout.splitlines()):
        if line.startswith("BENCH_SYNC_TUI_JSON "):
            phases: list[dict[str, Any]] = json.loads(line.removeprefix("BENCH_SYNC_TUI_JSON "))
            return phases
    raise SystemExit(f"bench_sync_tui.py ({mode}) printed no figures:\n{child.stderr[-3000:]}")


def _p(values: list[float], pct: float) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] * 1000:.0f}"


def tui_bench(args: argparse.Namespace) -> None:
    """The app's keys and stalls during syncs: once with keys, once with nobody typing."""
    rows: list[tuple[str, str, list[dict[str, Any]]]] = []
    for mode in ("quiet", "keys"):
        phases = tui_run(args, mode)
        print(f"{mode}: " + json.dumps(
            [{k: v for k, v in p.items() if k not in ("moves", "opens")} for p in phases]),
            file=sys.stderr)
        names = {"first": f"first sync, {args.items:,} items",
                 "idle": "no sync (same home, idle)",
                 "later": f"later sync, {args.new} new + 520 changes (x{args.rounds})"}
        for phase in ("first", "idle", "later"):
            same = [p for p in phases if p["phase"] == phase]
            if same:
                rows.append((names[phase], mode, same))
    head = (f"{'':42} {'mode':5} {'sync s':>7} {'keys':>5} {'j p50':>6} {'j p95':>6} "
            f"{'open p50':>8} {'open p95':>8} {'stall sync':>10} {'stall shown':>11}")
    print(head)
    for name, mode, same in rows:
        moves = [m for p in same for m in p.get("moves", [])]
        opens = [o for p in same for o in p.get("opens", [])]
        secs = [p["sync_seconds"] for p in same if "sync_seconds" in p]
        shown = [p["shown_stall_max_ms"] for p in same if "shown_stall_max_ms" in p]
        print(f"{name:42} {mode:5} {(f'{max(secs):.1f}' if secs else '—'):>7} "
              f"{len(moves) + len(opens):>5} {_p(moves, 50):>6} {_p(moves, 95):>6} "
              f"{_p(opens, 50):>8} {_p(opens, 95):>8} "
              f"{max(p['sync_stall_max_ms'] for p in same):>10.0f} "
              f"{(f'{max(shown):.0f}' if shown else '—'):>11}")
    print("milliseconds unless said; sync s: the longest; stall: the longest event-loop delay "
          "during the sync / until its stories were listed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=300)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--tui", action="store_true",
                        help="measure the app's keys and stalls during syncs instead")
    parser.add_argument("--rounds", type=int, default=5, help="later syncs with --tui")
    args = parser.parse_args()
    print("Server: a small Fever API server written in this bench, on loopback (not "
          "coldsweat: see the docstring)")
    if args.tui:
        tui_bench(args)
    else:
        cli_bench(args)


if __name__ == "__main__":
    main()
