"""kill -9 at random points: nothing that was saved is lost, and nothing is half-written.

Each round starts, on one home, a real ``tui-reader refresh --all`` of many loopback
feeds (whose stories change every round, so it writes, and whose bookmarks' pages it
fetches as snapshots), a script bookmarking and marking stories read through the store,
and a script adding and removing subscriptions (feeds.toml) as ``add``/``remove`` do. At
a random moment all three are killed with SIGKILL. Then SQLite's integrity check must
pass, every bookmark and read flag whose write had returned must be there, and
feeds.toml must parse and hold exactly the subscriptions whose writes had returned (the
one write under way may have happened or not).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer, RequestInfo
from homes import cli, cli_env, integrity

from tui_reader.core.feeds_file import Subscription, load_subscriptions, save_subscriptions
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(180)

FEEDS = 40
ITEMS = 15
ROUNDS = 10
NOW = int(time.time())

MARKER = r"""
import random, sys, time
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.store import open_store

store = open_store(sys.argv[1])
rng = random.Random(int(sys.argv[2]))
ids = [h.id for h in store.headlines(HeadlineFilter(), limit=100_000)]
rng.shuffle(ids)
print("ready", flush=True)
for n, article_id in enumerate(ids):
    if n % 2:
        store.set_bookmark(article_id)
        print(f"B {article_id}", flush=True)  # one write: a kill cannot split the line
    else:
        store.set_read([article_id])
        print(f"R {article_id}", flush=True)
    time.sleep(0.002)
time.sleep(60)
"""

SUBSCRIBER = r"""
import json, sys, time
from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session
from pathlib import Path
from tui_reader.core.subscribe import add_subscription, remove_subscription

session = open_session(Paths.under(Path(sys.argv[1])))
ops = json.loads(sys.argv[2])
print("ready", flush=True)
for n, (op, url) in enumerate(ops):
    if op == "add":
        add_subscription(session, url)
    else:
        remove_subscription(session, url)
    print(n, flush=True)
time.sleep(60)
"""


def feed_xml(base: str, n: int, round_no: int) -> str:
    """Feed *n* as it reads in round *round_no*: one new story per round, links to pages
    on the server (the snapshots of bookmarks are fetched from there)."""
    items = "".join(
        f"<item><guid>f{n}-{i}</guid><title>Feed {n} story {i}</title>"
        f"<link>{base}/page/{n}/{i % ITEMS}</link>"
        f"<description>Round {round_no} text {'word ' * 80}</description>"
        f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(NOW - i * 60))}"
        "</pubDate></item>"
        for i in range(round_no, round_no + ITEMS)
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
            f"<link>{base}/</link>{items}</channel></rss>")


@pytest.fixture
def served() -> Iterator[tuple[FeedServer, list[int]]]:
    """Feeds whose stories move on each round (the round is the list's one item)."""
    round_no = [0]
    with FeedServer() as server:
        for n in range(FEEDS):
            def serve(_req: RequestInfo, n: int = n) -> tuple[int, dict[str, str], str]:
                return 200, {"Content-Type": "application/rss+xml"}, feed_xml(
                    server.base_url, n, round_no[0])
            server.route_fn(f"/feed/{n}.xml", serve)
            for i in range(ITEMS):
                server.route(f"/page/{n}/{i}", f"<html><body><article><h1>Page {n} {i}</h1>"
                             f"<p>{'Saved text. ' * 60}</p></article></body></html>",
                             content_type="text/html")
        yield server, round_no


def start(*args: str) -> subprocess.Popen[str]:
    """A process in its own group, so SIGKILL reaches its children (the parse worker)."""
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            env=cli_env(), start_new_session=True)


