"""Everything at once on one home, as a user's machine runs it: the app open in two SSH
sessions, ``tui-reader refresh`` from cron and ``tui-reader unread`` polled by a tmux
status line, for a few seconds.

The two "apps" work as the app does: a session, a writer thread for read flags and
bookmarks (in key order), and reads on the main thread. Each logs a write once it has
returned, and on every reload checks that the other's logged writes are visible. No
process may see "database is locked"; no write may be lost; the cache must be sound.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer, RequestInfo
from homes import cli_env, integrity

from tui_reader.core.feeds_file import Subscription, save_subscriptions
from tui_reader.core.paths import Paths
from tui_reader.core.store import open_store

pytestmark = pytest.mark.timeout(120)

FEEDS = 20
SECONDS = 4.0
NOW = int(time.time())

APP = r"""
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tui_reader.core.models import HeadlineFilter
from tui_reader.core.paths import Paths
from tui_reader.core.session import open_session

home, me, other, until = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
session = open_session(Paths.under(home))
store = session.store
writer = ThreadPoolExecutor(max_workers=1)  # the app's writer thread
log = open(Path(sys.argv[5]), "a", buffering=1)
errors, reloads, n = [], 0, 0
while time.time() < until:
    rows = store.headlines(HeadlineFilter(), limit=2000)
    mine = [h for h in rows if h.id % 2 == me and not (h.read and h.bookmarked)]
    for h in mine[:3]:
        kind = "B" if n % 3 == 0 else "R"
        n += 1
        call = (lambda i=h.id: store.set_bookmark(i)) if kind == "B" else (
            lambda i=h.id: store.set_read([i]))
        writer.submit(call).result()
        log.write(f"{kind} {h.id}\n")
    # A reload: every write the other app has finished must show.
    try:
        theirs = [line.split() for line in open(other).read().splitlines()]
    except FileNotFoundError:
        theirs = []
    seen = {h.id: h for h in store.headlines(HeadlineFilter(), limit=100_000)}
    for kind, i in theirs:
        h = seen.get(int(i))
        if h is None or not (h.bookmarked if kind == "B" else h.read):
            errors.append(f"{kind} {i} from the other app is not seen")
    store.total_unread()
    reloads += 1
writer.shutdown()
session.close()
print(json.dumps({"errors": errors[:5], "reloads": reloads, "writes": n}))
"""


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """Feeds with a new story on every fetch, so every refresh writes."""
    fetches = [0]
    with FeedServer() as srv:
        for n in range(FEEDS):
            def serve(_r: RequestInfo, n: int = n) -> tuple[int, dict[str, str], str]:
                fetches[0] += 1
                items = "".join(
                    f"<item><guid>f{n}-{k}</guid><title>Feed {n} story {k}</title>"
                    f"<link>{srv.base_url}/s/{n}/{k}</link><description>{'word ' * 50}"
                    f"</description><pubDate>{rfc822(NOW - 60 * (fetches[0] - k))}</pubDate>"
                    "</item>"
                    for k in range(fetches[0], fetches[0] + 10)
                )
                return 200, {"Content-Type": "application/rss+xml"}, (
                    f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}'
                    f"</title><link>{srv.base_url}/</link>{items}</channel></rss>")
            srv.route_fn(f"/feed/{n}.xml", serve)
        yield srv


def rfc822(ts: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


def tui_reader(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui_reader", "--home", str(home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, env=cli_env())


def test_two_apps_cron_refresh_and_a_polled_unread_on_one_home(
    server: FeedServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    paths = Paths.under(home).ensure()
    save_subscriptions(paths.feeds_file,
                       [Subscription(server.url(f"/feed/{n}.xml")) for n in range(FEEDS)])
    first = tui_reader(home, "refresh")
    assert first.wait(timeout=60) == 0, first.communicate()
    logs = [tmp_path / "app0.log", tmp_path / "app1.log"]
    until = time.time() + SECONDS + 3  # the apps start up meanwhile
    apps = [
        subprocess.Popen([sys.executable, "-c", APP, str(home), str(me), str(logs[1 - me]),
                          str(until), str(logs[me])], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=cli_env())
        for me in (0, 1)
    ]
    refreshes: list[subprocess.CompletedProcess[str]] = []
    unreads: list[subprocess.CompletedProcess[str]] = []
    refresh = tui_reader(home, "refresh", "--all")
    unread = tui_reader(home, "unread")
    while time.time() < until or refresh.poll() is None or unread.poll() is None:
        for proc, done in ((refresh, refreshes), (unread, unreads)):
            if proc.poll() is not None:
                out, err = proc.communicate()
                done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
                if time.time() < until:
                    if proc is refresh:
                        refresh = tui_reader(home, "refresh", "--all")
                    else:
                        unread = tui_reader(home, "unread")
        time.sleep(0.05)
    results = []
    for app in apps:
        out, err = app.communicate(timeout=60)
        assert app.returncode == 0 and "Traceback" not in err, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    for result in refreshes + unreads:
        assert "locked" not in result.stderr and "busy" not in result.stderr, result.stderr
        assert result.returncode == 0, (result.args, result.stderr)
    assert len(refreshes) >= 1 and len(unreads) >= 4, (len(refreshes), len(unreads))
    assert all(r.stdout.strip().isdigit() for r in unreads)
    for result in results:
        assert not result["errors"], result["errors"]
        assert result["reloads"] >= 3 and result["writes"] >= 6, result

    assert integrity(paths.database) == "ok"
    with open_store(paths.database) as store:
        for log in logs:
            for kind, i in (line.split() for line in log.read_text().splitlines()):
                article = store.article(int(i))
                assert article is not None
                assert article.bookmarked if kind == "B" else article.read, (kind, i)
        assert store.count() > FEEDS * 10  # the refreshes wrote while the apps did