def kill(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return proc.communicate(timeout=30)


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", (line, proc.stderr.read() if proc.stderr else "")


def applied(ops: list[tuple[str, str]], base: set[str]) -> set[str]:
    state = set(base)
    for op, url in ops:
        (state.add if op == "add" else state.discard)(url)
    return state


def test_kill_9_at_random_points_loses_nothing_that_was_saved(
    served: tuple[FeedServer, list[int]], tmp_path: Path
) -> None:
    server, round_no = served
    home = tmp_path / "home"
    paths = Paths.under(home).ensure()
    main_feeds = [server.url(f"/feed/{n}.xml") for n in range(FEEDS)]
    save_subscriptions(paths.feeds_file, [Subscription(u) for u in main_feeds])
    assert cli(home, "refresh").returncode == 0  # stories to mark from the start
    rng = random.Random(10)
    bookmarked: set[int] = set()
    read: set[int] = set()
    extra: set[str] = set()  # the subscriptions added and removed by the rounds
    killed_refreshes = 0
    for round_ in range(1, ROUNDS + 1):
        round_no[0] = round_
        urls = [server.url(f"/extra/{round_}/{k}.xml") for k in range(40)]
        ops = [("add", u) for u in urls]
        for k in range(0, 40, 3):
            ops.insert(ops.index(("add", urls[k])) + 1, ("remove", urls[k]))
        if extra:
            ops.insert(2, ("remove", sorted(extra)[0]))
        refresh = start("-m", "tui_reader", "--home", str(home), "refresh", "--all")
        marker = start("-c", MARKER, str(paths.database), str(round_))
        subscriber = start("-c", SUBSCRIBER, str(home), json.dumps(ops))
        wait_ready(marker)
        wait_ready(subscriber)
        time.sleep(rng.uniform(0.05, 1.2))
        done = refresh.poll() is not None
        out_r, err_r = kill(refresh)
        out_m, _ = kill(marker)
        out_s, err_s = kill(subscriber)
        killed_refreshes += not done
        assert "Traceback" not in err_r + err_s, err_r + err_s
        assert "locked" not in err_r, err_r

        assert integrity(paths.database) == "ok", f"round {round_}"
        complete = out_m if out_m.endswith("\n") else out_m[: out_m.rfind("\n") + 1]
        for line in complete.splitlines():  # a line cut by the kill is no returned write
            kind, article_id = line.split()
            (bookmarked if kind == "B" else read).add(int(article_id))
        with open_store(paths.database) as store:
            missing_marks = [i for i in bookmarked if not (a := store.article(i))
                             or not a.bookmarked]
            missing_reads = [i for i in read if not (a := store.article(i)) or not a.read]
        assert not missing_marks and not missing_reads, (round_, missing_marks, missing_reads)

        subs = {s.url for s in load_subscriptions(paths.feeds_file)}  # it parses
        assert set(main_feeds) <= subs
        finished = len(out_s.split())  # a line per op that returned ("ready" was read)
        possible = [applied(ops[:finished], extra), applied(ops[:finished + 1], extra)]
        assert subs - set(main_feeds) in possible, (round_, finished)
        extra = subs - set(main_feeds)

    assert killed_refreshes >= ROUNDS // 2, "the kills came too late to hit a refresh"
    # After all that, everything still works, and the cache follows feeds.toml again.
    after = cli(home, "refresh", "--all")
    assert after.returncode == 0, after.stderr
    feeds = json.loads(cli(home, "feeds", "--json").stdout)
    assert {f["url"] for f in feeds} == set(main_feeds) | extra
    assert integrity(paths.database) == "ok"
    with open_store(paths.database) as store:
        assert all(store.article(i).bookmarked for i in bookmarked)  # type: ignore[union-attr]
        assert len(bookmarked) >= ROUNDS


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("how", ["q", "kill -9"])
def test_the_app_stopped_during_a_refresh_loses_nothing(
    served: tuple[FeedServer, list[int]], tmp_path: Path, how: str
) -> None:
    """The app quits (q) or is killed while its start-up refresh is writing: it ends at
    once, the cache is sound, and bookmarks and read flags made before are all there."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_bytes import Terminal

    server, round_no = served
    home = tmp_path / "home"
    paths = Paths.under(home).ensure()
    save_subscriptions(paths.feeds_file,
                       [Subscription(server.url(f"/feed/{n}.xml")) for n in range(FEEDS)])
    assert cli(home, "refresh").returncode == 0
    with open_store(paths.database) as store:
        from tui_reader.core.models import HeadlineFilter

        ids = [h.id for h in store.headlines(HeadlineFilter(), limit=100)]
        store.set_bookmark(ids[0])
        store.set_read(ids[1:20])
    round_no[0] = 1  # every feed has a new story: the app's refresh writes
    import sqlite3

    with sqlite3.connect(paths.database) as raw:  # and every feed is due again
        raw.execute("UPDATE feeds SET next_due=0")
    env = dict(cli_env(), TERM="xterm-256color")
    term = Terminal([sys.executable, "-m", "tui_reader", "--home", str(home)], 100, 30, env)
    try:
        seen = bytearray()
        deadline = time.monotonic() + 30
        while b"Refreshing" not in seen and time.monotonic() < deadline:
            seen += term.drain(quiet=0.1, at_least=0.1, limit=1)
        assert b"Refreshing" in seen  # stopped mid-refresh, not after it
        if how == "q":
            term.send("q")
            ended = time.monotonic() + 10
            while time.monotonic() < ended:
                if os.waitpid(term.pid, os.WNOHANG) != (0, 0):
                    break
                time.sleep(0.05)
            else:
                pytest.fail("q during a refresh did not end the app within 10 s")
        else:
            os.kill(term.pid, signal.SIGKILL)
            os.waitpid(term.pid, 0)
    finally:
        term.close()
    assert integrity(paths.database) == "ok"
    with open_store(paths.database) as store:
        assert store.article(ids[0]).bookmarked  # type: ignore[union-attr]
        assert all(store.article(i).read for i in ids[1:20])  # type: ignore[union-attr]
    after = cli(home, "refresh", "--all")
    assert after.returncode == 0, after.stderr
